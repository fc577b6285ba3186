// Inodes of the gofer file system. Each holds one file server handle (a host node
// in the gofer process, or in the Sentry itself with directfs) and a cached copy
// of the host stat: host inode numbers, mode, owners, size and times. Mutations
// other than truncation keep the Inode defaults until the protocol's write side lands.
import { EINVAL, ELOOP, ENOENT, ENOTDIR, ENXIO, EACCES, errnoFromNumber } from '../../../abi/linux/errno.js';
import { O_ACCMODE, O_DSYNC, O_PATH, O_RDONLY, O_SYNC } from '../../../abi/linux/fcntl.js';
import { S_IFBLK, S_IFCHR, type Stat } from '../../../abi/linux/stat.js';
import type { SetAttrRequest } from '../../../lisafs/file_server.js';
import { native } from '../../../native.js';
import type { Task } from '../../kernel/task.js';
import { DirectoryDescription, PathDescription, type FileDescription } from '../../vfs/file.js';
import { Inode, nowTimespec, type DataReader, type DirEntry, type SetAttr } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { GoferFileDescription, HostFd } from './file.js';
import type { GoferFilesystem, HandleRef } from './filesystem.js';

/** Open flags the host fd gets; O_APPEND stays in the Sentry, which positions every write. */
const HOST_OPEN_FLAGS = O_ACCMODE | O_DSYNC | O_SYNC;
/** Negative lookups remembered per directory (exclusive mode) before the set starts over. */
const NEGATIVE_MAX = 4096;

export class GoferInode extends Inode {
  readonly fs: GoferFilesystem;
  /** The gofer's handle for this file (replaced when a newer walk reaches the same file). */
  readonly ref: HandleRef;
  readonly hostDev: bigint;
  readonly hostIno: bigint;
  private bytes = 0;
  private blocks = 0;
  private blksize = 4096;
  /** Symlink text, cached in exclusive mode (symlinks never change). */
  private target: string | null = null;
  /** Children found by a batched walk, waiting for the lookups that follow. */
  private prefetched: Map<string, GoferInode> | null = null;
  /** Names known not to exist (exclusive mode). */
  private negative: Set<string> | null = null;

  constructor(fs: GoferFilesystem, ref: HandleRef, st: Stat) {
    super(fs.inoOf(st.dev, st.ino), st.mode, st.uid, st.gid);
    this.fs = fs;
    this.ref = ref;
    this.hostDev = st.dev;
    this.hostIno = st.ino;
    this.apply(st);
  }

  get handle(): number {
    return this.ref.handle;
  }

  /** Takes attributes from a host stat. */
  apply(st: Stat): void {
    this.mode = st.mode;
    this.uid = st.uid;
    this.gid = st.gid;
    this.nlink = st.nlink;
    this.rdev = st.rdev;
    this.bytes = st.size;
    this.blocks = st.blocks;
    this.blksize = st.blksize;
    this.atime = st.atime;
    this.mtime = st.mtime;
    this.ctime = st.ctime;
  }

  override size(): number {
    return this.bytes;
  }

  override stat(): Stat {
    const s = super.stat();
    s.blocks = this.blocks;
    s.blksize = this.blksize;
    return s;
  }

  override revalidate(): void {
    if (this.fs.shared) this.apply(this.fs.client.stat(this.handle));
  }

  /** Size for lseek(SEEK_END) and O_APPEND: the host's, when others may write. */
  currentSize(hostFd: number): number {
    if (!this.fs.shared) return this.bytes;
    const buf = new Uint8Array(144);
    if (native().fstat(hostFd, buf) === 0) this.bytes = Number(new DataView(buf.buffer).getBigInt64(48, true));
    return this.bytes;
  }

  /** Bookkeeping after the Sentry wrote through a donated fd (no gofer round trip). */
  noteWrite(end: number): void {
    if (end > this.bytes) this.bytes = end;
    this.blocks = Math.max(this.blocks, Math.ceil(this.bytes / 512));
    this.mtime = this.ctime = nowTimespec();
  }

  noteTruncate(size: number): void {
    this.bytes = size;
    this.blocks = Math.min(this.blocks, Math.ceil(size / 512));
    this.mtime = this.ctime = nowTimespec();
  }

  // ---- directories ----

  override lookup(name: string): GoferInode | null {
    if (!this.isDir()) throw ENOTDIR;
    if (!this.fs.shared) {
      const p = this.prefetched?.get(name);
      if (p) {
        this.prefetched!.delete(name);
        return p;
      }
      if (this.negative?.has(name)) return null;
    }
    const r = this.fs.client.walk(this.handle, [name]);
    const e = r.entries[0];
    if (!e) {
      if (r.errno !== ENOENT.errno) throw errnoFromNumber(r.errno);
      this.noteMissing(name);
      return null;
    }
    return this.fs.inodeFor(e);
  }

  private noteMissing(name: string): void {
    if (this.fs.shared) return;
    const neg = (this.negative ??= new Set());
    if (neg.size >= NEGATIVE_MAX) neg.clear();
    neg.add(name);
  }

  /**
   * Batched walk: resolves `names` below this directory in one gofer round trip
   * and keeps the results for the lookups that follow (a deep path costs one
   * round trip instead of one per component). Returns how many were found.
   * Symlinks are not followed; the walk stops at one. Exclusive mode only.
   */
  prefetch(names: string[]): number {
    if (this.fs.shared || names.length === 0 || !this.isDir()) return 0;
    const r = this.fs.client.walk(this.handle, names);
    let dir: GoferInode = this;
    for (let i = 0; i < r.entries.length; i++) {
      const child = this.fs.inodeFor(r.entries[i]!);
      (dir.prefetched ??= new Map()).set(names[i]!, child);
      dir = child;
    }
    if (r.errno === ENOENT.errno && r.entries.length < names.length) dir.noteMissing(names[r.entries.length]!);
    return r.entries.length;
  }

  override readdir(): DirEntry[] {
    if (!this.isDir()) throw ENOTDIR;
    const out: DirEntry[] = [];
    for (const e of this.fs.client.readdir(this.handle)) {
      out.push({ name: e.name, ino: this.fs.inoOf(this.hostDev, e.ino), type: e.type });
    }
    return out;
  }

  // ---- symlinks ----

  override readlink(): string {
    if (!this.isSymlink()) throw EINVAL;
    if (this.target !== null) return this.target;
    const t = this.fs.client.readlink(this.handle);
    if (!this.fs.shared) this.target = t;
    return t;
  }

  // ---- files ----

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    if (flags & O_PATH) return new PathDescription(vd, flags);
    if (this.isDir()) return new DirectoryDescription(vd, flags);
    if (this.isRegular()) {
      const { fd, stat } = this.fs.client.open(this.handle, flags & HOST_OPEN_FLAGS);
      this.apply(stat);
      return new GoferFileDescription(vd, flags, this, new HostFd(fd));
    }
    if (this.isSymlink()) throw ELOOP;
    // As the gofer answers: host devices are out of reach, FIFOs and sockets are not served yet.
    throw this.type === S_IFCHR || this.type === S_IFBLK ? EACCES : ENXIO;
  }

  override dataReader(): DataReader {
    if (!this.isRegular()) throw EINVAL;
    const { fd } = this.fs.client.open(this.handle, O_RDONLY);
    let closed = false;
    return {
      readAt(dst: Uint8Array, off: number): number {
        const n = native().pread(fd, dst, off);
        if (n < 0) throw errnoFromNumber(-n);
        return n;
      },
      close(): void {
        if (!closed) native().close(fd);
        closed = true;
      },
    };
  }

  override setattr(attr: SetAttr): void {
    const req: SetAttrRequest = {
      mode: attr.mode,
      uid: attr.uid,
      gid: attr.gid,
      size: attr.size,
      atime: attr.atime,
      mtime: attr.mtime,
    };
    // A ctime-only change has nothing to send: the host sets ctime itself.
    if (Object.values(req).every((v) => v === undefined)) return;
    this.apply(this.fs.client.setattr(this.handle, req));
  }
}
