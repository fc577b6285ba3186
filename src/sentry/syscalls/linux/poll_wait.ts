// What poll, select and epoll_wait share: the temporary signal mask of ppoll,
// pselect6 and epoll_pwait (set_user_sigmask / restore_saved_sigmask_unless), the
// "a handler is about to run" check that ends a wait with EINTR, and running
// code once the syscall's outcome is known, however it ends.
import { EFAULT, EINTR, EINVAL } from '../../../abi/linux/errno.js';
import { SIGKILL, SIGSTOP, SIG_IGN } from '../../../abi/linux/signal.js';
import { Block, type SyscallValue } from '../../kernel/block.js';
import type { Task } from '../../kernel/task.js';

const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));
const SIGSET_SIZE = 8;

/**
 * set_user_sigmask: installs the caller's mask for the duration of the wait; the
 * old one goes to savedSigmask, which the signal frame restores if a handler
 * interrupts the wait. No-op for a NULL mask.
 */
export function installSigmask(t: Task, addr: number, size: number): boolean {
  if (addr === 0) return false;
  if (size !== SIGSET_SIZE) throw EINVAL;
  const b = t.mm.copyIn(addr, SIGSET_SIZE);
  const mask = new DataView(b.buffer, b.byteOffset, SIGSET_SIZE).getBigUint64(0, true);
  t.savedSigmask = t.sigmask;
  t.sigmask = mask & ~UNBLOCKABLE;
  return true;
}

/** The wait ended without a handler to run: the caller's own mask is back at once. */
export function restoreSigmask(t: Task): void {
  if (t.savedSigmask === null) return;
  t.sigmask = t.savedSigmask;
  t.savedSigmask = null;
}

/**
 * A signal with a handler can be delivered now: a wait must end with EINTR
 * (signal_pending). Blocked tasks are interrupted by the sender; this covers
 * signals that were already pending when the wait began (ppoll & co. unblocking
 * them with their temporary mask).
 */
export function handlerSignalPending(t: Task): boolean {
  let ready = (t.pending.mask | t.tg.sharedPending.mask) & ~t.sigmask;
  for (let sig = 1; ready !== 0n && sig <= 64; sig++) {
    const bit = 1n << BigInt(sig - 1);
    if ((ready & bit) === 0n) continue;
    ready &= ~bit;
    if (t.tg.handlers.get(sig).handler > SIG_IGN) return true;
  }
  return false;
}

/**
 * Runs `op` (which may block, and whose retries may block again) and calls
 * `settle(interrupted)` exactly once when the syscall's outcome is known: a value,
 * an error, or an interruption by a signal handler (EINTR).
 */
export function settled(op: () => SyscallValue | Block, settle: (interrupted: boolean) => void): SyscallValue | Block {
  let done = false;
  const finish = (interrupted: boolean): void => {
    if (done) return;
    done = true;
    settle(interrupted);
  };
  const wrap = (f: () => SyscallValue | Block) => (): SyscallValue | Block => {
    let r: SyscallValue | Block;
    try {
      r = f();
    } catch (e) {
      finish(e === EINTR);
      throw e;
    }
    if (!(r instanceof Block)) {
      finish(false);
      return r;
    }
    const b = r;
    return new Block(wrap(b.retry), b.waits, b.deadline, b.onTimeout ? wrap(b.onTimeout) : null, b.interruptible,
      b.restart, () => {
        b.onInterrupt?.();
        finish(true);
      });
  };
  return wrap(op)();
}

/** Writes a remaining time back (select, pselect6, ppoll); a fault is ignored, as Linux. */
export function writeRemaining(t: Task, addr: number, ns: number, timeval: boolean): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const left = BigInt(Math.max(0, Math.floor(ns)));
  dv.setBigInt64(0, left / 1_000_000_000n, true);
  dv.setBigInt64(8, timeval ? (left % 1_000_000_000n) / 1000n : left % 1_000_000_000n, true);
  try {
    t.mm.copyOut(addr, b);
  } catch (e) {
    if (e !== EFAULT) throw e;
  }
}

/** A timeout in ns from now as an uptime deadline (null: wait forever). */
export function deadlineAfter(t: Task, ns: bigint | null): number | null {
  return ns === null ? null : t.kernel.uptimeNs() + Number(ns);
}
