// What the Sentry's gofer file system needs from whoever serves host files.
// Two implementations: LisafsClient (an RPC to the gofer process over its socket)
// and DirectFileServer (src/gofer/direct.ts: the same handlers run in the Sentry on
// a directory fd the launcher donated — runsc's directfs). Both apply the gofer's
// rules: one checked name at a time, no symlink followed, identity checks on reopen.
import type { Stat, Timespec } from '../abi/linux/stat.js';
import type { Dirent, HostStatFs, WalkEntry, WalkResult } from './types.js';

export interface AttachResult {
  handle: number;
  stat: Stat;
  /** FEATURE_* bits. */
  features: number;
}

/** Who a new file belongs to: the creating task's fsuid and fsgid (or the setgid directory's group). */
export interface Owner {
  uid: number;
  gid: number;
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
  /** Changes attributes (chown, chmod, truncate, then times); returns the new stat. */
  setattr(handle: number, a: SetAttrRequest): Stat;

  // The write side: each names one component of directory `dir` (see lisafs/messages.ts).
  /** open(O_CREAT|O_EXCL) of a regular file: its handle, stat and an open host fd the caller owns. */
  create(dir: number, name: string, flags: number, mode: number, owner: Owner): WalkEntry & { fd: number };
  mkdir(dir: number, name: string, mode: number, owner: Owner): WalkEntry;
  /** A regular file, FIFO or socket (mode carries the type). */
  mknod(dir: number, name: string, mode: number, owner: Owner): WalkEntry;
  symlink(dir: number, name: string, target: string, owner: Owner): WalkEntry;
  /** Links `target` as `name`; returns the file's new stat. */
  link(dir: number, name: string, target: number): Stat;
  /** unlinkat (AT_REMOVEDIR for rmdir); returns the victim's stat from just before. */
  unlink(dir: number, name: string, flags: number): Stat;
  /** renameat2; handles on the moved entries stay valid under their new names. */
  rename(oldDir: number, oldName: string, newDir: number, newName: string, flags: number): void;
  getxattr(handle: number, name: string): Uint8Array;
  setxattr(handle: number, name: string, value: Uint8Array, flags: number): void;
  listxattr(handle: number): string[];
  removexattr(handle: number, name: string): void;
  /** Releases handles now. */
  close(handles: number[]): void;
  /** Releases a handle when convenient (collected inodes; batched over RPC). */
  closeLater(handle: number): void;
  /** Options shown for the mount in /proc/mounts (after the file system's own). */
  mountOptions(): string;
}
