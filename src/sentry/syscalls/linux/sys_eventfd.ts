// eventfd(2), eventfd2(2). Reads and writes go through read(2)/write(2).
import { EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE } from '../../../abi/linux/anonfd.js';
import { EINVAL } from '../../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { newEventfd } from '../../fsimpl/eventfd/eventfd.js';

function doEventfd(t: Task, initval: number, flags: number): number {
  if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE)) throw EINVAL;
  const f = newEventfd(initval, flags);
  try {
    return t.fdTable.add(f, (flags & EFD_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    f.decRef();
  }
}

export function eventfd(t: Task, [initval]: SyscallArgs): number {
  return doEventfd(t, initval.uint32(), 0);
}

export function eventfd2(t: Task, [initval, flags]: SyscallArgs): number {
  return doEventfd(t, initval.uint32(), flags.int32());
}
