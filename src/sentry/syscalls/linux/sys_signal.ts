// rt_sigaction(2), rt_sigprocmask(2), sigaltstack(2), rt_sigpending(2): dispositions
// and masks are stored with Linux's validation. Delivery comes with the process model.
import { EINVAL, ENOMEM, EPERM } from '../../../abi/linux/errno.js';
import { NSIG, SIGKILL, SIGSTOP, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK } from '../../../abi/linux/signal.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

/** Signals that can never be blocked. */
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));
const SIGSET_SIZE = 8;

function readSigset(t: Task, addr: number): bigint {
  const b = t.mm.copyIn(addr, 8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

function writeSigset(t: Task, addr: number, set: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, set, true);
  t.mm.copyOut(addr, b);
}

export function rt_sigaction(t: Task, [sigArg, act, oact, sigsetsize]: SyscallArgs): number {
  if (sigsetsize.size() !== SIGSET_SIZE) throw EINVAL;
  const sig = sigArg.int32();
  if (sig < 1 || sig > NSIG) throw EINVAL;
  if (act.addr() !== 0 && (sig === SIGKILL || sig === SIGSTOP)) throw EINVAL;
  let next = null;
  if (act.addr() !== 0) {
    const b = t.mm.copyIn(act.addr(), 32);
    const dv = new DataView(b.buffer, b.byteOffset, 32);
    next = {
      handler: Number(dv.getBigUint64(0, true)),
      flags: Number(dv.getBigUint64(8, true) & 0xffffffffn),
      restorer: Number(dv.getBigUint64(16, true)),
      mask: dv.getBigUint64(24, true) & ~UNBLOCKABLE,
    };
  }
  // The new action is installed even if writing the old one faults afterwards.
  const cur = { ...t.tg.handlers.get(sig) };
  if (next) t.tg.handlers.set(sig, next);
  if (oact.addr() !== 0) {
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(cur.handler), true);
    dv.setBigUint64(8, BigInt(cur.flags >>> 0), true);
    dv.setBigUint64(16, BigInt(cur.restorer), true);
    dv.setBigUint64(24, cur.mask, true);
    t.mm.copyOut(oact.addr(), b);
  }
  return 0;
}

export function rt_sigprocmask(t: Task, [how, set, oset, sigsetsize]: SyscallArgs): number {
  if (sigsetsize.size() !== SIGSET_SIZE) throw EINVAL;
  const old = t.sigmask;
  if (set.addr() !== 0) {
    const s = readSigset(t, set.addr());
    switch (how.int32()) {
      case SIG_BLOCK:
        t.sigmask = (old | s) & ~UNBLOCKABLE;
        break;
      case SIG_UNBLOCK:
        t.sigmask = old & ~s;
        break;
      case SIG_SETMASK:
        t.sigmask = s & ~UNBLOCKABLE;
        break;
      default:
        throw EINVAL;
    }
  }
  if (oset.addr() !== 0) writeSigset(t, oset.addr(), old);
  return 0;
}

export function rt_sigpending(t: Task, [set, sigsetsize]: SyscallArgs): number {
  if (sigsetsize.size() > SIGSET_SIZE) throw EINVAL;
  writeSigset(t, set.addr(), 0n);
  return 0;
}

const SS_ONSTACK = 1;
const SS_DISABLE = 2;
const SS_AUTODISARM = 1 << 31;
const MINSIGSTKSZ = 2048;

/** The alternate signal stack of each task (stored until delivery uses it). */
const altStacks = new WeakMap<Task, { sp: number; flags: number; size: number }>();

export function sigaltstack(t: Task, [ss, oss]: SyscallArgs): number {
  const cur = altStacks.get(t) ?? { sp: 0, flags: SS_DISABLE, size: 0 };
  if (oss.addr() !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(cur.sp), true);
    dv.setInt32(8, cur.flags, true);
    dv.setBigUint64(16, BigInt(cur.size), true);
    t.mm.copyOut(oss.addr(), b);
  }
  if (ss.addr() !== 0) {
    const b = t.mm.copyIn(ss.addr(), 24);
    const dv = new DataView(b.buffer, b.byteOffset, 24);
    const flags = dv.getInt32(8, true);
    if (flags & ~(SS_DISABLE | SS_ONSTACK | SS_AUTODISARM)) throw EINVAL;
    if (cur.flags === SS_ONSTACK) throw EPERM;
    const size = Number(dv.getBigUint64(16, true));
    if (flags & SS_DISABLE) altStacks.set(t, { sp: 0, flags: SS_DISABLE, size: 0 });
    else {
      if (size < MINSIGSTKSZ) throw ENOMEM;
      altStacks.set(t, { sp: Number(dv.getBigUint64(0, true)), flags: 0, size });
    }
  }
  return 0;
}

