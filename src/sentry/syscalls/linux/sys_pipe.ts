// pipe(2), pipe2(2).
import { EINVAL, EMFILE } from '../../../abi/linux/errno.js';
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK } from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { newPipe } from '../../fsimpl/pipe/pipe.js';

function doPipe(t: Task, addr: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) throw EINVAL;
  // Fault before allocating descriptors so a bad pointer leaks none.
  t.mm.views(addr, 8, true);
  const [r, w] = newPipe(flags & (O_NONBLOCK | O_DIRECT));
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const limit = t.limit(RLIMIT_NOFILE).cur;
  let rfd = -1;
  try {
    rfd = t.fdTable.add(r, cloexec, limit);
    const wfd = t.fdTable.add(w, cloexec, limit);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setInt32(0, rfd, true);
    new DataView(b.buffer).setInt32(4, wfd, true);
    t.mm.copyOut(addr, b);
    return 0;
  } catch (e) {
    if (rfd >= 0) t.fdTable.remove(rfd);
    throw e === EMFILE ? EMFILE : e;
  } finally {
    r.decRef();
    w.decRef();
  }
}

export function pipe(t: Task, [fds]: SyscallArgs): number {
  return doPipe(t, fds.addr(), 0);
}

export function pipe2(t: Task, [fds, flags]: SyscallArgs): number {
  return doPipe(t, fds.addr(), flags.int32());
}
