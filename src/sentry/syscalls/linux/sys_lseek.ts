// lseek(2).
import { EINVAL } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function lseek(t: Task, [fd, offset, whence]: SyscallArgs): number {
  const file = t.fdTable.getIO(fd.int32());
  const w = whence.int32();
  if (w < 0 || w > 4) throw EINVAL;
  return file.seek(offset.int64(), w);
}
