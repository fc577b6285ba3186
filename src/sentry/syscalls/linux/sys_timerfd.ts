// timerfd_create(2), timerfd_settime(2), timerfd_gettime(2). Reads go through read(2).
import {
  ITIMERSPEC_SIZE, TFD_CLOEXEC, TFD_NONBLOCK, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET,
} from '../../../abi/linux/anonfd.js';
import { EINVAL, EPERM } from '../../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import {
  CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_REALTIME_ALARM,
} from '../../../abi/linux/time.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { TimerfdDescription, type TimerValue } from '../../fsimpl/timerfd/timerfd.js';

const CAP_WAKE_ALARM = 35;
const CLOCKS = [CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM];

function isAlarm(clock: number): boolean {
  return clock === CLOCK_REALTIME_ALARM || clock === CLOCK_BOOTTIME_ALARM;
}

export function timerfd_create(t: Task, [clockArg, flagsArg]: SyscallArgs): number {
  const clock = clockArg.int32();
  const flags = flagsArg.int32();
  if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK) || !CLOCKS.includes(clock)) throw EINVAL;
  if (isAlarm(clock) && !t.creds.hasCap(CAP_WAKE_ALARM)) throw EPERM;
  const f = new TimerfdDescription(t.kernel, clock, flags);
  try {
    return t.fdTable.add(f, (flags & TFD_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    f.decRef();
  }
}

/** The timerfd behind fd: EBADF if closed, EINVAL if it is something else. */
function timerfd(t: Task, fd: number): TimerfdDescription {
  const f = t.fdTable.getIO(fd);
  if (!(f instanceof TimerfdDescription)) throw EINVAL;
  return f;
}

/** One struct timespec of an itimerspec; EINVAL when not normalized (timespec64_valid). */
function timespecAt(dv: DataView, off: number): bigint {
  const sec = dv.getBigInt64(off, true);
  const nsec = dv.getBigInt64(off + 8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) throw EINVAL;
  return sec * 1_000_000_000n + nsec;
}

function putItimerspec(t: Task, addr: number, v: TimerValue): void {
  const b = new Uint8Array(ITIMERSPEC_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, v.interval / 1_000_000_000n, true);
  dv.setBigInt64(8, v.interval % 1_000_000_000n, true);
  dv.setBigInt64(16, v.value / 1_000_000_000n, true);
  dv.setBigInt64(24, v.value % 1_000_000_000n, true);
  t.mm.copyOut(addr, b);
}

export function timerfd_settime(t: Task, [fd, flagsArg, newArg, oldArg]: SyscallArgs): number {
  const b = t.mm.copyIn(newArg.addr(), ITIMERSPEC_SIZE);
  const dv = new DataView(b.buffer, b.byteOffset, ITIMERSPEC_SIZE);
  const flags = flagsArg.int32();
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) throw EINVAL;
  const interval = timespecAt(dv, 0);
  const value = timespecAt(dv, 16);
  const f = timerfd(t, fd.int32());
  if (isAlarm(f.clock) && !t.creds.hasCap(CAP_WAKE_ALARM)) throw EPERM;
  // TFD_TIMER_CANCEL_ON_SET is accepted: the sandbox's realtime clock is never set.
  const old = f.set(t, flags, value, interval);
  if (oldArg.addr() !== 0) putItimerspec(t, oldArg.addr(), old);
  return 0;
}

export function timerfd_gettime(t: Task, [fd, cur]: SyscallArgs): number {
  const v = timerfd(t, fd.int32()).get();
  putItimerspec(t, cur.addr(), v);
  return 0;
}
