// The point of no return of execve (fs/exec.c begin_new_exec): the task switches to
// the new address space (a new stub), drops close-on-exec files, resets signal
// handlers and starts at the new entry point.
import { Reg } from '../arch/amd64/registers.js';
import type { LoadedImage } from '../loader/loader.js';
import { TaskState, type Task } from './task.js';
import { finishTask } from './exit.js';
import { vforkRelease } from './clone.js';
import { commitExecCreds } from './exec_creds.js';

/** User code and stack segment selectors on x86_64 Linux. */
const USER_CS = 0x33;
const USER_DS = 0x2b;
/** IF set (and the reserved bit 1). */
const INITIAL_EFLAGS = 0x202;

/** Sets registers for a fresh program start. */
export function startRegisters(t: Task, entry: number, sp: number): void {
  t.regs.u32.fill(0);
  t.regs.set(Reg.rip, entry);
  t.regs.set(Reg.rsp, sp);
  t.regs.set(Reg.cs, USER_CS);
  t.regs.set(Reg.ss, USER_DS);
  t.regs.set(Reg.eflags, INITIAL_EFLAGS);
  t.regs.set(Reg.orig_rax, -1);
}

/** Hooks run at every successful exec (POSIX timers are deleted, ...). */
export type ExecHook = (t: Task) => void;
const execHooks: ExecHook[] = [];

export function onExec(fn: ExecHook): void {
  execHooks.push(fn);
}

/**
 * de_thread: the other threads die and, if the caller is not the leader, it takes
 * the leader's place and pid (execve(2) "All threads other than the calling thread
 * are destroyed").
 */
function deThread(t: Task): void {
  const tg = t.tg;
  const k = t.kernel;
  for (const other of [...tg.tasks]) if (other !== t) finishTask(other);
  if (tg.leader !== t) {
    const old = tg.leader;
    k.tasks.delete(t.tid);
    old.state = TaskState.Dead;
    t.tid = tg.pid;
    tg.leader = t;
    k.tasks.set(t.tid, t);
  }
}

export function commitExec(t: Task, img: LoadedImage): void {
  deThread(t);
  const old = t.mm;
  const oldHostTid = t.hostTid;
  t.mm = img.mm;
  t.kernel.rehost(t, img.mm.as.pid);
  if (old !== img.mm) {
    // A vfork child leaves its parent's address space: only its host thread goes.
    if (old.userCount > 1) old.as.exitThread(oldHostTid);
    old.decUsers();
  }
  vforkRelease(t);
  commitExecCreds(t, img.creds);
  for (const hook of execHooks) hook(t);
  t.fdTable.closeOnExec();
  t.tg.handlers.resetForExec();
  t.comm = img.comm;
  t.tg.execed = true;
  t.clearChildTid = 0;
  t.robustList = 0;
  t.robustListLen = 0;
  startRegisters(t, img.entry, img.sp);
}
