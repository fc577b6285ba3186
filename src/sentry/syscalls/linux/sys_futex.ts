// futex(2): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE, WAKE_OP, and the
// PI operations LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI.
import { EFAULT, EINVAL, ENOSYS } from '../../../abi/linux/errno.js';
import { FUTEX_BITSET_MATCH_ANY } from '../../kernel/futex.js';
import type { Block } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { clockNow } from '../../kernel/time.js';
import { readTimespec } from './sys_time.js';

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_LOCK_PI = 6;
const FUTEX_UNLOCK_PI = 7;
const FUTEX_TRYLOCK_PI = 8;
const FUTEX_WAIT_REQUEUE_PI = 11;
const FUTEX_CMP_REQUEUE_PI = 12;
const FUTEX_LOCK_PI2 = 13;
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const INT_MAX = 0x7fffffff;

/** Deadline (uptime ns) from a timeout argument; relative for WAIT, absolute for the others. */
function deadlineOf(t: Task, addr: number, absolute: boolean, realtime: boolean): number | null {
  if (addr === 0) return null;
  const ns = readTimespec(t, addr);
  const now = t.kernel.uptimeNs();
  if (!absolute) return now + Number(ns);
  const clockNowNs = clockNow(t, realtime ? 0 : 1);
  return now + Math.max(0, Number(ns - clockNowNs));
}

/** FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; wake uaddr2 if cmp(old, cmparg). */
function wakeOp(t: Task, addr: number, addr2: number, n: number, n2: number, encoded: number, priv: boolean): number {
  const op = (encoded >>> 28) & 7;
  const shift = (encoded >>> 28) & 8;
  const cmp = (encoded >>> 24) & 15;
  let oparg = (encoded << 8) >> 20; // sign-extended 12 bits
  const cmparg = (encoded << 20) >> 20;
  if (shift) oparg = 1 << (oparg & 31);
  const futexes = t.kernel.futexes;
  futexes.key(t, addr, priv);
  futexes.key(t, addr2, priv);
  if (op > 4) throw ENOSYS;
  // Other threads update the word from user space: apply the op atomically.
  const [view] = t.mm.views(addr2, 4, true);
  if (!view || view.length < 4) throw EFAULT;
  const w = new Int32Array(view.buffer, view.byteOffset, 1);
  let old = 0;
  for (;;) {
    old = Atomics.load(w, 0);
    let v: number;
    switch (op) {
      case 0: v = oparg; break; // SET
      case 1: v = old + oparg; break; // ADD
      case 2: v = old | oparg; break; // OR
      case 3: v = old & ~oparg; break; // ANDN
      default: v = old ^ oparg; break; // XOR
    }
    if (Atomics.compareExchange(w, 0, old, v | 0) === old) break;
  }
  let cond: boolean;
  switch (cmp) {
    case 0: cond = old === cmparg; break;
    case 1: cond = old !== cmparg; break;
    case 2: cond = old < cmparg; break;
    case 3: cond = old <= cmparg; break;
    case 4: cond = old > cmparg; break;
    case 5: cond = old >= cmparg; break;
    default: throw ENOSYS; // after the op was applied, as in Linux
  }
  let woken = futexes.wake(t, addr, n, FUTEX_BITSET_MATCH_ANY, priv);
  if (cond) woken += futexes.wake(t, addr2, n2, FUTEX_BITSET_MATCH_ANY, priv);
  return woken;
}

export function futex(t: Task, [uaddr, opArg, val, timeout, uaddr2, val3]: SyscallArgs): number | Block {
  const op = opArg.int32();
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const priv = (op & FUTEX_PRIVATE_FLAG) !== 0;
  const realtime = (op & FUTEX_CLOCK_REALTIME) !== 0;
  const f = t.kernel.futexes;
  // The timeout is read and checked before anything else (EFAULT, EINVAL). WAIT's is
  // relative; LOCK_PI's absolute CLOCK_REALTIME; the others' absolute, on
  // CLOCK_REALTIME with FUTEX_CLOCK_REALTIME and CLOCK_MONOTONIC otherwise.
  let deadline: number | null = null;
  switch (cmd) {
    case FUTEX_WAIT:
      deadline = deadlineOf(t, timeout.addr(), realtime, realtime);
      break;
    case FUTEX_LOCK_PI:
      deadline = deadlineOf(t, timeout.addr(), true, true);
      break;
    case FUTEX_WAIT_BITSET:
    case FUTEX_WAIT_REQUEUE_PI:
    case FUTEX_LOCK_PI2:
      deadline = deadlineOf(t, timeout.addr(), true, realtime);
      break;
  }
  if (realtime && cmd !== FUTEX_WAIT_BITSET && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_REQUEUE_PI &&
    cmd !== FUTEX_LOCK_PI2) throw ENOSYS;
  switch (cmd) {
    case FUTEX_WAIT:
      return f.wait(t, uaddr.addr(), val.uint32(), FUTEX_BITSET_MATCH_ANY, priv, deadline);
    case FUTEX_WAIT_BITSET:
      return f.wait(t, uaddr.addr(), val.uint32(), val3.uint32(), priv, deadline);
    case FUTEX_WAKE:
      return f.wake(t, uaddr.addr(), Math.max(0, val.int32()), FUTEX_BITSET_MATCH_ANY, priv);
    case FUTEX_WAKE_BITSET:
      return f.wake(t, uaddr.addr(), Math.max(0, val.int32()), val3.uint32(), priv);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      const nWake = val.int32();
      const nRequeue = timeout.int32(); // val2 travels in the timeout argument
      if (nWake < 0 || nRequeue < 0) throw EINVAL;
      return f.requeue(t, uaddr.addr(), uaddr2.addr(), nWake, Math.min(nRequeue, INT_MAX),
        cmd === FUTEX_CMP_REQUEUE ? val3.uint32() : null, priv);
    }
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_TRYLOCK_PI:
      return f.lockPi(t, uaddr.addr(), priv, deadline, cmd === FUTEX_TRYLOCK_PI);
    case FUTEX_UNLOCK_PI:
      return f.unlockPi(t, uaddr.addr(), priv);
    case FUTEX_WAIT_REQUEUE_PI:
      return f.waitRequeuePi(t, uaddr.addr(), val.uint32(), uaddr2.addr(), priv, deadline);
    case FUTEX_CMP_REQUEUE_PI: {
      const nWake = val.int32();
      const nRequeue = timeout.int32();
      if (nWake < 0 || nRequeue < 0) throw EINVAL;
      return f.cmpRequeuePi(t, uaddr.addr(), uaddr2.addr(), nWake, nRequeue, val3.uint32(), priv);
    }
    case FUTEX_WAKE_OP:
      return wakeOp(t, uaddr.addr(), uaddr2.addr(), Math.max(0, val.int32()), Math.max(0, timeout.int32()),
        val3.uint32(), priv);
    default:
      throw ENOSYS;
  }
}
