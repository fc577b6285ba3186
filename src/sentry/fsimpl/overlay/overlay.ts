// overlay: a writable upper layer (tmpfs) over a read-only lower layer (the gofer
// root), as `--overlay2 root:memory` does in runsc. Reads go to the upper file if it
// exists, else to the lower one; any change copies the file (and its parent
// directories) up first. Deletions of lower entries are remembered as whiteouts;
// a directory created over a deleted one is opaque. Whiteouts live in the overlay's
// own inodes rather than as device nodes in the upper layer, since both layers of
// a memory overlay live and die with the Sentry.
import { EEXIST, EINVAL, ENOENT, ENOTDIR, ENOTEMPTY, EXDEV } from '../../../abi/linux/errno.js';
import { O_ACCMODE, O_RDONLY, O_TRUNC, RENAME_EXCHANGE } from '../../../abi/linux/fcntl.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type Stat } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import { Dentry } from '../../vfs/dentry.js';
import { FileDescription, seekWithSize, type MappingSource } from '../../vfs/file.js';
import type { IOSequence } from '../../vfs/iosequence.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import { Inode, type CreateOpts, type DirEntry, type SetAttr } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { TmpfsFile, TmpfsFilesystem } from '../tmpfs/tmpfs.js';

export class OverlayFilesystem extends Filesystem {
  readonly name = 'overlay';
  readonly dev = anonDev();
  readonly upper: TmpfsFilesystem;
  private readonly rootDentry: Dentry;

  constructor(lowerRoot: Inode, upper = new TmpfsFilesystem({ name: 'tmpfs' })) {
    super();
    this.upper = upper;
    // The root's upper directory is adopted on its first copy-up, so until then
    // / looks exactly like the lower root.
    this.rootDentry = new Dentry('/', null, new OverlayInode(this, null, null, lowerRoot));
  }

  root(): Dentry {
    return this.rootDentry;
  }

  override statfs(): StatFs {
    return this.upper.statfs();
  }
}

/** Inode numbers of upper-only files: the lower layer keeps host numbers below 2^61 (the gofer uses 2^62 up). */
const UPPER_INO_BASE = 1n << 61n;

/** Scratch buffer for copy-up. */
const COPY_CHUNK = 1 << 20;

export class OverlayInode extends Inode {
  /** Children already looked up, so every name keeps one overlay inode. */
  private readonly cache = new Map<string, OverlayInode>();
  /** Lower entries deleted in this directory. */
  private readonly whiteouts = new Set<string>();
  /** Created over a deleted directory: hides the lower one entirely. */
  private opaque = false;

  constructor(
    readonly fs: OverlayFilesystem,
    /** Parent directory and our name in it (copy-up needs the path). */
    private parentDir: OverlayInode | null,
    public upper: Inode | null,
    public lower: Inode | null,
    private nameInParent = '',
  ) {
    const src = (upper ?? lower)!;
    // Keep the lower inode number across copy-up (overlayfs's xino); files that only
    // exist above get numbers from a range the lower layer cannot use.
    super(lower ? lower.ino : UPPER_INO_BASE | upper!.ino, src.mode, src.uid, src.gid);
  }

  private get real(): Inode {
    return (this.upper ?? this.lower)!;
  }

  override get type(): number {
    return this.real.mode & S_IFMT;
  }

  override isDir(): boolean {
    return this.type === S_IFDIR;
  }

  override isSymlink(): boolean {
    return this.type === S_IFLNK;
  }

  override isRegular(): boolean {
    return this.type === S_IFREG;
  }

  override size(): number {
    return this.real.size();
  }

  override stat(): Stat {
    const s = this.real.stat();
    return { ...s, dev: this.fs.dev, ino: this.ino };
  }

  override revalidate(): void {
    this.real.revalidate();
    this.syncAttrs();
  }

  /** Mirrors the real inode's attributes on this one (the VFS reads them directly). */
  private syncAttrs(): void {
    const r = this.real;
    this.mode = r.mode;
    this.uid = r.uid;
    this.gid = r.gid;
    this.nlink = r.nlink;
    this.rdev = r.rdev;
    this.atime = r.atime;
    this.mtime = r.mtime;
    this.ctime = r.ctime;
  }

  // ---- lookup ----

  override lookup(name: string): Inode | null {
    if (!this.isDir()) throw ENOTDIR;
    const cached = this.cache.get(name);
    if (cached) return cached;
    if (this.whiteouts.has(name)) return null;
    const u = this.upper?.lookup(name) ?? null;
    let l: Inode | null = null;
    if (!this.opaque && this.lower && this.lower.isDir() && (!u || u.isDir())) l = this.lower.lookup(name);
    if (u && l && !l.isDir()) l = null;
    if (!u && !l) return null;
    const child = new OverlayInode(this.fs, this, u, l, name);
    this.cache.set(name, child);
    return child;
  }

  override readdir(): DirEntry[] {
    const seen = new Set<string>();
    const out: DirEntry[] = [];
    for (const e of this.upper?.readdir() ?? []) {
      seen.add(e.name);
      const c = this.lookup(e.name);
      out.push({ ...e, ino: c ? c.ino : e.ino });
    }
    if (!this.opaque && this.lower && this.lower.isDir()) {
      for (const e of this.lower.readdir()) {
        if (seen.has(e.name) || this.whiteouts.has(e.name)) continue;
        out.push(e);
      }
    }
    return out;
  }

  override readlink(): string {
    return this.real.readlink();
  }

  override magicLink(t: Task): VirtualDentry | null {
    return this.real.magicLink(t);
  }

  override getxattr(name: string): Uint8Array {
    return this.real.getxattr(name);
  }

  override listxattr(): string[] {
    return this.real.listxattr();
  }

  // ---- copy-up ----

  /** Ensures this inode has an upper copy (parents first). */
  copyUp(): Inode {
    if (this.upper) return this.upper;
    const lower = this.lower!;
    const st = lower.stat();
    const parent = this.parentDir;
    if (!parent) {
      // The root: adopt the upper file system's root directory.
      const u = this.fs.upper.root().inode;
      u.setattr({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, atime: st.atime, mtime: st.mtime, ctime: st.ctime });
      this.upper = u;
      this.syncAttrs();
      return u;
    }
    const pdir = parent.copyUp();
    const opts: CreateOpts = { mode: st.mode, uid: st.uid, gid: st.gid, rdev: st.rdev };
    let u: Inode;
    switch (st.mode & S_IFMT) {
      case S_IFDIR:
        u = pdir.mkdir(this.nameInParent, opts);
        break;
      case S_IFLNK:
        u = pdir.symlink(this.nameInParent, lower.readlink(), opts);
        break;
      case S_IFREG:
        u = pdir.create(this.nameInParent, opts);
        copyData(lower, u);
        break;
      default:
        u = pdir.mknod(this.nameInParent, opts);
    }
    u.setattr({ atime: st.atime, mtime: st.mtime, ctime: st.ctime });
    this.upper = u;
    this.syncAttrs();
    return u;
  }

  // ---- directory mutations (always on the upper layer) ----

  private checkAbsent(name: string): void {
    if (this.lookup(name)) throw EEXIST;
  }

  /** A new upper entry: forget any whiteout; a new dir over a deleted one is opaque. */
  private adopt(name: string, u: Inode): OverlayInode {
    const wasWhiteout = this.whiteouts.delete(name);
    const child = new OverlayInode(this.fs, this, u, null, name);
    if (wasWhiteout && u.isDir()) child.opaque = true;
    this.cache.set(name, child);
    this.syncAttrs();
    return child;
  }

  override create(name: string, opts: CreateOpts): Inode {
    this.checkAbsent(name);
    return this.adopt(name, this.copyUp().create(name, opts));
  }

  override mkdir(name: string, opts: CreateOpts): Inode {
    this.checkAbsent(name);
    return this.adopt(name, this.copyUp().mkdir(name, opts));
  }

  override mknod(name: string, opts: CreateOpts): Inode {
    this.checkAbsent(name);
    return this.adopt(name, this.copyUp().mknod(name, opts));
  }

  override symlink(name: string, target: string, opts: CreateOpts): Inode {
    this.checkAbsent(name);
    return this.adopt(name, this.copyUp().symlink(name, target, opts));
  }

  override link(name: string, target: Inode): void {
    if (!(target instanceof OverlayInode)) throw EXDEV;
    this.checkAbsent(name);
    const u = target.copyUp();
    this.copyUp().link(name, u);
    this.whiteouts.delete(name);
    // Both names must share one overlay inode (same ino, same data).
    this.cache.set(name, target);
    target.syncAttrs();
  }

  /** The lower directory (still visible here) has `name`: removing ours must hide it. */
  private lowerHas(name: string): boolean {
    return !this.opaque && !!this.lower && this.lower.isDir() && this.lower.lookup(name) !== null;
  }

  /** Removes `name`: from the upper layer if there, and whiteouts hide the lower one. */
  private remove(name: string, dir: boolean): void {
    const child = this.lookup(name) as OverlayInode | null;
    if (!child) throw ENOENT;
    if (dir) {
      if (!child.isDir()) throw ENOTDIR;
      if (child.readdir().length > 0) throw ENOTEMPTY;
    }
    if (child.upper) {
      const up = this.copyUp();
      if (dir) up.rmdir(name);
      else up.unlink(name);
    }
    if (child.lower || this.lowerHas(name)) this.whiteouts.add(name);
    this.cache.delete(name);
    child.nlink = Math.max(0, child.nlink - 1);
    this.syncAttrs();
  }

  override tmpfileOk(): boolean {
    return this.isDir(); // made in the upper layer, which is a tmpfs
  }

  override unlink(name: string): void {
    this.remove(name, false);
  }

  override rmdir(name: string): void {
    this.remove(name, true);
  }

  override rename(oldName: string, newDir: Inode, newName: string, flags: number): void {
    if (!(newDir instanceof OverlayInode)) throw EXDEV;
    const src = this.lookup(oldName) as OverlayInode | null;
    if (!src) throw ENOENT;
    // Moving a directory with lower contents would need redirects: fail like
    // overlayfs without redirect_dir, so callers (mv) fall back to copying.
    if (src.isDir() && src.lower) throw EXDEV;
    const dst = newDir.lookup(newName) as OverlayInode | null;
    if (flags & RENAME_EXCHANGE) {
      if (!dst) throw ENOENT;
      if (dst.isDir() && dst.lower) throw EXDEV;
      src.copyUp();
      dst.copyUp();
      this.copyUp().rename(oldName, newDir.copyUp(), newName, flags);
      // Both names stay occupied above, so the lower entries stay hidden.
      this.cache.set(oldName, dst);
      newDir.cache.set(newName, src);
      [src.parentDir, dst.parentDir] = [newDir, this];
      [src.nameInParent, dst.nameInParent] = [newName, oldName];
      this.syncAttrs();
      newDir.syncAttrs();
      return;
    }
    if (dst?.isDir() && dst.readdir().length > 0) throw ENOTEMPTY;
    src.copyUp();
    const fromUp = this.copyUp();
    const toUp = newDir.copyUp();
    fromUp.rename(oldName, toUp, newName, flags);
    if (src.lower || this.lowerHas(oldName)) this.whiteouts.add(oldName);
    this.cache.delete(oldName);
    newDir.whiteouts.delete(newName);
    newDir.cache.set(newName, src);
    src.parentDir = newDir;
    src.nameInParent = newName;
    this.syncAttrs();
    newDir.syncAttrs();
  }

  override setattr(attr: SetAttr): void {
    this.copyUp().setattr(attr);
    this.syncAttrs();
  }

  // ---- open ----

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    const write = (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (write && this.isRegular()) return this.copyUp().open(t, vd, flags);
    // A reader of a lower file follows it to the upper copy once one exists (Linux >= 4.19).
    if (this.isRegular() && !this.upper) return new OverlayReadDescription(t, vd, flags, this);
    return this.real.open(t, vd, flags);
  }
}

/** Copies a lower regular file's contents into a fresh upper (tmpfs) file. */
function copyData(from: Inode, to: Inode): void {
  if (from.size() === 0) return;
  if (!(to instanceof TmpfsFile)) throw EINVAL;
  const src = from.dataReader();
  try {
    const buf = new Uint8Array(Math.min(from.size(), COPY_CHUNK));
    for (let off = 0; ; ) {
      const n = src.readAt(buf, off);
      if (n <= 0) break;
      to.writeAt([buf.subarray(0, n)], off);
      off += n;
    }
  } finally {
    src.close();
  }
}

/**
 * A read-only description of a file that was only in the lower layer when opened:
 * after a copy-up it reads the upper copy, so readers see later writes (tail -f).
 */
class OverlayReadDescription extends FileDescription {
  private inner: FileDescription;
  private onUpper = false;

  constructor(
    t: Task,
    vd: VirtualDentry,
    flags: number,
    private readonly node: OverlayInode,
  ) {
    super(vd, flags);
    this.inner = node.lower!.open(t, vd, flags);
  }

  private current(t: Task): FileDescription {
    if (!this.onUpper && this.node.upper) {
      const next = this.node.upper.open(t, this.vd, this.flags);
      this.inner.decRef();
      this.inner = next;
      this.onUpper = true;
    }
    return this.inner;
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    const f = this.current(t);
    if (off >= 0) return f.read(t, dst, off);
    const n = f.read(t, dst, this.offset);
    this.offset += n;
    return n;
  }

  override seek(off: number, whence: number): number {
    return seekWithSize(this, off, whence, this.node.size());
  }

  override ioctl(t: Task, req: number, arg: number): number {
    this.current(t).offset = this.offset;
    return this.inner.ioctl(t, req, arg);
  }

  override mapping(): MappingSource {
    return this.inner.mapping();
  }

  override dataFile(): FileDescription {
    return this.inner.dataFile();
  }

  override fsync(dataOnly: boolean): void {
    this.inner.fsync(dataOnly);
  }

  protected override release(): void {
    this.inner.decRef();
  }
}
