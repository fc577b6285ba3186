// sched_getaffinity(2), sched_setaffinity(2), sched_yield(2), getcpu(2),
// sched_getscheduler/getparam/get_priority_min/max (accepted; one policy).
import { EINVAL, ESRCH } from '../../../abi/linux/errno.js';
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

export function sched_getscheduler(t: Task, [pid]: SyscallArgs): number {
  if (pid.int32() < 0) throw EINVAL;
  lookup(t, pid.int32());
  return 0; // SCHED_OTHER
}

export function sched_getparam(t: Task, [pid, param]: SyscallArgs): number {
  if (pid.int32() < 0 || param.addr() === 0) throw EINVAL;
  lookup(t, pid.int32());
  t.mm.writeU32(param.addr(), 0);
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

