// Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack,
// rt_sigreturn, rt_sigsuspend, pause, rt_sigtimedwait, rt_sigqueueinfo,
// rt_tgsigqueueinfo. Sending (kill & co.) is in sys_kill.ts.
import { EAGAIN, EINVAL, ENOMEM, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import { NSIG, SIGKILL, SIGSEGV, SIGSTOP, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK } from '../../../abi/linux/signal.js';
import { Reg } from '../../arch/amd64/registers.js';
import { Block, REGS_SET, type SyscallResult } from '../../kernel/block.js';
import { exitGroup } from '../../kernel/exit.js';
import { SIGINFO_SIZE, SI_TKILL, decodeSigInfo, encodeSigInfo, type SigInfo } from '../../kernel/signal_queue.js';
import {
  UNBLOCKABLE, pendingMask, sendToGroup, sendToThread, sigreturn,
} from '../../kernel/signals.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import { TaskState, type Task } from '../../kernel/task.js';
import { fatalSignalStatus } from '../../kernel/thread_group.js';
import { readTimespec } from './sys_time.js';

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
  if (next) {
    t.tg.handlers.set(sig, next);
    // Setting SIG_IGN (or a default-ignore SIG_DFL) discards the pending signal (POSIX).
    if (next.handler === 1 || (next.handler === 0 && [17, 23, 28].includes(sig))) {
      t.tg.sharedPending.discard(sig);
      for (const th of t.tg.tasks) th.pending.discard(sig);
    }
  }
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
  writeSigset(t, set.addr(), pendingMask(t));
  return 0;
}

const SS_ONSTACK = 1;
const SS_DISABLE = 2;
const SS_AUTODISARM = 1 << 31;
const MINSIGSTKSZ = 2048;

export function sigaltstack(t: Task, [ss, oss]: SyscallArgs): number {
  const cur = t.altStack;
  const sp = t.regs.get(Reg.rsp);
  const onStack = !(cur.flags & SS_DISABLE) && sp > cur.sp && sp - cur.sp <= cur.size;
  if (oss.addr() !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(cur.sp), true);
    dv.setInt32(8, onStack ? SS_ONSTACK : cur.flags, true);
    dv.setBigUint64(16, BigInt(cur.size), true);
    t.mm.copyOut(oss.addr(), b);
  }
  if (ss.addr() !== 0) {
    const b = t.mm.copyIn(ss.addr(), 24);
    const dv = new DataView(b.buffer, b.byteOffset, 24);
    const flags = dv.getInt32(8, true);
    const mode = flags & ~SS_AUTODISARM;
    if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) throw EINVAL;
    if (onStack) throw EPERM;
    const size = Number(dv.getBigUint64(16, true));
    if (mode === SS_DISABLE) t.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
    else {
      if (size < MINSIGSTKSZ) throw ENOMEM;
      t.altStack = { sp: Number(dv.getBigUint64(0, true)), flags: flags & SS_AUTODISARM, size };
    }
  }
  return 0;
}

export function rt_sigreturn(t: Task): SyscallResult {
  if (!sigreturn(t)) {
    // A frame we could not have built: the task dies with SIGSEGV (core), like Linux.
    exitGroup(t.tg, fatalSignalStatus(t.tg, SIGSEGV));
  }
  return REGS_SET;
}

/** Waits until a handler runs; always ends in EINTR (the frame restores the old mask). */
function waitForHandler(): Block {
  const never = (): Block => new Block(never, [], null, null, true, 'eintr');
  return never();
}

export function rt_sigsuspend(t: Task, [mask, sigsetsize]: SyscallArgs): SyscallResult {
  if (sigsetsize.size() !== SIGSET_SIZE) throw EINVAL;
  const m = readSigset(t, mask.addr());
  t.savedSigmask = t.sigmask;
  t.sigmask = m & ~UNBLOCKABLE;
  return waitForHandler();
}

export function pause(): SyscallResult {
  return waitForHandler();
}

/** rt_sigtimedwait(2): takes one of `set` from the pending signals, waiting if needed. */
export function rt_sigtimedwait(t: Task, [setArg, infoArg, timeout, sigsetsize]: SyscallArgs): SyscallResult {
  if (sigsetsize.size() !== SIGSET_SIZE) throw EINVAL;
  const set = readSigset(t, setArg.addr()) & ~UNBLOCKABLE;
  const deadline = timeout.addr() !== 0 ? t.kernel.uptimeNs() + Number(readTimespec(t, timeout.addr())) : null;
  const infoAddr = infoArg.addr();
  const take = (): number | null => {
    const notWanted = ~set & 0xffffffffffffffffn;
    const info = t.pending.dequeue(notWanted) ?? t.tg.sharedPending.dequeue(notWanted);
    if (!info) return null;
    if (infoAddr !== 0) t.mm.copyOut(infoAddr, encodeSigInfo(info));
    return info.signo;
  };
  const attempt = (): number | Block => {
    const got = take();
    if (got !== null) return got;
    if (deadline !== null && t.kernel.uptimeNs() >= deadline) throw EAGAIN;
    return new Block(attempt, [{ queue: t.signalArrived, mask: 1 }], deadline, timedOut, true, 'eintr');
  };
  const timedOut = (): number => {
    const got = take();
    if (got !== null) return got;
    throw EAGAIN;
  };
  return attempt();
}

function checkQueueInfo(t: Task, target: Task, sig: number, infoAddr: number): SigInfo {
  if (sig < 0 || sig > NSIG) throw EINVAL;
  const info = decodeSigInfo(t.mm.copyIn(infoAddr, SIGINFO_SIZE));
  info.signo = sig;
  // Only the kernel may claim positive codes or SI_TKILL about someone else (CVE-style spoofing).
  if ((info.code >= 0 || info.code === SI_TKILL) && target.tg !== t.tg) throw EPERM;
  return info;
}

export function rt_sigqueueinfo(t: Task, [tgid, sigArg, uinfo]: SyscallArgs): number {
  const tg = t.kernel.threadGroups.get(tgid.int32());
  if (!tg) throw ESRCH; // an unreaped zombie takes (and drops) the signal
  const info = checkQueueInfo(t, tg.leader, sigArg.int32(), uinfo.addr());
  if (info.signo !== 0 && tg.alive) sendToGroup(tg, info);
  return 0;
}

export function rt_tgsigqueueinfo(t: Task, [tgid, tid, sigArg, uinfo]: SyscallArgs): number {
  const target = t.kernel.tasks.get(tid.int32());
  if (!target || target.tg.pid !== tgid.int32() || target.state === TaskState.Zombie) throw ESRCH;
  const info = checkQueueInfo(t, target, sigArg.int32(), uinfo.addr());
  if (info.signo !== 0) sendToThread(target, info);
  return 0;
}

