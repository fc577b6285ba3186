// prctl(2) (kernel/sys.c, security/commoncap.c, kernel/seccomp.c): names, parent
// death signal, dumpability, subreapers, no_new_privs, seccomp, and the capability
// controls (keepcaps, securebits, bounding set, ambient set).
import { EINVAL } from '../../../abi/linux/errno.js';
import { NSIG } from '../../../abi/linux/signal.js';
import { onFork } from '../../kernel/clone.js';
import * as ops from '../../kernel/cred_ops.js';
import { SECBIT_KEEP_CAPS } from '../../kernel/credentials.js';
import { SECCOMP_MODE_FILTER, SECCOMP_MODE_STRICT, seccompMode, setModeFilter, setModeStrict } from '../../kernel/seccomp.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_GET_KEEPCAPS = 7;
const PR_SET_KEEPCAPS = 8;
const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_GET_SECCOMP = 21;
const PR_SET_SECCOMP = 22;
const PR_CAPBSET_READ = 23;
const PR_CAPBSET_DROP = 24;
const PR_GET_SECUREBITS = 27;
const PR_SET_SECUREBITS = 28;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_GET_TID_ADDRESS = 40;
const PR_SET_THP_DISABLE = 41;
const PR_GET_THP_DISABLE = 42;
const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_IS_SET = 1;
const PR_CAP_AMBIENT_RAISE = 2;
const PR_CAP_AMBIENT_LOWER = 3;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;

/** PR_SET_THP_DISABLE: a property of the mm in Linux, inherited by fork and kept by exec. */
const thpDisabled = new WeakSet<ThreadGroup>();
onFork((parent, child, newProcess) => {
  if (newProcess && thpDisabled.has(parent.tg)) thpDisabled.add(child.tg);
});

export function prctl(t: Task, [optionArg, arg2, arg3, arg4, arg5]: SyscallArgs): number {
  // Options that insist on unused arguments being zero.
  const restZero = (from: 3 | 4): boolean =>
    (from === 3 ? arg3.bigint() === 0n : true) && arg4.bigint() === 0n && arg5.bigint() === 0n;
  switch (optionArg.int32()) {
    case PR_SET_NAME: {
      const b = t.mm.copyIn(arg2.addr(), 16);
      const z = b.indexOf(0);
      t.comm = Buffer.from(b.subarray(0, z >= 0 ? Math.min(z, 15) : 15)).toString('latin1');
      return 0;
    }
    case PR_GET_NAME: {
      const b = new Uint8Array(16);
      b.set(Buffer.from(t.comm.slice(0, 15), 'latin1'));
      t.mm.copyOut(arg2.addr(), b);
      return 0;
    }
    case PR_SET_PDEATHSIG: {
      const sig = arg2.uint64();
      if (sig > NSIG) throw EINVAL;
      t.tg.pdeathSignal = sig;
      return 0;
    }
    case PR_GET_PDEATHSIG:
      t.mm.writeU32(arg2.addr(), t.tg.pdeathSignal);
      return 0;
    case PR_GET_DUMPABLE:
      return ops.getDumpable(t);
    case PR_SET_DUMPABLE:
      if (arg2.uint64() > 1) throw EINVAL;
      ops.setDumpable(t, arg2.int32());
      return 0;
    case PR_GET_KEEPCAPS:
      return t.creds.securebits & SECBIT_KEEP_CAPS ? 1 : 0;
    case PR_SET_KEEPCAPS:
      if (arg2.uint64() > 1) throw EINVAL;
      ops.commitCreds(t, ops.setKeepCaps(t.creds, arg2.uint64() === 1));
      return 0;
    case PR_GET_SECCOMP:
      return seccompMode(t);
    case PR_SET_SECCOMP:
      // The prctl form has no flags; strict mode ignores arg3.
      switch (arg2.uint64()) {
        case SECCOMP_MODE_STRICT:
          setModeStrict(t);
          return 0;
        case SECCOMP_MODE_FILTER:
          return setModeFilter(t, 0, arg3.addr());
        default:
          throw EINVAL;
      }
    case PR_CAPBSET_READ: {
      const cap = arg2.uint64();
      if (!ops.capValid(cap)) throw EINVAL;
      return (t.creds.bounding >> BigInt(cap)) & 1n ? 1 : 0;
    }
    case PR_CAPBSET_DROP:
      ops.commitCreds(t, ops.capbsetDrop(t.creds, arg2.uint64()));
      return 0;
    case PR_GET_SECUREBITS:
      return t.creds.securebits;
    case PR_SET_SECUREBITS: {
      // Bits beyond 32 are unknown bits: refused like them.
      const v = arg2.bigint();
      ops.commitCreds(t, ops.setSecurebits(t.creds, v > 0xffff_ffffn ? -1 : Number(v)));
      return 0;
    }
    case PR_SET_CHILD_SUBREAPER:
      t.tg.subreaper = arg2.bigint() !== 0n;
      return 0;
    case PR_GET_CHILD_SUBREAPER:
      t.mm.writeU32(arg2.addr(), t.tg.subreaper ? 1 : 0);
      return 0;
    case PR_SET_NO_NEW_PRIVS:
      if (arg2.bigint() !== 1n || !restZero(3)) throw EINVAL;
      t.noNewPrivs = true;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (arg2.bigint() !== 0n || !restZero(3)) throw EINVAL;
      return t.noNewPrivs ? 1 : 0;
    case PR_GET_TID_ADDRESS:
      t.mm.writeU64(arg2.addr(), t.clearChildTid);
      return 0;
    case PR_SET_THP_DISABLE:
      if (!restZero(3)) throw EINVAL;
      if (arg2.bigint() !== 0n) thpDisabled.add(t.tg);
      else thpDisabled.delete(t.tg);
      return 0;
    case PR_GET_THP_DISABLE:
      if (arg2.bigint() !== 0n || !restZero(3)) throw EINVAL;
      return thpDisabled.has(t.tg) ? 1 : 0;
    case PR_CAP_AMBIENT:
      return capAmbient(t, arg2.bigint(), arg3.uint64(), restZero(4));
    default:
      throw EINVAL;
  }
}

/** PR_CAP_AMBIENT (cap_task_prctl). */
function capAmbient(t: Task, op: bigint, cap: number, restZero: boolean): number {
  if (op === BigInt(PR_CAP_AMBIENT_CLEAR_ALL)) {
    if (cap !== 0 || !restZero) throw EINVAL;
    ops.commitCreds(t, ops.clearAmbient(t.creds));
    return 0;
  }
  if (!ops.capValid(cap) || !restZero) throw EINVAL;
  if (op === BigInt(PR_CAP_AMBIENT_IS_SET)) return (t.creds.ambient >> BigInt(cap)) & 1n ? 1 : 0;
  if (op !== BigInt(PR_CAP_AMBIENT_RAISE) && op !== BigInt(PR_CAP_AMBIENT_LOWER)) throw EINVAL;
  ops.commitCreds(t, ops.setAmbient(t.creds, cap, op === BigInt(PR_CAP_AMBIENT_RAISE)));
  return 0;
}
