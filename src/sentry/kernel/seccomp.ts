// seccomp (kernel/seccomp.c): strict mode and classic-BPF filters over struct
// seccomp_data, checked at the entry of every syscall the dispatcher serves.
// A task's state is immutable and shared: fork copies the reference, installing
// a filter makes a new state whose chain points at the old one (Linux's
// filter->prev), so parents and children keep what they had.
import { EACCES, EFAULT, EINVAL, ENOMEM, ENOSYS, ESRCH } from '../../abi/linux/errno.js';
import { SIGKILL, SIGSYS } from '../../abi/linux/signal.js';
import { SYS, syscallName } from '../../abi/linux/syscalls.js';
import { Reg } from '../arch/amd64/registers.js';
import { log } from '../../log.js';
import { NO_RETURN, REGS_SET, type SyscallResult } from './block.js';
import { compileSeccompProgram, runBpf, type BpfProgram } from './bpf.js';
import { onFork } from './clone.js';
import { CAP_SYS_ADMIN } from './credentials.js';
import { exitGroup, exitThread } from './exit.js';
import { forceSignal } from './signals.js';
import type { Task } from './task.js';
import { fatalSignalStatus, signaledStatus } from './thread_group.js';

export const SECCOMP_MODE_DISABLED = 0;
export const SECCOMP_MODE_STRICT = 1;
export const SECCOMP_MODE_FILTER = 2;

export const SECCOMP_FILTER_FLAG_TSYNC = 1;
export const SECCOMP_FILTER_FLAG_LOG = 2;
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 16;

export const SECCOMP_RET_KILL_PROCESS = 0x8000_0000;
export const SECCOMP_RET_KILL_THREAD = 0;
export const SECCOMP_RET_TRAP = 0x0003_0000;
export const SECCOMP_RET_ERRNO = 0x0005_0000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc0_0000;
export const SECCOMP_RET_TRACE = 0x7ff0_0000;
export const SECCOMP_RET_LOG = 0x7ffc_0000;
export const SECCOMP_RET_ALLOW = 0x7fff_0000;
const SECCOMP_RET_ACTION_FULL = 0xffff_0000;
const SECCOMP_RET_DATA = 0xffff;

/** The actions this kernel knows (SECCOMP_GET_ACTION_AVAIL). */
export const SECCOMP_ACTIONS: readonly number[] = [
  SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
  SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
];

/** AUDIT_ARCH_X86_64: seccomp_data.arch. */
export const AUDIT_ARCH_X86_64 = 0xc000_003e;
/** sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6]. */
export const SECCOMP_DATA_SIZE = 64;
/** MAX_INSNS_PER_PATH: instructions over a whole chain, 4 extra per filter. */
const MAX_INSNS_PER_PATH = 32768;
/** si_code of SIGSYS from a filter. */
const SYS_SECCOMP = 1;
/** Linux's MAX_ERRNO: larger SECCOMP_RET_ERRNO data is clamped. */
const MAX_ERRNO = 4095;

export interface SeccompFilter {
  readonly prog: BpfProgram;
  /** The filter installed before this one (evaluated after it). */
  readonly prev: SeccompFilter | null;
  /** SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW. */
  readonly log: boolean;
  /** Instructions along this chain, with Linux's 4-instruction penalty per filter. */
  readonly pathInsns: number;
}

export interface SeccompState {
  readonly mode: typeof SECCOMP_MODE_STRICT | typeof SECCOMP_MODE_FILTER;
  readonly filter: SeccompFilter | null;
}

const STRICT: SeccompState = { mode: SECCOMP_MODE_STRICT, filter: null };
/** mode 1 allows only these (x86_64 has rt_sigreturn, no sigreturn). */
const STRICT_ALLOWED = new Set<number>([SYS.read, SYS.write, SYS.exit, SYS.rt_sigreturn]);

// Filters and no_new_privs are per thread and inherited by every child (threads too).
onFork((parent, child) => {
  child.seccomp = parent.seccomp;
  child.noNewPrivs = parent.noNewPrivs;
});

export function seccompMode(t: Task): number {
  return t.seccomp?.mode ?? SECCOMP_MODE_DISABLED;
}

/** seccomp_may_assign_mode: a task cannot change modes once it has one. */
function mayAssign(t: Task, mode: number): boolean {
  const cur = seccompMode(t);
  return cur === SECCOMP_MODE_DISABLED || cur === mode;
}

/** SECCOMP_SET_MODE_STRICT. */
export function setModeStrict(t: Task): void {
  if (!mayAssign(t, SECCOMP_MODE_STRICT)) throw EINVAL;
  t.seccomp = STRICT;
}

/** Reads `struct sock_fprog` at addr and validates the program (seccomp_prepare_user_filter). */
function prepareFilter(t: Task, addr: number): BpfProgram {
  if (addr === 0) throw EFAULT;
  const hdr = t.mm.copyIn(addr, 16);
  const dv = new DataView(hdr.buffer, hdr.byteOffset, 16);
  const len = dv.getUint16(0, true);
  const insns = Number(dv.getBigUint64(8, true));
  if (len === 0 || len > 4096) throw EINVAL;
  // Filters are for the unprivileged only behind no_new_privs: a set-uid child must
  // not run under a filter its unprivileged parent chose.
  if (!t.noNewPrivs && !t.creds.hasCap(CAP_SYS_ADMIN)) throw EACCES;
  return compileSeccompProgram(t.mm.copyIn(insns, len * 8), SECCOMP_DATA_SIZE);
}

/** chain `a` contains filter `b` (or b is none): a thread under b may move to a. */
function isAncestor(b: SeccompFilter | null, a: SeccompFilter | null): boolean {
  if (b === null) return true;
  for (let f = a; f; f = f.prev) if (f === b) return true;
  return false;
}

/** SECCOMP_SET_MODE_FILTER. Returns 0, or with TSYNC the tid of a thread that cannot follow. */
export function setModeFilter(t: Task, flags: number, addr: number): number {
  const known = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
    SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  // NEW_LISTENER (user notification fds) is not supported: refused like an older kernel.
  if (flags & ~known || flags < 0) throw EINVAL;
  const prog = prepareFilter(t, addr);
  if (!mayAssign(t, SECCOMP_MODE_FILTER)) throw EINVAL;
  const prev = t.seccomp?.filter ?? null;
  const pathInsns = prog.length + (prev ? prev.pathInsns + 4 : 0);
  if (pathInsns > MAX_INSNS_PER_PATH) throw ENOMEM;
  if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
    for (const o of t.tg.tasks) {
      if (o === t || o.seccomp === null) continue;
      if (o.seccomp.mode === SECCOMP_MODE_FILTER && isAncestor(o.seccomp.filter, prev)) continue;
      if (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) throw ESRCH;
      return o.tid;
    }
  }
  const state: SeccompState = {
    mode: SECCOMP_MODE_FILTER,
    filter: { prog, prev, log: (flags & SECCOMP_FILTER_FLAG_LOG) !== 0, pathInsns },
  };
  t.seccomp = state;
  if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
    for (const o of t.tg.tasks) {
      o.seccomp = state;
      if (t.noNewPrivs) o.noNewPrivs = true;
    }
  }
  return 0;
}

// ---- the check at syscall entry ----

/** struct seccomp_data as 32-bit words, refilled for every check. */
const data = new Uint32Array(SECCOMP_DATA_SIZE / 4);
const ARG_REGS = [Reg.rdi, Reg.rsi, Reg.rdx, Reg.r10, Reg.r8, Reg.r9];

function fillData(t: Task, nr: number): void {
  const u = t.regs.u32;
  data[0] = nr >>> 0;
  data[1] = AUDIT_ARCH_X86_64;
  data[2] = u[2 * Reg.rip]!;
  data[3] = u[2 * Reg.rip + 1]!;
  for (let i = 0; i < 6; i++) {
    data[4 + 2 * i] = u[2 * ARG_REGS[i]!]!;
    data[5 + 2 * i] = u[2 * ARG_REGS[i]! + 1]!;
  }
}

/** ACTION_ONLY: the action as a signed value; lower is more restrictive. */
function actionRank(ret: number): number {
  return (ret & SECCOMP_RET_ACTION_FULL) | 0;
}

/** Kills only the calling thread with a signal status (do_exit); the last thread takes the process. */
function killThread(t: Task, sig: number, core: boolean): SyscallResult {
  if (t.tg.tasks.size <= 1) exitGroup(t.tg, signaledStatus(sig, core));
  else exitThread(t, 0);
  return NO_RETURN;
}

function report(t: Task, nr: number, what: string): void {
  log.info(`seccomp: ${what} for ${syscallName(nr)} (${nr}) from ${t}`);
}

/**
 * Runs the filters for the syscall `t` stopped at. Returns null to let it run, or
 * the result to finish it with instead (an errno, registers for a SIGSYS handler,
 * or NO_RETURN when the task was killed). Called only when t.seccomp is set.
 */
export function seccompCheck(t: Task, nr: number): SyscallResult | null {
  const s = t.seccomp!;
  if (s.mode === SECCOMP_MODE_STRICT) {
    if (STRICT_ALLOWED.has(nr)) return null;
    report(t, nr, 'strict mode kill');
    return killThread(t, SIGKILL, false);
  }
  fillData(t, nr);
  let ret = SECCOMP_RET_ALLOW;
  let match: SeccompFilter | null = null;
  // Newest first; the most restrictive action wins, the newest on a tie.
  for (let f = s.filter; f; f = f.prev) {
    const cur = runBpf(f.prog, data);
    if (actionRank(cur) < actionRank(ret)) {
      ret = cur;
      match = f;
    }
  }
  const action = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
  const value = ret & SECCOMP_RET_DATA;
  switch (action) {
    case SECCOMP_RET_ALLOW:
      return null;
    case SECCOMP_RET_LOG:
      report(t, nr, 'log');
      return null;
    case SECCOMP_RET_ERRNO:
      if (match?.log) report(t, nr, `errno ${value}`);
      return -Math.min(value, MAX_ERRNO);
    case SECCOMP_RET_TRAP:
      if (match?.log) report(t, nr, 'trap');
      // The handler sees the registers of the syscall, with rax back to its number.
      t.regs.set(Reg.rax, nr);
      forceSignal(t, {
        signo: SIGSYS, code: SYS_SECCOMP, errno: value, addr: t.regs.get(Reg.rip), syscall: nr,
        arch: AUDIT_ARCH_X86_64,
      });
      return REGS_SET;
    case SECCOMP_RET_TRACE:
    case SECCOMP_RET_USER_NOTIF:
      // Nobody traces or listens: the syscall fails as if unknown.
      if (match?.log) report(t, nr, 'trace/notify without a tracer');
      return -ENOSYS.errno;
    case SECCOMP_RET_KILL_THREAD:
      report(t, nr, 'kill thread');
      return killThread(t, SIGSYS, true);
    default:
      // SECCOMP_RET_KILL_PROCESS and anything unknown.
      report(t, nr, 'kill process');
      exitGroup(t.tg, fatalSignalStatus(t.tg, SIGSYS));
      return NO_RETURN;
  }
}
