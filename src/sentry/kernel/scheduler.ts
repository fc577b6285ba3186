// The scheduler: the one loop that waits for application threads to stop and
// serves them (DESIGN.md §4.5, §5). Threads run in parallel on the host; the JS
// thread handles one stop at a time. Blocked tasks wait as continuations, so the
// Node event loop keeps serving timers and I/O; the native watcher kicks a running
// thread when the loop has work, and the loop yields.
import { Reg } from '../arch/amd64/registers.js';
import { StopKind } from '../platform/platform.js';
import { log } from '../../log.js';
import type { Block } from './block.js';
import type { Kernel } from './kernel.js';
import { TaskState, type Task } from './task.js';
import { completeSyscall, runSyscall } from './syscall_dispatch.js';
import { deliverSignals, wakeForSignal } from './signals.js';
import { cpuIdle, cpuRetire, cpuSys, cpuUser } from './cputime.js';
import { handleHostSignal, handleHostExit } from './faults.js';
import { exitGroup } from './exit.js';
import { signaledStatus } from './thread_group.js';
import { SIGKILL } from '../../abi/linux/signal.js';

/** Longest delay Node's setTimeout takes (2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Longest stretch the loop runs before yielding to the event loop, ms. */
const SLICE_MS = 20;

export class Scheduler {
  /** Tasks resumed on the host. */
  private readonly running = new Set<Task>();
  /** Woken tasks whose blocked syscall must be retried. */
  private readonly runQueue: Task[] = [];
  private lastResumed: Task | null = null;
  private inLoop = false;
  private scheduled = false;

  constructor(private readonly kernel: Kernel) {}

  /**
   * Returns a task to user space: pending signals are delivered first (which may
   * stop or kill it instead), then its host thread continues with its registers.
   */
  resume(t: Task): void {
    if (t.state === TaskState.Zombie || t.state === TaskState.Dead) return;
    if (!deliverSignals(t)) {
      cpuIdle(t);
      return;
    }
    this.kernel.platform.resume(t.hostTid, t.regs, t.hostSignal);
    cpuUser(t);
    t.hostSignal = 0;
    t.state = TaskState.Running;
    this.running.add(t);
    this.lastResumed = t;
    if (!this.inLoop) this.schedule();
  }

  /** Parks a task on a Block until a queue fires or the deadline passes. */
  park(t: Task, b: Block): void {
    cpuIdle(t, true);
    t.state = TaskState.Blocked;
    t.block = b;
    const unregs: (() => void)[] = [];
    let timer: NodeJS.Timeout | null = null;
    let fired = false;
    const cancel = (): void => {
      for (const u of unregs) u();
      if (timer) clearTimeout(timer);
      t.cancelBlock = null;
    };
    const wake = (timedOut: boolean): void => {
      if (fired) return;
      fired = true;
      cancel();
      this.wake(t, timedOut);
    };
    for (const w of b.waits) {
      if (fired) break; // woken while registering (a host fd that cannot be watched): stop
      unregs.push(w.queue.register(() => wake(false), w.mask));
    }
    if (fired) for (const u of unregs) u();
    if (b.deadline !== null) {
      // Node fires "too large" delays after 1 ms: re-arm long waits in steps.
      const arm = (): void => {
        const left = Math.max(0, (b.deadline! - this.kernel.uptimeNs()) / 1e6);
        timer = setTimeout(() => (left > MAX_TIMER_MS ? arm() : wake(true)), Math.min(Math.ceil(left), MAX_TIMER_MS));
      };
      arm();
    }
    t.cancelBlock = () => {
      fired = true;
      cancel();
    };
    // A signal queued while the task was on its way into the Sentry found it neither
    // blocked nor running: take it now, as Linux checks signal_pending() before sleeping.
    if (b.interruptible) wakeForSignal(t);
  }

  /** Abandons a task's wait (a signal handler must run): it is back in the Sentry. */
  interruptBlocked(t: Task): void {
    if (t.state !== TaskState.Blocked) return;
    if (t.cancelBlock) t.cancelBlock();
    t.block = null;
    t.pendingRetry = null;
    t.state = TaskState.InSentry;
  }

  /** Makes a blocked task retry (from a wait queue, a timer or a signal). */
  private wake(t: Task, timedOut: boolean): void {
    if (t.state !== TaskState.Blocked) return;
    t.state = TaskState.InSentry;
    const b = t.block!;
    t.block = null;
    const retry = timedOut && b.onTimeout ? b.onTimeout : b.retry;
    t.pendingRetry = retry;
    this.runQueue.push(t);
    if (!this.inLoop) this.schedule();
  }

  /** Runs the loop soon (from the event loop). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.loop);
  }

  /** Drops a task that exited from the scheduler's sets. */
  forget(t: Task): void {
    cpuRetire(t);
    this.running.delete(t);
    if (this.lastResumed === t) this.lastResumed = null;
    if (t.cancelBlock) t.cancelBlock();
    t.block = null;
  }

  private kickTid(): number {
    const t = this.lastResumed;
    if (t && this.running.has(t)) return t.hostTid;
    for (const r of this.running) return r.hostTid;
    return 0;
  }

  private drainRunQueue(): void {
    while (this.runQueue.length > 0) {
      const t = this.runQueue.shift()!;
      const retry = t.pendingRetry;
      t.pendingRetry = null;
      if (!retry || t.state !== TaskState.InSentry) continue;
      cpuSys(t);
      try {
        completeSyscall(t, retry);
      } catch (e) {
        this.contain(t, e);
      }
    }
  }

  /** Kills the thread group whose service hit an internal error, and logs it. */
  private contain(t: Task, e: unknown): void {
    log.warn(`internal error serving ${t}, killing it: ${(e as Error)?.stack ?? String(e)}`);
    try {
      exitGroup(t.tg, signaledStatus(SIGKILL, false));
    } catch (e2) {
      log.warn(`cannot kill ${t}: ${String(e2)}`);
    }
  }

  private readonly loop = (): void => {
    this.scheduled = false;
    if (this.inLoop) return;
    this.inLoop = true;
    const platform = this.kernel.platform;
    platform.activate();
    const sliceEnd = performance.now() + SLICE_MS;
    let iterations = 0;
    try {
      for (;;) {
        this.drainRunQueue();
        if (this.running.size === 0) break;
        const kind = platform.wait(this.kickTid());
        if (kind === StopKind.Yield) {
          this.schedule();
          break;
        }
        if (kind === StopKind.NoThreads) {
          this.running.clear();
          break;
        }
        const task = this.kernel.byHostTid.get(platform.stoppedTid);
        if (!task) continue; // a stub we already let go of
        if (task.state === TaskState.Zombie || task.state === TaskState.Dead) {
          // It ended while running on an address space others still use: retire its host thread.
          this.running.delete(task);
          this.kernel.byHostTid.delete(task.hostTid);
          if (task.hostExitPending && kind !== StopKind.Exit) task.mm.as.exitThread(task.hostTid);
          continue;
        }
        if (kind === StopKind.Exit) {
          this.running.delete(task);
          handleHostExit(task, platform.waitStatus);
          continue;
        }
        this.running.delete(task);
        task.state = TaskState.InSentry;
        cpuSys(task);
        task.regs.copyFrom(platform.regs);
        try {
          if (kind === StopKind.Syscall) runSyscall(task);
          // Our own interrupt: the task has signals to take (or its group stopped).
          else if (kind === StopKind.Signal && platform.isInterrupt()) this.resume(task);
          else if (kind === StopKind.Signal) handleHostSignal(task, platform.siginfo);
          else log.warn(`unexpected ptrace event ${kind} for ${task}`);
        } catch (e) {
          // A Sentry bug while serving one task: that task dies, the sandbox lives on.
          this.contain(task, e);
        }
        if ((++iterations & 63) === 0 && performance.now() > sliceEnd) {
          this.schedule();
          break;
        }
      }
    } catch (e) {
      log.warn(`scheduler: ${(e as Error).stack ?? String(e)}`);
      throw e;
    } finally {
      this.inLoop = false;
      platform.deactivate();
    }
  };

  /** For diagnostics: tasks on the host. */
  get runningCount(): number {
    return this.running.size;
  }

  /** The syscall number a task is in (from its registers). */
  static syscallOf(t: Task): number {
    return t.regs.getSigned(Reg.orig_rax);
  }
}
