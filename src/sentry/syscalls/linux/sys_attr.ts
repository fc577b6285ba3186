// Attribute changes: chmod family, chown family, truncate/ftruncate, utimensat, futimesat.
import { EBADF, EFBIG, EINVAL, EISDIR, EPERM, EROFS, ETXTBSY } from '../../../abi/linux/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../../../abi/linux/fcntl.js';
import { RLIMIT_FSIZE } from '../../../abi/linux/limits.js';
import { S_ISGID, S_ISUID, type Timespec } from '../../../abi/linux/stat.js';
import { CAP_CHOWN, CAP_FSETID } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { nowTimespec, type Inode } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { lookupAt } from '../../vfs/ops.js';
import { notifyChange, notifyModify } from '../../vfs/fsnotify.js';
import { IN_ACCESS, IN_ATTRIB, IN_MODIFY } from '../../../abi/linux/inotify.js';
import { MAY_WRITE, checkPermission, isOwner, removePrivs } from '../../vfs/permissions.js';

function writableMount(vd: VirtualDentry): void {
  if (vd.mount.readOnly) throw EROFS;
}

function setMode(t: Task, vd: VirtualDentry, mode: number): void {
  writableMount(vd);
  const inode = vd.dentry.inode;
  if (!isOwner(t.creds, inode)) throw EPERM;
  let m = mode & 0o7777;
  // Non-members lose setgid unless privileged (inode_change_ok).
  if ((m & S_ISGID) && !t.creds.inGroup(inode.gid) && !t.creds.hasCap(CAP_FSETID)) m &= ~S_ISGID;
  inode.setattr({ mode: m });
  notifyChange(vd.dentry, IN_ATTRIB);
}

export function chmod(t: Task, [path, mode]: SyscallArgs): number {
  setMode(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), true), mode.uint32());
  return 0;
}

export function fchmod(t: Task, [fd, mode]: SyscallArgs): number {
  setMode(t, t.fdTable.get(fd.int32()).vd, mode.uint32());
  return 0;
}

export function fchmodat(t: Task, [dirfd, path, mode]: SyscallArgs): number {
  setMode(t, lookupAt(t, dirfd.int32(), t.readPath(path.addr()), true), mode.uint32());
  return 0;
}

function setOwner(t: Task, vd: VirtualDentry, uid: number, gid: number): void {
  writableMount(vd);
  const inode = vd.dentry.inode;
  const c = t.creds;
  const changeUid = uid !== -1 && uid !== inode.uid;
  const changeGid = gid !== -1 && gid !== inode.gid;
  if (changeUid && !c.hasCap(CAP_CHOWN)) throw EPERM;
  if (changeGid && !c.hasCap(CAP_CHOWN) && !(c.fsuid === inode.uid && c.inGroup(gid))) throw EPERM;
  const attr: { uid?: number; gid?: number; mode?: number } = {};
  if (uid !== -1) attr.uid = uid >>> 0;
  if (gid !== -1) attr.gid = gid >>> 0;
  // chown of a non-directory clears set-user-ID, even as root and with -1/-1 (chown_common);
  // set-group-ID goes when group-executable, or when the caller could not set it.
  if (!inode.isDir()) {
    let kill = inode.mode & S_ISUID;
    const sgid = inode.mode & S_ISGID;
    if (sgid && ((inode.mode & 0o010) || !(c.inGroup(attr.gid ?? inode.gid) || c.hasCap(CAP_FSETID)))) kill |= S_ISGID;
    if (kill) attr.mode = inode.mode & 0o7777 & ~kill;
  }
  inode.setattr(attr);
  notifyChange(vd.dentry, IN_ATTRIB);
}

export function chown(t: Task, [path, uid, gid]: SyscallArgs): number {
  setOwner(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), true), uid.int32(), gid.int32());
  return 0;
}

export function lchown(t: Task, [path, uid, gid]: SyscallArgs): number {
  setOwner(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), false), uid.int32(), gid.int32());
  return 0;
}

export function fchown(t: Task, [fd, uid, gid]: SyscallArgs): number {
  setOwner(t, t.fdTable.get(fd.int32()).vd, uid.int32(), gid.int32());
  return 0;
}

export function fchownat(t: Task, [dirfd, path, uid, gid, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw EINVAL;
  const empty = (f & AT_EMPTY_PATH) !== 0;
  const vd = lookupAt(t, dirfd.int32(), t.readPath(path.addr(), empty), !(f & AT_SYMLINK_NOFOLLOW), empty);
  setOwner(t, vd, uid.int32(), gid.int32());
  return 0;
}

function checkSize(t: Task, size: number): void {
  if (size < 0) throw EINVAL;
  if (size > t.limit(RLIMIT_FSIZE).cur) throw EFBIG;
}

function truncateInode(inode: Inode, size: number): void {
  if (inode.isDir()) throw EISDIR;
  if (!inode.isRegular()) throw EINVAL;
  inode.setattr({ size });
}

export function truncate(t: Task, [path, length]: SyscallArgs): number {
  const vd = lookupAt(t, AT_FDCWD, t.readPath(path.addr()), true);
  checkSize(t, length.int64());
  if (vd.dentry.inode.isDir()) throw EISDIR;
  writableMount(vd);
  checkPermission(t.creds, vd.dentry.inode, MAY_WRITE);
  if (vd.dentry.inode.writeCount < 0) throw ETXTBSY; // a running executable
  removePrivs(t.creds, vd.dentry.inode);
  t.mm.truncating(() => truncateInode(vd.dentry.inode, length.int64()));
  notifyModify(vd.dentry);
  return 0;
}

export function ftruncate(t: Task, [fd, length]: SyscallArgs): number {
  const f = t.fdTable.get(fd.int32());
  checkSize(t, length.int64());
  if (!f.writable) throw f.inode.isDir() ? EISDIR : EBADF;
  if (!f.inode.isRegular()) throw EINVAL;
  removePrivs(t.creds, f.inode);
  t.mm.truncating(() => f.truncate(length.int64()));
  notifyModify(f.vd.dentry);
  return 0;
}

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

export function utimensat(t: Task, [dirfd, path, times, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw EINVAL;
  const p = path.addr() === 0 ? '' : t.readPath(path.addr(), true);
  const vd = p === '' ? t.fdTable.get(dirfd.int32()).vd : lookupAt(t, dirfd.int32(), p, !(f & AT_SYMLINK_NOFOLLOW));
  const now = nowTimespec();
  let atime: Timespec | undefined = now;
  let mtime: Timespec | undefined = now;
  let explicit = false;
  if (times.addr() !== 0) {
    const raw = t.mm.copyIn(times.addr(), 32);
    const dv = new DataView(raw.buffer, raw.byteOffset, 32);
    const ts = (o: number): Timespec | undefined => {
      const nsec = Number(dv.getBigInt64(o + 8, true));
      if (nsec === UTIME_OMIT) return undefined;
      if (nsec === UTIME_NOW) return now;
      if (nsec < 0 || nsec > 999_999_999) throw EINVAL;
      explicit = true;
      return { sec: Number(dv.getBigInt64(o, true)), nsec };
    };
    atime = ts(0);
    mtime = ts(16);
    if (!atime && !mtime) return 0;
  }
  return setTimes(t, vd, atime, mtime, explicit);
}

/** Setting explicit times takes ownership; "now" takes ownership or write permission. */
function setTimes(t: Task, vd: VirtualDentry, atime: Timespec | undefined, mtime: Timespec | undefined,
  explicit: boolean): number {
  const inode = vd.dentry.inode;
  writableMount(vd);
  if (explicit) {
    if (!isOwner(t.creds, inode)) throw EPERM;
  } else if (!isOwner(t.creds, inode)) {
    checkPermission(t.creds, inode, MAY_WRITE);
  }
  inode.setattr({ ...(atime ? { atime } : {}), ...(mtime ? { mtime } : {}) });
  // Both times is a utimes (IN_ATTRIB); one alone reads as an access or a modification.
  notifyChange(vd.dentry, atime && mtime ? IN_ATTRIB : atime ? IN_ACCESS : IN_MODIFY);
  return 0;
}

/** futimesat(2): utimensat with timevals; a NULL path means dirfd itself (futimes). */
export function futimesat(t: Task, [dirfd, path, times]: SyscallArgs): number {
  let atime: Timespec | undefined;
  let mtime: Timespec | undefined;
  if (times.addr() !== 0) {
    const raw = t.mm.copyIn(times.addr(), 32);
    const dv = new DataView(raw.buffer, raw.byteOffset, 32);
    const tv = (o: number): Timespec => {
      // Checked here: UTIME_NOW/UTIME_OMIT mean nothing for timevals.
      const usec = Number(dv.getBigInt64(o + 8, true));
      if (usec < 0 || usec >= 1_000_000) throw EINVAL;
      return { sec: Number(dv.getBigInt64(o, true)), nsec: usec * 1000 };
    };
    atime = tv(0);
    mtime = tv(16);
  }
  const vd = path.addr() === 0 ? t.fdTable.get(dirfd.int32()).vd : lookupAt(t, dirfd.int32(), t.readPath(path.addr()), true);
  if (!atime) {
    const now = nowTimespec();
    return setTimes(t, vd, now, now, false);
  }
  return setTimes(t, vd, atime, mtime, true);
}
