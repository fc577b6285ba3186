// Which clock a timer_create(2) or clock_nanosleep(2) clock id means, as a
// TimerClock, with Linux's errors for clocks that cannot do it.
import { EINVAL, EOPNOTSUPP, EPERM } from '../../../abi/linux/errno.js';
import {
  CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
  CLOCK_REALTIME, CLOCK_REALTIME_ALARM, CLOCK_REALTIME_COARSE, CLOCK_TAI,
} from '../../../abi/linux/time.js';
import { runningThreads } from '../cputime.js';
import { TaskState, type Task } from '../task.js';
import { cpuClockTarget, readCpuClock, realClockOffset, type CpuClockTarget } from '../time.js';
import { uptimeClock, type TimerClock } from './clock_timer.js';

const CAP_WAKE_ALARM = 35;

/** A clock id resolved for timers: the clock, and for real clocks the offset of absolute values. */
export interface ResolvedClock {
  clock: TimerClock;
  /** Real clocks: the clock id's value minus the uptime scale the timer runs on (0n for CPU clocks). */
  offset: bigint;
  cpu: CpuClockTarget | null;
}

/** A task or process CPU clock as a timer clock; dies with its thread or process. */
export function cpuTimerClock(c: CpuClockTarget): TimerClock {
  const task = c.task;
  const tg = c.tg;
  return {
    kind: 'cpu',
    now: () => readCpuClock(c),
    alive: () =>
      task ? task.state !== TaskState.Zombie && task.state !== TaskState.Dead && tg.tasks.has(task) : tg.alive && !tg.exiting,
    runners: () => (task ? (task.state === TaskState.Running || task.state === TaskState.InSentry ? 1 : 0) : runningThreads(tg)),
  };
}

/**
 * Resolves a clock id for timer_create ('timer') or clock_nanosleep ('sleep'):
 * EINVAL for unknown ids, EOPNOTSUPP for clocks Linux cannot arm or sleep on
 * (MONOTONIC_RAW, the COARSE clocks, sleeping on a thread CPU clock), EPERM for
 * the ALARM clocks without CAP_WAKE_ALARM.
 */
export function resolveTimerClock(t: Task, id: number, use: 'timer' | 'sleep'): ResolvedClock {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
      return { clock: uptimeClock(t.kernel), offset: realClockOffset(t.kernel.bootNs, id), cpu: null };
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
      throw EOPNOTSUPP;
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
      // The sandbox never suspends: an alarm clock is its base clock once permitted.
      if (!t.creds.hasCap(CAP_WAKE_ALARM)) throw EPERM;
      return { clock: uptimeClock(t.kernel), offset: realClockOffset(t.kernel.bootNs, id), cpu: null };
    default:
      break;
  }
  if (id >= 0 && id < 16 && id !== 2 && id !== 3) throw EINVAL;
  const target = cpuClockTarget(t, id);
  if (!target) throw EINVAL;
  // Sleeping on a thread CPU clock is not supported by Linux either.
  if (use === 'sleep' && target.task) throw id === 3 ? EOPNOTSUPP : EINVAL;
  return { clock: cpuTimerClock(target), offset: 0n, cpu: target };
}
