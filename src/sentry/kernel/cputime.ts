// CPU time accounting (Linux's utime/stime, sum_exec_runtime), measured by the
// Sentry the way gVisor does: a task's user time is the wall time its host thread
// spends resumed in application code, its system time the wall time the Sentry
// spends serving its syscalls (blocked time counts as neither).
//
// Why not the host's CPU clocks: Linux lets a process read another process's CPU
// clock only by its tgid and another thread's clock only from inside the same
// thread group, so the Sentry cannot read a stub *thread's* CPU time at all, and
// a stub's process clock vanishes with the stub (exec, exit) before the time can
// be handed to the parent. Wall time in user mode equals CPU time unless the host
// preempts the stub (then it runs ahead), which errs on the side Linux's tick
// accounting also errs on.
//
// The scheduler calls cpuUser/cpuSys/cpuIdle at every state change (two
// performance.now() calls per syscall round trip, ~60 ns) and cpuRetire when a
// task ends; everything else reads through the functions below.
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

/** What a task's time is being charged to right now (Task.cpuMode). */
export const enum CpuMode {
  /** Blocked, stopped, queued, or not started: not charged. */
  Idle = 0,
  /** Resumed on the host: user time. */
  User = 1,
  /** The Sentry is serving it: system time. */
  Sys = 2,
  /** Ended; its time was folded into its thread group. */
  Retired = 3,
}

const PAGE = 4096;

/** Per-process accounting beyond the times themselves (ThreadGroup.acct). */
export class GroupAccounting {
  /** Peak resident memory seen, KiB (ru_maxrss). */
  maxRssKb = 0;
  /** Voluntary context switches of exited threads. */
  deadNvcsw = 0;
  /** Reaped children (and their reaped children): RUSAGE_CHILDREN, times(2) tms_cutime/tms_cstime. */
  childrenUserNs = 0;
  childrenSysNs = 0;
  childrenMaxRssKb = 0;
  childrenNvcsw = 0;
  /** This process's times were already added to its parent's (accountReapedChild). */
  reaped = false;
}

function charge(t: Task, mode: CpuMode): void {
  const now = performance.now();
  const ns = (now - t.cpuMark) * 1e6;
  if (t.cpuMode === CpuMode.User) t.cpuUserNs += ns;
  else if (t.cpuMode === CpuMode.Sys) t.cpuSysNs += ns;
  t.cpuMark = now;
  t.cpuMode = mode;
}

/** The task's host thread was resumed. */
export function cpuUser(t: Task): void {
  if (t.cpuMode !== CpuMode.Retired) charge(t, CpuMode.User);
}

/** The task stopped for the Sentry (syscall, fault, interrupt) or its blocked syscall is retried. */
export function cpuSys(t: Task): void {
  if (t.cpuMode !== CpuMode.Retired) charge(t, CpuMode.Sys);
}

/** The task blocked (a voluntary context switch), stopped, or is otherwise not running. */
export function cpuIdle(t: Task, voluntary = false): void {
  if (t.cpuMode === CpuMode.Retired) return;
  charge(t, CpuMode.Idle);
  if (voluntary) t.nvcsw++;
}

/** The task ended: its times and peak memory move to its thread group (Linux's signal_struct sums). */
export function cpuRetire(t: Task): void {
  if (t.cpuMode === CpuMode.Retired) return;
  charge(t, CpuMode.Retired);
  const tg = t.tg;
  tg.cpuUserNs += t.cpuUserNs;
  tg.cpuSysNs += t.cpuSysNs;
  tg.acct.deadNvcsw += t.nvcsw;
  noteRss(t);
}

/** User and system time of one task so far, ns (the running interval included). */
export function taskTimes(t: Task): { user: number; sys: number } {
  let user = t.cpuUserNs;
  let sys = t.cpuSysNs;
  if (t.cpuMode === CpuMode.User) user += (performance.now() - t.cpuMark) * 1e6;
  else if (t.cpuMode === CpuMode.Sys) sys += (performance.now() - t.cpuMark) * 1e6;
  return { user, sys };
}

/** User and system time of a whole process: exited threads plus live ones, ns. */
export function groupTimes(tg: ThreadGroup): { user: number; sys: number } {
  let user = tg.cpuUserNs;
  let sys = tg.cpuSysNs;
  for (const t of tg.tasks) {
    if (t.cpuMode === CpuMode.Retired) continue;
    const x = taskTimes(t);
    user += x.user;
    sys += x.sys;
  }
  return { user, sys };
}

/** CLOCK_THREAD_CPUTIME_ID (Linux's sum_exec_runtime of the thread), ns. */
export function threadCpuNs(t: Task): number {
  const x = taskTimes(t);
  return Math.floor(x.user + x.sys);
}

/** CLOCK_PROCESS_CPUTIME_ID, ITIMER_PROF and RLIMIT_CPU time, ns. */
export function processCpuNs(tg: ThreadGroup): number {
  const x = groupTimes(tg);
  return Math.floor(x.user + x.sys);
}

/** ITIMER_VIRTUAL time: user time only, ns. */
export function processUserNs(tg: ThreadGroup): number {
  return Math.floor(groupTimes(tg).user);
}

/** Voluntary context switches of the live threads. */
function groupNvcswLive(tg: ThreadGroup): number {
  let n = 0;
  for (const t of tg.tasks) if (t.cpuMode !== CpuMode.Retired) n += t.nvcsw;
  return n;
}

/** Voluntary context switches of the whole process (ru_nvcsw). */
export function groupNvcsw(tg: ThreadGroup): number {
  return tg.acct.deadNvcsw + groupNvcswLive(tg);
}

/** Tasks of the group whose host threads are running (how fast its CPU clock can advance). */
export function runningThreads(tg: ThreadGroup): number {
  let n = 0;
  for (const t of tg.tasks) if (t.cpuMode === CpuMode.User || t.cpuMode === CpuMode.Sys) n++;
  return n;
}

/**
 * Resident memory of the task's address space in bytes: the mappings the memory
 * file backs (what /proc/<pid>/status calls VmRSS). Recorded as a high-water mark
 * on the thread group when sampled (getrusage, task exit), since the memory manager
 * keeps no peak of its own.
 */
export function rssBytes(t: Task): number {
  let n = 0;
  try {
    for (const v of t.mm.mappings) if (v.backing) n += v.end - v.start;
  } catch {
    return 0;
  }
  return n;
}

/** Updates the group's peak RSS from the task's address space; returns the peak in KiB. */
export function noteRss(t: Task): number {
  const kb = Math.ceil(rssBytes(t) / PAGE) * (PAGE / 1024);
  const a = t.tg.acct;
  if (kb > a.maxRssKb) a.maxRssKb = kb;
  return a.maxRssKb;
}

/**
 * wait(2) reaped `child`: its times (and its own reaped children's) add to the
 * parent's RUSAGE_CHILDREN and times(2) tms_cutime/tms_cstime, and its peak RSS to
 * the parent's children peak (kernel/exit.c wait_task_zombie). Idempotent per child.
 */
export function accountReapedChild(parent: ThreadGroup, child: ThreadGroup): void {
  const c = child.acct;
  const p = parent.acct;
  if (c.reaped) return;
  c.reaped = true;
  const x = groupTimes(child);
  p.childrenUserNs += x.user + c.childrenUserNs;
  p.childrenSysNs += x.sys + c.childrenSysNs;
  parent.childrenCpuNs = p.childrenUserNs + p.childrenSysNs;
  p.childrenMaxRssKb = Math.max(p.childrenMaxRssKb, c.maxRssKb, c.childrenMaxRssKb);
  p.childrenNvcsw += c.deadNvcsw + groupNvcswLive(child) + c.childrenNvcsw;
}
