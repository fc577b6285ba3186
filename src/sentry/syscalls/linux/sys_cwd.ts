// getcwd(2), chdir(2), fchdir(2), chroot(2), umask(2): the task's fs context.
import { EACCES, ENOENT, ENOTDIR, EPERM, ERANGE } from '../../../abi/linux/errno.js';
import { AT_FDCWD } from '../../../abi/linux/fcntl.js';
import { CAP_SYS_CHROOT } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { lookupDir } from '../../vfs/ops.js';
import { MAY_EXEC, mayAccess } from '../../vfs/permissions.js';

export function getcwd(t: Task, [buf, size]: SyscallArgs): number {
  const cwd = t.fs.cwd;
  if (cwd.dentry.deleted && cwd.dentry !== cwd.mount.root) throw ENOENT;
  const path = t.fs.mntns.pathOf(cwd, t.fs.root);
  const b = Buffer.from(path + '\0', 'latin1');
  if (b.length > size.size()) throw ERANGE;
  t.mm.copyOut(buf.addr(), b);
  return b.length;
}

export function chdir(t: Task, [path]: SyscallArgs): number {
  t.fs.cwd = lookupDir(t, AT_FDCWD, t.readPath(path.addr()));
  return 0;
}

export function fchdir(t: Task, [fd]: SyscallArgs): number {
  const f = t.fdTable.get(fd.int32());
  if (!f.inode.isDir()) throw ENOTDIR;
  if (!mayAccess(t.creds, f.inode, MAY_EXEC)) throw EACCES;
  t.fs.cwd = f.vd;
  return 0;
}

export function chroot(t: Task, [path]: SyscallArgs): number {
  if (!t.creds.hasCap(CAP_SYS_CHROOT)) throw EPERM;
  t.fs.root = lookupDir(t, AT_FDCWD, t.readPath(path.addr()));
  return 0;
}

export function umask(t: Task, [mask]: SyscallArgs): number {
  const old = t.fs.umask;
  t.fs.umask = mask.uint32() & 0o777;
  return old;
}
