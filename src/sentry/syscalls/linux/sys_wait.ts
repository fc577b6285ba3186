// wait4(2), waitid(2).
import { EINVAL, ESRCH } from '../../../abi/linux/errno.js';
import { SIGCHLD } from '../../../abi/linux/signal.js';
import type { Block } from '../../kernel/block.js';
import { SIGINFO_SIZE, encodeSigInfo } from '../../kernel/signal_queue.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import {
  WEXITED, checkWait4Options, checkWaitidOptions, waitFor, type WaitResult, type WaitTarget,
} from '../../kernel/wait.js';
import { pidfdTarget } from './sys_pidfd.js';
import { RUSAGE_SIZE, encodeRusage, waitedChildUsage } from './sys_rusage.js';

const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;
const P_PIDFD = 3;

/** The reaped child's usage (its own and its waited-for children's), or zeros. */
function writeRusage(t: Task, addr: number, r: WaitResult | null): void {
  if (addr === 0) return;
  t.mm.copyOut(addr, r ? encodeRusage(waitedChildUsage(r.child)) : new Uint8Array(RUSAGE_SIZE));
}

export function wait4(t: Task, [pidArg, wstatus, optionsArg, rusage]: SyscallArgs): number | Block {
  const pid = pidArg.int32();
  const options = optionsArg.int32();
  checkWait4Options(options);
  if (pid === -2147483648) throw ESRCH; // Linux: -INT_MIN is not a pid
  const target: WaitTarget = pid > 0 ? { kind: 'pid', pid } : pid === -1 ? { kind: 'any' } :
    { kind: 'pgid', pgid: pid === 0 ? t.tg.pgid : -pid };
  const statusAddr = wstatus.addr();
  const rusageAddr = rusage.addr();
  return waitFor(t, target, options | WEXITED, (r) => {
    if (!r) return 0;
    if (statusAddr !== 0) t.mm.writeU32(statusAddr, r.status);
    writeRusage(t, rusageAddr, r);
    return r.pid;
  });
}

export function waitid(t: Task, [which, idArg, infop, optionsArg, rusage]: SyscallArgs): number | Block {
  const options = optionsArg.int32();
  checkWaitidOptions(options);
  const id = idArg.int32();
  let target: WaitTarget;
  switch (which.int32()) {
    case P_ALL:
      target = { kind: 'any' };
      break;
    case P_PID:
      if (id <= 0) throw EINVAL;
      target = { kind: 'pid', pid: id };
      break;
    case P_PGID:
      if (id < 0) throw EINVAL;
      target = { kind: 'pgid', pgid: id === 0 ? t.tg.pgid : id };
      break;
    case P_PIDFD:
      target = { kind: 'tg', tg: pidfdTarget(t, id) };
      break;
    default:
      throw EINVAL;
  }
  const infoAddr = infop.addr();
  const rusageAddr = rusage.addr();
  return waitFor(t, target, options, (r) => {
    if (infoAddr !== 0) {
      // Nothing to report (WNOHANG): si_signo and si_pid read as 0.
      const info = r
        ? encodeSigInfo({ signo: SIGCHLD, code: r.code, pid: r.pid, uid: r.uid, status: r.siStatus })
        : new Uint8Array(SIGINFO_SIZE);
      t.mm.copyOut(infoAddr, info);
    }
    writeRusage(t, rusageAddr, r);
    return 0;
  });
}
