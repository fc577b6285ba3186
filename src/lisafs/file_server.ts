// What the Sentry's gofer file system needs from whoever serves host files.
// Two implementations: LisafsClient (an RPC to the gofer process over its socket)
// and DirectFileServer (src/gofer/direct.ts: the same handlers run in the Sentry on
// a directory fd the launcher donated — runsc's directfs). Both apply the gofer's
// rules: one checked name at a time, no symlink followed, identity checks on reopen.
import type { Stat, Timespec } from '../abi/linux/stat.js';
import type { Dirent, HostStatFs, WalkResult } from './types.js';

export interface AttachResult {
  handle: number;
  stat: Stat;
  /** FEATURE_* bits. */
  features: number;
}

export interface SetAttrRequest {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: Timespec;
  mtime?: Timespec;
}

export interface FileServer {
  /** The root of the served tree. */
  attach(): AttachResult;
  /** Walks `names` from directory `dir`, one component at a time, following no symlink (see MSG_WALK). */
  walk(dir: number, names: string[]): WalkResult;
  stat(handle: number): Stat;
  /** Opens the file behind `handle`: a host fd the caller owns, and a fresh stat. */
  open(handle: number, flags: number): { fd: number; stat: Stat };
  /** All entries of a directory, without "." and "..". */
  readdir(handle: number): Dirent[];
  readlink(handle: number): string;
  statfs(handle: number): HostStatFs;
  /** Changes attributes; returns the new stat. */
  setattr(handle: number, a: SetAttrRequest): Stat;
  /** Releases handles now. */
  close(handles: number[]): void;
  /** Releases a handle when convenient (collected inodes; batched over RPC). */
  closeLater(handle: number): void;
  /** Options shown for the mount in /proc/mounts (after the file system's own). */
  mountOptions(): string;
}
