// Process and credential identity: getpid, getppid, gettid, get[e]uid, get[e]gid,
// getres[ug]id, getgroups. (set* credentials come with the process model.)
import { EINVAL } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function getpid(t: Task): number {
  return t.tg.pid;
}

export function gettid(t: Task): number {
  return t.tid;
}

export function getppid(t: Task): number {
  return t.tg.parent?.pid ?? 0;
}

export function getuid(t: Task): number {
  return t.creds.ruid;
}

export function geteuid(t: Task): number {
  return t.creds.euid;
}

export function getgid(t: Task): number {
  return t.creds.rgid;
}

export function getegid(t: Task): number {
  return t.creds.egid;
}

function putIds(t: Task, addrs: number[], ids: number[]): void {
  addrs.forEach((a, i) => t.mm.writeU32(a, ids[i]!));
}

export function getresuid(t: Task, [r, e, s]: SyscallArgs): number {
  putIds(t, [r.addr(), e.addr(), s.addr()], [t.creds.ruid, t.creds.euid, t.creds.suid]);
  return 0;
}

export function getresgid(t: Task, [r, e, s]: SyscallArgs): number {
  putIds(t, [r.addr(), e.addr(), s.addr()], [t.creds.rgid, t.creds.egid, t.creds.sgid]);
  return 0;
}

export function getgroups(t: Task, [size, list]: SyscallArgs): number {
  const n = size.int32();
  const groups = t.creds.groups;
  if (n < 0) throw EINVAL;
  if (n === 0) return groups.length;
  if (n < groups.length) throw EINVAL;
  const b = new Uint8Array(groups.length * 4);
  const dv = new DataView(b.buffer);
  groups.forEach((g, i) => dv.setUint32(i * 4, g, true));
  if (b.length > 0) t.mm.copyOut(list.addr(), b);
  return groups.length;
}
