// Inodes of the gofer file system. Each holds one file server handle (a host node
// in the gofer process, or in the Sentry itself with directfs) and a cached copy
// of the host stat: host inode numbers, mode, owners, size and times. Mutations
// go to the file server, one name of this directory at a time; the VFS has
// checked permissions and mount flags, the gofer applies its own rules again.
import {
  EACCES, EINVAL, ELOOP, ENOENT, ENOTDIR, ENXIO, EROFS, EXDEV, errnoFromNumber,
} from '../../../abi/linux/errno.js';
import { AT_REMOVEDIR, O_ACCMODE, O_DSYNC, O_PATH, O_RDONLY, O_RDWR, O_SYNC, RENAME_EXCHANGE } from '../../../abi/linux/fcntl.js';
import { S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT, type Stat } from '../../../abi/linux/stat.js';
import type { Owner, SetAttrRequest } from '../../../lisafs/file_server.js';
import type { WalkEntry } from '../../../lisafs/types.js';
import { native } from '../../../native.js';
import type { Task } from '../../kernel/task.js';
import { DirectoryDescription, PathDescription, type FileDescription } from '../../vfs/file.js';
import { Inode, nowTimespec, type CreateOpts, type DataReader, type DirEntry, type SetAttr } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { filePagesTruncated } from '../../mm/file_pages.js';
import { FifoInode } from '../pipe/pipe.js';
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
  /** The directory's entries (exclusive mode): dropped by every change made through this inode. */
  private listing: DirEntry[] | null = null;
  /** Our own changes to this directory moved its times and link count: stat it again when asked. */
  private stale = false;
  /**
   * Names this file was reached by, newest first. The gofer reopens a file by its
   * handle's (parent, name); when that name is unlinked while other links remain,
   * the handle moves to one of these (a few suffice: most files have one link).
   */
  private links: { dir: GoferInode; name: string }[] = [];
  /** A FIFO's pipe lives in the Sentry (as runsc's named pipes on gofer mounts do). */
  private fifo: FifoInode | null = null;

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
    if (this.stale) {
      this.stale = false;
      try {
        this.apply(this.fs.client.stat(this.handle));
      } catch {
        // Gone on the host meanwhile: the cached attributes are all there is.
      }
    }
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
    if (size < this.bytes) filePagesTruncated(this, size);
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
    return this.fs.inodeFor(e).reachedAs(this, name);
  }

  /** Notes that `dir/name` names this file (see `links`). */
  reachedAs(dir: GoferInode, name: string): this {
    if (this.isDir()) return this;
    this.links = [{ dir, name }, ...this.links.filter((l) => l.dir !== dir || l.name !== name)].slice(0, 4);
    return this;
  }

  /** `dir/name` was unlinked: if it was our handle's name, walk a remaining link instead. */
  private lostName(dir: GoferInode, name: string): void {
    this.links = this.links.filter((l) => l.dir !== dir || l.name !== name);
    for (const l of this.links) {
      const e = l.dir.fs.client.walk(l.dir.handle, [l.name]).entries[0];
      if (e && e.stat.dev === this.hostDev && e.stat.ino === this.hostIno) {
        this.fs.inodeFor(e);
        return;
      }
    }
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
    // Re-listing the host directory on every opendir cost more than the sandbox's own work.
    if (this.listing) return this.listing;
    const out: DirEntry[] = [];
    for (const e of this.fs.client.readdir(this.handle)) {
      out.push({ name: e.name, ino: this.fs.inoOf(this.hostDev, e.ino), type: e.type });
    }
    if (!this.fs.shared) this.listing = out;
    return out;
  }

  // ---- directory changes ----

  /** A directory of this file system we may change. */
  private writableDir(): void {
    if (!this.isDir()) throw ENOTDIR;
    if (this.fs.readOnly) throw EROFS;
  }

  private peer(other: Inode): GoferInode {
    if (!(other instanceof GoferInode) || other.fs !== this.fs) throw EXDEV;
    return other;
  }

  /** Bookkeeping after `name` was made here: the name exists now, and our times moved. */
  private added(name: string, e: WalkEntry): GoferInode {
    this.negative?.delete(name);
    this.prefetched?.delete(name);
    this.stale = true;
    this.listing = null;
    return this.fs.newInode(e).reachedAs(this, name);
  }

  /** Bookkeeping after `name` went away; `victim` is its host stat from just before. */
  private removed(name: string, victim: Stat | null): void {
    this.prefetched?.delete(name);
    this.noteMissing(name);
    this.stale = true;
    this.listing = null;
    const v = victim ? this.fs.liveInode(victim) : null;
    if (!v || !victim) return;
    // Open descriptions of it still stat it: its link count drops as on Linux.
    v.nlink = v.isDir() ? 0 : Math.max(0, victim.nlink - 1);
    v.ctime = nowTimespec();
    if (v.nlink === 0) this.fs.evict(v);
    else v.lostName(this, name);
  }

  override create(name: string, opts: CreateOpts): Inode {
    this.writableDir();
    const r = this.fs.client.create(this.handle, name, O_RDWR, opts.mode & 0o7777, owner(opts));
    const inode = this.added(name, r);
    this.fs.setPending(inode, r.fd);
    return inode;
  }

  override mkdir(name: string, opts: CreateOpts): Inode {
    this.writableDir();
    return this.added(name, this.fs.client.mkdir(this.handle, name, opts.mode & 0o7777, owner(opts)));
  }

  override mknod(name: string, opts: CreateOpts): Inode {
    this.writableDir();
    return this.added(name, this.fs.client.mknod(this.handle, name, opts.mode & (S_IFMT | 0o7777), owner(opts)));
  }

  override symlink(name: string, target: string, opts: CreateOpts): Inode {
    this.writableDir();
    return this.added(name, this.fs.client.symlink(this.handle, name, target, owner(opts)));
  }

  override link(name: string, target: Inode): void {
    this.writableDir();
    const t = this.peer(target);
    t.apply(this.fs.client.link(this.handle, name, t.handle));
    // The gofer reopens a file by (parent, name): move the handle to the new name, as
    // the old one is often removed next (write a temp file, link it, unlink the temp).
    const e = this.fs.client.walk(this.handle, [name]).entries[0];
    if (e) this.fs.inodeFor(e).reachedAs(this, name);
    this.negative?.delete(name);
    this.prefetched?.delete(name);
    this.stale = true;
    this.listing = null;
  }

  override unlink(name: string): void {
    this.writableDir();
    this.removed(name, this.fs.client.unlink(this.handle, name, 0));
  }

  override rmdir(name: string): void {
    this.writableDir();
    this.removed(name, this.fs.client.unlink(this.handle, name, AT_REMOVEDIR));
  }

  override rename(oldName: string, newDir: Inode, newName: string, flags: number): void {
    this.writableDir();
    const to = this.peer(newDir);
    this.fs.client.rename(this.handle, oldName, to.handle, newName, flags);
    this.prefetched?.delete(oldName);
    to.prefetched?.delete(newName);
    to.negative?.delete(newName);
    if (!(flags & RENAME_EXCHANGE)) this.noteMissing(oldName);
    this.stale = to.stale = true;
    this.listing = to.listing = null;
  }

  // ---- extended attributes (user.* and trusted.*; the VFS checked permissions) ----

  override getxattr(name: string): Uint8Array {
    return this.fs.client.getxattr(this.handle, name);
  }

  override listxattr(): string[] {
    return this.fs.client.listxattr(this.handle);
  }

  override setxattr(name: string, value: Uint8Array, flags: number): void {
    if (this.fs.readOnly) throw EROFS;
    this.fs.client.setxattr(this.handle, name, value, flags);
    this.ctime = nowTimespec();
  }

  override removexattr(name: string): void {
    if (this.fs.readOnly) throw EROFS;
    this.fs.client.removexattr(this.handle, name);
    this.ctime = nowTimespec();
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
    const pending = this.fs.takePending(this);
    if (flags & O_PATH) {
      if (pending >= 0) native().close(pending);
      return new PathDescription(vd, flags);
    }
    if (this.isDir()) return new DirectoryDescription(vd, flags);
    if (this.isRegular()) {
      // The file create() just made: its fd is open read-write already (O_SYNC/O_DSYNC need a fresh open).
      if (pending >= 0 && !(flags & (O_SYNC | O_DSYNC))) return new GoferFileDescription(vd, flags, this, new HostFd(pending));
      if (pending >= 0) native().close(pending);
      const { fd, stat } = this.fs.client.open(this.handle, flags & HOST_OPEN_FLAGS);
      this.apply(stat);
      return new GoferFileDescription(vd, flags, this, new HostFd(fd));
    }
    if (this.isSymlink()) throw ELOOP;
    if (this.type === S_IFIFO) {
      this.fifo ??= new FifoInode(this.fs, this.mode, this.uid, this.gid);
      return this.fifo.open(t, vd, flags);
    }
    // Host devices are out of reach (as on a nodev mount); sockets cannot be opened.
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
    if (this.fs.readOnly) throw EROFS;
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
    if (attr.size !== undefined && attr.size < this.bytes) filePagesTruncated(this, attr.size);
    this.apply(this.fs.client.setattr(this.handle, req));
  }
}

const owner = (o: CreateOpts): Owner => ({ uid: o.uid, gid: o.gid });
