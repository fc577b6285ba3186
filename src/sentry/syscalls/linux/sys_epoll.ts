// epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2), epoll_pwait(2),
// epoll_pwait2(2). The interest and ready lists live in fsimpl/epoll.
import { EFAULT, EINTR, EINVAL, ENOENT, EPERM } from '../../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import {
  EPOLLERR, EPOLLEXCLUSIVE, EPOLLEXCLUSIVE_OK_BITS, EPOLLHUP, EPOLLIN, EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL,
  EPOLL_CTL_MOD, EPOLL_EVENT_SIZE, EP_MAX_EVENTS,
} from '../../../abi/linux/poll.js';
import { Block, type SyscallValue } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { EpollDescription } from '../../fsimpl/epoll/epoll.js';
import { canPoll } from '../../fsimpl/epoll/pollable.js';
import { handlerSignalPending, installSigmask, restoreSigmask, settled } from './poll_wait.js';
import { readTimespec } from './sys_time.js';

/** Highest user address + 1 (TASK_SIZE): access_ok's bound for the events array. */
const TASK_SIZE = 0x7ffffffff000;
/** Node timers take at most 2^31-1 ms; longer waits wake up early and wait again. */
const MAX_BLOCK_NS = 0x7fffffff * 1e6;

function create(t: Task, flags: number): number {
  const ep = new EpollDescription();
  try {
    return t.fdTable.add(ep, (flags & EPOLL_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    ep.decRef();
  }
}

export function epoll_create(t: Task, [size]: SyscallArgs): number {
  if (size.int32() <= 0) throw EINVAL;
  return create(t, 0);
}

export function epoll_create1(t: Task, [flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~EPOLL_CLOEXEC) throw EINVAL;
  return create(t, f);
}

export function epoll_ctl(t: Task, [epfdArg, opArg, fdArg, eventArg]: SyscallArgs): number {
  const op = opArg.int32();
  const fd = fdArg.int32();
  let events = 0;
  let data = 0n;
  if (op !== EPOLL_CTL_DEL) {
    const b = t.mm.copyIn(eventArg.addr(), EPOLL_EVENT_SIZE);
    const dv = new DataView(b.buffer, b.byteOffset, EPOLL_EVENT_SIZE);
    events = dv.getUint32(0, true);
    data = dv.getBigUint64(4, true);
  }
  const file = t.fdTable.getIO(epfdArg.int32());
  const target = t.fdTable.getIO(fd);
  if (!canPoll(target)) throw EPERM;
  if (file === target || !(file instanceof EpollDescription)) throw EINVAL;
  const ep = file;
  // EPOLLEXCLUSIVE is set once at ADD, with in/out events only, and never on an epoll.
  if (op !== EPOLL_CTL_DEL && events & EPOLLEXCLUSIVE) {
    if (op === EPOLL_CTL_MOD) throw EINVAL;
    if (op === EPOLL_CTL_ADD && (target instanceof EpollDescription || (events & ~EPOLLEXCLUSIVE_OK_BITS) !== 0)) {
      throw EINVAL;
    }
  }
  // Error and hang-up are always reported.
  const wanted = (events | EPOLLERR | EPOLLHUP) >>> 0;
  switch (op) {
    case EPOLL_CTL_ADD:
      ep.add(t, target, fd, wanted, data);
      return 0;
    case EPOLL_CTL_DEL: {
      const item = ep.find(target, fd);
      if (!item) throw ENOENT;
      ep.remove(item);
      return 0;
    }
    case EPOLL_CTL_MOD: {
      const item = ep.find(target, fd);
      if (!item) throw ENOENT;
      if (item.events & EPOLLEXCLUSIVE) throw EINVAL;
      ep.modify(t, item, wanted, data);
      return 0;
    }
    default:
      throw EINVAL;
  }
}

/** do_epoll_wait with a timeout in ns (null: forever). */
function doWait(t: Task, epfd: number, addr: number, max: number, timeout: bigint | null): SyscallValue | Block {
  if (max <= 0 || max > EP_MAX_EVENTS) throw EINVAL;
  if (addr + max * EPOLL_EVENT_SIZE > TASK_SIZE) throw EFAULT;
  const file = t.fdTable.getIO(epfd);
  if (!(file instanceof EpollDescription)) throw EINVAL;
  const ep = file;
  const zero = timeout === 0n;
  const deadline = timeout === null ? null : t.kernel.uptimeNs() + Number(timeout);
  // ep_poll: events first; a zero timeout returns 0 even with a signal pending.
  const attempt = (): SyscallValue | Block => {
    const n = ep.collect(t, addr, max);
    if (n > 0 || zero) return n;
    const now = t.kernel.uptimeNs();
    if (deadline !== null && now >= deadline) return 0;
    if (handlerSignalPending(t)) throw EINTR;
    const until = deadline === null ? null : Math.min(deadline, now + MAX_BLOCK_NS);
    return new Block(attempt, [{ queue: ep.waitQueue, mask: EPOLLIN }], until, attempt, true, 'eintr');
  };
  return attempt();
}

/** epoll_pwait/epoll_pwait2: the temporary mask holds until the call ends (or a handler runs). */
function withMask(t: Task, maskAddr: number, maskSize: number, op: () => SyscallValue | Block): SyscallValue | Block {
  if (!installSigmask(t, maskAddr, maskSize)) return op();
  return settled(op, (interrupted) => {
    if (!interrupted) restoreSigmask(t);
  });
}

function msTimeout(ms: number): bigint | null {
  return ms < 0 ? null : BigInt(ms) * 1_000_000n;
}

export function epoll_wait(t: Task, [epfd, events, maxevents, timeout]: SyscallArgs): SyscallValue | Block {
  return doWait(t, epfd.int32(), events.addr(), maxevents.int32(), msTimeout(timeout.int32()));
}

export function epoll_pwait(t: Task, [epfd, events, maxevents, timeout, sigmask, sigsetsize]: SyscallArgs):
  SyscallValue | Block {
  const fd = epfd.int32();
  const addr = events.addr();
  const max = maxevents.int32();
  const to = msTimeout(timeout.int32());
  return withMask(t, sigmask.addr(), sigsetsize.size(), () => doWait(t, fd, addr, max, to));
}

export function epoll_pwait2(t: Task, [epfd, events, maxevents, timeout, sigmask, sigsetsize]: SyscallArgs):
  SyscallValue | Block {
  const fd = epfd.int32();
  const addr = events.addr();
  const max = maxevents.int32();
  const to = timeout.addr() !== 0 ? readTimespec(t, timeout.addr()) : null;
  return withMask(t, sigmask.addr(), sigsetsize.size(), () => doWait(t, fd, addr, max, to));
}
