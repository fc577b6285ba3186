// Blocking socket operations (sock_rcvtimeo/sock_sndtimeo, sk_wait_event): an
// operation is tried; when it must wait it throws EAGAIN, and a blocking socket
// parks on its queues and tries again. SO_RCVTIMEO/SO_SNDTIMEO bound the wait:
// it then ends with EAGAIN, and a signal handler ends it with EINTR
// (sock_intr_errno); without a timeout the call restarts under SA_RESTART. A
// call that already moved data returns that count instead (`sent ?: err`).
import { EAGAIN } from '../../abi/linux/errno.js';
import { Reg } from '../arch/amd64/registers.js';
import { Block, type BlockWait, type SyscallValue } from '../kernel/block.js';
import type { Task } from '../kernel/task.js';

export interface SocketWait {
  /** O_NONBLOCK or MSG_DONTWAIT: never wait. */
  nonblock: boolean;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ns; 0 waits forever. */
  timeoutNs: number;
  /** Queues whose events may let the operation progress (asked each time it waits). */
  waits: () => BlockWait[];
  /** The operation: its result, or EAGAIN when it must wait. */
  attempt: () => SyscallValue;
  /** The result of a call that stops early after partial progress; null when nothing moved. */
  progress?: () => SyscallValue | null;
}

export function socketWait(t: Task, w: SocketWait): SyscallValue | Block {
  let deadline: number | null = null;
  const stopEarly = (): SyscallValue => {
    const p = w.progress?.() ?? null;
    if (p !== null) return p;
    throw EAGAIN;
  };
  const onTimeout = (): SyscallValue | Block => {
    // Whatever arrived with the deadline still counts (sk_wait_event rechecks).
    try {
      return w.attempt();
    } catch (e) {
      if (e !== EAGAIN) throw e;
      return stopEarly();
    }
  };
  const onInterrupt = (): void => {
    // A handler runs now; a call that moved data returns its count rather than EINTR
    // or a restart (which would repeat the transfer).
    const p = w.progress?.() ?? null;
    if (p !== null) returnOnInterrupt(t, p);
  };
  const run = (): SyscallValue | Block => {
    try {
      return w.attempt();
    } catch (e) {
      if (e !== EAGAIN) throw e;
      if (w.nonblock) return stopEarly();
      if (deadline === null && w.timeoutNs > 0) deadline = t.kernel.uptimeNs() + w.timeoutNs;
      return new Block(run, w.waits(), deadline, onTimeout, true, w.timeoutNs > 0 ? 'eintr' : 'restart', onInterrupt);
    }
  };
  return run();
}

/**
 * Continues with `next(value)` once `r` — a value, or a Block that may block
 * again — has one; an error on the way goes to `fail`. `interrupted` runs when a
 * signal handler ends the wait (sendmmsg/recvmmsg return the messages done so far).
 */
export function andThen(
  r: SyscallValue | Block,
  next: (v: SyscallValue) => SyscallValue | Block,
  fail: (e: unknown) => SyscallValue | Block,
  interrupted: () => void,
): SyscallValue | Block {
  if (!(r instanceof Block)) return next(r);
  const wrap = (f: () => SyscallValue | Block) => (): SyscallValue | Block => {
    let v: SyscallValue | Block;
    try {
      v = f();
    } catch (e) {
      return fail(e);
    }
    return andThen(v, next, fail, interrupted);
  };
  return new Block(wrap(r.retry), r.waits, r.deadline, r.onTimeout ? wrap(r.onTimeout) : null, r.interruptible,
    r.restart, () => {
      r.onInterrupt?.();
      interrupted();
    });
}

/** Makes an interrupted syscall return `v` instead of EINTR or a restart (see socketWait). */
export function returnOnInterrupt(t: Task, v: SyscallValue): void {
  t.interrupted = null;
  if (typeof v === 'bigint') t.regs.setBig(Reg.rax, v);
  else t.regs.set(Reg.rax, v);
}
