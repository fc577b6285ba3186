// clock_gettime(2), clock_getres(2), gettimeofday(2), time(2), times(2),
// nanosleep(2), clock_nanosleep(2).
import { EFAULT, EINVAL } from '../../../abi/linux/errno.js';
import { CLOCK_REALTIME, TIMER_ABSTIME } from '../../../abi/linux/time.js';
import type { Block } from '../../kernel/block.js';
import { groupTimes } from '../../kernel/cputime.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { clockNow, clockRes } from '../../kernel/time.js';
import { resolveTimerClock } from '../../kernel/timer/clocks.js';
import { sleepUntilCpu, sleepUntilUptime } from '../../kernel/timer/sleep.js';

function putTimespec(t: Task, addr: number, ns: bigint): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, ns / 1_000_000_000n, true);
  dv.setBigInt64(8, ns % 1_000_000_000n, true);
  t.mm.copyOut(addr, b);
}

/** Reads a struct timespec; EINVAL for negative or out-of-range values. */
export function readTimespec(t: Task, addr: number): bigint {
  const b = t.mm.copyIn(addr, 16);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) throw EINVAL;
  return sec * 1_000_000_000n + nsec;
}

export function clock_gettime(t: Task, [clock, tp]: SyscallArgs): number {
  putTimespec(t, tp.addr(), clockNow(t, clock.int32()));
  return 0;
}

export function clock_getres(t: Task, [clock, res]: SyscallArgs): number {
  clockNow(t, clock.int32()); // validates the clock id
  if (res.addr() !== 0) putTimespec(t, res.addr(), BigInt(clockRes(clock.int32())));
  return 0;
}

export function gettimeofday(t: Task, [tv, tz]: SyscallArgs): number {
  if (tv.addr() !== 0) {
    const ns = clockNow(t, CLOCK_REALTIME);
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, ns / 1_000_000_000n, true);
    dv.setBigInt64(8, (ns % 1_000_000_000n) / 1000n, true);
    t.mm.copyOut(tv.addr(), b);
  }
  if (tz.addr() !== 0) t.mm.copyOut(tz.addr(), new Uint8Array(8));
  return 0;
}

export function time(t: Task, [tloc]: SyscallArgs): number {
  const s = Number(clockNow(t, CLOCK_REALTIME) / 1_000_000_000n);
  if (tloc.addr() !== 0) t.mm.writeU64(tloc.addr(), s);
  return s;
}

/** Clock ticks (USER_HZ = 100) in ns, for times(2). */
const NS_PER_TICK = 10_000_000;

/**
 * times(2): user and system time of the process and of its reaped children in
 * clock ticks, the same accounting getrusage(2) reports; returns ticks since boot.
 */
export function times(t: Task, [buf]: SyscallArgs): number {
  if (buf.addr() !== 0) {
    const self = groupTimes(t.tg);
    const a = t.tg.acct;
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    const ticks = (ns: number): bigint => BigInt(Math.floor(ns / NS_PER_TICK));
    dv.setBigInt64(0, ticks(self.user), true);
    dv.setBigInt64(8, ticks(self.sys), true);
    dv.setBigInt64(16, ticks(a.childrenUserNs), true);
    dv.setBigInt64(24, ticks(a.childrenSysNs), true);
    t.mm.copyOut(buf.addr(), b);
  }
  return Math.floor(t.kernel.uptimeNs() / NS_PER_TICK);
}

/** Writes the time left of an interrupted sleep to `rem` (if given). */
function remWriter(t: Task, rem: number): ((leftNs: number) => void) | null {
  if (rem === 0) return null;
  return (left: number): void => {
    try {
      // Called while the task is parked: its own host thread is stopped and can serve the mm.
      t.mm.via = t.hostTid;
      putTimespec(t, rem, BigInt(Math.floor(left)));
    } catch {
      // Linux would return EFAULT instead of EINTR here; the sleep ends with EINTR either way.
    }
  };
}

export function nanosleep(t: Task, [req, rem]: SyscallArgs): number | Block {
  let ns: bigint;
  try {
    ns = readTimespec(t, req.addr());
  } catch (e) {
    throw e === EINVAL || e === EFAULT ? e : EFAULT;
  }
  return sleepUntilUptime(t, t.kernel.uptimeNs() + Number(ns), remWriter(t, rem.addr()));
}

/**
 * clock_nanosleep(2): relative or TIMER_ABSTIME sleeps on a real clock, or until a
 * process CPU clock reaches a time. `rem` is written only for relative sleeps
 * interrupted by a handler. An absolute REALTIME sleep does not follow clock
 * changes (the sandbox's REALTIME never steps).
 */
export function clock_nanosleep(t: Task, [clock, flags, req, rem]: SyscallArgs): number | Block {
  const rc = resolveTimerClock(t, clock.int32(), 'sleep');
  const ns = readTimespec(t, req.addr());
  const absolute = (flags.int32() & TIMER_ABSTIME) !== 0;
  const remOut = absolute ? null : remWriter(t, rem.addr());
  if (rc.cpu) {
    const target = absolute ? Number(ns) : rc.clock.now() + Number(ns);
    return sleepUntilCpu(t, rc.clock, target, remOut);
  }
  const deadline = absolute ? Number(ns - rc.offset) : t.kernel.uptimeNs() + Number(ns);
  return sleepUntilUptime(t, deadline, remOut);
}
