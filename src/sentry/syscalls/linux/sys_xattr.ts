// Extended attributes: the get/list side (ls and cp ask for ACLs and labels).
// Setting them comes with the full VFS.
import { ERANGE, EOPNOTSUPP } from '../../../abi/linux/errno.js';
import { AT_FDCWD } from '../../../abi/linux/fcntl.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { Inode } from '../../vfs/inode.js';
import { lookupAt } from '../../vfs/ops.js';

function get(t: Task, inode: Inode, nameAddr: number, value: number, size: number): number {
  const name = t.mm.readCString(nameAddr, 255);
  const v = inode.getxattr(name);
  if (size === 0) return v.length;
  if (v.length > size) throw ERANGE;
  t.mm.copyOut(value, v);
  return v.length;
}

function list(t: Task, inode: Inode, addr: number, size: number): number {
  const names = inode.listxattr();
  const b = Buffer.from(names.map((n) => n + '\0').join(''), 'latin1');
  if (size === 0) return b.length;
  if (b.length > size) throw ERANGE;
  if (b.length > 0) t.mm.copyOut(addr, b);
  return b.length;
}

export function getxattr(t: Task, [path, name, value, size]: SyscallArgs): number {
  return get(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), true).dentry.inode, name.addr(), value.addr(), size.size());
}

export function lgetxattr(t: Task, [path, name, value, size]: SyscallArgs): number {
  return get(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), false).dentry.inode, name.addr(), value.addr(), size.size());
}

export function fgetxattr(t: Task, [fd, name, value, size]: SyscallArgs): number {
  return get(t, t.fdTable.get(fd.int32()).inode, name.addr(), value.addr(), size.size());
}

export function listxattr(t: Task, [path, list_, size]: SyscallArgs): number {
  return list(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), true).dentry.inode, list_.addr(), size.size());
}

export function llistxattr(t: Task, [path, list_, size]: SyscallArgs): number {
  return list(t, lookupAt(t, AT_FDCWD, t.readPath(path.addr()), false).dentry.inode, list_.addr(), size.size());
}

export function flistxattr(t: Task, [fd, list_, size]: SyscallArgs): number {
  return list(t, t.fdTable.get(fd.int32()).inode, list_.addr(), size.size());
}

/** set/remove: not supported by our file systems yet. */
export function setxattrUnsupported(): number {
  throw EOPNOTSUPP;
}
