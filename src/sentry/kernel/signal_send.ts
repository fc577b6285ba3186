// Sending signals (kill, tkill, tgkill) with default actions. Running handlers
// needs signal frames and comes with the process model; until then a signal with a
// handler stays pending on the target and is reported once in the log.
import { EINVAL, EPERM, ESRCH } from '../../abi/linux/errno.js';
import {
  NSIG, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH, SIG_DFL, SIG_IGN,
  defaultActionCoreDumps, signalName,
} from '../../abi/linux/signal.js';
import { log } from '../../log.js';
import { CAP_KILL } from './credentials.js';
import { exitGroup } from './exit.js';
import type { Task } from './task.js';
import { signaledStatus, type ThreadGroup } from './thread_group.js';

const reported = new Set<number>();
/** Pending signals by thread group (bit n-1 for signal n). */
const pending = new WeakMap<ThreadGroup, bigint>();

function mayKill(sender: Task, target: Task): boolean {
  const s = sender.creds;
  const r = target.creds;
  return s.hasCap(CAP_KILL) || s.euid === r.ruid || s.euid === r.suid || s.ruid === r.ruid || s.ruid === r.suid;
}

export function pendingSignals(tg: ThreadGroup): bigint {
  return pending.get(tg) ?? 0n;
}

/** Delivers sig to the thread group of `target` as far as we can without frames. */
export function sendSignal(sender: Task, target: Task, sig: number): void {
  if (sig < 0 || sig > NSIG) throw EINVAL;
  if (!target.tg.alive) throw ESRCH;
  if (!mayKill(sender, target)) throw EPERM;
  if (sig === 0) return;
  const tg = target.tg;
  if (sig === SIGKILL) {
    exitGroup(tg, signaledStatus(SIGKILL, false));
    return;
  }
  const action = tg.handlers.get(sig);
  const blocked = (target.sigmask >> BigInt(sig - 1)) & 1n;
  if (action.handler === SIG_IGN) return;
  if (action.handler === SIG_DFL) {
    if ([SIGCHLD, SIGURG, SIGWINCH, SIGCONT].includes(sig)) return;
    if ([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU].includes(sig)) {
      logOnce(sig, `stop signal ${signalName(sig)} ignored: job control comes with the process model`);
      return;
    }
    if (!blocked) {
      exitGroup(tg, signaledStatus(sig, defaultActionCoreDumps(sig)));
      return;
    }
  } else {
    logOnce(sig, `${signalName(sig)} has a handler in ${target}: handlers run once signal delivery exists; left pending`);
  }
  pending.set(tg, pendingSignals(tg) | (1n << BigInt(sig - 1)));
}

function logOnce(sig: number, msg: string): void {
  if (reported.has(sig)) return;
  reported.add(sig);
  log.warn(msg);
}
