// signalfd(2), signalfd4(2): a new signalfd, or a new mask for an existing one.
import { SFD_CLOEXEC, SFD_NONBLOCK } from '../../../abi/linux/anonfd.js';
import { EBADF, EINVAL } from '../../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { SignalfdDescription } from '../../fsimpl/signalfd/signalfd.js';

const SIGSET_SIZE = 8;

function doSignalfd(t: Task, fd: number, maskAddr: number, size: number, flags: number): number {
  if (size !== SIGSET_SIZE) throw EINVAL;
  const b = t.mm.copyIn(maskAddr, SIGSET_SIZE);
  const mask = new DataView(b.buffer, b.byteOffset, SIGSET_SIZE).getBigUint64(0, true);
  if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) throw EINVAL;
  if (fd !== -1) {
    const f = t.fdTable.getOrNull(fd);
    if (!f) throw EBADF;
    if (!(f instanceof SignalfdDescription)) throw EINVAL;
    f.setMask(mask);
    return fd;
  }
  const f = new SignalfdDescription(t, mask, flags);
  try {
    return t.fdTable.add(f, (flags & SFD_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    f.decRef();
  }
}

export function signalfd(t: Task, [fd, mask, sizemask]: SyscallArgs): number {
  return doSignalfd(t, fd.int32(), mask.addr(), sizemask.size(), 0);
}

export function signalfd4(t: Task, [fd, mask, sizemask, flags]: SyscallArgs): number {
  return doSignalfd(t, fd.int32(), mask.addr(), sizemask.size(), flags.int32());
}
