// Signals (kernel/signal.c, arch/x86/kernel/signal.c): sending with Linux's rules
// (ignored signals dropped, SIGCONT/stop interplay, fatal signals killing the whole
// group at once), waking the thread that will take a signal (interrupting a blocked
// syscall or a computing thread), and delivery on the way back to user space:
// default actions, or a handler frame on the stack, and rt_sigreturn.
import { EINTR, EFAULT } from '../../abi/linux/errno.js';
import {
  SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER, SIGCHLD, SIGCONT, SIGKILL, SIGSEGV, SIGSTOP,
  SIGTSTP, SIGTTIN, SIGTTOU, SIG_DFL, SIG_IGN, defaultActionIgnores,
} from '../../abi/linux/signal.js';
import { Reg } from '../arch/amd64/registers.js';
import {
  FRAME_SIZE, INFO_OFF, REDZONE, buildFrame, enterHandler, restoreFrame, validateFpState,
} from '../arch/amd64/signal_frame.js';
import { exitGroup } from './exit.js';
import { CLD_CONTINUED, CLD_STOPPED, SI_KERNEL, encodeSigInfo, sigBit, type SigInfo } from './signal_queue.js';
import { TaskState, type Task } from './task.js';
import { fatalSignalStatus, signaledStatus, type ThreadGroup } from './thread_group.js';

const SS_DISABLE = 2;
const SS_AUTODISARM = 1 << 31;
/** Signals that can never be blocked, caught or ignored. */
export const UNBLOCKABLE = sigBit(SIGKILL) | sigBit(SIGSTOP);
const STOP_SIGNALS = [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU];

export function isStopSignal(sig: number): boolean {
  return STOP_SIGNALS.includes(sig);
}

/** The signal would be dropped on arrival: ignored and not blocked by anyone who could take it. */
function isIgnored(t: Task, sig: number): boolean {
  const a = t.tg.handlers.get(sig);
  if (a.handler === SIG_IGN) return true;
  return a.handler === SIG_DFL && defaultActionIgnores(sig);
}

/** Default action kills the process (terminate or core). */
function isFatalByDefault(sig: number): boolean {
  return !defaultActionIgnores(sig) && !isStopSignal(sig);
}

// ---- sending ----

/** Sends to one thread (tkill, tgkill, faults). */
export function sendToThread(t: Task, info: SigInfo): void {
  send(t.tg, t, info);
}

/** Sends to a process (kill, sigqueue): any thread not blocking it takes it. */
export function sendToGroup(tg: ThreadGroup, info: SigInfo): void {
  send(tg, null, info);
}

function send(tg: ThreadGroup, thread: Task | null, info: SigInfo): void {
  if (!tg.alive || tg.exiting) return;
  const sig = info.signo;
  const someone = thread ?? tg.leader;
  if (sig === SIGKILL) {
    exitGroup(tg, signaledStatus(SIGKILL, false));
    return;
  }
  if (isStopSignal(sig)) {
    tg.sharedPending.discard(SIGCONT);
    for (const t of tg.tasks) t.pending.discard(SIGCONT);
  }
  if (sig === SIGCONT) {
    for (const s of STOP_SIGNALS) {
      tg.sharedPending.discard(s);
      for (const t of tg.tasks) t.pending.discard(s);
    }
    if (tg.stopped) continueGroup(tg);
  }
  const blocked = thread ? (thread.sigmask & sigBit(sig)) !== 0n : [...tg.tasks].every((t) => (t.sigmask & sigBit(sig)) !== 0n);
  if (!blocked && isIgnored(someone, sig)) return;
  const queue = thread ? thread.pending : tg.sharedPending;
  if (!queue.enqueue(info)) return;
  if (thread) thread.signalArrived.notify(1);
  else for (const t of tg.tasks) t.signalArrived.notify(1);
  // A fatal signal nobody catches kills the whole group now (complete_signal).
  const a = tg.handlers.get(sig);
  // Not while the group is stopped: stopped tasks want no signal but SIGKILL, so
  // the signal waits for SIGCONT (wants_signal).
  if (!blocked && !tg.stopped && a.handler === SIG_DFL && isFatalByDefault(sig)) {
    exitGroup(tg, fatalSignalStatus(tg, sig));
    return;
  }
  const target = thread ?? pickThread(tg, sig);
  if (target) wakeForSignal(target);
}

/** The thread that should take a process-directed signal. */
function pickThread(tg: ThreadGroup, sig: number): Task | null {
  const bit = sigBit(sig);
  if (tg.leader && tg.tasks.has(tg.leader) && !(tg.leader.sigmask & bit)) return tg.leader;
  for (const t of tg.tasks) if (!(t.sigmask & bit)) return t;
  return null;
}

/** The next signal `t` would take, without taking it. */
function peekDeliverable(t: Task): number {
  const ready = (t.pending.mask | t.tg.sharedPending.mask) & ~t.sigmask;
  if (ready === 0n) return 0;
  for (let sig = 1; sig <= 64; sig++) if (ready & sigBit(sig)) return sig;
  return 0;
}

/** Makes `t` notice its pending signals soon (signal_wake_up). */
export function wakeForSignal(t: Task): void {
  const sig = peekDeliverable(t);
  if (sig === 0) return;
  const a = t.tg.handlers.get(sig);
  const runsHandler = a.handler > SIG_IGN;
  const k = t.kernel;
  if (a.handler === SIG_DFL && isStopSignal(sig) && t.state !== TaskState.Running && t.state !== TaskState.InSentry) {
    // A default stop takes effect now even for a task asleep in a syscall: the group
    // stops; the sleeper keeps waiting and parks when it wakes (do_signal_stop).
    if (!t.pending.take(sig)) t.tg.sharedPending.take(sig);
    stopGroup(t.tg, sig);
    return;
  }
  if (t.state === TaskState.Blocked) {
    // Only a handler (or death/stop, handled elsewhere) cuts a wait short; an ignored
    // signal leaves it alone, which is what restarting would achieve anyway.
    if (!runsHandler || !t.block?.interruptible) return;
    const b = t.block;
    k.scheduler.interruptBlocked(t);
    t.interrupted = b.restart;
    b.onInterrupt?.();
    k.scheduler.resume(t);
  } else if (t.state === TaskState.Running) {
    k.platform.interrupt(t.hostTid);
  }
  // InSentry: delivered when the syscall finishes. Stopped: after SIGCONT.
}

/** A synchronous fault: delivered even if blocked or ignored (force_sig_fault). */
export function forceSignal(t: Task, info: SigInfo): void {
  const sig = info.signo;
  const a = t.tg.handlers.get(sig);
  const blocked = (t.sigmask & sigBit(sig)) !== 0n;
  if (a.handler === SIG_IGN || blocked) {
    t.tg.handlers.set(sig, { ...a, handler: SIG_DFL });
    t.sigmask &= ~sigBit(sig);
  }
  t.pending.enqueue(info);
}

// ---- group stop / continue (job control) ----

function stopGroup(tg: ThreadGroup, sig: number): void {
  if (tg.stopped) return;
  tg.stopped = true;
  tg.stopSignal = sig;
  tg.stopReport = true;
  tg.continueReport = false;
  for (const t of tg.tasks) if (t.state === TaskState.Running) t.kernel.platform.interrupt(t.hostTid);
  notifyParent(tg, CLD_STOPPED, sig);
}

function continueGroup(tg: ThreadGroup): void {
  tg.stopped = false;
  tg.stopReport = false;
  tg.continueReport = true;
  for (const t of [...tg.tasks]) {
    if (t.state === TaskState.Stopped) {
      t.state = TaskState.InSentry;
      t.kernel.scheduler.resume(t);
    }
  }
  notifyParent(tg, CLD_CONTINUED, SIGCONT);
  // A fatal signal that arrived during the stop takes effect now, even for a task
  // asleep in a syscall.
  for (const t of tg.tasks) {
    const sig = peekDeliverable(t);
    if (sig !== 0 && tg.handlers.get(sig).handler === SIG_DFL && isFatalByDefault(sig)) {
      exitGroup(tg, fatalSignalStatus(tg, sig));
      return;
    }
  }
}

/** Stop/continue notification to the parent: wait(2) wakes, SIGCHLD unless SA_NOCLDSTOP. */
function notifyParent(tg: ThreadGroup, code: number, status: number): void {
  const p = tg.parent;
  if (!p) return;
  p.childEvents.notify(1);
  const a = p.handlers.get(SIGCHLD);
  if (a.flags & 1 /* SA_NOCLDSTOP */) return;
  sendToGroup(p, { signo: SIGCHLD, code, pid: tg.pid, uid: tg.leader.creds.ruid, status });
}

// ---- delivery ----

/** Turns an interrupted syscall into EINTR or a restart, given whether a handler runs now. */
function settleInterrupted(t: Task, handlerFlags: number | null): void {
  const how = t.interrupted;
  if (how === null) return;
  t.interrupted = null;
  const restart = handlerFlags === null || (how === 'restart' && (handlerFlags & SA_RESTART) !== 0);
  if (restart) {
    // Re-execute the syscall instruction (2 bytes) with its number back in rax.
    t.regs.set(Reg.rip, t.regs.get(Reg.rip) - 2);
    t.regs.set(Reg.rax, t.regs.getSigned(Reg.orig_rax));
  } else {
    t.regs.set(Reg.rax, -EINTR.errno);
  }
}

/**
 * Runs at every return to user space. Takes pending signals: ignored ones vanish,
 * default actions stop or kill, a handler gets a frame. Returns false when the
 * task must not run now (it died, or its group is stopped).
 */
export function deliverSignals(t: Task): boolean {
  for (;;) {
    if (t.tg.exiting || t.state === TaskState.Zombie || t.state === TaskState.Dead) return false;
    if (t.tg.stopped) {
      t.state = TaskState.Stopped;
      return false;
    }
    const info = t.pending.dequeue(t.sigmask) ?? t.tg.sharedPending.dequeue(t.sigmask);
    if (!info) break;
    const sig = info.signo;
    const a = t.tg.handlers.get(sig);
    if (a.handler === SIG_IGN) continue;
    if (a.handler === SIG_DFL) {
      if (sig === SIGCONT || defaultActionIgnores(sig)) continue;
      if (isStopSignal(sig)) {
        // Orphaned process groups ignore terminal stops (SIGTSTP/TTIN/TTOU); the sandbox has
        // no other sessions, so only init's group counts as orphaned.
        settleInterrupted(t, null);
        stopGroup(t.tg, sig);
        t.state = TaskState.Stopped;
        return false;
      }
      exitGroup(t.tg, fatalSignalStatus(t.tg, sig));
      return false;
    }
    settleInterrupted(t, a.flags);
    if (!setupFrame(t, info)) {
      // No way to run the handler (bad stack, no restorer): SIGSEGV, as Linux forces.
      if (sig === SIGSEGV) {
        exitGroup(t.tg, fatalSignalStatus(t.tg, SIGSEGV));
        return false;
      }
      forceSignal(t, { signo: SIGSEGV, code: SI_KERNEL });
      continue;
    }
    return true;
  }
  settleInterrupted(t, null);
  // sigsuspend & co. restore their mask once no handler needs it.
  if (t.savedSigmask !== null) {
    t.sigmask = t.savedSigmask;
    t.savedSigmask = null;
  }
  return true;
}

function onAltStack(t: Task, sp: number): boolean {
  const s = t.altStack;
  return !(s.flags & SS_DISABLE) && sp > s.sp && sp - s.sp <= s.size;
}

/** Writes the frame for a handler and points the registers at it. */
function setupFrame(t: Task, info: SigInfo): boolean {
  const sig = info.signo;
  const a = t.tg.handlers.get(sig);
  if (!(a.flags & SA_RESTORER)) return false; // x86_64 needs sa_restorer
  const rsp = t.regs.get(Reg.rsp);
  const alt = { ...t.altStack };
  const alreadyOnAlt = onAltStack(t, rsp);
  let top = rsp - REDZONE;
  let usingAlt = alreadyOnAlt;
  if ((a.flags & SA_ONSTACK) && !(alt.flags & SS_DISABLE) && !alreadyOnAlt) {
    top = alt.sp + alt.size;
    usingAlt = true;
  }
  const oldMask = t.savedSigmask ?? t.sigmask;
  t.savedSigmask = null;
  let layout;
  try {
    const fp = t.kernel.platform.getFpState(t.hostTid);
    layout = buildFrame(t.regs, top, fp, encodeSigInfo(info), oldMask, a.restorer, alt, usingAlt);
    t.mm.copyOut(layout.fpAddr, layout.fp);
    t.mm.copyOut(layout.sp, layout.frame);
  } catch (e) {
    if (e === EFAULT) return false;
    throw e;
  }
  if (usingAlt && alt.flags & SS_AUTODISARM) t.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
  enterHandler(t.regs, layout.sp, a.handler, sig, layout.sp + INFO_OFF, layout.sp + 8);
  let mask = t.sigmask | a.mask;
  if (!(a.flags & SA_NODEFER)) mask |= sigBit(sig);
  t.sigmask = mask & ~UNBLOCKABLE;
  if (a.flags & SA_RESETHAND) t.tg.handlers.set(sig, { handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n });
  return true;
}

/** rt_sigreturn(2): back from a handler. Returns false if the frame is unusable (SIGSEGV). */
export function sigreturn(t: Task): boolean {
  const frameAddr = t.regs.get(Reg.rsp) - 8;
  let restored;
  try {
    const frame = t.mm.copyIn(frameAddr, FRAME_SIZE);
    restored = restoreFrame(t.regs, frame);
    if (restored.fpAddr !== 0) {
      const size = t.kernel.platform.getFpState(t.hostTid).length;
      const area = validateFpState(t.mm.copyIn(restored.fpAddr, size + 4), size);
      if (!area) return false;
      t.kernel.platform.setFpState(t.hostTid, area);
    }
  } catch (e) {
    if (e === EFAULT || e instanceof RangeError) return false;
    throw e;
  }
  t.sigmask = restored.mask & ~UNBLOCKABLE;
  // restore_altstack: silently ignored when invalid, as Linux does.
  const s = restored.alt;
  if (s.flags & SS_DISABLE) t.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
  else if (!onAltStack(t, t.regs.get(Reg.rsp)) && s.size >= 2048) t.altStack = { sp: s.sp, size: s.size, flags: s.flags & SS_AUTODISARM };
  return true;
}

/** Pending signals of a thread as sigpending(2) reports them (thread ∪ process, blocked ones). */
export function pendingMask(t: Task): bigint {
  return (t.pending.mask | t.tg.sharedPending.mask) & t.sigmask;
}

/** For logs. */
export function describeSignalState(t: Task): string {
  return `mask=${t.sigmask.toString(16)} pending=${t.pending.mask.toString(16)}/${t.tg.sharedPending.mask.toString(16)}`;
}

