// Process groups and sessions: getpgid(2), getpgrp(2), setpgid(2), getsid(2), setsid(2).
import { EACCES, EINVAL, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';

function lookup(t: Task, pid: number): ThreadGroup {
  if (pid === 0) return t.tg;
  if (pid < 0) throw ESRCH;
  // Zombies keep their pid, group and session until reaped (threadGroups holds them).
  const tg = t.kernel.threadGroups.get(pid);
  if (!tg) throw ESRCH;
  return tg;
}

export function getpgid(t: Task, [pid]: SyscallArgs): number {
  return lookup(t, pid.int32()).pgid;
}

export function getpgrp(t: Task): number {
  return t.tg.pgid;
}

export function getsid(t: Task, [pid]: SyscallArgs): number {
  return lookup(t, pid.int32()).sid;
}

export function setsid(t: Task): number {
  const tg = t.tg;
  // A process group leader cannot start a session (its group would span two).
  for (const other of t.kernel.threadGroups.values()) {
    if (other.pgid === tg.pid) throw EPERM;
  }
  tg.sid = tg.pid;
  tg.pgid = tg.pid;
  return tg.sid;
}

export function setpgid(t: Task, [pidArg, pgidArg]: SyscallArgs): number {
  const pid = pidArg.int32();
  let pgid = pgidArg.int32();
  if (pgid < 0) throw EINVAL;
  const target = pid === 0 ? t.tg : t.kernel.threadGroups.get(pid);
  if (!target) throw ESRCH;
  if (target !== t.tg) {
    if (target.parent !== t.tg) throw ESRCH;
    if (target.sid !== t.tg.sid) throw EPERM;
    if (target.execed) throw EACCES;
  }
  if (target.sid === target.pid) throw EPERM; // session leaders stay where they are
  if (pgid === 0) pgid = target.pid;
  if (pgid !== target.pid) {
    let exists = false;
    for (const other of t.kernel.threadGroups.values()) {
      if (other.pgid === pgid && other.sid === target.sid) exists = true;
    }
    if (!exists) throw EPERM;
  }
  target.pgid = pgid;
  return 0;
}
