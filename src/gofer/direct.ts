// directfs: the in-process transport of the gofer's handlers. The Sentry runs the
// same GoferService the gofer process runs, on a root directory fd the launcher
// opened and donated, so a lookup or an open is a few *at() syscalls instead of a
// round trip to another process (runsc --directfs). Containment is the service's:
// one checked name per *at() call, O_NOFOLLOW, identity checks on reopen, no
// absolute host path, read-only refusal, deny and mask rules.
import { decodeStat, type Stat } from '../abi/linux/stat.js';
import type { AttachResult, FileServer, Owner, SetAttrRequest } from '../lisafs/file_server.js';
import {
  SETATTR_ATIME, SETATTR_GID, SETATTR_MODE, SETATTR_MTIME, SETATTR_SIZE, SETATTR_UID, STAT_BYTES, STATFS_BYTES,
} from '../lisafs/messages.js';
import { decodeStatFs, type Dirent, type HostStatFs, type WalkEntry, type WalkResult } from '../lisafs/types.js';
import { GoferService, type ServiceOptions } from './service.js';

export class DirectFileServer implements FileServer {
  private readonly statBuf = new Uint8Array(STAT_BYTES);
  private readonly statfsBuf = new Uint8Array(STATFS_BYTES);
  /** Calls served (the RPC client counts requests the same way; tests compare). */
  requests = 0;

  constructor(
    readonly service: GoferService,
    /** Shown in /proc/mounts, like runsc's "directfs" 9p option. */
    private readonly extraOptions = '',
  ) {}

  /** Serves the directory open at `rootFd` (owned from now on) with the gofer's rules. */
  static fromDirFd(rootFd: number, opts: ServiceOptions, extraOptions = ''): DirectFileServer {
    return new DirectFileServer(GoferService.fromDirFd(rootFd, opts), extraOptions);
  }

  attach(): AttachResult {
    this.requests++;
    const handle = this.service.attach(this.statBuf);
    return { handle, stat: decodeStat(this.statBuf), features: this.service.features };
  }

  walk(dir: number, names: string[]): WalkResult {
    this.requests++;
    const r = this.service.walk(dir, names);
    const entries: WalkEntry[] = [];
    for (let i = 0; i < r.handles.length; i++) entries.push({ handle: r.handles[i]!, stat: decodeStat(r.stats[i]!) });
    return { entries, errno: r.errno };
  }

  stat(handle: number): Stat {
    this.requests++;
    this.service.stat(handle, this.statBuf);
    return decodeStat(this.statBuf);
  }

  open(handle: number, flags: number): { fd: number; stat: Stat } {
    this.requests++;
    const fd = this.service.open(handle, flags, this.statBuf);
    return { fd, stat: decodeStat(this.statBuf) };
  }

  readdir(handle: number): Dirent[] {
    this.requests++;
    const out: Dirent[] = [];
    for (let rewind = true; !this.service.readdir(handle, rewind, out); rewind = false);
    return out;
  }

  readlink(handle: number): string {
    this.requests++;
    return this.service.readlink(handle);
  }

  statfs(handle: number): HostStatFs {
    this.requests++;
    this.service.statfs(handle, this.statfsBuf);
    return decodeStatFs(this.statfsBuf);
  }

  setattr(handle: number, a: SetAttrRequest): Stat {
    this.requests++;
    let mask = 0;
    if (a.mode !== undefined) mask |= SETATTR_MODE;
    if (a.uid !== undefined) mask |= SETATTR_UID;
    if (a.gid !== undefined) mask |= SETATTR_GID;
    if (a.size !== undefined) mask |= SETATTR_SIZE;
    if (a.atime) mask |= SETATTR_ATIME;
    if (a.mtime) mask |= SETATTR_MTIME;
    this.service.setattr(handle, {
      mask, mode: a.mode ?? 0, uid: a.uid ?? 0, gid: a.gid ?? 0, size: BigInt(Math.trunc(a.size ?? 0)),
      atimeSec: a.atime?.sec ?? 0, atimeNsec: a.atime?.nsec ?? 0, mtimeSec: a.mtime?.sec ?? 0, mtimeNsec: a.mtime?.nsec ?? 0,
    }, this.statBuf);
    return decodeStat(this.statBuf);
  }

  private entry(handle: number): WalkEntry {
    return { handle, stat: decodeStat(this.statBuf) };
  }

  create(dir: number, name: string, flags: number, mode: number, owner: Owner): WalkEntry & { fd: number } {
    this.requests++;
    const { handle, fd } = this.service.create(dir, name, flags, mode, owner, this.statBuf);
    return { handle, fd, stat: decodeStat(this.statBuf) };
  }

  mkdir(dir: number, name: string, mode: number, owner: Owner): WalkEntry {
    this.requests++;
    return this.entry(this.service.mkdir(dir, name, mode, owner, this.statBuf));
  }

  mknod(dir: number, name: string, mode: number, owner: Owner): WalkEntry {
    this.requests++;
    return this.entry(this.service.mknod(dir, name, mode, owner, this.statBuf));
  }

  symlink(dir: number, name: string, target: string, owner: Owner): WalkEntry {
    this.requests++;
    return this.entry(this.service.symlink(dir, name, target, owner, this.statBuf));
  }

  link(dir: number, name: string, target: number): Stat {
    this.requests++;
    this.service.link(dir, name, target, this.statBuf);
    return decodeStat(this.statBuf);
  }

  unlink(dir: number, name: string, flags: number): Stat {
    this.requests++;
    this.service.unlink(dir, name, flags, this.statBuf);
    return decodeStat(this.statBuf);
  }

  rename(oldDir: number, oldName: string, newDir: number, newName: string, flags: number): void {
    this.requests++;
    this.service.rename(oldDir, oldName, newDir, newName, flags);
  }

  getxattr(handle: number, name: string): Uint8Array {
    this.requests++;
    return this.service.getxattr(handle, name);
  }

  setxattr(handle: number, name: string, value: Uint8Array, flags: number): void {
    this.requests++;
    this.service.setxattr(handle, name, value, flags);
  }

  listxattr(handle: number): string[] {
    this.requests++;
    return this.service.listxattr(handle);
  }

  removexattr(handle: number, name: string): void {
    this.requests++;
    this.service.removexattr(handle, name);
  }

  close(handles: number[]): void {
    this.service.close(handles);
  }

  /** In-process, releasing is cheap: no batching needed. */
  closeLater(handle: number): void {
    this.service.close([handle]);
  }

  mountOptions(): string {
    return this.extraOptions ? `${this.extraOptions},directfs` : 'directfs';
  }

  /** Releases every handle and the root fd. */
  shutdown(): void {
    this.service.shutdown();
  }
}
