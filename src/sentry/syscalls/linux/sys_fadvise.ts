// fadvise64(2), readahead(2): advice only; validated and accepted.
import { EBADF, EINVAL, ESPIPE } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function fadvise64(t: Task, [fd, , len, advice]: SyscallArgs): number {
  const f = t.fdTable.getIO(fd.int32());
  if (!f.positional) throw ESPIPE;
  const a = advice.int32();
  if (a < 0 || a > 5 || len.int64() < 0) throw EINVAL;
  return 0;
}

export function readahead(t: Task, [fd]: SyscallArgs): number {
  const f = t.fdTable.get(fd.int32());
  if (!f.readable) throw EBADF;
  if (!f.inode.isRegular()) throw EINVAL;
  return 0;
}
