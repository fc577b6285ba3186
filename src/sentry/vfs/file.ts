// File descriptions: open files (Linux's struct file). One per open(2); shared by
// dup'd descriptors and across fork. Subclasses implement the operations their
// file supports; the defaults return Linux's errno for unsupported ones.
import {
  EBADF as EBADF_PATH, EINVAL, EISDIR, ENODEV, ENOENT as ENOENT_DEAD, ENOTDIR, ENOTTY, ENXIO, EOPNOTSUPP, ESPIPE,
} from '../../abi/linux/errno.js';
import {
  O_ACCMODE, O_APPEND, O_RDONLY, O_RDWR, O_WRONLY, O_PATH, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET,
} from '../../abi/linux/fcntl.js';
import type { Stat } from '../../abi/linux/stat.js';
import { EVENT_IN, EVENT_OUT, WaitQueue, type Waitable } from '../kernel/waiter.js';
import type { Task } from '../kernel/task.js';
import type { DirEntry, Inode } from './inode.js';
import type { VirtualDentry } from './mount.js';
import type { IOSequence } from './iosequence.js';
import { notifyAccess, notifyClose, notifyWrite } from './fsnotify.js';
import { filePagesOf } from '../mm/file_pages.js';

/** What mmap(2) needs from a file: how to fill pages, and how /proc/<pid>/maps names it. */
export interface MappingSource {
  /** Copies file contents at `off` into dst; bytes past EOF read as zero. */
  readAt(dst: Uint8Array, off: number): void;
  /** Shown in /proc/<pid>/maps instead of the file's path (e.g. "/dev/zero (deleted)"). */
  name?: string;
  /** Identity and version of host contents: a cached page set of an older version is dropped. */
  cacheKey?: string;
  size?: number;
  /** Seals forbid writable shared mappings (memfd F_SEAL_WRITE/F_SEAL_FUTURE_WRITE). */
  writeSealed?: boolean;
}

export abstract class FileDescription implements Waitable {
  /** Access mode and status flags (O_APPEND, O_NONBLOCK, ...). */
  flags: number;
  /** File position for read/write/lseek. */
  offset = 0;
  private refs = 1;
  // ES-private, so subclasses may have a `queue` of their own.
  #queue: WaitQueue | null = null;
  private releaseHooks: Set<() => void> | null = null;
  /** Opened by path: inotify hears of its last close (fsnotify_close). */
  notifyClose = false;
  /** The inode whose write access this file holds (getWriteAccess), given back on release. */
  private writeAccess: Inode | null = null;

  constructor(
    readonly vd: VirtualDentry,
    flags: number,
  ) {
    this.flags = flags;
  }

  get inode(): Inode {
    return this.vd.dentry.inode;
  }

  get readable(): boolean {
    const a = this.flags & O_ACCMODE;
    return (this.flags & O_PATH) === 0 && (a === O_RDONLY || a === O_RDWR);
  }

  get writable(): boolean {
    const a = this.flags & O_ACCMODE;
    return (this.flags & O_PATH) === 0 && (a === O_WRONLY || a === O_RDWR);
  }

  /** pread/pwrite are allowed (Linux's FMODE_PREAD/FMODE_PWRITE); not for pipes, sockets, ttys. */
  get positional(): boolean {
    return true;
  }

  get waitQueue(): WaitQueue {
    return (this.#queue ??= new WaitQueue());
  }

  incRef(): void {
    this.refs++;
  }

  /** Drops a reference; the last one releases the file. */
  decRef(): void {
    if (--this.refs !== 0) return;
    if (this.notifyClose) notifyClose(this);
    // Like __fput: epoll forgets the file (eventpoll_release) before it is released.
    const hooks = this.releaseHooks;
    this.releaseHooks = null;
    if (hooks) for (const fn of [...hooks]) fn();
    if (this.writeAccess) this.writeAccess.writeCount--;
    this.writeAccess = null;
    this.release();
  }

  /** Makes this file one of `inode`'s writers until its last close (ETXTBSY for executables). */
  holdWriteAccess(inode: Inode): void {
    inode.getWriteAccess();
    this.writeAccess = inode;
  }

  /**
   * Runs fn once when the last reference goes away (epoll drops the file from its
   * interest lists). Returns the function that cancels it.
   */
  onRelease(fn: () => void): () => void {
    const hooks = (this.releaseHooks ??= new Set());
    const entry = (): void => fn();
    hooks.add(entry);
    return () => {
      this.releaseHooks?.delete(entry);
    };
  }

  /** Called once when the last reference goes away. */
  protected release(): void {}

  /** Reads into dst at `off` (-1: the file position, advancing it). Returns bytes read. */
  read(t: Task, dst: IOSequence, off: number): number {
    throw this.inode.isDir() ? EISDIR : EINVAL;
  }

  /** Writes src at `off` (-1: the file position, advancing it). Returns bytes written. */
  write(t: Task, src: IOSequence, off: number): number {
    throw this.inode.isDir() ? EISDIR : EINVAL;
  }

  /** lseek(2); non-seekable files keep the default. */
  seek(off: number, whence: number): number {
    throw ESPIPE;
  }

  /** Next directory entries from the position; `emit` returns false when the buffer is full. */
  iterateDir(t: Task, emit: (e: DirEntry) => boolean): void {
    throw ENOTDIR;
  }

  ioctl(t: Task, req: number, arg: number): number {
    throw ENOTTY;
  }

  stat(): Stat {
    return this.inode.stat();
  }

  /** Ready events among `mask` (poll/epoll); regular files are always ready. */
  readiness(mask: number): number {
    return mask & (EVENT_IN | EVENT_OUT);
  }

  /**
   * fsync(2)/fdatasync(2): makes written data durable. Files without an fsync
   * operation (pipes, sockets, most devices) fail with EINVAL, as in Linux.
   */
  fsync(dataOnly: boolean): void {
    throw EINVAL;
  }

  /** sync_file_range(2) on [off, off+len) (len 0: to the end); the handler checked the file type. */
  syncRange(off: number, len: number, flags: number): void {}

  /** syncfs(2) of the file system this file is on. */
  syncfs(): void {}

  /** fallocate(2) after the VFS checks; files that cannot preallocate say EOPNOTSUPP. */
  allocate(mode: number, off: number, len: number): void {
    throw EOPNOTSUPP;
  }

  /** The description whose data a mapping shows (overlay read descriptions: the layer's). */
  dataFile(): FileDescription {
    return this;
  }

  /** Writes back what shared mappings of this file stored (fsync, msync). */
  syncMappedPages(): void {
    const d = this.dataFile();
    if (d instanceof RegularFileDescription) filePagesOf(d.dataInode())?.writeback();
  }

  /** [off, off+len) changed below the page cache (fallocate): mapped pages re-read it. */
  reloadMappedPages(off: number, len: number): void {
    const d = this.dataFile();
    if (d instanceof RegularFileDescription) filePagesOf(d.dataInode())?.reload(off, len);
  }

  /** How mmap(2) maps this file; ENODEV when it cannot be mapped. */
  mapping(): MappingSource {
    throw ENODEV;
  }

  /** Truncates through this description (ftruncate). */
  truncate(size: number): void {
    throw EINVAL;
  }

  /** Lines /proc/<pid>/fdinfo/N adds after the common ones (Linux's show_fdinfo). */
  fdinfo(): string {
    return '';
  }

  /** What /proc/<pid>/fd/N shows; paths for files, "pipe:[ino]" for anonymous ones. */
  linkName(t: Task): string {
    return t.fs.pathOf(this.vd);
  }
}

/** Shared lseek logic for files with a size. */
export function seekWithSize(fd: FileDescription, off: number, whence: number, size: number): number {
  let base: number;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = fd.offset;
      break;
    case SEEK_END:
      base = size;
      break;
    case SEEK_DATA:
      // No holes are tracked: data runs from any offset inside the file to its end.
      if (off < 0 || off >= size) throw ENXIO;
      fd.offset = off;
      return off;
    case SEEK_HOLE:
      if (off < 0 || off >= size) throw ENXIO;
      fd.offset = size;
      return size;
    default:
      throw EINVAL;
  }
  const pos = base + off;
  if (pos < 0) throw EINVAL;
  fd.offset = pos;
  return pos;
}

/**
 * A regular file with positional I/O: subclasses implement readAt/writeAt and size.
 * Handles the file position, O_APPEND and lseek.
 */
export abstract class RegularFileDescription extends FileDescription {
  protected abstract readAt(dst: IOSequence, off: number): number;
  protected abstract writeAt(src: IOSequence, off: number): number;
  protected abstract fileSize(): number;

  /** The inode that owns the data (below overlay): mmap's page set is keyed by it. */
  dataInode(): object {
    return this.inode;
  }

  // Storage access below the page set (mm/file_pages.ts), which holds this description.
  storeRead(dst: Uint8Array, off: number): number {
    return this.readAt([dst], off);
  }

  storeWrite(src: Uint8Array, off: number): number {
    return this.writeAt([src], off);
  }

  storeSize(): number {
    return this.fileSize();
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    const pos = off >= 0 ? off : this.offset;
    const n = this.readAt(dst, pos);
    // While mapped, the file's pages may hold newer data than its storage.
    filePagesOf(this.dataInode())?.afterRead(dst, pos, n);
    if (off < 0) this.offset += n;
    if (n > 0) notifyAccess(this);
    return n;
  }

  override write(t: Task, src: IOSequence, off: number): number {
    let n: number;
    let pos: number;
    // O_APPEND wins even over pwrite's offset (a documented Linux bug).
    if (this.flags & O_APPEND) {
      pos = this.fileSize();
      n = this.writeAt(src, pos);
      if (off < 0) this.offset = this.fileSize();
    } else {
      pos = off >= 0 ? off : this.offset;
      n = this.writeAt(src, pos);
      if (off < 0) this.offset += n;
    }
    // Write-through: the file's mapped pages take the same bytes.
    filePagesOf(this.dataInode())?.afterWrite(src, pos, n);
    if (n > 0) notifyWrite(this);
    return n;
  }

  override seek(off: number, whence: number): number {
    return seekWithSize(this, off, whence, this.fileSize());
  }

  /** In-memory files have nothing to flush (noop_fsync); host-backed ones override. */
  override fsync(dataOnly: boolean): void {}

  /** FIONREAD on a regular file: bytes from the position to the end (may be negative). */
  override ioctl(t: Task, req: number, arg: number): number {
    if (req === 0x541b /* FIONREAD */) {
      t.mm.writeU32(arg, (this.fileSize() - this.offset) | 0);
      return 0;
    }
    return super.ioctl(t, req, arg);
  }
}

/**
 * Directory description over Inode.readdir(): "." and ".." first, then the
 * children. The position counts entries, as tmpfs does.
 */
export class DirectoryDescription extends FileDescription {
  private snapshot: DirEntry[] | null = null;

  override fsync(dataOnly: boolean): void {}

  override iterateDir(t: Task, emit: (e: DirEntry) => boolean): void {
    // A removed directory is dead: reading it fails (IS_DEADDIR).
    if (this.vd.dentry.deleted) throw ENOENT_DEAD;
    if (this.offset === 0 || !this.snapshot) {
      const d = this.vd.dentry;
      const parent = d.parent ?? d;
      this.snapshot = [
        { name: '.', ino: d.inode.ino, type: 4 },
        { name: '..', ino: parent.inode.ino, type: 4 },
        ...this.inode.readdir(),
      ];
    }
    while (this.offset < this.snapshot.length) {
      if (!emit(this.snapshot[this.offset]!)) return;
      this.offset++;
    }
  }

  override seek(off: number, whence: number): number {
    if (whence !== SEEK_SET && whence !== SEEK_CUR) throw EINVAL;
    const pos = whence === SEEK_SET ? off : this.offset + off;
    if (pos < 0) throw EINVAL;
    if (pos === 0) this.snapshot = null;
    this.offset = pos;
    return pos;
  }
}

/** An O_PATH descriptor: names a file without opening it (no I/O). */
export class PathDescription extends FileDescription {
  override read(): number {
    throw EBADF_PATH;
  }

  override write(): number {
    throw EBADF_PATH;
  }
}
