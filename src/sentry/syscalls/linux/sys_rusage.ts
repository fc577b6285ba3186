// getrusage(2), and the struct rusage codec wait4(2) shares. Times come from the
// Sentry's CPU accounting (kernel/cputime.ts): user time is time in application
// code, system time is time the Sentry spent serving the task's syscalls. ru_maxrss
// is the peak of memory-file-backed mappings (/proc's VmRSS) sampled at getrusage
// and at thread exit; ru_nvcsw counts blocking waits. The other fields are 0.
import { EINVAL } from '../../../abi/linux/errno.js';
import {
  groupNvcsw, groupTimes, noteRss, taskTimes, type GroupAccounting,
} from '../../kernel/cputime.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';

export const RUSAGE_SELF = 0;
export const RUSAGE_CHILDREN = -1;
export const RUSAGE_THREAD = 1;
export const RUSAGE_SIZE = 144;

/** The fields of struct rusage tsvisor fills. Times in ns, maxrss in KiB. */
export interface Usage {
  userNs: number;
  sysNs: number;
  maxRssKb: number;
  nvcsw: number;
}

export function encodeRusage(u: Usage): Uint8Array {
  const b = new Uint8Array(RUSAGE_SIZE);
  const dv = new DataView(b.buffer);
  const tv = (off: number, ns: number): void => {
    const n = Math.max(0, Math.floor(ns));
    dv.setBigInt64(off, BigInt(Math.floor(n / 1e9)), true);
    dv.setBigInt64(off + 8, BigInt(Math.floor((n % 1e9) / 1000)), true);
  };
  tv(0, u.userNs);
  tv(16, u.sysNs);
  dv.setBigInt64(32, BigInt(u.maxRssKb), true);
  dv.setBigInt64(128, BigInt(u.nvcsw), true);
  return b;
}

function childrenUsage(a: GroupAccounting): Usage {
  return { userNs: a.childrenUserNs, sysNs: a.childrenSysNs, maxRssKb: a.childrenMaxRssKb, nvcsw: a.childrenNvcsw };
}

/** RUSAGE_SELF: every thread of the process, live and exited. */
export function selfUsage(t: Task): Usage {
  const x = groupTimes(t.tg);
  return { userNs: x.user, sysNs: x.sys, maxRssKb: noteRss(t), nvcsw: groupNvcsw(t.tg) };
}

/**
 * What wait4(2) reports for a reaped (or waited-for) child: its own usage plus that
 * of the children it reaped (Linux's RUSAGE_BOTH of the child).
 */
export function waitedChildUsage(child: ThreadGroup): Usage {
  const x = groupTimes(child);
  const a = child.acct;
  return {
    userNs: x.user + a.childrenUserNs,
    sysNs: x.sys + a.childrenSysNs,
    maxRssKb: Math.max(a.maxRssKb, a.childrenMaxRssKb),
    nvcsw: groupNvcsw(child) + a.childrenNvcsw,
  };
}

export function getrusage(t: Task, [who, usage]: SyscallArgs): number {
  let u: Usage;
  switch (who.int32()) {
    case RUSAGE_SELF:
      u = selfUsage(t);
      break;
    case RUSAGE_CHILDREN:
      u = childrenUsage(t.tg.acct);
      break;
    case RUSAGE_THREAD: {
      const x = taskTimes(t);
      u = { userNs: x.user, sysNs: x.sys, maxRssKb: noteRss(t), nvcsw: t.nvcsw };
      break;
    }
    default:
      throw EINVAL;
  }
  t.mm.copyOut(usage.addr(), encodeRusage(u));
  return 0;
}
