// tmpfs: an in-memory file system (mm/shmem.c). Used for the overlay's upper
// layer, /dev, /dev/shm and tmpfs mounts.
import {
  EEXIST, ELOOP, EFBIG, EINVAL, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, ENXIO, EISDIR, EOPNOTSUPP, EPERM,
} from '../../../abi/linux/errno.js';
import { RENAME_EXCHANGE } from '../../../abi/linux/fcntl.js';
import {
  FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, F_SEAL_EXEC, F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK,
  F_SEAL_WRITE,
} from '../../../abi/linux/splice.js';
import { S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, dtypeOf } from '../../../abi/linux/stat.js';
import { FifoInode } from '../pipe/pipe.js';
import type { Task } from '../../kernel/task.js';
import { Dentry } from '../../vfs/dentry.js';
import { DirectoryDescription, RegularFileDescription, type FileDescription, type MappingSource } from '../../vfs/file.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import { Inode, nowTimespec, type CreateOpts, type DataReader, type DirEntry, type SetAttr } from '../../vfs/inode.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { filePagesTruncated } from '../../mm/file_pages.js';

/** Makes the inode for a device/fifo/socket node (set by the device registry). */
export type SpecialInodeFactory = (fs: TmpfsFilesystem, opts: CreateOpts) => Inode;

export class TmpfsFilesystem extends Filesystem {
  readonly name: string;
  readonly dev = anonDev();
  private readonly rootDentry: Dentry;
  /** Bytes of file data in use and the limit (size= mount option). */
  usedBytes = 0;
  maxBytes: number;
  special: SpecialInodeFactory | null = null;
  /** Options as mount(2) was given them, for /proc/mounts. */
  options = '';

  constructor(opts: { name?: string; maxBytes?: number; mode?: number; uid?: number; gid?: number } = {}) {
    super();
    this.name = opts.name ?? 'tmpfs';
    this.maxBytes = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const root = new TmpfsDir(this, S_IFDIR | (opts.mode ?? 0o1777), opts.uid ?? 0, opts.gid ?? 0);
    this.rootDentry = new Dentry('/', null, root);
  }

  root(): Dentry {
    return this.rootDentry;
  }

  override mountOptions(): string {
    return this.options;
  }

  override statfs(): StatFs {
    const total = Math.min(this.maxBytes, 2 ** 40);
    const blocks = Math.floor(total / 4096);
    const used = Math.ceil(this.usedBytes / 4096);
    return {
      type: 0x01021994,
      bsize: 4096,
      blocks,
      bfree: Math.max(0, blocks - used),
      bavail: Math.max(0, blocks - used),
      files: 1 << 20,
      ffree: (1 << 20) - 1,
      namelen: 255,
      frsize: 4096,
      flags: 0,
    };
  }

  /** Reserves or returns file bytes (ENOSPC past the size limit). */
  charge(delta: number): void {
    if (delta > 0 && this.usedBytes + delta > this.maxBytes) throw ENOSPC;
    this.usedBytes += delta;
  }
}

export class TmpfsDir extends Inode {
  readonly children = new Map<string, Inode>();

  constructor(
    readonly fs: TmpfsFilesystem,
    mode: number,
    uid: number,
    gid: number,
  ) {
    super(fs.allocIno(), mode, uid, gid);
  }

  override size(): number {
    return 4096;
  }

  override lookup(name: string): Inode | null {
    return this.children.get(name) ?? null;
  }

  override readdir(): DirEntry[] {
    const out: DirEntry[] = [];
    for (const [name, ino] of this.children) out.push({ name, ino: ino.ino, type: dtypeOf(ino.mode) });
    return out;
  }

  private add(name: string, inode: Inode): Inode {
    if (this.children.has(name)) throw EEXIST;
    this.children.set(name, inode);
    this.touch();
    return inode;
  }

  private touch(): void {
    this.mtime = this.ctime = nowTimespec();
  }

  override create(name: string, opts: CreateOpts): Inode {
    return this.add(name, new TmpfsFile(this.fs, S_IFREG | (opts.mode & 0o7777), opts.uid, opts.gid));
  }

  override mkdir(name: string, opts: CreateOpts): Inode {
    const d = this.add(name, new TmpfsDir(this.fs, S_IFDIR | (opts.mode & 0o7777), opts.uid, opts.gid));
    this.nlink++;
    return d;
  }

  override mknod(name: string, opts: CreateOpts): Inode {
    const type = opts.mode & S_IFMT;
    if (type === S_IFREG || type === 0) return this.create(name, opts);
    if (type === S_IFDIR) throw EPERM; // may_mknod
    if (type === S_IFIFO) return this.add(name, new FifoInode(this.fs, opts.mode, opts.uid, opts.gid));
    if (type === S_IFSOCK) return this.add(name, new TmpfsSocketNode(this.fs, opts.mode, opts.uid, opts.gid));
    if (!this.fs.special) throw EINVAL;
    return this.add(name, this.fs.special(this.fs, opts));
  }

  override symlink(name: string, target: string, opts: CreateOpts): Inode {
    return this.add(name, new TmpfsSymlink(this.fs, target, opts.uid, opts.gid));
  }

  override tmpfileOk(): boolean {
    return true;
  }

  override link(name: string, target: Inode): void {
    this.add(name, target);
    target.nlink++;
    target.ctime = nowTimespec();
  }

  override unlink(name: string): void {
    const c = this.children.get(name);
    if (!c) throw ENOENT;
    if (c.isDir()) throw EISDIR;
    this.children.delete(name);
    c.nlink--;
    c.ctime = nowTimespec();
    if (c.nlink === 0 && c instanceof TmpfsFile) c.maybeFree();
    this.touch();
  }

  override rmdir(name: string): void {
    const c = this.children.get(name);
    if (!c) throw ENOENT;
    if (!(c instanceof TmpfsDir)) throw ENOTDIR;
    if (c.children.size > 0) throw ENOTEMPTY;
    this.children.delete(name);
    c.nlink = 0;
    this.nlink--;
    this.touch();
  }

  override rename(oldName: string, newDir: Inode, newName: string, flags: number): void {
    if (!(newDir instanceof TmpfsDir)) throw EINVAL;
    const src = this.children.get(oldName);
    if (!src) throw ENOENT;
    const dst = newDir.children.get(newName);
    if (flags & RENAME_EXCHANGE) {
      if (!dst) throw ENOENT;
      this.children.set(oldName, dst);
      newDir.children.set(newName, src);
      if (src.isDir() !== dst.isDir() && this !== newDir) {
        const [a, b] = src.isDir() ? [this, newDir] : [newDir, this];
        a.nlink--;
        b.nlink++;
      }
    } else {
      if (dst) {
        if (dst instanceof TmpfsDir) {
          if (dst.children.size > 0) throw ENOTEMPTY;
          newDir.nlink--;
        }
        dst.nlink--;
        if (dst.nlink === 0 && dst instanceof TmpfsFile) dst.maybeFree();
      }
      this.children.delete(oldName);
      newDir.children.set(newName, src);
      if (src.isDir() && this !== newDir) {
        this.nlink--;
        newDir.nlink++;
      }
    }
    src.ctime = nowTimespec();
    this.touch();
    newDir.touch();
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new DirectoryDescription(vd, flags);
  }
}

/** Largest tmpfs file (MAX_LFS_FILESIZE is larger; JS buffers are not). */
const MAX_FILE = 2 ** 32;

export class TmpfsFile extends Inode {
  /**
   * Bytes written so far (capacity grows geometrically). The file may be longer
   * than this: the rest is a hole that reads as zero and costs nothing, so a
   * truncate to 4 GiB does not make the Sentry allocate 4 GiB.
   */
  data = new Uint8Array(0);
  /** Stored bytes: data[0, stored) is meaningful and charged to the file system. */
  stored = 0;
  length = 0;
  /** Open descriptions (the data stays while any is open after unlink). */
  openCount = 0;
  /** File seals (fcntl F_ADD_SEALS); every shmem file starts sealed against sealing, memfds may lift it. */
  seals = F_SEAL_SEAL;

  constructor(
    readonly fs: TmpfsFilesystem,
    mode: number,
    uid: number,
    gid: number,
  ) {
    super(fs.allocIno(), mode, uid, gid);
  }

  override size(): number {
    return this.length;
  }

  /** truncate: sets the size; growth is a hole, shrinking drops stored bytes. */
  resize(size: number): void {
    if (size < 0) throw EINVAL;
    if (size > MAX_FILE) throw EFBIG;
    if (size < this.stored) this.setStored(size);
    // Mapped pages past the new end go too.
    if (size < this.length) filePagesTruncated(this, size);
    this.length = size;
  }

  /** Changes how many bytes are stored, charging the file system for them. */
  private setStored(n: number): void {
    this.fs.charge(n - this.stored);
    if (n > this.data.length) {
      const cap = Math.min(MAX_FILE, Math.max(n, this.data.length * 2, 256));
      const grown = new Uint8Array(cap);
      grown.set(this.data.subarray(0, this.stored));
      this.data = grown;
    } else if (n < this.stored) {
      // Invariant: everything past `stored` is zero. Give memory back when most of it
      // is no longer needed; otherwise clear the tail.
      if (n < this.data.length / 4) this.data = this.data.slice(0, n);
      else this.data.fill(0, n, this.stored);
    }
    this.stored = n;
  }

  readAt(dst: IOSequence, off: number): number {
    if (off >= this.length) return 0;
    const n = Math.min(this.length - off, seqLength(dst));
    const fromData = Math.max(0, Math.min(n, this.stored - off));
    if (fromData > 0) copyToSeq(dst, this.data.subarray(off, off + fromData));
    // Past the stored bytes the file is a hole.
    if (fromData < n) copyToSeq(dst, new Uint8Array(n - fromData), fromData);
    return n;
  }

  /** Writes at `off`; near the size limit it writes what fits (ENOSPC if nothing does). */
  writeAt(src: IOSequence, off: number): number {
    let n = seqLength(src);
    if (n === 0) return 0;
    if (off > MAX_FILE) throw EFBIG;
    n = Math.min(n, MAX_FILE - off);
    if (this.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_GROW)) n = this.sealedWrite(off, n);
    if (off + n > this.stored) {
      const room = this.fs.maxBytes - this.fs.usedBytes;
      const grow = off + n - this.stored;
      if (grow > room) {
        n -= grow - Math.max(0, room);
        if (n <= 0) throw ENOSPC;
      }
      this.setStored(off + n);
    }
    let pos = off;
    let left = n;
    for (const v of src) {
      if (left <= 0) break;
      const part = v.length <= left ? v : v.subarray(0, left);
      this.data.set(part, pos);
      pos += part.length;
      left -= part.length;
    }
    if (off + n > this.length) this.length = off + n;
    this.mtime = this.ctime = nowTimespec();
    return n;
  }

  /**
   * How much of a write seals allow (shmem_write_begin): none with a write seal;
   * with F_SEAL_GROW, the page-sized chunks that end within the current size.
   */
  private sealedWrite(off: number, n: number): number {
    if (this.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) throw EPERM;
    if (off + n <= this.length) return n;
    const end = Math.floor(this.length / 4096) * 4096;
    if (end <= off) throw EPERM;
    return end - off;
  }

  /**
   * fallocate(2) as shmem does it: plain allocation (optionally keeping the size) and
   * punching holes; other modes are EOPNOTSUPP. Allocated space reads as zero, which
   * the hole past `stored` already does, so only the size limit is checked, not charged.
   */
  allocate(mode: number, off: number, len: number): void {
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) throw EOPNOTSUPP;
    const end = off + len;
    if (mode & FALLOC_FL_PUNCH_HOLE) {
      if (this.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) throw EPERM;
      if (off < this.stored) {
        if (end >= this.stored) this.setStored(off);
        else this.data.fill(0, off, end);
      }
      this.mtime = this.ctime = nowTimespec();
      return;
    }
    if (end > MAX_FILE) throw EFBIG;
    if (this.seals & F_SEAL_GROW && end > this.length) throw EPERM;
    if (end > this.stored && end - this.stored > this.fs.maxBytes - this.fs.usedBytes) throw ENOSPC;
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > this.length) this.length = end;
    this.ctime = nowTimespec();
  }

  override setattr(attr: SetAttr): void {
    if (attr.size !== undefined) {
      if ((attr.size < this.length && this.seals & F_SEAL_SHRINK) || (attr.size > this.length && this.seals & F_SEAL_GROW)) {
        throw EPERM;
      }
    }
    // F_SEAL_EXEC freezes the execute bits.
    if (attr.mode !== undefined && this.seals & F_SEAL_EXEC && (attr.mode ^ this.mode) & 0o111) throw EPERM;
    if (attr.size !== undefined) {
      this.resize(attr.size);
      this.mtime = nowTimespec();
    }
    super.setattr({ ...attr, size: undefined });
  }

  override dataReader(): DataReader {
    return { readAt: (dst, off) => this.readAt([dst], off), close: () => {} };
  }

  /** Frees the data once the file is unlinked and closed. */
  maybeFree(): void {
    if (this.nlink === 0 && this.openCount === 0) {
      this.fs.charge(-this.stored);
      this.data = new Uint8Array(0);
      this.stored = 0;
      this.length = 0;
    }
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new TmpfsFileDescription(vd, flags, this);
  }
}

export class TmpfsFileDescription extends RegularFileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    readonly file: TmpfsFile,
  ) {
    super(vd, flags);
    file.openCount++;
  }

  protected readAt(dst: IOSequence, off: number): number {
    return this.file.readAt(dst, off);
  }

  protected writeAt(src: IOSequence, off: number): number {
    return this.file.writeAt(src, off);
  }

  protected fileSize(): number {
    return this.file.length;
  }

  override dataInode(): object {
    return this.file;
  }

  override truncate(size: number): void {
    this.file.setattr({ size });
  }

  override allocate(mode: number, off: number, len: number): void {
    this.file.allocate(mode, off, len);
  }

  override mapping(): MappingSource {
    const f = this.file;
    return {
      readAt: (dst, off) => {
        f.readAt([dst], off);
      },
      writeSealed: (f.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) !== 0,
    };
  }

  protected override release(): void {
    this.file.openCount--;
    this.file.maybeFree();
  }
}

export class TmpfsSymlink extends Inode {
  constructor(
    readonly fs: TmpfsFilesystem,
    readonly target: string,
    uid: number,
    gid: number,
  ) {
    super(fs.allocIno(), S_IFLNK | 0o777, uid, gid);
  }

  override size(): number {
    return this.target.length;
  }

  override readlink(): string {
    return this.target;
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    // Symlinks are only ever opened with O_PATH, which the VFS serves itself.
    throw ELOOP;
  }
}

/**
 * A socket's name in the file system (mknod S_IFSOCK, or bind(2) of a path socket,
 * which maps this inode to the socket). Opening one fails with ENXIO, as in Linux.
 */
export class TmpfsSocketNode extends Inode {
  constructor(
    readonly fs: TmpfsFilesystem,
    mode: number,
    uid: number,
    gid: number,
  ) {
    super(fs.allocIno(), S_IFSOCK | (mode & 0o7777), uid, gid);
  }

  override open(): FileDescription {
    throw ENXIO;
  }
}
