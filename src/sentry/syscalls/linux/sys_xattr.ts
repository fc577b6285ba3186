// Extended attributes: get/set/list/remove (fs/xattr.c). The checks are Linux's,
// in its order: flags and size, the name, the path, a writable mount, then
// xattr_permission; the file system stores the value (gofer files on the host;
// others answer EOPNOTSUPP for set/remove and ENODATA for get).
import { E2BIG, EINVAL, ENAMETOOLONG, ENODATA, EPERM, ERANGE, EROFS } from '../../../abi/linux/errno.js';
import { AT_FDCWD } from '../../../abi/linux/fcntl.js';
import { S_ISVTX } from '../../../abi/linux/stat.js';
import { CAP_SYS_ADMIN } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { Inode } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { lookupAt } from '../../vfs/ops.js';
import { MAY_READ, MAY_WRITE, checkPermission, isOwner } from '../../vfs/permissions.js';
import { notifyChange } from '../../vfs/fsnotify.js';
import { IN_ATTRIB } from '../../../abi/linux/inotify.js';

const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;
const XATTR_LIST_MAX = 65536;
const XATTR_CREATE = 1;
const XATTR_REPLACE = 2;

/** The attribute name: 1 to 255 bytes, else ERANGE. */
function readName(t: Task, addr: number): string {
  let name: string;
  try {
    name = t.mm.readCString(addr, XATTR_NAME_MAX);
  } catch (e) {
    throw e === ENAMETOOLONG ? ERANGE : e;
  }
  if (name.length === 0) throw ERANGE;
  return name;
}

/** xattr_permission: trusted.* needs CAP_SYS_ADMIN; user.* lives only on files and directories. */
function permission(t: Task, inode: Inode, name: string, may: number): void {
  if (name.startsWith('security.') || name.startsWith('system.')) return;
  const write = (may & MAY_WRITE) !== 0;
  if (name.startsWith('trusted.')) {
    if (!t.creds.hasCap(CAP_SYS_ADMIN)) throw write ? EPERM : ENODATA;
    return;
  }
  if (name.startsWith('user.')) {
    if (!inode.isRegular() && !inode.isDir()) throw write ? EPERM : ENODATA;
    if (write && inode.isDir() && inode.mode & S_ISVTX && !isOwner(t.creds, inode)) throw EPERM;
  }
  checkPermission(t.creds, inode, may);
}

function pathVd(t: Task, path: SyscallArgs[number], follow: boolean): VirtualDentry {
  return lookupAt(t, AT_FDCWD, t.readPath(path.addr()), follow);
}

function get(t: Task, vd: VirtualDentry, nameAddr: number, value: number, size: number): number {
  const name = readName(t, nameAddr);
  const inode = vd.dentry.inode;
  permission(t, inode, name, MAY_READ);
  const v = inode.getxattr(name);
  if (size === 0) return v.length;
  if (v.length > Math.min(size, XATTR_SIZE_MAX)) throw ERANGE;
  t.mm.copyOut(value, v);
  return v.length;
}

function list(t: Task, inode: Inode, addr: number, size: number): number {
  const admin = t.creds.hasCap(CAP_SYS_ADMIN);
  const names = inode.listxattr().filter((n) => admin || !n.startsWith('trusted.'));
  const b = Buffer.from(names.map((n) => n + '\0').join(''), 'latin1');
  if (size === 0) return b.length;
  if (b.length > Math.min(size, XATTR_LIST_MAX)) throw ERANGE;
  if (b.length > 0) t.mm.copyOut(addr, b);
  return b.length;
}

/** setxattr after the arguments were read: `resolve` finds the file only once they are valid. */
function set(t: Task, resolve: () => VirtualDentry, nameAddr: number, value: number, size: number, flags: number): number {
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) throw EINVAL;
  const name = readName(t, nameAddr);
  if (size > XATTR_SIZE_MAX) throw E2BIG;
  const v = size > 0 ? t.mm.copyIn(value, size) : new Uint8Array(0);
  const vd = resolve();
  if (vd.mount.readOnly) throw EROFS;
  permission(t, vd.dentry.inode, name, MAY_WRITE);
  vd.dentry.inode.setxattr(name, v, flags);
  notifyChange(vd.dentry, IN_ATTRIB);
  return 0;
}

function remove(t: Task, resolve: () => VirtualDentry, nameAddr: number): number {
  const name = readName(t, nameAddr);
  const vd = resolve();
  if (vd.mount.readOnly) throw EROFS;
  permission(t, vd.dentry.inode, name, MAY_WRITE);
  vd.dentry.inode.removexattr(name);
  notifyChange(vd.dentry, IN_ATTRIB);
  return 0;
}

export function getxattr(t: Task, [path, name, value, size]: SyscallArgs): number {
  return get(t, pathVd(t, path, true), name.addr(), value.addr(), size.size());
}

export function lgetxattr(t: Task, [path, name, value, size]: SyscallArgs): number {
  return get(t, pathVd(t, path, false), name.addr(), value.addr(), size.size());
}

export function fgetxattr(t: Task, [fd, name, value, size]: SyscallArgs): number {
  return get(t, t.fdTable.getIO(fd.int32()).vd, name.addr(), value.addr(), size.size());
}

export function listxattr(t: Task, [path, list_, size]: SyscallArgs): number {
  return list(t, pathVd(t, path, true).dentry.inode, list_.addr(), size.size());
}

export function llistxattr(t: Task, [path, list_, size]: SyscallArgs): number {
  return list(t, pathVd(t, path, false).dentry.inode, list_.addr(), size.size());
}

export function flistxattr(t: Task, [fd, list_, size]: SyscallArgs): number {
  return list(t, t.fdTable.getIO(fd.int32()).inode, list_.addr(), size.size());
}

export function setxattr(t: Task, [path, name, value, size, flags]: SyscallArgs): number {
  return set(t, () => pathVd(t, path, true), name.addr(), value.addr(), size.size(), flags.int32());
}

export function lsetxattr(t: Task, [path, name, value, size, flags]: SyscallArgs): number {
  return set(t, () => pathVd(t, path, false), name.addr(), value.addr(), size.size(), flags.int32());
}

export function fsetxattr(t: Task, [fd, name, value, size, flags]: SyscallArgs): number {
  const f = t.fdTable.getIO(fd.int32());
  return set(t, () => f.vd, name.addr(), value.addr(), size.size(), flags.int32());
}

export function removexattr(t: Task, [path, name]: SyscallArgs): number {
  return remove(t, () => pathVd(t, path, true), name.addr());
}

export function lremovexattr(t: Task, [path, name]: SyscallArgs): number {
  return remove(t, () => pathVd(t, path, false), name.addr());
}

export function fremovexattr(t: Task, [fd, name]: SyscallArgs): number {
  const f = t.fdTable.getIO(fd.int32());
  return remove(t, () => f.vd, name.addr());
}
