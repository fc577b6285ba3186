// VFS operations shared by syscall handlers and the loader: open, stat, access,
// mkdir, unlink, ... with Linux's checks in Linux's order (fs/namei.c, fs/open.c).
import {
  EACCES, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS, ETXTBSY, EXDEV,
} from '../../abi/linux/errno.js';
import {
  O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_TMPFILE, O_TRUNC, O_WRONLY,
  RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT,
} from '../../abi/linux/fcntl.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, S_ISGID, type Stat } from '../../abi/linux/stat.js';
import type { Task } from '../kernel/task.js';
import { PathDescription, type FileDescription } from './file.js';
import type { CreateOpts, Inode } from './inode.js';
import type { VirtualDentry } from './mount.js';
import {
  RESOLVE_IN_ROOT, followSymlink, lookupChild, lookupChildNoMount, resolveParent, resolvePath, type ResolveOpts,
} from './path.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, checkPermission, checkSticky } from './permissions.js';
import { openTmpfile } from './tmpfile.js';
import { notifyCreate, notifyDelete, notifyModify, notifyOpen, notifyRename } from './fsnotify.js';

export interface OpenOpts {
  flags: number;
  mode: number;
  /** openat2 RESOLVE_* flags. */
  resolve?: number;
}

function checkWritableMount(vd: VirtualDentry): void {
  if (vd.mount.readOnly) throw EROFS;
}

/** Owner and group for a new inode: fsuid, and fsgid or the parent's setgid group. */
export function createOpts(t: Task, dir: Inode, mode: number): CreateOpts {
  const setgid = (dir.mode & S_ISGID) !== 0;
  let m = mode;
  if (setgid && (mode & S_IFMT) === S_IFDIR) m |= S_ISGID;
  return { mode: m, uid: t.creds.fsuid, gid: setgid ? dir.gid : t.creds.fsgid };
}

function accessMask(flags: number): number {
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
      return MAY_READ;
    case O_WRONLY:
      return MAY_WRITE;
    case O_RDWR:
      return MAY_READ | MAY_WRITE;
    default:
      return MAY_READ | MAY_WRITE;
  }
}

/** openat(2) after argument decoding. */
export function openAt(t: Task, dirfd: number, path: string, o: OpenOpts): FileDescription {
  // RESOLVE_IN_ROOT: dirfd is "/" for the walk, so even an absolute path starts there.
  const start = (o.resolve ?? 0) & RESOLVE_IN_ROOT ? t.startFor(dirfd, '.') : t.startFor(dirfd, path);
  const ctx = t.walkCtx;
  let flags = o.flags;
  if ((flags & O_TMPFILE) === O_TMPFILE) {
    const dir = resolvePath(ctx, start, path, { follow: true, resolve: o.resolve ?? 0, directory: true });
    return openTmpfile(t, dir, flags, o.mode);
  }
  let vd: VirtualDentry;
  let created = false;
  if (flags & O_CREAT) {
    const pn = resolveParent(ctx, start, path, o.resolve ?? 0);
    if (pn.name === '') {
      // "/" or a path ending in "." or "..": an existing directory.
      throw EISDIR;
    }
    if (pn.trailingSlash) throw EISDIR;
    let parent = pn.parent;
    let name = pn.name;
    let existing = lookupChild(ctx, parent, name);
    // O_CREAT follows symlinks, and a dangling one creates its target (open(2)).
    for (let hops = 0; existing && existing.dentry.inode.isSymlink(); hops++) {
      if (flags & O_EXCL) throw EEXIST;
      if (flags & O_NOFOLLOW) throw ELOOP;
      if (hops >= 40 || (o.resolve ?? 0) & 0x04 /* RESOLVE_NO_SYMLINKS */) throw ELOOP;
      const magic = existing.dentry.inode.magicLink(t);
      if (magic) {
        existing = magic;
        break;
      }
      const target = existing.dentry.inode.readlink(t);
      const tp = resolveParent(ctx, target.startsWith('/') ? t.fs.root : parent, target, o.resolve ?? 0);
      if (tp.name === '' || tp.trailingSlash) {
        existing = followSymlink(ctx, parent, existing, o.resolve ?? 0);
        break;
      }
      parent = tp.parent;
      name = tp.name;
      existing = lookupChild(ctx, parent, name);
    }
    if (existing) {
      if (flags & O_EXCL) throw EEXIST;
      vd = existing;
      if (vd.dentry.inode.isDir()) throw EISDIR;
    } else {
      const dir = parent.dentry.inode;
      checkWritableMount(parent);
      checkPermission(t.creds, dir, MAY_WRITE | MAY_EXEC);
      if (parent.dentry.deleted) throw ENOENT;
      const mode = S_IFREG | (o.mode & 0o7777 & ~t.fs.umask);
      const inode = dir.create(name, createOpts(t, dir, mode));
      vd = { mount: parent.mount, dentry: parent.dentry.add(name, inode) };
      created = true;
      notifyCreate(vd.dentry);
    }
  } else {
    const ro: ResolveOpts = { follow: (flags & O_NOFOLLOW) === 0, resolve: o.resolve ?? 0 };
    if (flags & O_DIRECTORY) ro.directory = true;
    vd = resolvePath(ctx, start, path, ro);
  }
  const inode = vd.dentry.inode;
  if (flags & O_PATH) {
    if ((flags & O_DIRECTORY) && !inode.isDir()) throw ENOTDIR;
    return new PathDescription(vd, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  if (inode.isSymlink()) throw ELOOP; // O_NOFOLLOW on a symlink
  if ((flags & O_DIRECTORY) && !inode.isDir()) throw ENOTDIR;
  if (inode.isDir() && (flags & O_ACCMODE) !== O_RDONLY) throw EISDIR;
  if (inode.isDir() && (flags & O_CREAT)) throw EISDIR;
  const may = accessMask(flags);
  if (!created) {
    if ((may & MAY_WRITE) && (inode.isRegular() || inode.isDir())) checkWritableMount(vd);
    checkPermission(t.creds, inode, may | ((flags & O_TRUNC) && !(may & MAY_WRITE) ? MAY_WRITE : 0));
  }
  // Writers and running executables exclude each other (i_writecount); O_TRUNC counts as a write.
  const writer = inode.isRegular() && (may & MAY_WRITE) !== 0;
  if (inode.isRegular() && (writer || (flags & O_TRUNC)) && inode.writeCount < 0) throw ETXTBSY;
  if ((flags & O_TRUNC) && inode.isRegular() && !created) {
    checkWritableMount(vd);
    inode.setattr({ size: 0 });
  }
  const truncated = (flags & O_TRUNC) !== 0 && inode.isRegular() && !created;
  flags &= ~(O_CREAT | O_EXCL | O_TRUNC);
  const file = inode.open(t, vd, flags);
  if (writer) file.holdWriteAccess(inode);
  // Linux >= 6.13 reports the open (from vfs_open) before the truncation's IN_MODIFY.
  notifyOpen(file);
  if (truncated) notifyModify(vd.dentry);
  return file;
}


/** Resolves a path for stat-like calls (AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW handled by callers). */
export function lookupAt(t: Task, dirfd: number, path: string, follow: boolean, emptyPath = false): VirtualDentry {
  if (path.length === 0) {
    if (!emptyPath) throw ENOENT;
    if (dirfd === -100) return t.fs.cwd;
    return t.fdTable.get(dirfd).vd;
  }
  return resolvePath(t.walkCtx, t.startFor(dirfd, path), path, { follow });
}

export function statAt(t: Task, dirfd: number, path: string, follow: boolean, emptyPath: boolean): Stat {
  if (path.length === 0 && emptyPath && dirfd !== -100) return t.fdTable.get(dirfd).stat();
  const vd = lookupAt(t, dirfd, path, follow, emptyPath);
  vd.dentry.inode.revalidate();
  return vd.dentry.inode.stat();
}

/** faccessat2(2): checks with real ids unless AT_EACCESS. */
export function accessAt(t: Task, dirfd: number, path: string, mode: number, follow: boolean, effective: boolean, emptyPath: boolean): void {
  if (mode & ~7) throw EINVAL;
  const vd = lookupAt(t, dirfd, path, follow, emptyPath);
  if (mode === 0) return;
  const creds = effective ? t.creds : realCreds(t);
  if ((mode & 2) && vd.mount.readOnly && !vd.dentry.inode.isSymlink()) {
    const ty = vd.dentry.inode.type;
    if (ty === S_IFREG || ty === S_IFDIR || ty === S_IFLNK) throw EROFS;
  }
  checkPermission(creds, vd.dentry.inode, mode);
  // X_OK on a regular file of a noexec mount fails like the execve would.
  if ((mode & 1) && vd.dentry.inode.isRegular() && (vd.mount.flags & 8 /* MS_NOEXEC */)) throw EACCES;
}

function realCreds(t: Task): Task['creds'] {
  const c = t.creds.clone();
  c.fsuid = c.ruid;
  c.fsgid = c.rgid;
  // access(2) uses the real uid; a non-root real uid loses the root capabilities.
  if (c.ruid !== 0) c.effective = 0n;
  return c;
}

export function readlinkAt(t: Task, dirfd: number, path: string, emptyPath: boolean): string {
  if (path.length === 0) {
    // Linux 5.x: an empty path reads the symlink open at dirfd, if it is one.
    const f = dirfd === -100 ? null : t.fdTable.get(dirfd);
    if (!f || !f.inode.isSymlink()) throw ENOENT;
    return f.inode.readlink(t);
  }
  const vd = lookupAt(t, dirfd, path, false, emptyPath);
  const inode = vd.dentry.inode;
  if (!inode.isSymlink()) throw EINVAL;
  // Magic links render their own text: /proc/<pid>/fd/N of a pipe reads "pipe:[ino]".
  return inode.readlink(t);
}

export function mkdirAt(t: Task, dirfd: number, path: string, mode: number): void {
  const pn = resolveParent(t.walkCtx, t.startFor(dirfd, path), path);
  if (pn.name === '') throw EEXIST;
  const dir = pn.parent.dentry.inode;
  if (lookupChild(t.walkCtx, pn.parent, pn.name)) throw EEXIST;
  checkWritableMount(pn.parent);
  checkPermission(t.creds, dir, MAY_WRITE | MAY_EXEC);
  if (pn.parent.dentry.deleted) throw ENOENT;
  const m = S_IFDIR | (mode & 0o1777 & ~t.fs.umask);
  const inode = dir.mkdir(pn.name, createOpts(t, dir, m));
  notifyCreate(pn.parent.dentry.add(pn.name, inode));
}

/** mknod(2); returns the new inode (bind(2) of a path socket records itself on it). */
export function mknodAt(t: Task, dirfd: number, path: string, mode: number, rdev: bigint): Inode {
  const pn = resolveParent(t.walkCtx, t.startFor(dirfd, path), path);
  if (pn.name === '' || pn.trailingSlash) throw pn.name === '' ? EEXIST : ENOENT;
  const dir = pn.parent.dentry.inode;
  if (lookupChild(t.walkCtx, pn.parent, pn.name)) throw EEXIST;
  checkWritableMount(pn.parent);
  checkPermission(t.creds, dir, MAY_WRITE | MAY_EXEC);
  const type = mode & S_IFMT || S_IFREG;
  const opts = createOpts(t, dir, type | (mode & 0o7777 & ~t.fs.umask));
  opts.rdev = rdev;
  const inode = type === S_IFREG ? dir.create(pn.name, opts) : dir.mknod(pn.name, opts);
  notifyCreate(pn.parent.dentry.add(pn.name, inode));
  return inode;
}

export function symlinkAt(t: Task, target: string, dirfd: number, path: string): void {
  if (target.length === 0) throw ENOENT;
  const pn = resolveParent(t.walkCtx, t.startFor(dirfd, path), path);
  if (pn.name === '') throw EEXIST;
  const dir = pn.parent.dentry.inode;
  if (lookupChild(t.walkCtx, pn.parent, pn.name)) throw EEXIST;
  if (pn.trailingSlash) throw ENOENT;
  checkWritableMount(pn.parent);
  checkPermission(t.creds, dir, MAY_WRITE | MAY_EXEC);
  const inode = dir.symlink(pn.name, target, createOpts(t, dir, S_IFLNK | 0o777));
  notifyCreate(pn.parent.dentry.add(pn.name, inode));
}

export function linkAt(t: Task, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, follow: boolean, emptyPath: boolean): void {
  const old = lookupAt(t, olddirfd, oldpath, follow, emptyPath);
  if (old.dentry.inode.isDir()) throw EPERM;
  const pn = resolveParent(t.walkCtx, t.startFor(newdirfd, newpath), newpath);
  if (pn.name === '') throw EEXIST;
  if (pn.parent.mount !== old.mount) throw EXDEV;
  if (lookupChild(t.walkCtx, pn.parent, pn.name)) throw EEXIST;
  checkWritableMount(pn.parent);
  checkPermission(t.creds, pn.parent.dentry.inode, MAY_WRITE | MAY_EXEC);
  // An open but unlinked file cannot be linked back (only O_TMPFILE files can, once);
  // checked last, as in vfs_link.
  const tmpfile = old.dentry.inode.linkable && old.dentry.inode.nlink === 0;
  if ((old.dentry.deleted || old.dentry.inode.nlink === 0) && !tmpfile) throw ENOENT;
  pn.parent.dentry.inode.link(pn.name, old.dentry.inode);
  if (tmpfile) old.dentry.inode.linkable = false;
  notifyCreate(pn.parent.dentry.add(pn.name, old.dentry.inode), true);
}

export function unlinkAt(t: Task, dirfd: number, path: string, rmdir: boolean): void {
  const pn = resolveParent(t.walkCtx, t.startFor(dirfd, path), path);
  if (pn.name === '') throw rmdir ? (path.endsWith('..') ? ENOTEMPTY : EINVAL) : EISDIR;
  const victim = lookupChildNoMount(t.walkCtx, pn.parent, pn.name);
  if (!victim) throw ENOENT;
  const dir = pn.parent.dentry.inode;
  const inode = victim.dentry.inode;
  if (rmdir) {
    if (!inode.isDir()) throw ENOTDIR;
  } else {
    if (inode.isDir()) throw EISDIR;
    if (pn.trailingSlash) throw ENOTDIR;
  }
  // Something is mounted here (a directory, or a file bind-mounted over this one).
  if (victim.dentry.mountCount > 0) throw EBUSY;
  checkWritableMount(pn.parent);
  checkPermission(t.creds, dir, MAY_WRITE | MAY_EXEC);
  checkSticky(t.creds, dir, inode);
  if (rmdir) dir.rmdir(pn.name);
  else dir.unlink(pn.name);
  pn.parent.dentry.drop(pn.name);
  notifyDelete(dir, pn.name, inode, rmdir);
}

export function renameAt(t: Task, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): void {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) throw EINVAL;
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) throw EINVAL;
  if (flags & RENAME_WHITEOUT) throw EINVAL;
  const from = resolveParent(t.walkCtx, t.startFor(olddirfd, oldpath), oldpath);
  const to = resolveParent(t.walkCtx, t.startFor(newdirfd, newpath), newpath);
  if (from.name === '' || to.name === '') throw EBUSY;
  if (from.parent.mount !== to.parent.mount) throw EXDEV;
  const src = lookupChildNoMount(t.walkCtx, from.parent, from.name);
  if (!src) throw ENOENT;
  const dst = lookupChildNoMount(t.walkCtx, to.parent, to.name);
  if ((flags & RENAME_NOREPLACE) && dst) throw EEXIST;
  if ((flags & RENAME_EXCHANGE) && !dst) throw ENOENT;
  const srcInode = src.dentry.inode;
  // A directory cannot move below itself (checked before the type checks, as Linux does).
  if (srcInode.isDir() && to.parent.dentry.isDescendantOf(src.dentry)) throw EINVAL;
  if ((flags & RENAME_EXCHANGE) && dst && dst.dentry.inode.isDir() && from.parent.dentry.isDescendantOf(dst.dentry)) {
    throw EINVAL;
  }
  if ((from.trailingSlash || to.trailingSlash) && !srcInode.isDir()) throw ENOTDIR;
  if (dst && !(flags & RENAME_EXCHANGE)) {
    if (dst.dentry.inode === srcInode) return;
    if (srcInode.isDir() && !dst.dentry.inode.isDir()) throw ENOTDIR;
    if (!srcInode.isDir() && dst.dentry.inode.isDir()) throw EISDIR;
  }
  checkWritableMount(from.parent);
  checkPermission(t.creds, from.parent.dentry.inode, MAY_WRITE | MAY_EXEC);
  checkPermission(t.creds, to.parent.dentry.inode, MAY_WRITE | MAY_EXEC);
  checkSticky(t.creds, from.parent.dentry.inode, srcInode);
  if (dst) checkSticky(t.creds, to.parent.dentry.inode, dst.dentry.inode);
  if (src.dentry.mountCount > 0 || (dst && dst.dentry.mountCount > 0)) throw EBUSY;
  from.parent.dentry.inode.rename(from.name, to.parent.dentry.inode, to.name, flags);
  const replaced = dst ? dst.dentry.inode : null;
  if (flags & RENAME_EXCHANGE) {
    // Open files and cwds inside either tree keep working: the dentries trade places.
    from.parent.dentry.exchange(from.name, to.parent.dentry, to.name);
  } else {
    from.parent.dentry.move(from.name, to.parent.dentry, to.name);
  }
  notifyRename(from.parent.dentry.inode, from.name, to.parent.dentry.inode, to.name, srcInode, replaced,
    (flags & RENAME_EXCHANGE) !== 0);
}

/** chdir/chroot targets: a searchable directory. */
export function lookupDir(t: Task, dirfd: number, path: string): VirtualDentry {
  const vd = resolvePath(t.walkCtx, t.startFor(dirfd, path), path, { follow: true, directory: true });
  checkPermission(t.creds, vd.dentry.inode, MAY_EXEC);
  return vd;
}

/** Exec checks: a regular file with exec permission on an exec-able mount. */
export function checkExec(t: Task, vd: VirtualDentry): void {
  const inode = vd.dentry.inode;
  if (!inode.isRegular()) throw EACCES;
  if (vd.mount.flags & 8 /* MS_NOEXEC */) throw EACCES;
  checkPermission(t.creds, inode, MAY_EXEC);
}
