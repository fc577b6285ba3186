// Syscalls whose arguments change meaning with another argument (fcntl's cmd,
// futex's op, prctl's option), and result annotations such as
// `= 0x8002 (flags O_RDWR|O_LARGEFILE)` or poll's `= 1 ([{fd=3, revents=POLLIN}])`.
import * as F from '../../abi/linux/fcntl.js';
import { signalName } from '../../abi/linux/signal.js';
import * as N from './names.js';
import * as S from './structs.js';
import type { Kind } from './kinds.js';
import { cstring, enumName, flagSet, hex, ptr, type EnumTable } from './text.js';
import { succeeded, type Ctx } from './value.js';

// ---- fcntl ----

const FCNTL_NO_ARG = new Set([
  F.F_GETFD, F.F_GETFL, F.F_GETOWN, F.F_GETSIG, F.F_GETLEASE, F.F_GETPIPE_SZ, F.F_GET_SEALS,
]);
const FCNTL_INT_ARG = new Set([
  F.F_DUPFD, F.F_DUPFD_CLOEXEC, F.F_SETOWN, F.F_SETPIPE_SZ,
]);
const LOCK_CMDS = new Set([F.F_GETLK, F.F_SETLK, F.F_SETLKW, F.F_OFD_GETLK, F.F_OFD_SETLK, F.F_OFD_SETLKW]);
const LOCK_TYPES: EnumTable = { 0: 'F_RDLCK', 1: 'F_WRLCK', 2: 'F_UNLCK' };
const LEASES: EnumTable = { 0: 'F_RDLCK', 1: 'F_WRLCK', 2: 'F_UNLCK' };

function flock(c: Ctx, addr: number): string {
  const b = c.t.mm.copyIn(addr, 32);
  const v = new DataView(b.buffer, b.byteOffset, 32);
  return `{l_type=${enumName(v.getInt16(0, true), LOCK_TYPES)}, l_whence=${enumName(v.getInt16(2, true), N.WHENCE)}, ` +
    `l_start=${v.getBigInt64(8, true)}, l_len=${v.getBigInt64(16, true)}}`;
}

export const fcntlCmd: Kind = { exit: false, f: (c, i) => enumName(c.v[i]!.int, N.FCNTL_CMDS) };

export const fcntlArg: Kind = {
  exit: false,
  f: (c, i) => {
    const cmd = c.v[1]!.int;
    const a = c.v[i]!;
    if (FCNTL_INT_ARG.has(cmd)) return String(a.int);
    if (cmd === F.F_SETFD) return flagSet(a.uint, N.FD_FLAGS);
    if (cmd === F.F_SETFL) return S.openFlags(a.int);
    if (cmd === F.F_SETSIG) return a.int === 0 ? '0' : signalName(a.int);
    if (cmd === F.F_SETLEASE) return enumName(a.int, LEASES);
    if (cmd === F.F_ADD_SEALS) return flagSet(a.uint, N.SEAL_FLAGS);
    if (LOCK_CMDS.has(cmd)) return a.raw === 0n ? 'NULL' : flock(c, a.addr);
    return hex(a.raw);
  },
};

export function fcntlArgc(c: Ctx): number {
  return FCNTL_NO_ARG.has(c.v[1]!.int) ? 2 : 3;
}

export function fcntlRet(c: Ctx, r: bigint): string | null {
  const cmd = c.v[1]!.int;
  const n = Number(r);
  if (cmd === F.F_GETFD) return `${hex(r)} (flags ${flagSet(n, N.FD_FLAGS)})`;
  if (cmd === F.F_GETFL) return `${hex(r)} (flags ${S.openFlags(n)})`;
  if (cmd === F.F_GET_SEALS) return `${hex(r)} (seals ${flagSet(n, N.SEAL_FLAGS)})`;
  if (cmd === F.F_GETSIG) return n === 0 ? '0' : `${n} (${signalName(n)})`;
  if (cmd === F.F_GETLEASE) return `${n} (${enumName(n, LEASES)})`;
  return null;
}

// ---- futex ----

const F_WAIT = 0, F_WAKE = 1, F_FD = 2, F_REQUEUE = 3, F_LOCK_PI = 6, F_UNLOCK_PI = 7, F_TRYLOCK_PI = 8;
const F_WAIT_BITSET = 9, F_WAKE_BITSET = 10, F_WAIT_REQUEUE_PI = 11, F_LOCK_PI2 = 13;
const FUTEX_TIMEOUT_OPS = new Set([F_WAIT, F_LOCK_PI, F_WAIT_BITSET, F_WAIT_REQUEUE_PI, F_LOCK_PI2]);

function futexCmd(c: Ctx): number {
  return c.v[1]!.int & 0x7f;
}

export const futexOp: Kind = {
  exit: false,
  f: (c, i) => {
    const op = c.v[i]!.int;
    const name = N.FUTEX_OPS[op & 0x7f];
    if (name === undefined) return hex(op >>> 0);
    let s = name + (op & N.FUTEX_PRIVATE_FLAG ? '_PRIVATE' : '');
    if (op & N.FUTEX_CLOCK_REALTIME) s += '|FUTEX_CLOCK_REALTIME';
    const rest = op & ~(0x7f | N.FUTEX_PRIVATE_FLAG | N.FUTEX_CLOCK_REALTIME);
    return rest ? `${s}|${hex(rest >>> 0)}` : s;
  },
};

/** The fourth argument is a timeout for the waiting ops and a count (val2) for the others. */
export const futexArg3: Kind = {
  exit: false,
  f: (c, i) => {
    if (!FUTEX_TIMEOUT_OPS.has(futexCmd(c))) return String(c.v[i]!.uint);
    return c.v[i]!.raw === 0n ? 'NULL' : S.timespec(c.t.mm, c.v[i]!.addr);
  },
};

export const futexVal3: Kind = {
  exit: false,
  f: (c, i) => {
    const cmd = futexCmd(c);
    const v = c.v[i]!.uint;
    if (cmd === F_WAIT_BITSET || cmd === F_WAKE_BITSET) return v === 0xffffffff ? 'FUTEX_BITSET_MATCH_ANY' : hex(v);
    return cmd === 5 ? hex(v) : String(c.v[i]!.int);
  },
};

export function futexArgc(c: Ctx): number {
  switch (futexCmd(c)) {
    case F_WAKE: case F_FD: return 3;
    case F_WAIT: case F_LOCK_PI: case F_LOCK_PI2: return 4;
    case F_UNLOCK_PI: case F_TRYLOCK_PI: return 2;
    case F_REQUEUE: case F_WAIT_REQUEUE_PI: return 5;
    default: return 6;
  }
}

// ---- prctl ----

const PR_SET_PDEATHSIG = 1, PR_SET_NAME = 15, PR_GET_NAME = 16;
const PRCTL_NO_ARGS = new Set([3, 7, 21, 25, 27, 30, 39, 42]);
const PRCTL_ONE_ARG = new Set([1, 2, 4, 8, 15, 16, 23, 24, 26, 28, 29, 36, 37, 40, 0x59616d61]);

export const prctlOption: Kind = { exit: false, f: (c, i) => enumName(c.v[i]!.int, N.PRCTL, 'PR_') };

/** prctl's second argument; printed at exit so PR_GET_NAME can show the name. */
export const prctlArg1: Kind = {
  exit: true,
  f: (c, i) => {
    const a = c.v[i]!;
    switch (c.v[0]!.int) {
      case PR_SET_NAME:
        return a.raw === 0n ? 'NULL' : cstring(c.t.mm, a.addr, 16);
      case PR_GET_NAME:
        return a.raw === 0n || !succeeded(c) ? ptr(a.raw) : cstring(c.t.mm, a.addr, 16);
      case PR_SET_PDEATHSIG:
        return a.int === 0 ? '0' : signalName(a.int);
      default:
        return a.raw < 0x10000n ? String(a.raw) : hex(a.raw);
    }
  },
};

export function prctlArgc(c: Ctx): number {
  const op = c.v[0]!.int;
  if (PRCTL_NO_ARGS.has(op)) return 1;
  return PRCTL_ONE_ARG.has(op) ? 2 : 5;
}

// ---- result annotations ----

export function pollRet(c: Ctx, r: bigint): string | null {
  if (r <= 0n || c.v[0]!.raw === 0n) return null;
  return `${r} (${S.pollfds(c.t.mm, c.v[0]!.addr, Math.min(c.v[1]!.uint, 4096), true)})`;
}

/** select's result: which fds are ready, `= 1 (in [3])`. */
export function selectRet(c: Ctx, r: bigint): string | null {
  if (r <= 0n) return null;
  const parts: string[] = [];
  const labels = ['in', 'out', 'except'];
  for (let k = 0; k < 3; k++) {
    const a = c.v[k + 1]!;
    if (a.raw === 0n) continue;
    const s = S.fdset(c.t.mm, a.addr, c.v[0]!.int);
    if (s !== '[]') parts.push(`${labels[k]} ${s}`);
  }
  return parts.length ? `${r} (${parts.join(', ')})` : null;
}

