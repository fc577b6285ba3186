// Changing credentials: setuid, setgid, setreuid, setregid, setresuid, setresgid,
// setfsuid, setfsgid, setgroups, capget, capset. Each changes the calling thread
// only, like the raw syscall (cred_ops.ts has the rules).
import { EFAULT, EINVAL, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import * as ops from '../../kernel/cred_ops.js';
import { CAP_SETGID, type Credentials } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function setuid(t: Task, [uid]: SyscallArgs): number {
  ops.commitCreds(t, ops.setuid(t.creds, uid.uint32()));
  return 0;
}

export function setgid(t: Task, [gid]: SyscallArgs): number {
  ops.commitCreds(t, ops.setgid(t.creds, gid.uint32()));
  return 0;
}

export function setreuid(t: Task, [r, e]: SyscallArgs): number {
  ops.commitCreds(t, ops.setreuid(t.creds, r.uint32(), e.uint32()));
  return 0;
}

export function setregid(t: Task, [r, e]: SyscallArgs): number {
  ops.commitCreds(t, ops.setregid(t.creds, r.uint32(), e.uint32()));
  return 0;
}

export function setresuid(t: Task, [r, e, s]: SyscallArgs): number {
  ops.commitCreds(t, ops.setresuid(t.creds, r.uint32(), e.uint32(), s.uint32()));
  return 0;
}

export function setresgid(t: Task, [r, e, s]: SyscallArgs): number {
  ops.commitCreds(t, ops.setresgid(t.creds, r.uint32(), e.uint32(), s.uint32()));
  return 0;
}

/** setfsuid(2): returns the previous fsuid whether or not it changed. */
export function setfsuid(t: Task, [uid]: SyscallArgs): number {
  const old = t.creds.fsuid;
  const next = ops.setfsuid(t.creds, uid.uint32());
  if (next) ops.commitCreds(t, next);
  return old;
}

export function setfsgid(t: Task, [gid]: SyscallArgs): number {
  const old = t.creds.fsgid;
  const next = ops.setfsgid(t.creds, gid.uint32());
  if (next) ops.commitCreds(t, next);
  return old;
}

export function setgroups(t: Task, [size, list]: SyscallArgs): number {
  // Permission before size, as Linux checks them.
  if (!t.creds.hasCap(CAP_SETGID)) throw EPERM;
  const n = size.uint32();
  if (n > ops.NGROUPS_MAX) throw EINVAL;
  const groups: number[] = [];
  if (n > 0) {
    const b = t.mm.copyIn(list.addr(), n * 4);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < n; i++) groups.push(dv.getUint32(i * 4, true));
  }
  ops.commitCreds(t, ops.setgroups(t.creds, groups));
  return 0;
}

// ---- capget / capset (kernel/capability.c) ----

const VERSION_1 = 0x19980330;
const VERSION_2 = 0x20071026;
const VERSION_3 = 0x20080522;
/** struct __user_cap_data_struct: effective, permitted, inheritable (u32 each). */
const DATA_SIZE = 12;

/**
 * Reads the header's version: how many 32-bit words of each set it moves (1 for v1,
 * 2 for v2/v3). An unknown version gets the preferred one written back and EINVAL.
 */
function validateMagic(t: Task, header: number): number {
  const version = t.mm.readU32(header);
  if (version === VERSION_1) return 1;
  if (version === VERSION_2 || version === VERSION_3) return 2;
  t.mm.writeU32(header, VERSION_3);
  throw EINVAL;
}

function targetCreds(t: Task, pid: number): Credentials {
  if (pid === 0 || pid === t.tid) return t.creds;
  const target = t.kernel.tasks.get(pid);
  if (!target) throw ESRCH;
  return target.creds;
}

export function capget(t: Task, [header, data]: SyscallArgs): number {
  let words: number;
  try {
    words = validateMagic(t, header.addr());
  } catch (e) {
    // A NULL data pointer asks only for the preferred version.
    if (e === EINVAL && data.addr() === 0) return 0;
    throw e;
  }
  if (data.addr() === 0) return 0;
  const pid = t.mm.readI32(header.addr() + 4);
  if (pid < 0) throw EINVAL;
  const c = targetCreds(t, pid);
  const out = new Uint8Array(words * DATA_SIZE);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < words; i++) {
    const shift = BigInt(32 * i);
    dv.setUint32(i * DATA_SIZE, Number((c.effective >> shift) & 0xffff_ffffn), true);
    dv.setUint32(i * DATA_SIZE + 4, Number((c.permitted >> shift) & 0xffff_ffffn), true);
    dv.setUint32(i * DATA_SIZE + 8, Number((c.inheritable >> shift) & 0xffff_ffffn), true);
  }
  t.mm.copyOut(data.addr(), out);
  return 0;
}

export function capset(t: Task, [header, data]: SyscallArgs): number {
  const words = validateMagic(t, header.addr());
  const pid = t.mm.readI32(header.addr() + 4);
  // Only the caller's own capabilities can be set.
  if (pid !== 0 && pid !== t.tid) throw EPERM;
  if (data.addr() === 0) throw EFAULT;
  const b = t.mm.copyIn(data.addr(), words * DATA_SIZE);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const set = (off: number): bigint => {
    let v = 0n;
    for (let i = 0; i < words; i++) v |= BigInt(dv.getUint32(i * DATA_SIZE + off, true)) << BigInt(32 * i);
    return ops.validCaps(v);
  };
  ops.commitCreds(t, ops.capset(t.creds, set(0), set(4), set(8)));
  return 0;
}
