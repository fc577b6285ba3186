// POSIX per-process timers (kernel/time/posix-timers.c, posix-cpu-timers.c).
//
// A timer that signals queues one preallocated siginfo. A periodic timer is not
// re-armed while that siginfo is pending: when it is taken (delivered, or read by
// sigtimedwait/signalfd), the expiry moves forward past now and the periods
// skipped become the overrun, reported in si_overrun and by timer_getoverrun(2)
// until the next delivery (Linux's it_overrun / it_overrun_last). SIGEV_NONE
// timers never fire at all: timer_gettime computes where they are.
import { SIGRTMAX } from '../../../abi/linux/signal.js';
import { SI_TIMER, type SigInfo } from '../signal_queue.js';
import { sendToGroup, sendToThread } from '../signals.js';
import { TaskState, type Task } from '../task.js';
import type { ThreadGroup } from '../thread_group.js';
import { ClockTimer, forward } from './clock_timer.js';
import type { ResolvedClock } from './clocks.js';

export const SIGEV_SIGNAL = 0;
export const SIGEV_NONE = 1;
export const SIGEV_THREAD = 2;
export const SIGEV_THREAD_ID = 4;

/** Linux's DELAYTIMER_MAX: overruns are reported saturated at INT_MAX. */
const DELAYTIMER_MAX = 0x7fffffff;

/** How a timer notifies: the decoded struct sigevent. */
export interface Notify {
  kind: number;
  signo: number;
  value: bigint;
  /** SIGEV_THREAD_ID: the thread that gets the signal. */
  thread: Task | null;
}

/** it_value and it_interval in ns (timer_gettime). */
export interface TimerSpec {
  value: number;
  interval: number;
}

/** A new setting as read from user memory: absolute REALTIME values need 64 bits. */
export interface NewTimerSpec {
  value: bigint;
  interval: bigint;
}

export function isValidSigevNotify(kind: number): boolean {
  return kind === SIGEV_SIGNAL || kind === SIGEV_NONE || kind === SIGEV_THREAD || kind === SIGEV_THREAD_ID;
}

export function isValidTimerSignal(sig: number): boolean {
  return sig > 0 && sig <= SIGRTMAX;
}

export class PosixTimer {
  private readonly timer: ClockTimer;
  /** Absolute expiry on the clock, 0 when disarmed. */
  private expiry = 0;
  private interval = 0;
  /** Expirations counted toward the next delivery, from -1 (the delivered one is not an overrun). */
  private overrun = -1;
  /** What timer_getoverrun reports: the overrun of the last delivered signal. */
  private overrunLast = 0;
  /** The siginfo is pending on a queue. */
  private queued = false;
  /** Set when the siginfo enters a queue: tells send() whether it was queued at all. */
  private enqueued = false;
  /** A periodic timer waits for its siginfo to be taken before it re-arms. */
  private requeuePending = false;
  /** Bumped by every timer_settime: a pending siginfo from before must not re-arm the new setting. */
  private generation = 0;
  private sentGeneration = -1;
  private deleted = false;
  private readonly info: SigInfo;

  constructor(
    readonly id: number,
    private readonly owner: ThreadGroup,
    private readonly clock: ResolvedClock,
    private readonly notify: Notify,
  ) {
    this.timer = new ClockTimer(clock.clock, this.expire);
    this.info = {
      signo: notify.signo, code: SI_TIMER, timerid: id, overrun: 0, value: notify.value,
      onQueue: this.queueChanged,
    };
  }

  private get sigNone(): boolean {
    return this.notify.kind === SIGEV_NONE;
  }

  private readonly expire = (now: number): void => {
    if (this.deleted) return;
    if (this.queued) {
      // The previous siginfo is still pending (a re-armed one-shot): count it there.
      this.info.overrun = Math.min(DELAYTIMER_MAX, (this.info.overrun ?? 0) + 1);
      this.sentGeneration = this.generation;
      this.requeuePending = this.interval > 0;
      return;
    }
    this.info.overrun = 0;
    this.sentGeneration = this.generation;
    this.requeuePending = this.interval > 0;
    if (this.interval === 0) this.expiry = 0;
    this.enqueued = false;
    this.send();
    // (It may have been queued and already taken: a blocked task can take it before send returns.)
    if (!this.enqueued && this.interval > 0) {
      // Ignored or undeliverable: nothing will be taken, so re-arm now (the periods count as overruns).
      this.requeuePending = false;
      const f = forward(this.expiry, this.interval, now);
      this.overrun += f.n;
      this.expiry = f.next;
      this.timer.arm(this.expiry);
    }
  };

  private send(): void {
    const target = this.notify.thread;
    if (this.notify.kind === SIGEV_THREAD_ID) {
      if (!target || target.state === TaskState.Zombie || target.state === TaskState.Dead || !this.owner.tasks.has(target)) return;
      sendToThread(target, this.info);
    } else {
      sendToGroup(this.owner, this.info);
    }
  }

  /** The siginfo entered or left a pending queue. */
  private readonly queueChanged = (queued: boolean): void => {
    this.queued = queued;
    if (queued) this.enqueued = true;
    if (queued || this.deleted || this.sentGeneration !== this.generation || !this.requeuePending) return;
    // posixtimer_rearm: taken, so the periodic timer runs again from the next period after now.
    this.requeuePending = false;
    if (!this.clock.clock.alive()) return;
    const now = this.clock.clock.now();
    const f = forward(this.expiry, this.interval, now);
    this.overrun += f.n;
    this.expiry = f.next;
    this.timer.arm(this.expiry);
    this.overrunLast = this.overrun;
    this.overrun = -1;
    this.info.overrun = Math.min(DELAYTIMER_MAX, Math.max(0, this.overrunLast));
  };

  /** timer_gettime(2): time to the next expiry and the interval, ns. */
  get(): TimerSpec {
    if (this.expiry === 0 || !this.clock.clock.alive()) return { value: 0, interval: this.interval };
    const now = this.clock.clock.now();
    if (this.interval > 0 && (this.requeuePending || this.sigNone)) {
      // common_timer_get: a timer waiting to re-arm (or never armed, SIGEV_NONE) moves forward.
      const f = forward(this.expiry, this.interval, now);
      this.overrun += f.n;
      this.expiry = f.next;
    }
    const left = this.expiry - now;
    if (left > 0) return { value: left, interval: this.interval };
    // Due: 1 ns "about to fire" for a signalling timer, 0 for an expired SIGEV_NONE one.
    return { value: this.sigNone ? 0 : 1, interval: this.interval };
  }

  /**
   * timer_settime(2). `value` is relative, or absolute on the timer's clock with
   * TIMER_ABSTIME. Returns the old setting.
   */
  set(spec: NewTimerSpec, absolute: boolean): TimerSpec {
    const old = this.get();
    this.timer.disarm();
    this.generation++;
    this.requeuePending = false;
    this.overrunLast = 0;
    this.interval = 0;
    this.expiry = 0;
    if (spec.value === 0n) return old;
    const c = this.clock;
    this.interval = Number(spec.interval);
    // Real clocks run on the uptime scale: an absolute time converts by the clock's offset.
    const expiry = absolute ? Number(spec.value - c.offset) : c.clock.now() + Number(spec.value);
    this.expiry = Math.max(1, expiry);
    if (!this.sigNone) {
      this.timer.arm(this.expiry);
      // A time already past expires before timer_settime returns.
      this.timer.fireIfDue();
    }
    return old;
  }

  /** timer_getoverrun(2). */
  getOverrun(): number {
    return Math.min(DELAYTIMER_MAX, Math.max(0, this.overrunLast));
  }

  /** timer_delete(2), exec, exit. A pending signal stays pending, but re-arms nothing. */
  dispose(): void {
    this.deleted = true;
    this.timer.disarm();
    this.expiry = 0;
  }
}
