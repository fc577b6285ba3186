// kill(2), tkill(2), tgkill(2).
import { EINVAL, ESRCH } from '../../../abi/linux/errno.js';
import { sendSignal } from '../../kernel/signal_send.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function kill(t: Task, [pidArg, sigArg]: SyscallArgs): number {
  const pid = pidArg.int32();
  const sig = sigArg.int32();
  const k = t.kernel;
  if (pid > 0) {
    const tg = k.threadGroups.get(pid);
    if (!tg || !tg.alive) throw ESRCH;
    sendSignal(t, tg.leader, sig);
    return 0;
  }
  // Process groups and broadcast: every live process matching.
  const pgid = pid === 0 ? t.tg.pgid : pid === -1 ? null : -pid;
  let any = false;
  let lastErr: unknown = ESRCH;
  for (const tg of [...k.threadGroups.values()]) {
    if (!tg.alive) continue;
    if (pgid !== null && tg.pgid !== pgid) continue;
    if (pid === -1 && (tg === t.tg || tg.pid === 1)) continue;
    try {
      sendSignal(t, tg.leader, sig);
      any = true;
    } catch (e) {
      lastErr = e;
    }
  }
  if (!any) throw lastErr;
  return 0;
}

export function tkill(t: Task, [tidArg, sigArg]: SyscallArgs): number {
  const tid = tidArg.int32();
  if (tid <= 0) throw EINVAL;
  const target = t.kernel.tasks.get(tid);
  if (!target) throw ESRCH;
  sendSignal(t, target, sigArg.int32());
  return 0;
}

export function tgkill(t: Task, [tgidArg, tidArg, sigArg]: SyscallArgs): number {
  const tgid = tgidArg.int32();
  const tid = tidArg.int32();
  if (tgid <= 0 || tid <= 0) throw EINVAL;
  const target = t.kernel.tasks.get(tid);
  if (!target || target.tg.pid !== tgid) throw ESRCH;
  sendSignal(t, target, sigArg.int32());
  return 0;
}
