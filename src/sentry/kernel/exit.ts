// Exit: exit(2), exit_group(2) and death by signal (kernel/exit.c). A thread group
// becomes a zombie holding its wait status; its memory, files and host stub are
// released at once. When init dies, every process in the sandbox dies with it.
import { SIGKILL } from '../../abi/linux/signal.js';
import { log } from '../../log.js';
import { TaskState, type Task } from './task.js';
import { signaledStatus, type ThreadGroup } from './thread_group.js';

/** Releases one task's resources and removes it from the scheduler. */
function releaseTask(t: Task): void {
  const k = t.kernel;
  k.scheduler.forget(t);
  t.state = TaskState.Zombie;
  k.byHostTid.delete(t.hostTid);
  t.tg.tasks.delete(t);
  t.mm.decUsers();
  t.fdTable.decUsers();
}

/** Ends the whole thread group with a wait(2) status. */
export function exitGroup(tg: ThreadGroup, status: number): void {
  if (!tg.alive) return;
  tg.exiting = true;
  const k = tg.leader.kernel;
  for (const t of [...tg.tasks]) releaseTask(t);
  tg.exitStatus = status;
  log.debug(`process ${tg.pid} exited with status 0x${status.toString(16)}`);
  const init = k.init;
  // Orphans go to init (PR_SET_CHILD_SUBREAPER comes with the process model).
  for (const c of tg.children) {
    c.parent = init && init !== tg ? init : null;
    if (c.parent) c.parent.children.add(c);
  }
  tg.children.clear();
  if (tg.parent) {
    tg.parent.childEvents.notify(1);
  } else {
    reap(tg);
  }
  if (tg === init) {
    for (const other of [...k.threadGroups.values()]) {
      if (other !== tg && other.alive) exitGroup(other, signaledStatus(SIGKILL, false));
    }
    k.initExited(status);
  }
}

/** Removes a dead thread group's pid (wait(2) collected it, or nobody will). */
export function reap(tg: ThreadGroup): void {
  const k = tg.leader.kernel;
  k.threadGroups.delete(tg.pid);
  k.tasks.delete(tg.leader.tid);
  tg.leader.state = TaskState.Dead;
  tg.parent?.children.delete(tg);
}

/** exit(2): ends one thread; the last thread ends the group. */
export function exitThread(t: Task, code: number): void {
  if (t.tg.tasks.size <= 1) {
    exitGroup(t.tg, (code & 0xff) << 8);
    return;
  }
  releaseTask(t);
  if (t !== t.tg.leader) t.kernel.tasks.delete(t.tid);
}
