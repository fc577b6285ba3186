// seccomp(2). prctl(PR_SET_SECCOMP) reaches the same code through sys_prctl.ts.
import { EINVAL, EOPNOTSUPP } from '../../../abi/linux/errno.js';
import { SECCOMP_ACTIONS, SECCOMP_DATA_SIZE, setModeFilter, setModeStrict } from '../../kernel/seccomp.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const SECCOMP_SET_MODE_STRICT = 0;
const SECCOMP_SET_MODE_FILTER = 1;
const SECCOMP_GET_ACTION_AVAIL = 2;
const SECCOMP_GET_NOTIF_SIZES = 3;

/** struct seccomp_notif_sizes: sizeof seccomp_notif, seccomp_notif_resp, seccomp_data. */
const NOTIF_SIZES = [80, 24, SECCOMP_DATA_SIZE];

export function seccomp(t: Task, [op, flags, uargs]: SyscallArgs): number {
  const f = flags.uint32();
  const addr = uargs.addr();
  switch (op.uint32()) {
    case SECCOMP_SET_MODE_STRICT:
      if (f !== 0 || addr !== 0) throw EINVAL;
      setModeStrict(t);
      return 0;
    case SECCOMP_SET_MODE_FILTER:
      return setModeFilter(t, f, addr);
    case SECCOMP_GET_ACTION_AVAIL: {
      if (f !== 0) throw EINVAL;
      const action = t.mm.readU32(addr);
      if (!SECCOMP_ACTIONS.includes(action)) throw EOPNOTSUPP;
      return 0;
    }
    case SECCOMP_GET_NOTIF_SIZES: {
      if (f !== 0) throw EINVAL;
      const b = new Uint8Array(6);
      const dv = new DataView(b.buffer);
      NOTIF_SIZES.forEach((v, i) => dv.setUint16(i * 2, v, true));
      t.mm.copyOut(addr, b);
      return 0;
    }
    default:
      throw EINVAL;
  }
}
