// getitimer(2), setitimer(2), alarm(2).
import { EINVAL } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { ITIMER_PROF, ITIMER_REAL, getItimer, setItimer, type ItimerSetting } from '../../kernel/timer/itimer.js';

const NSEC_PER_SEC = 1e9;
/** KTIME_MAX: longer times saturate, as in Linux. */
const KTIME_MAX = 9_223_372_036_854_775_807;

/** struct itimerval: it_interval then it_value, each a struct timeval. */
function decodeItimerval(b: Uint8Array): ItimerSetting {
  const dv = new DataView(b.buffer, b.byteOffset, 32);
  const tv = (off: number): number => {
    const sec = dv.getBigInt64(off, true);
    const usec = dv.getBigInt64(off + 8, true);
    if (sec < 0n || usec < 0n || usec >= 1_000_000n) throw EINVAL;
    return Math.min(KTIME_MAX, Number(sec) * NSEC_PER_SEC + Number(usec) * 1000);
  };
  return { interval: tv(0), value: tv(16) };
}

function encodeItimerval(s: ItimerSetting): Uint8Array {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  const tv = (off: number, ns: number): void => {
    const n = Math.max(0, Math.floor(ns));
    dv.setBigInt64(off, BigInt(Math.floor(n / NSEC_PER_SEC)), true);
    dv.setBigInt64(off + 8, BigInt(Math.floor((n % NSEC_PER_SEC) / 1000)), true);
  };
  tv(0, s.interval);
  tv(16, s.value);
  return b;
}

function checkWhich(which: number): void {
  if (which < ITIMER_REAL || which > ITIMER_PROF) throw EINVAL;
}

export function getitimer(t: Task, [which, value]: SyscallArgs): number {
  const w = which.int32();
  checkWhich(w);
  t.mm.copyOut(value.addr(), encodeItimerval(getItimer(t, w)));
  return 0;
}

export function setitimer(t: Task, [which, newValue, oldValue]: SyscallArgs): number {
  // A NULL new value disarms (a misfeature Linux still supports).
  const next = newValue.addr() === 0 ? { value: 0, interval: 0 } : decodeItimerval(t.mm.copyIn(newValue.addr(), 32));
  const w = which.int32();
  checkWhich(w);
  const old = setItimer(t, w, next);
  // The new setting stands even if the old one cannot be written back.
  if (oldValue.addr() !== 0) t.mm.copyOut(oldValue.addr(), encodeItimerval(old));
  return 0;
}

/** alarm(2): ITIMER_REAL in whole seconds; returns the seconds left on the old alarm, rounded. */
export function alarm(t: Task, [seconds]: SyscallArgs): number {
  const old = setItimer(t, ITIMER_REAL, { value: seconds.uint32() * NSEC_PER_SEC, interval: 0 });
  const nsec = Math.floor(old.value % NSEC_PER_SEC);
  let secs = Math.floor(old.value / NSEC_PER_SEC);
  // Never report 0 for a pending alarm; round to the nearest second otherwise (alarm_setitimer).
  if ((secs === 0 && nsec !== 0) || nsec >= NSEC_PER_SEC / 2) secs++;
  return secs;
}
