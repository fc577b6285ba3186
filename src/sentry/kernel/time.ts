// Clocks as the sandbox sees them. CLOCK_MONOTONIC and CLOCK_BOOTTIME are the
// host's monotonic clock (a sandbox never suspends, so they are equal, and
// BOOTTIME >= MONOTONIC holds); /proc/uptime and sysinfo count from sandbox boot.
// CLOCK_REALTIME is the host's wall clock. CPU clocks are the Sentry's own
// accounting of each task's time in user code and in syscalls (cputime.ts).
import { EINVAL } from '../../abi/linux/errno.js';
import {
  CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
  CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_REALTIME_ALARM, CLOCK_REALTIME_COARSE, CLOCK_TAI,
  CLOCK_THREAD_CPUTIME_ID,
} from '../../abi/linux/time.js';
import { processCpuNs, processUserNs, taskTimes, threadCpuNs } from './cputime.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { native } from '../../native.js';

/** Host CLOCK_MONOTONIC in ns (the vDSO reads the same clock). */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

/**
 * Host CLOCK_REALTIME in ns, exactly as the host (and so the vDSO, and the app's
 * gettimeofday) reads it: deriving it from the monotonic clock would drift apart.
 */
export function realtimeNs(): bigint {
  return native().clockNs(CLOCK_REALTIME);
}

/**
 * A real-time clock's value minus the kernel's uptime (Kernel.uptimeNs), ns, as of
 * now (the host may step or slew its wall clock): timers keep every real clock on
 * the uptime scale and convert absolute expiries with this offset; they re-check the
 * clock when they fire, so a later step cannot make them early.
 */
export function realClockOffset(bootNs: bigint, clock: number): bigint {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
      return realtimeNs() - monotonicNs() + bootNs;
    case CLOCK_TAI:
      return realtimeNs() - monotonicNs() + bootNs + 37_000_000_000n;
    default:
      return bootNs;
  }
}

/** CPU time of a task's process or thread, ns (accounted by the Sentry: see cputime.ts). */
export function cpuTimeNs(t: Task, perThread: boolean): number {
  return perThread ? threadCpuNs(t) : processCpuNs(t.tg);
}

/** The value of a clock for clock_gettime(2); throws EINVAL for unknown clocks. */
export function clockNow(t: Task, clock: number): bigint {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
      return realtimeNs();
    case CLOCK_TAI:
      return realtimeNs() + 37_000_000_000n;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_MONOTONIC_RAW:
      return monotonicNs();
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      return monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID:
      return BigInt(cpuTimeNs(t, false));
    case CLOCK_THREAD_CPUTIME_ID:
      return BigInt(cpuTimeNs(t, true));
    default:
      return dynamicClock(t, clock);
  }
}

/** Whose CPU clock a clock id names: a thread (`task` set) or a whole process. */
export interface CpuClockTarget {
  tg: ThreadGroup;
  task: Task | null;
  /** CPUCLOCK_VIRT: user time only (PROF and SCHED count user and system time). */
  userOnly: boolean;
}

/**
 * Resolves CPU clock ids (posix-cpu-timers): CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID and the negative ids naming another process's clock or a
 * thread of the caller's process. Returns null for other clocks; EINVAL for a CPU
 * clock that names nobody (Linux's pid_for_clock).
 */
export function cpuClockTarget(t: Task, clock: number): CpuClockTarget | null {
  if (clock === CLOCK_PROCESS_CPUTIME_ID) return { tg: t.tg, task: null, userOnly: false };
  if (clock === CLOCK_THREAD_CPUTIME_ID) return { tg: t.tg, task: t, userOnly: false };
  if (clock >= 0) return null;
  const pid = ~(clock >> 3);
  const which = clock & 3;
  const perThread = (clock & 4) !== 0;
  if (which === 3) throw EINVAL; // CPUCLOCK_MAX / fd clocks
  const userOnly = which === 1;
  if (pid === 0) return { tg: t.tg, task: perThread ? t : null, userOnly };
  if (perThread) {
    // Only threads of the caller's own process.
    const target = t.kernel.tasks.get(pid);
    if (!target || target.tg !== t.tg || !t.tg.tasks.has(target)) throw EINVAL;
    return { tg: t.tg, task: target, userOnly };
  }
  // A process by its pid; the caller may also name its own process by its tid.
  if (pid === t.tid) return { tg: t.tg, task: null, userOnly };
  const tg = t.kernel.threadGroups.get(pid);
  if (!tg || !tg.alive) throw EINVAL;
  return { tg, task: null, userOnly };
}

/** Negative clock ids name another process's or thread's CPU clock (posix-cpu-timers). */
function dynamicClock(t: Task, clock: number): bigint {
  const c = cpuClockTarget(t, clock);
  if (!c) throw EINVAL;
  return BigInt(readCpuClock(c));
}

/** The current value of a CPU clock, ns. */
export function readCpuClock(c: CpuClockTarget): number {
  if (c.task) return c.userOnly ? Math.floor(taskTimes(c.task).user) : threadCpuNs(c.task);
  return c.userOnly ? processUserNs(c.tg) : processCpuNs(c.tg);
}

/** Resolution reported by clock_getres(2). */
export function clockRes(clock: number): number {
  if (clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE) return 4_000_000;
  return 1;
}
