// Building blocks for synthetic file systems (/proc, /sys), in the spirit of Linux's
// kernfs/seq_file: directories whose children are computed, files whose content
// is generated once per open (so reads at any offset see one consistent snapshot),
// ordinary symlinks whose target may depend on the caller, and magic links.
import { EACCES, EINVAL, EIO, ENOENT, EPERM } from '../../../abi/linux/errno.js';
import { O_ACCMODE, O_RDONLY, O_WRONLY, SEEK_CUR, SEEK_SET } from '../../../abi/linux/fcntl.js';
import { S_IFDIR, S_IFLNK, S_IFREG, dtypeOf } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import { DirectoryDescription, FileDescription } from '../../vfs/file.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import { Inode, type DirEntry, type SetAttr } from '../../vfs/inode.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';

/** Who owns a node right now (per-pid files follow the task's effective ids). */
export type OwnerFn = () => { uid: number; gid: number };

/** Content of a generated file: a latin1 byte string or raw bytes. */
export type Content = string | Uint8Array;

/** Handles a write of `data` at `off`; returns the bytes consumed. */
export type WriteFn = (t: Task, data: Uint8Array, off: number) => number;

export function latin1(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** Base of every synthetic inode: an optional dynamic owner refreshed on revalidate. */
export abstract class SynthInode extends Inode {
  owner: OwnerFn | null = null;

  constructor(
    readonly fs: Filesystem,
    mode: number,
  ) {
    super(fs.allocIno(), mode);
  }

  override revalidate(): void {
    if (!this.owner) return;
    const o = this.owner();
    this.uid = o.uid;
    this.gid = o.gid;
  }

  /**
   * proc_setattr: modes and owners are fixed (EPERM); O_TRUNC's size change is
   * ignored so that `echo x > /proc/sys/...` works; times are accepted.
   */
  override setattr(attr: SetAttr): void {
    if (attr.mode !== undefined || attr.uid !== undefined || attr.gid !== undefined) throw EPERM;
    super.setattr({ atime: attr.atime, mtime: attr.mtime, ctime: attr.ctime });
  }

  /** Sets the owner function and applies it (chainable, for table-style setup). */
  ownedBy(owner: OwnerFn | null): this {
    this.owner = owner;
    this.revalidate();
    return this;
  }
}

/** Directory entries of `children` in order, with their inode numbers and types. */
export function entriesOf(children: Iterable<[string, Inode]>): DirEntry[] {
  const out: DirEntry[] = [];
  for (const [name, inode] of children) out.push({ name, ino: inode.ino, type: dtypeOf(inode.mode) });
  return out;
}

/**
 * A directory. Static children live in `children` (in listing order); subclasses
 * add dynamic ones by overriding lookupDynamic/readdirDynamic.
 */
export class SynthDir extends SynthInode {
  readonly children = new Map<string, Inode>();

  constructor(fs: Filesystem, perm = 0o555) {
    super(fs, S_IFDIR | perm);
  }

  /** Adds a static child and returns it. */
  add<T extends Inode>(name: string, inode: T): T {
    this.children.set(name, inode);
    if (inode.isDir()) this.nlink++;
    return inode;
  }

  /** Adds (or finds) a static subdirectory. */
  dir(name: string, perm = 0o555): SynthDir {
    const c = this.children.get(name);
    if (c instanceof SynthDir) return c;
    return this.add(name, new SynthDir(this.fs, perm));
  }

  protected lookupDynamic(name: string): Inode | null {
    return null;
  }

  protected readdirDynamic(): DirEntry[] {
    return [];
  }

  override lookup(name: string): Inode | null {
    const c = this.children.get(name) ?? this.lookupDynamic(name);
    c?.revalidate();
    return c;
  }

  override readdir(): DirEntry[] {
    return [...entriesOf(this.children), ...this.readdirDynamic()];
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new DirectoryDescription(vd, flags);
  }
}

export interface GenFileOpts {
  perm?: number;
  /** Absent: writes fail with EIO (Linux's answer for proc files without a write op). */
  write?: WriteFn;
  /**
   * sysctl-style permission (proc_sys_permission): write access follows the mode
   * bits even for root, so read-only sysctls give EACCES instead of EIO.
   */
  strictMode?: boolean;
}

/** A regular file whose content `gen` computes at open. */
export class GenFile extends SynthInode {
  readonly write: WriteFn | null;
  readonly strictMode: boolean;

  constructor(
    fs: Filesystem,
    readonly gen: (t: Task) => Content,
    opts: GenFileOpts = {},
  ) {
    super(fs, S_IFREG | (opts.perm ?? 0o444));
    this.write = opts.write ?? null;
    this.strictMode = opts.strictMode ?? false;
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    const acc = flags & O_ACCMODE;
    if (this.strictMode && acc !== O_RDONLY && !this.modeAllowsWrite(t)) throw EACCES;
    const readable = acc !== O_WRONLY; // a write-only open needs no snapshot
    const content = readable ? this.gen(t) : '';
    return new SnapshotDescription(vd, flags, typeof content === 'string' ? latin1(content) : content, this.write);
  }

  /** test_perm() of kernel/sysctl.c: root is judged by the owner bits, others by "other". */
  private modeAllowsWrite(t: Task): boolean {
    const bits = t.creds.euid === 0 ? (this.mode >> 6) & 7 : this.mode & 7;
    return (bits & 2) !== 0;
  }
}

/** An open generated file: reads come from the snapshot taken at open. */
export class SnapshotDescription extends FileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    readonly data: Uint8Array,
    private readonly writer: WriteFn | null,
  ) {
    super(vd, flags);
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    const pos = off >= 0 ? off : this.offset;
    if (pos >= this.data.length) return 0;
    const n = copyToSeq(dst, this.data.subarray(pos));
    if (off < 0) this.offset += n;
    return n;
  }

  override write(t: Task, src: IOSequence, off: number): number {
    if (!this.writer) throw EIO;
    const pos = off >= 0 ? off : this.offset;
    const data = new Uint8Array(seqLength(src));
    let n = 0;
    for (const v of src) {
      data.set(v, n);
      n += v.length;
    }
    const done = this.writer(t, data, pos);
    if (off < 0) this.offset += done;
    return done;
  }

  override seek(off: number, whence: number): number {
    return seekSetOrCur(this, off, whence);
  }
}

/** seq_lseek (and mem_lseek): only SEEK_SET and SEEK_CUR, no size to seek from. */
export function seekSetOrCur(f: FileDescription, off: number, whence: number): number {
  if (whence !== SEEK_SET && whence !== SEEK_CUR) throw EINVAL;
  const pos = whence === SEEK_SET ? off : f.offset + off;
  if (pos < 0) throw EINVAL;
  f.offset = pos;
  return pos;
}

/** A symlink whose target text may depend on the caller (/proc/self). */
export class SynthSymlink extends SynthInode {
  constructor(
    fs: Filesystem,
    readonly target: (t: Task | undefined) => string,
  ) {
    super(fs, S_IFLNK | 0o777);
  }

  override readlink(t?: Task): string {
    return this.target(t);
  }

  override open(): FileDescription {
    throw ENOENT; // never reached: the VFS follows or serves O_PATH itself
  }
}

/**
 * A magic link (/proc/<pid>/exe, cwd, root, fd/N): following it jumps straight to
 * a VFS location; readlink shows that location's path as the caller sees it, or
 * the file's own name for anonymous files ("pipe:[1234]").
 */
export class MagicLink extends SynthInode {
  constructor(
    fs: Filesystem,
    /** Where the link points; throws ENOENT/EACCES when it cannot be followed. */
    readonly resolve: (t: Task) => VirtualDentry,
    /** readlink text; defaults to the caller's path of resolve(t). */
    readonly text: ((t: Task) => string) | null = null,
    perm = 0o777,
  ) {
    super(fs, S_IFLNK | perm);
  }

  override magicLink(t: Task): VirtualDentry {
    return this.resolve(t);
  }

  override readlink(t?: Task): string {
    if (!t) throw ENOENT;
    return this.text ? this.text(t) : t.fs.pathOf(this.resolve(t));
  }

  override open(): FileDescription {
    throw ENOENT;
  }
}
