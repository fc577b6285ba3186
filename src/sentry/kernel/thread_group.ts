// Thread groups (Linux's signal_struct + the process side of task_struct): the
// unit of pid, parentage, exit status, signal dispositions and resource limits.
import { GroupAccounting } from './cputime.js';
import type { Limits } from './limits.js';
import type { SignalHandlers } from './signal_handlers.js';
import type { Task } from './task.js';
import { WaitQueue } from './waiter.js';
import { PendingSignals } from './signal_queue.js';
import { defaultActionCoreDumps } from '../../abi/linux/signal.js';
import { RLIMIT_CORE } from '../../abi/linux/limits.js';

export class ThreadGroup {
  readonly tasks = new Set<Task>();
  readonly children = new Set<ThreadGroup>();
  /** wait(2) status once the whole group has exited. */
  exitStatus: number | null = null;
  /** Set by exit_group or a fatal signal: remaining threads must exit with it. */
  exiting = false;
  /** Called execve since fork (setpgid by the parent is refused with EACCES). */
  execed = false;
  /** Signals sent to the process (kill), taken by whichever thread does not block them. */
  readonly sharedPending = new PendingSignals();
  /** Group stop (SIGSTOP & co.): no thread returns to user space until SIGCONT. */
  stopped = false;
  /** The stop signal of the current or last stop, for wait(2) and SIGCHLD. */
  stopSignal = 0;
  /** Unreported state changes for wait(2) WUNTRACED / WCONTINUED. */
  stopReport = false;
  continueReport = false;
  /** Signal the parent receives when this process dies (SIGCHLD unless clone said otherwise). */
  exitSignal = 17;
  /** PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here rather than to init. */
  subreaper = false;
  /** Collected by wait(2) (or auto-reaped). */
  reaped = false;
  /** The thread that forked us (Linux's real_parent): __WNOTHREAD and PR_SET_PDEATHSIG follow it. */
  parentThread: Task | null = null;
  /** PR_SET_PDEATHSIG of the process (signal when the parent thread dies). */
  pdeathSignal = 0;
  /** Signalled when a child changes state (wait4 waits here). */
  readonly childEvents = new WaitQueue();
  /** Monotonic ns when the group started (for /proc/<pid>/stat). */
  readonly startTime: number;
  /** User and system CPU time of exited threads, ns. */
  cpuUserNs = 0;
  cpuSysNs = 0;
  /** CPU time of reaped children (and their reaped children), ns: RUSAGE_CHILDREN, times(2). */
  childrenCpuNs = 0;
  /** Peak RSS, reaped children's times and the like for getrusage (cputime.ts). */
  readonly acct = new GroupAccounting();

  /** The first task (its tid is the pid); set by addTask. */
  leader!: Task;

  constructor(
    readonly pid: number,
    public parent: ThreadGroup | null,
    public handlers: SignalHandlers,
    public limits: Limits,
    public pgid: number,
    public sid: number,
  ) {
    this.startTime = Number(process.hrtime.bigint());
  }

  addTask(t: Task): void {
    if (this.tasks.size === 0) this.leader = t;
    this.tasks.add(t);
  }

  get alive(): boolean {
    return this.exitStatus === null;
  }
}

/** wait(2) status for a normal exit. */
export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

/** wait(2) status for death by signal. */
export function signaledStatus(sig: number, core: boolean): number {
  return (sig & 0x7f) | (core ? 0x80 : 0);
}

/**
 * wait(2) status for death by a signal's default action. Linux sets the core
 * flag only when a dump was written, which needs RLIMIT_CORE > 0; we write no
 * core files (like runsc) but report what the limit allowed.
 */
export function fatalSignalStatus(tg: ThreadGroup, sig: number): number {
  return signaledStatus(sig, defaultActionCoreDumps(sig) && tg.limits.values[RLIMIT_CORE].cur > 0);
}
