// Creating tasks (kernel/fork.c): fork, vfork, clone, clone3. A new thread is a new
// host thread in its address space's stub; a new process gets a new stub and a
// copy-on-write copy of the memory. Files, fs context and signal handlers are
// shared or copied as the CLONE_* flags say.
import { EAGAIN, EINVAL, EPERM } from '../../abi/linux/errno.js';
import { NSIG, SIGCHLD } from '../../abi/linux/signal.js';
import { RLIMIT_NPROC } from '../../abi/linux/limits.js';
import { Reg } from '../arch/amd64/registers.js';
import { Block } from './block.js';
import { CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from './credentials.js';
import type { Kernel } from './kernel.js';
import { Task, TaskState } from './task.js';
import { ThreadGroup } from './thread_group.js';
import { WaitQueue } from './waiter.js';
import { semShareUndo } from './ipc/namespace.js';

export const CSIGNAL = 0xff;
export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000;
export const CLONE_PTRACE = 0x2000;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x10000;
export const CLONE_NEWNS = 0x20000;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000;
export const CLONE_DETACHED = 0x400000;
export const CLONE_UNTRACED = 0x800000;
export const CLONE_CHILD_SETTID = 0x1000000;
export const CLONE_NEWCGROUP = 0x2000000;
export const CLONE_NEWUTS = 0x4000000;
export const CLONE_NEWIPC = 0x8000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;
export const CLONE_CLEAR_SIGHAND = 0x100000000n;
export const CLONE_INTO_CGROUP = 0x200000000n;
export const CLONE_NEWTIME = 0x80;
export const NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
  CLONE_NEWNET | CLONE_NEWTIME;

/** Default limit on tasks per sandbox (threads included). */
export const DEFAULT_MAX_TASKS = 4096;

export interface CloneArgs {
  /** Low 32 bits of the flags (clone3's upper bits are checked separately). */
  flags: number;
  flagsHigh: bigint;
  exitSignal: number;
  /** New stack pointer (0: same as the parent's). */
  stack: number;
  parentTid: number;
  childTid: number;
  tls: number;
  /** Where CLONE_PIDFD stores the fd (clone: parentTid; clone3: args.pidfd). */
  pidfdAddr: number;
}

/** Hooks for subsystems that keep per-process state across fork (IPC, timers). */
export type ForkHook = (parent: Task, child: Task, newProcess: boolean) => void;
const forkHooks: ForkHook[] = [];

export function onFork(fn: ForkHook): void {
  forkHooks.push(fn);
}

/** Creates pidfds (the pidfd file lives with the VFS code); set by the pidfd syscalls. */
export let makePidfd: ((t: Task, target: ThreadGroup) => number) | null = null;

export function setPidfdMaker(fn: (t: Task, target: ThreadGroup) => number): void {
  makePidfd = fn;
}

function validate(t: Task, a: CloneArgs): void {
  const f = a.flags;
  if ((f & CLONE_NEWNS) && (f & CLONE_FS)) throw EINVAL;
  if ((f & CLONE_NEWUSER) && (f & CLONE_FS)) throw EINVAL;
  if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND)) throw EINVAL;
  if ((f & CLONE_SIGHAND) && !(f & CLONE_VM)) throw EINVAL;
  if ((f & CLONE_PARENT) && t.tg === t.kernel.init) throw EINVAL;
  if ((f & CLONE_THREAD) && (f & (CLONE_NEWUSER | CLONE_NEWPID))) throw EINVAL;
  if ((f & CLONE_PIDFD) && ((f & CLONE_THREAD) || (f & CLONE_DETACHED))) throw EINVAL;
  if ((a.flagsHigh & CLONE_CLEAR_SIGHAND) && (f & CLONE_SIGHAND)) throw EINVAL;
  if (a.exitSignal < 0 || a.exitSignal > NSIG) throw EINVAL;
  // Mount namespaces are ours; the others are not virtualized yet: refuse as an
  // unprivileged kernel would.
  if (f & NAMESPACES & ~CLONE_NEWNS) throw EPERM;
  if (f & CLONE_NEWNS && !t.creds.hasCap(CAP_SYS_ADMIN)) throw EPERM;
}

function checkLimits(t: Task): void {
  const k = t.kernel;
  if (k.taskCount >= (k.opts.maxTasks ?? DEFAULT_MAX_TASKS)) throw EAGAIN;
  const c = t.creds;
  if (c.ruid !== 0 && !c.hasCap(CAP_SYS_RESOURCE) && !c.hasCap(CAP_SYS_ADMIN)) {
    let n = 0;
    for (const task of k.byHostTid.values()) if (task.creds.ruid === c.ruid) n++;
    if (n >= t.limit(RLIMIT_NPROC).cur) throw EAGAIN;
  }
}

/** clone/fork/vfork/clone3 after decoding: returns the child's tid to the parent (or a vfork Block). */
export function doClone(t: Task, a: CloneArgs): number | Block {
  validate(t, a);
  checkLimits(t);
  const k: Kernel = t.kernel;
  const f = a.flags;
  const tid = k.allocPid();

  // Address space: a thread of ours (same stub) or a copy-on-write copy (new stub).
  let mm = t.mm;
  let hostTid: number;
  if (f & CLONE_VM) {
    hostTid = mm.as.newThread(t.hostTid);
    mm.incUsers();
  } else {
    const as = k.platform.newAddressSpace();
    hostTid = as.pid;
    mm = t.mm.fork(as, as.pid);
    const rsp = a.stack !== 0 ? a.stack : t.regs.get(Reg.rsp);
    const tls = f & CLONE_SETTLS ? a.tls : t.regs.get(Reg.fs_base);
    mm.prepareAfterFork(rsp, t.regs.get(Reg.rip), tls);
    t.mm.prepareAfterFork(t.regs.get(Reg.rsp), t.regs.get(Reg.rip), t.regs.get(Reg.fs_base));
  }
  const fdTable = f & CLONE_FILES ? t.fdTable : t.fdTable.fork();
  if (f & CLONE_FILES) fdTable.incUsers();
  const fs = f & CLONE_FS ? t.fs : t.fs.clone();
  if (f & CLONE_NEWNS) fs.unshareMounts();

  let tg: ThreadGroup;
  if (f & CLONE_THREAD) {
    tg = t.tg;
  } else {
    const handlers = f & CLONE_SIGHAND ? t.tg.handlers : t.tg.handlers.clone();
    if (a.flagsHigh & CLONE_CLEAR_SIGHAND) {
      for (let s = 1; s <= NSIG; s++) if (handlers.get(s).handler > 1) handlers.set(s, { ...handlers.get(s), handler: 0 });
    }
    const parent = f & CLONE_PARENT ? t.tg.parent : t.tg;
    tg = new ThreadGroup(tid, parent, handlers, t.tg.limits.clone(), t.tg.pgid, t.tg.sid);
    tg.exitSignal = a.exitSignal;
    tg.execed = false;
    tg.parentThread = f & CLONE_PARENT ? t.tg.parentThread : t;
  }

  const child = new Task(k, tid, hostTid, tg, mm, fdTable, fs, t.creds.clone());
  child.comm = t.comm;
  child.sigmask = t.sigmask;
  child.affinity = t.affinity;
  // A thread on a shared stack would corrupt the parent's alternate stack.
  if (!(f & CLONE_VM) || (f & CLONE_VFORK)) child.altStack = { ...t.altStack };
  child.regs.copyFrom(t.regs);
  child.regs.set(Reg.rax, 0);
  child.regs.set(Reg.orig_rax, -1);
  if (a.stack !== 0) child.regs.set(Reg.rsp, a.stack);
  if (f & CLONE_SETTLS) child.regs.set(Reg.fs_base, a.tls);
  if (f & CLONE_CHILD_CLEARTID) child.clearChildTid = a.childTid;

  tg.addTask(child);
  if (!(f & CLONE_THREAD)) {
    k.threadGroups.set(tid, tg);
    tg.parent?.children.add(tg);
  }
  k.registerTask(child);
  for (const hook of forkHooks) hook(t, child, !(f & CLONE_THREAD));
  // CLONE_SYSVSEM without CLONE_THREAD: the new process shares the SEM_UNDO list.
  if ((f & CLONE_SYSVSEM) && !(f & CLONE_THREAD)) semShareUndo(t.tg, tg);

  // Memory writes the caller asked for; faults here do not undo the clone (Linux ignores them too).
  const tryWrite = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // EFAULT on these pointers is silently ignored, as in Linux.
    }
  };
  if (f & CLONE_CHILD_SETTID) tryWrite(() => child.mm.writeU32(a.childTid, tid));
  if (f & CLONE_PARENT_SETTID) tryWrite(() => t.mm.writeU32(a.parentTid, tid));
  if ((f & CLONE_PIDFD) && makePidfd) {
    const fd = makePidfd(t, tg);
    tryWrite(() => t.mm.writeU32(a.pidfdAddr, fd));
  }

  child.state = TaskState.InSentry;
  if (f & CLONE_VFORK) child.vforkDone = new WaitQueue();
  k.scheduler.resume(child);

  if (f & CLONE_VFORK) {
    // The parent sleeps until the child has execed or exited (its memory is ours).
    const done = child.vforkDone!;
    const wait = (): number | Block =>
      child.vforkDone === null ? tid : new Block(wait, [{ queue: done, mask: 1 }], null, null, false);
    return wait();
  }
  return tid;
}

/** Ends a vfork parent's wait (the child execed or exited). */
export function vforkRelease(child: Task): void {
  const q = child.vforkDone;
  if (!q) return;
  child.vforkDone = null;
  q.notify(1);
}

export { SIGCHLD as DEFAULT_EXIT_SIGNAL };
