// clock_gettime(2), clock_getres(2), gettimeofday(2), time(2), times(2),
// nanosleep(2), clock_nanosleep(2).
import { EFAULT, EINVAL } from '../../../abi/linux/errno.js';
import {
  CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_TAI, CLOCK_THREAD_CPUTIME_ID,
  TIMER_ABSTIME,
} from '../../../abi/linux/time.js';
import type { Block } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { clockNow, clockRes, cpuTimeNs } from '../../kernel/time.js';

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

/** times(2): clock ticks (100 Hz) of user/system time; returns ticks since boot. */
export function times(t: Task, [buf]: SyscallArgs): number {
  if (buf.addr() !== 0) {
    const cpu = cpuTimeNs(t, false);
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    // The host does not split stub time into user and system for us here: report it as user time.
    dv.setBigInt64(0, BigInt(Math.floor(cpu / 10_000_000)), true);
    dv.setBigInt64(16, BigInt(Math.floor(t.tg.cpuUserNs / 10_000_000)), true);
    t.mm.copyOut(buf.addr(), b);
  }
  return Math.floor(t.kernel.uptimeNs() / 10_000_000);
}

/** Sleeps until the uptime-clock deadline, then returns 0. */
function sleepUntil(t: Task, deadline: number): number | Block {
  if (deadline <= t.kernel.uptimeNs()) return 0;
  const check = (): number | Block => (t.kernel.uptimeNs() >= deadline ? 0 : t.blockOn([], check, deadline, check));
  return t.blockOn([], check, deadline, check);
}

export function nanosleep(t: Task, [req]: SyscallArgs): number | Block {
  let ns: bigint;
  try {
    ns = readTimespec(t, req.addr());
  } catch (e) {
    throw e === EINVAL || e === EFAULT ? e : EFAULT;
  }
  return sleepUntil(t, t.kernel.uptimeNs() + Number(ns));
}

export function clock_nanosleep(t: Task, [clock, flags, req]: SyscallArgs): number | Block {
  const c = clock.int32();
  if (c === CLOCK_THREAD_CPUTIME_ID) throw EINVAL;
  if (![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID].includes(c) && c >= 0) {
    throw EINVAL;
  }
  const ns = readTimespec(t, req.addr());
  if (flags.int32() & TIMER_ABSTIME) {
    const now = clockNow(t, c);
    const delta = ns > now ? Number(ns - now) : 0;
    return sleepUntil(t, t.kernel.uptimeNs() + delta);
  }
  return sleepUntil(t, t.kernel.uptimeNs() + Number(ns));
}
