// sched_getaffinity(2), sched_setaffinity(2), sched_yield(2), getcpu(2), and the
// scheduling attributes: sched_{get,set}scheduler, sched_{get,set}param,
// sched_{get,set}attr, sched_rr_get_interval, sched_get_priority_min/max,
// {get,set}priority. Attributes are checked like Linux, stored and read back
// (kernel/sched_params.ts); the host scheduler does the actual scheduling.
import { E2BIG, EACCES, EINVAL, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import { RLIMIT_NICE, RLIMIT_RTPRIO } from '../../../abi/linux/limits.js';
import { CAP_SYS_NICE } from '../../kernel/credentials.js';
import {
  SCHED_DEADLINE, SCHED_IDLE, SCHED_RR, isFairPolicy, isRtPolicy, schedParams, setSchedParams, validPolicy,
  type SchedParams,
} from '../../kernel/sched_params.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

/** Bytes of a cpumask as the kernel sizes it (nr_cpu_ids rounded up to longs). */
function maskBytes(cpus: number): number {
  return Math.ceil(cpus / 64) * 8;
}

function lookup(t: Task, pid: number): Task {
  if (pid === 0) return t;
  const tt = t.kernel.tasks.get(pid);
  if (!tt) throw ESRCH;
  return tt;
}

export function sched_getaffinity(t: Task, [pid, len, mask]: SyscallArgs): number {
  const target = lookup(t, pid.int32());
  const cpus = t.kernel.opts.cpus;
  const need = maskBytes(cpus);
  const l = len.size();
  if (l < need || l % 8 !== 0) throw EINVAL;
  const b = new Uint8Array(need);
  const set = target.affinity ?? (1n << BigInt(cpus)) - 1n;
  for (let i = 0; i < cpus; i++) if ((set >> BigInt(i)) & 1n) b[i >> 3]! |= 1 << (i & 7);
  t.mm.copyOut(mask.addr(), b);
  return need;
}

/** Placement is the host scheduler's business; the mask is kept so it reads back. */
export function sched_setaffinity(t: Task, [pid, len, mask]: SyscallArgs): number {
  const target = lookup(t, pid.int32());
  const l = Math.min(len.size(), 1024);
  const b = t.mm.copyIn(mask.addr(), l);
  const cpus = t.kernel.opts.cpus;
  let set = 0n;
  for (let i = 0; i < Math.min(cpus, l * 8); i++) if (b[i >> 3]! & (1 << (i & 7))) set |= 1n << BigInt(i);
  if (set === 0n) throw EINVAL;
  target.affinity = set;
  return 0;
}

export function sched_yield(): number {
  return 0;
}

export function getcpu(t: Task, [cpu, node]: SyscallArgs): number {
  if (cpu.addr() !== 0) t.mm.writeU32(cpu.addr(), 0);
  if (node.addr() !== 0) t.mm.writeU32(node.addr(), 0);
  return 0;
}


export function sched_get_priority_max(t: Task, [policy]: SyscallArgs): number {
  const p = policy.int32();
  if (p === 1 || p === 2) return 99;
  if (p === 0 || p === 3 || p === 5 || p === 6) return 0;
  throw EINVAL;
}

export function sched_get_priority_min(t: Task, [policy]: SyscallArgs): number {
  const p = policy.int32();
  if (p === 1 || p === 2) return 1;
  if (p === 0 || p === 3 || p === 5 || p === 6) return 0;
  throw EINVAL;
}


// ---- scheduling policy and priority ----

const SCHED_RESET_ON_FORK = 0x4000_0000;
/** sched_setparam: keep the policy. */
const SETPARAM_POLICY = -1;
const SCHED_FLAG_RESET_ON_FORK = 0x01;
const SCHED_FLAG_KEEP_POLICY = 0x08;
const SCHED_FLAG_KEEP_PARAMS = 0x10;
const SCHED_FLAG_UTIL_CLAMP = 0x20 | 0x40;
const SCHED_FLAG_ALL = 0x7f;
const SCHED_ATTR_SIZE_VER0 = 48;
const SCHED_ATTR_SIZE_VER1 = 56;
const MAX_RT_PRIO = 100;
/** RR_TIMESLICE: 100 ms. */
const RR_TIMESLICE_NS = 100_000_000;
/** What a fair task reports as its slice (one 4 ms tick). */
const FAIR_SLICE_NS = 4_000_000;
/** sysctl_sched_dl_period_min/max, ns. */
const DL_PERIOD_MIN = 100_000n;
const DL_PERIOD_MAX = 4_194_304_000n;
const PRIO_PROCESS = 0;
const PRIO_PGRP = 1;
const PRIO_USER = 2;

/** sched_attr as passed in (what __sched_setscheduler reads). */
interface SchedAttr {
  policy: number;
  flags: number;
  nice: number;
  priority: number;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

/** RLIMIT_NICE allows this nice value (is_nice_reduction: 20 - nice <= rlimit). */
function niceAllowedByLimit(p: Task, nice: number): boolean {
  return 20 - nice <= p.limit(RLIMIT_NICE).cur;
}

function canNice(caller: Task, p: Task, nice: number): boolean {
  return niceAllowedByLimit(p, nice) || caller.creds.hasCap(CAP_SYS_NICE);
}

function checkparamDl(a: SchedAttr): boolean {
  if (a.deadline === 0n || a.runtime < 1024n) return false;
  if (a.deadline >= 1n << 63n || a.period >= 1n << 63n) return false;
  const period = a.period === 0n ? a.deadline : a.period;
  if (period < a.deadline || a.deadline < a.runtime) return false;
  return period >= DL_PERIOD_MIN && period <= DL_PERIOD_MAX;
}

/** What an unprivileged caller may not do (user_check_sched_setscheduler); EPERM without CAP_SYS_NICE. */
function needsPrivilege(caller: Task, p: Task, cur: Readonly<SchedParams>, a: SchedAttr, policy: number,
  resetOnFork: boolean): boolean {
  if (isFairPolicy(policy) && a.nice < cur.nice && !niceAllowedByLimit(p, a.nice)) return true;
  if (isRtPolicy(policy)) {
    const rlim = p.limit(RLIMIT_RTPRIO).cur;
    if (policy !== cur.policy && !rlim) return true;
    if (a.priority > cur.priority && a.priority > rlim) return true;
  }
  if (policy === SCHED_DEADLINE) return true;
  if (cur.policy === SCHED_IDLE && policy !== SCHED_IDLE && !niceAllowedByLimit(p, cur.nice)) return true;
  const c = caller.creds;
  const pc = p.creds;
  if (c.euid !== pc.euid && c.euid !== pc.ruid) return true;
  return cur.resetOnFork && !resetOnFork;
}

/** __sched_setscheduler. */
function setScheduler(caller: Task, p: Task, a: SchedAttr): void {
  const cur = schedParams(p);
  let policy = a.policy;
  let resetOnFork: boolean;
  if (policy < 0) {
    resetOnFork = cur.resetOnFork;
    policy = cur.policy;
  } else {
    resetOnFork = (a.flags & SCHED_FLAG_RESET_ON_FORK) !== 0;
    if (!validPolicy(policy)) throw EINVAL;
  }
  if (a.flags & ~SCHED_FLAG_ALL) throw EINVAL;
  if (a.priority < 0 || a.priority > MAX_RT_PRIO - 1) throw EINVAL;
  if ((policy === SCHED_DEADLINE && !checkparamDl(a)) || isRtPolicy(policy) !== (a.priority !== 0)) throw EINVAL;
  if (needsPrivilege(caller, p, cur, a, policy, resetOnFork) && !caller.creds.hasCap(CAP_SYS_NICE)) throw EPERM;
  const next: SchedParams = { ...cur, resetOnFork };
  if (!(a.flags & SCHED_FLAG_KEEP_PARAMS)) {
    next.policy = policy;
    if (policy === SCHED_DEADLINE) {
      next.runtime = a.runtime;
      next.deadline = a.deadline;
      next.period = a.period === 0n ? a.deadline : a.period;
    } else if (isFairPolicy(policy)) {
      next.nice = a.nice;
    }
    next.priority = a.priority;
  }
  setSchedParams(p, next);
}

function setschedulerCommon(t: Task, pid: number, policy: number, param: number): number {
  if (param === 0 || pid < 0) throw EINVAL;
  const priority = t.mm.readI32(param);
  const p = lookup(t, pid);
  const a: SchedAttr = { policy, flags: 0, nice: schedParams(p).nice, priority, runtime: 0n, deadline: 0n, period: 0n };
  // The legacy way to ask for reset-on-fork: a flag in the policy.
  if (policy !== SETPARAM_POLICY && policy & SCHED_RESET_ON_FORK) {
    a.flags |= SCHED_FLAG_RESET_ON_FORK;
    a.policy = policy & ~SCHED_RESET_ON_FORK;
  }
  setScheduler(t, p, a);
  return 0;
}

export function sched_setscheduler(t: Task, [pid, policy, param]: SyscallArgs): number {
  if (policy.int32() < 0) throw EINVAL;
  return setschedulerCommon(t, pid.int32(), policy.int32(), param.addr());
}

export function sched_setparam(t: Task, [pid, param]: SyscallArgs): number {
  return setschedulerCommon(t, pid.int32(), SETPARAM_POLICY, param.addr());
}

export function sched_getscheduler(t: Task, [pid]: SyscallArgs): number {
  if (pid.int32() < 0) throw EINVAL;
  const p = schedParams(lookup(t, pid.int32()));
  return p.policy | (p.resetOnFork ? SCHED_RESET_ON_FORK : 0);
}

export function sched_getparam(t: Task, [pid, param]: SyscallArgs): number {
  if (pid.int32() < 0 || param.addr() === 0) throw EINVAL;
  const p = schedParams(lookup(t, pid.int32()));
  t.mm.writeU32(param.addr(), isRtPolicy(p.policy) ? p.priority : 0);
  return 0;
}

/** sched_copy_attr: sizes below VER0 or unknown non-zero trailing bytes are E2BIG (with our size written back). */
function readAttr(t: Task, addr: number): SchedAttr {
  let size = t.mm.readU32(addr);
  if (size === 0) size = SCHED_ATTR_SIZE_VER0;
  const tooBig = (): never => {
    t.mm.writeU32(addr, SCHED_ATTR_SIZE_VER1);
    throw E2BIG;
  };
  if (size < SCHED_ATTR_SIZE_VER0 || size > 4096) tooBig();
  const b = t.mm.copyIn(addr, size);
  for (let i = SCHED_ATTR_SIZE_VER1; i < size; i++) if (b[i] !== 0) tooBig();
  const full = new Uint8Array(SCHED_ATTR_SIZE_VER1);
  full.set(b.subarray(0, Math.min(size, SCHED_ATTR_SIZE_VER1)));
  const dv = new DataView(full.buffer);
  const flags = dv.getBigUint64(8, true);
  const a: SchedAttr = {
    policy: dv.getInt32(4, true),
    // Flags beyond 32 bits are unknown flags: -1 makes them fail validation like those.
    flags: flags > 0xffff_ffffn ? -1 : Number(flags),
    nice: Math.min(Math.max(dv.getInt32(16, true), -20), 19),
    priority: dv.getUint32(20, true),
    runtime: dv.getBigUint64(24, true),
    deadline: dv.getBigUint64(32, true),
    period: dv.getBigUint64(40, true),
  };
  if (a.flags & SCHED_FLAG_UTIL_CLAMP) {
    if (size < SCHED_ATTR_SIZE_VER1) throw EINVAL;
    // Utilization clamps are accepted within range and not stored.
    if (dv.getUint32(48, true) > 1024 || dv.getUint32(52, true) > 1024) throw EINVAL;
  }
  return a;
}

export function sched_setattr(t: Task, [pid, uattr, flags]: SyscallArgs): number {
  if (uattr.addr() === 0 || pid.int32() < 0 || flags.uint32() !== 0) throw EINVAL;
  const a = readAttr(t, uattr.addr());
  if (a.policy < 0) throw EINVAL;
  if (a.flags & SCHED_FLAG_KEEP_POLICY) a.policy = SETPARAM_POLICY;
  const p = lookup(t, pid.int32());
  if (a.flags & SCHED_FLAG_KEEP_PARAMS) {
    const cur = schedParams(p);
    a.nice = cur.nice;
    a.priority = isRtPolicy(cur.policy) ? cur.priority : 0;
    a.runtime = cur.runtime;
    a.deadline = cur.deadline;
    a.period = cur.period;
  }
  setScheduler(t, p, a);
  return 0;
}

export function sched_getattr(t: Task, [pid, uattr, usize, flags]: SyscallArgs): number {
  const size = usize.uint32();
  if (uattr.addr() === 0 || pid.int32() < 0 || size > 4096 || size < SCHED_ATTR_SIZE_VER0 || flags.uint32() !== 0) {
    throw EINVAL;
  }
  const p = schedParams(lookup(t, pid.int32()));
  const out = new Uint8Array(SCHED_ATTR_SIZE_VER1);
  const dv = new DataView(out.buffer);
  const n = Math.min(size, SCHED_ATTR_SIZE_VER1);
  dv.setUint32(0, n, true);
  dv.setUint32(4, p.policy, true);
  dv.setBigUint64(8, p.resetOnFork ? BigInt(SCHED_FLAG_RESET_ON_FORK) : 0n, true);
  if (p.policy === SCHED_DEADLINE) {
    dv.setBigUint64(24, p.runtime, true);
    dv.setBigUint64(32, p.deadline, true);
    dv.setBigUint64(40, p.period, true);
  } else if (isRtPolicy(p.policy)) {
    dv.setUint32(20, p.priority, true);
  } else {
    dv.setInt32(16, p.nice, true);
  }
  dv.setUint32(52, 1024, true); // util_max: unclamped
  t.mm.copyOut(uattr.addr(), out.subarray(0, n));
  return 0;
}

export function sched_rr_get_interval(t: Task, [pid, interval]: SyscallArgs): number {
  if (pid.int32() < 0) throw EINVAL;
  const p = schedParams(lookup(t, pid.int32()));
  const ns = p.policy === SCHED_RR ? RR_TIMESLICE_NS : isRtPolicy(p.policy) ? 0 : FAIR_SLICE_NS;
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  dv.setBigInt64(8, BigInt(ns % 1e9), true);
  t.mm.copyOut(interval.addr(), b);
  return 0;
}

/** The tasks setpriority/getpriority address: one thread, a process group's threads, or a user's. */
function priorityTargets(t: Task, which: number, who: number): Task[] {
  if (which === PRIO_PROCESS) {
    const p = who === 0 ? t : t.kernel.tasks.get(who);
    return p ? [p] : [];
  }
  const out: Task[] = [];
  if (which === PRIO_PGRP) {
    const pgid = who === 0 ? t.tg.pgid : who;
    for (const tg of t.kernel.threadGroups.values()) if (tg.pgid === pgid) out.push(...tg.tasks);
  } else {
    const uid = who === 0 ? t.creds.ruid : who >>> 0;
    for (const tg of t.kernel.threadGroups.values()) for (const x of tg.tasks) if (x.creds.ruid === uid) out.push(x);
  }
  return out;
}

export function setpriority(t: Task, [which, who, niceval]: SyscallArgs): number {
  const w = which.int32();
  if (w < PRIO_PROCESS || w > PRIO_USER) throw EINVAL;
  const nice = Math.min(Math.max(niceval.int32(), -20), 19);
  let err: typeof EPERM | typeof EACCES | typeof ESRCH | null = ESRCH;
  for (const p of priorityTargets(t, w, who.int32())) {
    // set_one_prio: the owner (by real or effective uid) or CAP_SYS_NICE; lowering needs RLIMIT_NICE or the cap.
    const c = t.creds;
    if (p.creds.ruid !== c.euid && p.creds.euid !== c.euid && !c.hasCap(CAP_SYS_NICE)) {
      err = EPERM;
      continue;
    }
    const cur = schedParams(p);
    if (nice < cur.nice && !canNice(t, p, nice)) {
      err = EACCES;
      continue;
    }
    if (err === ESRCH) err = null;
    setSchedParams(p, { ...cur, nice });
  }
  if (err) throw err;
  return 0;
}

/** getpriority(2): 20 - nice of the best (lowest nice) target, so the result is never negative. */
export function getpriority(t: Task, [which, who]: SyscallArgs): number {
  const w = which.int32();
  if (w < PRIO_PROCESS || w > PRIO_USER) throw EINVAL;
  let best = -1;
  for (const p of priorityTargets(t, w, who.int32())) best = Math.max(best, 20 - schedParams(p).nice);
  if (best < 0) throw ESRCH;
  return best;
}
