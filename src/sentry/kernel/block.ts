// Blocking syscalls. A handler that cannot finish now returns a Block: the task
// parks (its host thread stays stopped at the syscall) and the scheduler calls
// `retry` when one of the queues fires or the deadline passes. `retry` returns the
// syscall's result or another Block. One kernel thread of JS: nothing else waits.
import type { WaitQueue } from './waiter.js';

export interface BlockWait {
  queue: WaitQueue;
  mask: number;
}

export class Block {
  constructor(
    /** Re-attempts the operation. */
    readonly retry: () => SyscallValue | Block,
    readonly waits: readonly BlockWait[],
    /** Absolute deadline on the monotonic clock in ns (performance.now based), or null. */
    readonly deadline: number | null = null,
    /** Result when the deadline passes first (default: retry()). */
    readonly onTimeout: (() => SyscallValue | Block) | null = null,
    /** Whether a signal interrupts the wait (EINTR); false for uninterruptible waits. */
    readonly interruptible = true,
    /**
     * After a handler interrupts the wait: 'restart' restarts the syscall when the
     * handler has SA_RESTART (read, write, wait4, futex ...); 'eintr' always fails
     * with EINTR (poll, select, epoll_wait, nanosleep, sigsuspend: signal(7)).
     */
    readonly restart: 'restart' | 'eintr' = 'restart',
    /** Runs when a handler interrupts the wait (nanosleep writes the time left). */
    readonly onInterrupt: (() => void) | null = null,
  ) {}
}

/** A plain syscall return value (rax). bigint for values above 2^53. */
export type SyscallValue = number | bigint;

/** The handler already set every register (execve, rt_sigreturn): leave rax alone. */
export const REGS_SET: unique symbol = Symbol('REGS_SET');
/** The task is gone (exit, exit_group): do not resume it. */
export const NO_RETURN: unique symbol = Symbol('NO_RETURN');

export type SyscallResult = SyscallValue | Block | typeof REGS_SET | typeof NO_RETURN;
