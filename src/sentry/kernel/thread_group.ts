// Thread groups (Linux's signal_struct + the process side of task_struct): the
// unit of pid, parentage, exit status, signal dispositions and resource limits.
import type { Limits } from './limits.js';
import type { SignalHandlers } from './signal_handlers.js';
import type { Task } from './task.js';
import { WaitQueue } from './waiter.js';

export class ThreadGroup {
  readonly tasks = new Set<Task>();
  readonly children = new Set<ThreadGroup>();
  /** wait(2) status once the whole group has exited. */
  exitStatus: number | null = null;
  /** Set by exit_group or a fatal signal: remaining threads must exit with it. */
  exiting = false;
  /** Called execve since fork (setpgid by the parent is refused with EACCES). */
  execed = false;
  /** Signalled when a child changes state (wait4 waits here). */
  readonly childEvents = new WaitQueue();
  /** Monotonic ns when the group started (for /proc/<pid>/stat). */
  readonly startTime: number;
  /** User and system CPU time of exited threads, ns. */
  cpuUserNs = 0;
  cpuSysNs = 0;

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
