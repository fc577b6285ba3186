// Interval timers (kernel/time/itimer.c): ITIMER_REAL counts real time and sends
// SIGALRM (alarm(2) is the same timer), ITIMER_VIRTUAL counts the process's user
// CPU time and sends SIGVTALRM, ITIMER_PROF counts user and system CPU time and
// sends SIGPROF. Signals go to the process as the kernel's own (SI_KERNEL).
import { SIGALRM, SIGPROF, SIGVTALRM } from '../../../abi/linux/signal.js';
import { SI_KERNEL } from '../signal_queue.js';
import { sendToGroup } from '../signals.js';
import type { Task } from '../task.js';
import type { ThreadGroup } from '../thread_group.js';
import { ClockTimer, forward, uptimeClock } from './clock_timer.js';
import { cpuTimerClock } from './clocks.js';
import { timersIfAny, timersOf } from './process_timers.js';

export const ITIMER_REAL = 0;
export const ITIMER_VIRTUAL = 1;
export const ITIMER_PROF = 2;

/** Linux's TICK_NSEC at HZ=250: CPU itimers are armed one tick late, and report a tick when overdue. */
const TICK_NS = 4_000_000;
/** getitimer(ITIMER_REAL) of a timer that is due but has not run yet. */
const NSEC_PER_USEC = 1000;

/** An itimer setting in ns: it_value (time to the next expiry, 0 = disarmed) and it_interval. */
export interface ItimerSetting {
  value: number;
  interval: number;
}

const SIGNALS = [SIGALRM, SIGVTALRM, SIGPROF];

class Itimer {
  readonly timer: ClockTimer;
  interval = 0;
  /** Absolute expiry on the timer's clock (0: disarmed). */
  private expiry = 0;

  constructor(
    private readonly tg: ThreadGroup,
    private readonly which: number,
    t: Task,
  ) {
    const clock = which === ITIMER_REAL
      ? uptimeClock(t.kernel)
      : cpuTimerClock({ tg, task: null, userOnly: which === ITIMER_VIRTUAL });
    this.timer = new ClockTimer(clock, this.expire);
  }

  private readonly expire = (now: number): void => {
    const due = this.expiry;
    if (this.interval > 0) {
      if (this.which === ITIMER_REAL) {
        // it_real_fn: the next period after now; periods missed meanwhile are lost.
        this.expiry = forward(due, this.interval, now).next;
      } else {
        // check_cpu_itimer: one interval per check, catching up at the sampling pace.
        this.expiry = due + this.interval;
      }
      this.timer.arm(this.expiry);
    } else {
      this.expiry = 0;
    }
    sendToGroup(this.tg, { signo: SIGNALS[this.which]!, code: SI_KERNEL });
  };

  get(): ItimerSetting {
    if (this.expiry === 0) return { value: 0, interval: this.interval };
    const left = this.expiry - this.timer.clock.now();
    if (left > 0) return { value: left, interval: this.interval };
    return { value: this.which === ITIMER_REAL ? NSEC_PER_USEC : TICK_NS, interval: this.interval };
  }

  set(s: ItimerSetting): ItimerSetting {
    const old = this.get();
    this.timer.disarm();
    if (this.which === ITIMER_REAL) {
      // do_setitimer: a disarmed ITIMER_REAL forgets its interval too.
      this.interval = s.value > 0 ? s.interval : 0;
      this.expiry = s.value > 0 ? this.timer.clock.now() + s.value : 0;
    } else {
      // set_cpu_itimer keeps the interval even when disarming, and arms a tick late.
      this.interval = s.interval;
      this.expiry = s.value > 0 ? this.timer.clock.now() + s.value + TICK_NS : 0;
    }
    if (this.expiry !== 0) this.timer.arm(this.expiry);
    return old;
  }

  dispose(): void {
    this.timer.disarm();
    this.expiry = 0;
  }
}

function itimerOf(t: Task, which: number, create: boolean): Itimer | null {
  if (!create) {
    const s = timersIfAny(t.tg);
    return (s?.itimers[which] as Itimer | null | undefined) ?? null;
  }
  const s = timersOf(t.tg);
  let it = s.itimers[which] as Itimer | null;
  if (!it) {
    it = new Itimer(t.tg, which, t);
    s.itimers[which] = it;
  }
  return it;
}

/** getitimer(2) for a valid `which`. */
export function getItimer(t: Task, which: number): ItimerSetting {
  return itimerOf(t, which, false)?.get() ?? { value: 0, interval: 0 };
}

/** setitimer(2) for a valid `which`: returns the old setting. */
export function setItimer(t: Task, which: number, s: ItimerSetting): ItimerSetting {
  // Disarming a timer that never existed needs no state.
  if (s.value === 0 && s.interval === 0 && !itimerOf(t, which, false)) return { value: 0, interval: 0 };
  return itimerOf(t, which, true)!.set(s);
}
