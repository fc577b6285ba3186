// Clocks as the sandbox sees them. CLOCK_MONOTONIC and CLOCK_BOOTTIME are the
// host's monotonic clock (a sandbox never suspends, so they are equal, and
// BOOTTIME >= MONOTONIC holds); /proc/uptime and sysinfo count from sandbox boot.
// CLOCK_REALTIME is the host's wall clock. CPU clocks read the stub threads'
// host CPU time.
import { EINVAL } from '../../abi/linux/errno.js';
import {
  CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
  CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_REALTIME_ALARM, CLOCK_REALTIME_COARSE, CLOCK_TAI,
  CLOCK_THREAD_CPUTIME_ID,
} from '../../abi/linux/time.js';
import { native } from '../../native.js';
import type { Task } from './task.js';

const hrBase = process.hrtime.bigint();
const realBase = BigInt(Date.now()) * 1_000_000n;

/** Host CLOCK_MONOTONIC in ns. */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

/** Wall clock in ns (steady between calls: derived from the monotonic clock). */
export function realtimeNs(): bigint {
  return realBase + (process.hrtime.bigint() - hrBase);
}

/** CPU time of a task's thread group (stub process) or thread, ns. */
export function cpuTimeNs(t: Task, perThread: boolean): number {
  const v = native().cpuTimeNs(t.hostTid, perThread ? 1 : 0);
  return v < 0 ? 0 : v;
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

/** Negative clock ids name another process's or thread's CPU clock (posix-cpu-timers). */
function dynamicClock(t: Task, clock: number): bigint {
  if (clock >= 0) throw EINVAL;
  const pid = ~(clock >> 3);
  const which = clock & 3;
  const perThread = (clock & 4) !== 0;
  if (which === 3 || which > 2) throw EINVAL; // CPUCLOCK_MAX / fd clocks
  const target = pid === 0 ? t : t.kernel.tasks.get(pid);
  if (!target) throw EINVAL;
  if (!perThread && target.tg !== t.tg && pid !== target.tg.pid) throw EINVAL;
  return BigInt(cpuTimeNs(target, perThread));
}

/** Resolution reported by clock_getres(2). */
export function clockRes(clock: number): number {
  if (clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE) return 4_000_000;
  return 1;
}
