// dup(2), dup2(2), dup3(2).
import { EBADF, EINVAL } from '../../../abi/linux/errno.js';
import { O_CLOEXEC } from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function dup(t: Task, [oldfd]: SyscallArgs): number {
  const f = t.fdTable.get(oldfd.int32());
  return t.fdTable.add(f, false, t.limit(RLIMIT_NOFILE).cur);
}

export function dup2(t: Task, [oldfd, newfd]: SyscallArgs): number {
  const o = oldfd.int32();
  const n = newfd.int32();
  const f = t.fdTable.get(o);
  if (o === n) return n;
  if (n < 0 || n >= t.limit(RLIMIT_NOFILE).cur) throw EBADF;
  t.fdTable.setAt(n, f, false, t.limit(RLIMIT_NOFILE).cur);
  return n;
}

export function dup3(t: Task, [oldfd, newfd, flags]: SyscallArgs): number {
  const o = oldfd.int32();
  const n = newfd.int32();
  const fl = flags.int32();
  if (fl & ~O_CLOEXEC) throw EINVAL;
  if (o === n) throw EINVAL;
  const f = t.fdTable.get(o);
  if (n < 0 || n >= t.limit(RLIMIT_NOFILE).cur) throw EBADF;
  t.fdTable.setAt(n, f, (fl & O_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  return n;
}
