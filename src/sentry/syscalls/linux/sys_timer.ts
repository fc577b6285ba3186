// POSIX timers: timer_create(2), timer_settime(2), timer_gettime(2),
// timer_getoverrun(2), timer_delete(2). The machinery is kernel/timer/posix_timer.ts.
import { EAGAIN, EINVAL } from '../../../abi/linux/errno.js';
import { RLIMIT_SIGPENDING } from '../../../abi/linux/limits.js';
import { SIGALRM } from '../../../abi/linux/signal.js';
import { TIMER_ABSTIME } from '../../../abi/linux/time.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { resolveTimerClock } from '../../kernel/timer/clocks.js';
import {
  PosixTimer, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD_ID, isValidSigevNotify, isValidTimerSignal,
  type NewTimerSpec, type Notify, type TimerSpec,
} from '../../kernel/timer/posix_timer.js';
import { timersIfAny, timersOf } from '../../kernel/timer/process_timers.js';

const SIGEVENT_SIZE = 64;
const ITIMERSPEC_SIZE = 32;
const NSEC_PER_SEC = 1_000_000_000n;
/** Timer ids are non-negative ints. */
const ID_MASK = 0x7fffffff;

/** struct sigevent: sigev_value (8), sigev_signo (4), sigev_notify (4), then sigev_notify_thread_id. */
function decodeSigevent(t: Task, b: Uint8Array): Notify {
  const dv = new DataView(b.buffer, b.byteOffset, SIGEVENT_SIZE);
  const value = dv.getBigUint64(0, true);
  const signo = dv.getInt32(8, true);
  const kind = dv.getInt32(12, true);
  if (!isValidSigevNotify(kind)) throw EINVAL;
  let thread: Task | null = null;
  if (kind === SIGEV_THREAD_ID) {
    // good_sigevent: the thread must belong to the caller's process.
    const target = t.kernel.tasks.get(dv.getInt32(16, true));
    if (!target || target.tg !== t.tg || !t.tg.tasks.has(target)) throw EINVAL;
    thread = target;
  }
  if (kind !== SIGEV_NONE && !isValidTimerSignal(signo)) throw EINVAL;
  return { kind, signo, value, thread };
}

/** struct itimerspec: it_interval then it_value, each a struct timespec; EINVAL when out of range. */
function decodeItimerspec(b: Uint8Array): NewTimerSpec {
  const dv = new DataView(b.buffer, b.byteOffset, ITIMERSPEC_SIZE);
  const ts = (off: number): bigint => {
    const sec = dv.getBigInt64(off, true);
    const nsec = dv.getBigInt64(off + 8, true);
    if (sec < 0n || nsec < 0n || nsec >= NSEC_PER_SEC) throw EINVAL;
    return sec * NSEC_PER_SEC + nsec;
  };
  return { interval: ts(0), value: ts(16) };
}

function encodeItimerspec(s: TimerSpec): Uint8Array {
  const b = new Uint8Array(ITIMERSPEC_SIZE);
  const dv = new DataView(b.buffer);
  const ts = (off: number, ns: number): void => {
    const n = BigInt(Math.max(0, Math.floor(ns)));
    dv.setBigInt64(off, n / NSEC_PER_SEC, true);
    dv.setBigInt64(off + 8, n % NSEC_PER_SEC, true);
  };
  ts(0, s.interval);
  ts(16, s.value);
  return b;
}

function lookup(t: Task, id: number): PosixTimer {
  const timer = timersIfAny(t.tg)?.posix.get(id);
  if (!(timer instanceof PosixTimer)) throw EINVAL;
  return timer;
}

export function timer_create(t: Task, [clockid, sevp, timerid]: SyscallArgs): number {
  // Linux reads the sigevent first (EFAULT), then checks the clock, then the sigevent.
  const raw = sevp.addr() !== 0 ? t.mm.copyIn(sevp.addr(), SIGEVENT_SIZE) : null;
  const clock = resolveTimerClock(t, clockid.int32(), 'timer');
  const notify: Notify | null = raw ? decodeSigevent(t, raw) : null;
  const s = timersOf(t.tg);
  if (s.posix.size >= t.limit(RLIMIT_SIGPENDING).cur) throw EAGAIN;
  let id = s.nextId;
  for (let n = 0; s.posix.has(id); n++) {
    if (n > ID_MASK) throw EAGAIN;
    id = (id + 1) & ID_MASK;
  }
  // NULL sevp: SIGALRM to the process with the timer id as sival_int.
  const how: Notify = notify ?? { kind: SIGEV_SIGNAL, signo: SIGALRM, value: BigInt(id), thread: null };
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, id, true);
  t.mm.copyOut(timerid.addr(), out); // EFAULT: no timer is created
  s.nextId = (id + 1) & ID_MASK;
  s.posix.set(id, new PosixTimer(id, t.tg, clock, how));
  return 0;
}

export function timer_settime(t: Task, [timerid, flags, newValue, oldValue]: SyscallArgs): number {
  if (newValue.addr() === 0) throw EINVAL;
  const spec = decodeItimerspec(t.mm.copyIn(newValue.addr(), ITIMERSPEC_SIZE));
  const timer = lookup(t, timerid.int32());
  const old = timer.set(spec, (flags.int32() & TIMER_ABSTIME) !== 0);
  if (oldValue.addr() !== 0) t.mm.copyOut(oldValue.addr(), encodeItimerspec(old));
  return 0;
}

export function timer_gettime(t: Task, [timerid, curValue]: SyscallArgs): number {
  const timer = lookup(t, timerid.int32());
  t.mm.copyOut(curValue.addr(), encodeItimerspec(timer.get()));
  return 0;
}

export function timer_getoverrun(t: Task, [timerid]: SyscallArgs): number {
  return lookup(t, timerid.int32()).getOverrun();
}

export function timer_delete(t: Task, [timerid]: SyscallArgs): number {
  const id = timerid.int32();
  const timer = lookup(t, id);
  timer.dispose();
  timersIfAny(t.tg)?.posix.delete(id);
  return 0;
}
