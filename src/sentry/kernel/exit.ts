// Exit (kernel/exit.c): exit(2) ends a thread, exit_group(2) and fatal signals end
// every thread of a process. A finished process is a zombie holding its wait(2)
// status until its parent reaps it (or at once, when the parent ignores SIGCHLD).
// Its memory, files and host threads go away immediately. Children are reparented
// to the nearest subreaper or to init; when init dies, everyone dies.
import { SIGCHLD, SIGKILL, SIG_IGN } from '../../abi/linux/signal.js';
import { log } from '../../log.js';
import { vforkRelease } from './clone.js';
import { CLD_DUMPED, CLD_EXITED, CLD_KILLED, SI_USER } from './signal_queue.js';
import { sendToGroup } from './signals.js';
import { TaskState, type Task } from './task.js';
import { signaledStatus, type ThreadGroup } from './thread_group.js';

const SA_NOCLDWAIT = 2;

/** Per-process teardown hooks (SysV semaphore undo, timers, ...). */
export type ExitHook = (tg: ThreadGroup) => void;
const exitHooks: ExitHook[] = [];

export function onProcessExit(fn: ExitHook): void {
  exitHooks.push(fn);
}

/** The host side of a task's end: its host thread, or the whole stub if it was the last user. */
function releaseHost(t: Task): void {
  const k = t.kernel;
  if (t.mm.userCount > 1) {
    // Others still use this address space (threads of another process after vfork):
    // end only our host thread; a running one must first be stopped.
    if (t.state === TaskState.Running) {
      t.hostExitPending = true;
      k.platform.interrupt(t.hostTid);
    } else {
      t.mm.as.exitThread(t.hostTid);
      k.byHostTid.delete(t.hostTid);
    }
  } else {
    k.byHostTid.delete(t.hostTid);
  }
  t.mm.decUsers();
}

/** Ends one task: thread-level teardown shared by exit(2), exit_group(2) and exec's de-threading. */
export function finishTask(t: Task): void {
  if (t.state === TaskState.Zombie || t.state === TaskState.Dead) return;
  const k = t.kernel;
  // Robust futexes get OWNER_DIED; PI futexes it owns pass to their top waiters.
  k.futexes.exitTask(t);
  // CLONE_CHILD_CLEARTID: pthread_join waits on this word.
  if (t.clearChildTid !== 0 && t.mm.userCount > 1) {
    try {
      t.mm.writeU32(t.clearChildTid, 0);
      k.futexes.wake(t, t.clearChildTid, 1, 0xffffffff, false);
    } catch {
      // unmapped: nothing to clear
    }
  }
  vforkRelease(t);
  k.futexes.cancel(t);
  k.scheduler.forget(t);
  releaseHost(t);
  t.fdTable.decUsers();
  t.tg.tasks.delete(t);
  t.state = TaskState.Zombie;
  if (!t.tg.exiting && t.tg.tasks.size > 0) adoptThreadChildren(t);
  // A thread's tid is free at once; the leader's stays as the process's pid until reaped.
  if (t !== t.tg.leader) {
    t.state = TaskState.Dead;
    k.tasks.delete(t.tid);
  }
}

/** PR_SET_PDEATHSIG: sent as if by kill(2) from the dying parent (SEND_SIG_NOINFO). */
function sendParentDeath(c: ThreadGroup, dying: ThreadGroup): void {
  if (c.pdeathSignal && c.alive) {
    sendToGroup(c, { signo: c.pdeathSignal, code: SI_USER, pid: dying.pid, uid: dying.leader.creds.ruid });
  }
}

/** A thread exited while its process lives on: a sibling thread becomes its children's parent. */
function adoptThreadChildren(t: Task): void {
  const heir = firstThread(t.tg);
  for (const c of t.tg.children) {
    if (c.parentThread !== t) continue;
    c.parentThread = heir;
    sendParentDeath(c, t.tg);
  }
}

function firstThread(tg: ThreadGroup): Task | null {
  if (tg.tasks.has(tg.leader)) return tg.leader;
  for (const t of tg.tasks) return t;
  return null;
}

/** Ends the whole thread group with a wait(2) status. */
export function exitGroup(tg: ThreadGroup, status: number): void {
  if (!tg.alive || tg.exiting) return;
  tg.exiting = true;
  for (const t of [...tg.tasks]) finishTask(t);
  finalizeGroup(tg, status);
}

/** exit(2): ends one thread; the last thread ends the process. */
export function exitThread(t: Task, code: number): void {
  const tg = t.tg;
  finishTask(t);
  if (tg.tasks.size === 0 && tg.alive && !tg.exiting) {
    tg.exiting = true;
    finalizeGroup(tg, (code & 0xff) << 8);
  }
}

function childCode(status: number): number {
  if ((status & 0x7f) === 0) return CLD_EXITED;
  return status & 0x80 ? CLD_DUMPED : CLD_KILLED;
}

/** The nearest living ancestor that is a child subreaper, else init. */
function newParentFor(tg: ThreadGroup): ThreadGroup | null {
  const k = tg.leader.kernel;
  for (let p = tg.parent; p; p = p.parent) if (p.alive && p !== tg && p.subreaper) return p;
  return k.init && k.init !== tg && k.init.alive ? k.init : null;
}

function finalizeGroup(tg: ThreadGroup, status: number): void {
  const k = tg.leader.kernel;
  tg.exitStatus = status;
  tg.stopped = false;
  log.debug(`process ${tg.pid} exited with status 0x${status.toString(16)}`);
  for (const hook of exitHooks) {
    try {
      hook(tg);
    } catch (e) {
      log.warn(`exit hook failed for ${tg.pid}: ${String(e)}`);
    }
  }
  // Orphans: to the nearest subreaper or init, which may have to reap zombies now.
  const heir = newParentFor(tg);
  for (const c of [...tg.children]) {
    tg.children.delete(c);
    c.parent = heir;
    c.parentThread = heir ? firstThread(heir) : null;
    if (heir) {
      heir.children.add(c);
      if (!c.alive) heir.childEvents.notify(1);
    } else if (!c.alive) {
      reap(c);
    }
    sendParentDeath(c, tg);
  }
  const p = tg.parent;
  if (p && p.alive) {
    const a = p.handlers.get(SIGCHLD);
    const autoReap = tg.exitSignal === SIGCHLD && (a.handler === SIG_IGN || (a.flags & SA_NOCLDWAIT) !== 0);
    // Wake waiters before signalling: a parent asleep in wait4 must return this child
    // rather than EINTR, as Linux's do_wait rechecks children before signals.
    p.childEvents.notify(1);
    if (tg.exitSignal > 0) {
      sendToGroup(p, {
        signo: tg.exitSignal, code: childCode(status), pid: tg.pid, uid: tg.leader.creds.ruid,
        status: (status & 0x7f) === 0 ? (status >> 8) & 0xff : status & 0x7f,
      });
    }
    if (autoReap) reap(tg);
  } else {
    reap(tg);
  }
  if (tg === k.init) {
    for (const other of [...k.threadGroups.values()]) {
      if (other !== tg && other.alive) exitGroup(other, signaledStatus(SIGKILL, false));
    }
    k.initExited(status);
  }
}

/** Removes a dead process's pid (wait(2) collected it, or nobody will). */
export function reap(tg: ThreadGroup): void {
  const k = tg.leader.kernel;
  k.threadGroups.delete(tg.pid);
  k.tasks.delete(tg.leader.tid);
  tg.leader.state = TaskState.Dead;
  tg.parent?.children.delete(tg);
  tg.reaped = true;
}
