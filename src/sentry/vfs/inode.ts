// Inodes: file system objects (Linux's struct inode + inode_operations). Each file
// system subclasses Inode; the defaults give the errno Linux gives for an operation
// the object does not support. The VFS checks permissions, mount flags and path
// rules before calling these; implementations do the work and keep their own state.
import { EINVAL, ENODATA, ENOTDIR, EOPNOTSUPP, EPERM, ETXTBSY } from '../../abi/linux/errno.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type Stat, type Timespec } from '../../abi/linux/stat.js';
import type { Filesystem } from './filesystem.js';
import type { FileDescription } from './file.js';
import type { VirtualDentry } from './mount.js';
import type { Task } from '../kernel/task.js';

export interface DirEntry {
  name: string;
  ino: bigint;
  /** DT_* type. */
  type: number;
}

export interface CreateOpts {
  /** Full mode: type bits and permissions (umask already applied). */
  mode: number;
  uid: number;
  gid: number;
  rdev?: bigint;
}

export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: Timespec;
  mtime?: Timespec;
  ctime?: Timespec;
}

/** Kernel-internal read access to a file's contents (overlay copy-up): no task, no descriptor. */
export interface DataReader {
  /** Reads at `off` into dst; returns bytes read (0 at EOF). */
  readAt(dst: Uint8Array, off: number): number;
  close(): void;
}

export function nowTimespec(): Timespec {
  const ms = Date.now();
  const hr = process.hrtime()[1] % 1_000_000;
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 + hr };
}

export abstract class Inode {
  abstract readonly fs: Filesystem;
  ino: bigint;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev = 0n;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** Linux's i_writecount: open writers (> 0) or address spaces running it (< 0), never both. */
  writeCount = 0;
  /** An O_TMPFILE file linkat may still give a name (I_LINKABLE). */
  linkable = false;

  constructor(ino: bigint, mode: number, uid = 0, gid = 0) {
    this.ino = ino;
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.nlink = (mode & S_IFMT) === S_IFDIR ? 2 : 1;
    const t = nowTimespec();
    this.atime = t;
    this.mtime = t;
    this.ctime = t;
  }

  get type(): number {
    return this.mode & S_IFMT;
  }

  /** This directory can hold O_TMPFILE files (see vfs/tmpfile.ts). */
  tmpfileOk(): boolean {
    return false;
  }

  /** get_write_access: a running executable cannot be written (ETXTBSY). */
  getWriteAccess(): void {
    if (this.writeCount < 0) throw ETXTBSY;
    this.writeCount++;
  }

  /** deny_write_access: a file open for writing cannot be executed (ETXTBSY). */
  denyWriteAccess(): void {
    if (this.writeCount > 0) throw ETXTBSY;
    this.writeCount--;
  }

  isDir(): boolean {
    return this.type === S_IFDIR;
  }

  isSymlink(): boolean {
    return this.type === S_IFLNK;
  }

  isRegular(): boolean {
    return this.type === S_IFREG;
  }

  /** Size in bytes as stat reports it. */
  size(): number {
    return 0;
  }

  stat(): Stat {
    const size = this.size();
    return {
      dev: this.fs.dev,
      ino: this.ino,
      mode: this.mode,
      nlink: this.nlink,
      uid: this.uid,
      gid: this.gid,
      rdev: this.rdev,
      size,
      blksize: 4096,
      blocks: Math.ceil(size / 512),
      atime: this.atime,
      mtime: this.mtime,
      ctime: this.ctime,
    };
  }

  /** Re-reads attributes that may have changed behind our back (shared gofer files). */
  revalidate(): void {}

  // ---- directory operations (only directories implement these) ----

  /** The child named `name`, or null when it does not exist. */
  lookup(name: string): Inode | null {
    throw ENOTDIR;
  }

  /** Children, without "." and "..". */
  readdir(): DirEntry[] {
    throw ENOTDIR;
  }

  create(name: string, opts: CreateOpts): Inode {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  mkdir(name: string, opts: CreateOpts): Inode {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  mknod(name: string, opts: CreateOpts): Inode {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  symlink(name: string, target: string, opts: CreateOpts): Inode {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  link(name: string, target: Inode): void {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  unlink(name: string): void {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  rmdir(name: string): void {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  /** Moves `oldName` of this directory to `newName` of `newDir` (same file system). */
  rename(oldName: string, newDir: Inode, newName: string, flags: number): void {
    throw this.isDir() ? EPERM : ENOTDIR;
  }

  // ---- symlinks ----

  /** Symlink text; `t` is the caller, for links whose text depends on it (/proc/self). */
  readlink(t?: Task): string {
    throw EINVAL;
  }

  /**
   * Magic links (/proc/self/exe, /proc/<pid>/fd/N) resolve to a VFS location
   * rather than to a path. Returns null for ordinary symlinks.
   */
  magicLink(t: Task): VirtualDentry | null {
    return null;
  }

  // ---- files ----

  /** Opens this inode; `flags` are the open flags after VFS checks. */
  abstract open(t: Task, vd: VirtualDentry, flags: number): FileDescription;

  /** Reads the contents of a regular file without opening a descriptor. */
  dataReader(): DataReader {
    throw EINVAL;
  }

  setattr(attr: SetAttr): void {
    if (attr.mode !== undefined) this.mode = (this.mode & S_IFMT) | (attr.mode & ~S_IFMT);
    if (attr.uid !== undefined) this.uid = attr.uid;
    if (attr.gid !== undefined) this.gid = attr.gid;
    if (attr.atime) this.atime = attr.atime;
    if (attr.mtime) this.mtime = attr.mtime;
    if (attr.size !== undefined) throw EINVAL;
    this.ctime = attr.ctime ?? nowTimespec();
  }

  // ---- extended attributes ----

  getxattr(name: string): Uint8Array {
    throw name.startsWith('user.') || name.startsWith('trusted.') ? ENODATA : EOPNOTSUPP;
  }

  listxattr(): string[] {
    return [];
  }

  /** XATTR_CREATE/XATTR_REPLACE in `flags`; the VFS checked name, size and permissions. */
  setxattr(name: string, value: Uint8Array, flags: number): void {
    throw EOPNOTSUPP;
  }

  removexattr(name: string): void {
    throw EOPNOTSUPP;
  }
}
