// prctl(2): the options real programs use at start-up. Seccomp, capabilities
// beyond reading and the rest come with the credentials work.
import { EINVAL } from '../../../abi/linux/errno.js';
import { NSIG } from '../../../abi/linux/signal.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_GET_KEEPCAPS = 7;
const PR_SET_KEEPCAPS = 8;
const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_GET_SECCOMP = 21;
const PR_CAPBSET_READ = 23;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_GET_TID_ADDRESS = 40;
const PR_SET_THP_DISABLE = 41;
const PR_GET_THP_DISABLE = 42;
const PR_CAP_AMBIENT = 47;

/** Per-process prctl state not yet owned by another subsystem. */
interface PrctlState {
  pdeathsig: number;
  dumpable: number;
  keepcaps: number;
  subreaper: number;
  noNewPrivs: number;
  thpDisable: number;
}

const state = new WeakMap<object, PrctlState>();

function st(t: Task): PrctlState {
  let s = state.get(t.tg);
  if (!s) state.set(t.tg, (s = { pdeathsig: 0, dumpable: 1, keepcaps: 0, subreaper: 0, noNewPrivs: 0, thpDisable: 0 }));
  return s;
}

export function prctl(t: Task, [optionArg, arg2, arg3]: SyscallArgs): number {
  const s = st(t);
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
      const sig = arg2.int32();
      if (sig < 0 || sig > NSIG) throw EINVAL;
      s.pdeathsig = sig;
      return 0;
    }
    case PR_GET_PDEATHSIG:
      t.mm.writeU32(arg2.addr(), s.pdeathsig);
      return 0;
    case PR_GET_DUMPABLE:
      return s.dumpable;
    case PR_SET_DUMPABLE:
      if (arg2.uint64() > 1) throw EINVAL;
      s.dumpable = arg2.int32();
      return 0;
    case PR_GET_KEEPCAPS:
      return s.keepcaps;
    case PR_SET_KEEPCAPS:
      if (arg2.uint64() > 1) throw EINVAL;
      s.keepcaps = arg2.int32();
      return 0;
    case PR_GET_SECCOMP:
      return 0;
    case PR_CAPBSET_READ: {
      const cap = arg2.int32();
      if (cap < 0 || cap > 40) throw EINVAL;
      return (t.creds.bounding >> BigInt(cap)) & 1n ? 1 : 0;
    }
    case PR_SET_CHILD_SUBREAPER:
      s.subreaper = arg2.uint64() ? 1 : 0;
      return 0;
    case PR_GET_CHILD_SUBREAPER:
      t.mm.writeU32(arg2.addr(), s.subreaper);
      return 0;
    case PR_SET_NO_NEW_PRIVS:
      if (arg2.uint64() !== 1 || arg3.uint64() !== 0) throw EINVAL;
      s.noNewPrivs = 1;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      return s.noNewPrivs;
    case PR_GET_TID_ADDRESS:
      t.mm.writeU64(arg2.addr(), t.clearChildTid);
      return 0;
    case PR_SET_THP_DISABLE:
      s.thpDisable = arg2.uint64() ? 1 : 0;
      return 0;
    case PR_GET_THP_DISABLE:
      return s.thpDisable;
    case PR_CAP_AMBIENT:
      // PR_CAP_AMBIENT_IS_SET (1) reads; everything else is for the credentials work.
      if (arg2.int32() === 1) return (t.creds.ambient >> BigInt(arg3.int32())) & 1n ? 1 : 0;
      throw EINVAL;
    default:
      throw EINVAL;
  }
}
