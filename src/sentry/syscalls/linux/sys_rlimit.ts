// getrlimit(2), setrlimit(2), prlimit64(2).
import { EINVAL, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import { RLIMIT_CPU, RLIMIT_NOFILE, RLIM_NLIMITS } from '../../../abi/linux/limits.js';
import { CAP_SYS_RESOURCE } from '../../kernel/credentials.js';
import { RLIM_INF, type Rlimit } from '../../kernel/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { cpuLimitChanged } from '../../kernel/timer/rlimit_cpu.js';
import { NR_OPEN } from '../../vfs/fd_table.js';

const INF64 = 0xffff_ffff_ffff_ffffn;

function encode(l: Rlimit): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, l.cur === RLIM_INF ? INF64 : BigInt(l.cur), true);
  dv.setBigUint64(8, l.max === RLIM_INF ? INF64 : BigInt(l.max), true);
  return b;
}

function decode(b: Uint8Array): Rlimit {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const v = (o: number): number => {
    const x = dv.getBigUint64(o, true);
    return x >= 1n << 63n ? RLIM_INF : Number(x);
  };
  return { cur: v(0), max: v(8) };
}

function target(t: Task, pid: number): Task {
  if (pid === 0) return t;
  const tt = t.kernel.tasks.get(pid);
  if (!tt) throw ESRCH;
  return tt;
}

function setLimit(t: Task, who: Task, resource: number, l: Rlimit): void {
  if (l.cur > l.max) throw EINVAL;
  const old = who.tg.limits.get(resource);
  if (l.max > old.max && !t.creds.hasCap(CAP_SYS_RESOURCE)) throw EPERM;
  if (resource === RLIMIT_NOFILE && l.max > NR_OPEN) throw EPERM;
  who.tg.limits.set(resource, l);
  if (resource === RLIMIT_CPU) cpuLimitChanged(who.tg);
}

export function getrlimit(t: Task, [resource, rlim]: SyscallArgs): number {
  const r = resource.uint32();
  if (r >= RLIM_NLIMITS) throw EINVAL;
  t.mm.copyOut(rlim.addr(), encode(t.tg.limits.get(r)));
  return 0;
}

export function setrlimit(t: Task, [resource, rlim]: SyscallArgs): number {
  const r = resource.uint32();
  if (r >= RLIM_NLIMITS) throw EINVAL;
  setLimit(t, t, r, decode(t.mm.copyIn(rlim.addr(), 16)));
  return 0;
}

export function prlimit64(t: Task, [pid, resource, newLimit, oldLimit]: SyscallArgs): number {
  const r = resource.uint32();
  if (r >= RLIM_NLIMITS) throw EINVAL;
  const who = target(t, pid.int32());
  const next = newLimit.addr() !== 0 ? decode(t.mm.copyIn(newLimit.addr(), 16)) : null;
  const old = who.tg.limits.get(r);
  if (oldLimit.addr() !== 0) t.mm.copyOut(oldLimit.addr(), encode(old));
  if (next) setLimit(t, who, r, next);
  return 0;
}
