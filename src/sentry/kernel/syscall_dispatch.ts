// Syscall dispatch: decode the number, call the handler from the table, turn its
// result (value, errno, Block) into the return register, and resume the thread.
import { EINTR, EIO, ENOSYS, ERESTARTSYS, isSysError, type SysError } from '../../abi/linux/errno.js';
import { syscallName } from '../../abi/linux/syscalls.js';
import { Reg } from '../arch/amd64/registers.js';
import { log } from '../../log.js';
import { Block, NO_RETURN, REGS_SET, type SyscallResult, type SyscallValue } from './block.js';
import { TaskState, type Task } from './task.js';
import { straceEnter, straceExit } from './strace_hook.js';
import { seccompCheck } from './seccomp.js';

const reportedInternal = new Set<number>();

function errnoOf(e: unknown, t: Task, nr: number): number {
  if (e === ERESTARTSYS) {
    // The handler raised a signal that must act first (SIGTTIN on a background tty
    // read): restart the syscall after it unless a handler without SA_RESTART runs.
    t.interrupted = 'restart';
    return -EINTR.errno;
  }
  if (isSysError(e)) return -(e as SysError).errno;
  // A JS exception here is a Sentry bug. Never let it escape to the app or kill the
  // Sentry: log it once per syscall and fail the call with EIO.
  if (!reportedInternal.has(nr)) {
    reportedInternal.add(nr);
    log.warn(`internal error in ${syscallName(nr)} (${t}): ${(e as Error)?.stack ?? String(e)}`);
  }
  return -EIO.errno;
}

function unimplemented(t: Task, nr: number): number {
  const k = t.kernel;
  if (!k.reportedUnimplemented.has(nr)) {
    k.reportedUnimplemented.add(nr);
    // The app's business, not the user's terminal: recorded in the debug log (runsc does the same).
    log.info(`unimplemented syscall ${syscallName(nr)} (${nr}) from ${t}: returning ENOSYS`);
  }
  const entry = nr >= 0 ? k.syscalls[nr] : undefined;
  return -(entry?.errno ?? ENOSYS.errno);
}

/** Serves the syscall a task just stopped at. */
export function runSyscall(t: Task): void {
  const nr = t.regs.getSigned(Reg.orig_rax);
  t.syscallNr = nr;
  t.mm.via = t.hostTid;
  const entry = nr >= 0 ? t.kernel.syscalls[nr] : undefined;
  if (t.kernel.opts.strace) straceEnter(t, nr);
  let r: SyscallResult;
  try {
    // seccomp sees every syscall first; without a filter this costs one field test.
    r = (t.seccomp !== null ? seccompCheck(t, nr) : null) ??
      (entry?.handler ? entry.handler(t, t.args) : unimplemented(t, nr));
  } catch (e) {
    r = errnoOf(e, t, nr);
  }
  finish(t, r);
}

/** Finishes a blocked syscall after a wake-up by running its retry. */
export function completeSyscall(t: Task, retry: () => SyscallValue | Block): void {
  t.mm.via = t.hostTid;
  let r: SyscallResult;
  try {
    r = retry();
  } catch (e) {
    r = errnoOf(e, t, t.syscallNr);
  }
  finish(t, r);
}

function finish(t: Task, r: SyscallResult): void {
  if (r instanceof Block) {
    t.kernel.scheduler.park(t, r);
    return;
  }
  if (r === NO_RETURN || t.state === TaskState.Zombie || t.state === TaskState.Dead) {
    if (t.kernel.opts.strace) straceExit(t, t.syscallNr, null);
    return;
  }
  if (r !== REGS_SET) {
    if (typeof r === 'bigint') t.regs.setBig(Reg.rax, r);
    else t.regs.set(Reg.rax, r);
  }
  if (t.kernel.opts.strace) straceExit(t, t.syscallNr, r === REGS_SET ? null : r);
  t.kernel.scheduler.resume(t);
}
