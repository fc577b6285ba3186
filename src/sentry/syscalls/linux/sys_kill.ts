// kill(2), tkill(2), tgkill(2).
import { EINVAL, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import { NSIG, SIGCONT } from '../../../abi/linux/signal.js';
import { CAP_KILL } from '../../kernel/credentials.js';
import { SI_TKILL, SI_USER } from '../../kernel/signal_queue.js';
import { sendToGroup, sendToThread } from '../../kernel/signals.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import { TaskState, type Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';

/** kill_ok_by_cred: same real/effective user, CAP_KILL, or SIGCONT within the session. */
export function mayKill(sender: Task, target: Task, sig: number): boolean {
  const s = sender.creds;
  const r = target.creds;
  if (s.hasCap(CAP_KILL)) return true;
  if (s.euid === r.suid || s.euid === r.ruid || s.ruid === r.suid || s.ruid === r.ruid) return true;
  return sig === SIGCONT && sender.tg.sid === target.tg.sid;
}

function checkSig(sig: number): void {
  if (sig < 0 || sig > NSIG) throw EINVAL;
}

/** Zombies (not yet reaped) still exist: the signal succeeds and is dropped. */
function killGroup(t: Task, tg: ThreadGroup, sig: number): void {
  if (!mayKill(t, tg.leader, sig)) throw EPERM;
  if (sig !== 0 && tg.alive) sendToGroup(tg, { signo: sig, code: SI_USER, pid: t.tg.pid, uid: t.creds.ruid });
}

export function kill(t: Task, [pidArg, sigArg]: SyscallArgs): number {
  const pid = pidArg.int32();
  const sig = sigArg.int32();
  checkSig(sig);
  const k = t.kernel;
  if (pid > 0) {
    const tg = k.threadGroups.get(pid);
    if (!tg) throw ESRCH;
    killGroup(t, tg, sig);
    return 0;
  }
  if (pid === -2147483648) throw ESRCH; // -INT_MIN has no process group
  // Process groups (0: ours, < -1: -pid) and broadcast (-1: all but init and us).
  const pgid = pid === 0 ? t.tg.pgid : pid === -1 ? null : -pid;
  let any = false;
  let denied = false;
  for (const tg of [...k.threadGroups.values()]) {
    if (pgid !== null && tg.pgid !== pgid) continue;
    if (pid === -1 && (tg === t.tg || tg.pid === 1)) continue;
    try {
      killGroup(t, tg, sig);
      any = true;
    } catch (e) {
      if (e === EPERM) denied = true;
    }
  }
  if (!any) throw denied ? EPERM : ESRCH;
  return 0;
}

function killThread(t: Task, tgid: number | null, tid: number, sig: number): number {
  if (tid <= 0 || (tgid !== null && tgid <= 0)) throw EINVAL;
  checkSig(sig);
  const target = t.kernel.tasks.get(tid);
  if (!target || target.state === TaskState.Zombie || target.state === TaskState.Dead) throw ESRCH;
  if (tgid !== null && target.tg.pid !== tgid) throw ESRCH;
  if (!mayKill(t, target, sig)) throw EPERM;
  if (sig !== 0) sendToThread(target, { signo: sig, code: SI_TKILL, pid: t.tg.pid, uid: t.creds.ruid });
  return 0;
}

export function tkill(t: Task, [tid, sig]: SyscallArgs): number {
  return killThread(t, null, tid.int32(), sig.int32());
}

export function tgkill(t: Task, [tgid, tid, sig]: SyscallArgs): number {
  return killThread(t, tgid.int32(), tid.int32(), sig.int32());
}
