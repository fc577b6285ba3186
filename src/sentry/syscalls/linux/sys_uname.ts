// uname(2), sethostname(2), setdomainname(2).
import { EINVAL, EPERM } from '../../../abi/linux/errno.js';
import { CAP_SYS_ADMIN } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

/** Each field of struct utsname is 65 bytes. */
const FIELD = 65;

export function uname(t: Task, [buf]: SyscallArgs): number {
  const u = t.kernel.uts;
  const out = new Uint8Array(FIELD * 6);
  [u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname].forEach((s, i) => {
    out.set(Buffer.from(s.slice(0, FIELD - 1), 'latin1'), i * FIELD);
  });
  t.mm.copyOut(buf.addr(), out);
  return 0;
}

function setName(t: Task, addr: number, len: number, set: (s: string) => void): number {
  if (!t.creds.hasCap(CAP_SYS_ADMIN)) throw EPERM;
  if (len < 0 || len > FIELD - 1) throw EINVAL;
  const b = t.mm.copyIn(addr, len);
  set(Buffer.from(b).toString('latin1'));
  return 0;
}

export function sethostname(t: Task, [name, len]: SyscallArgs): number {
  return setName(t, name.addr(), len.int32(), (s) => (t.kernel.uts.nodename = s));
}

export function setdomainname(t: Task, [name, len]: SyscallArgs): number {
  return setName(t, name.addr(), len.int32(), (s) => (t.kernel.uts.domainname = s));
}
