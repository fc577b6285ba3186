// Host signal stops of application threads: faults (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGTRAP) become signals for the task; anything else is dropped. A fault
// never reaches the Sentry itself.
import {
  SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGSYS, SIGTRAP, SIG_IGN, defaultActionCoreDumps, signalName,
} from '../../abi/linux/signal.js';
import { log } from '../../log.js';
import { exitGroup } from './exit.js';
import type { Task } from './task.js';
import { signaledStatus } from './thread_group.js';

const SYNCHRONOUS = new Set([SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS]);

export interface HostSigInfo {
  signo: number;
  code: number;
  addr: number;
}

/** Hook for full signal delivery (the process model installs it). */
export type FaultDelivery = (t: Task, si: HostSigInfo) => boolean;
let deliver: FaultDelivery | null = null;

export function setFaultDelivery(fn: FaultDelivery): void {
  deliver = fn;
}

export function handleHostSignal(t: Task, si: HostSigInfo): void {
  if (SYNCHRONOUS.has(si.signo)) {
    log.debug(`${t}: ${signalName(si.signo)} at 0x${si.addr.toString(16)} (code ${si.code})`);
    if (deliver && deliver(t, si)) return;
    // Default action, or a handler we cannot run yet: the fault is fatal, as it is
    // for a blocked or ignored synchronous signal in Linux.
    const a = t.tg.handlers.get(si.signo);
    if (a.handler > SIG_IGN) log.debug(`${t}: handler for ${signalName(si.signo)} not run (no signal delivery)`);
    exitGroup(t.tg, signaledStatus(si.signo, defaultActionCoreDumps(si.signo)));
    return;
  }
  // Not ours to forward (host noise): resume without it.
  log.debug(`${t}: dropping host signal ${signalName(si.signo)}`);
  t.hostSignal = 0;
  t.kernel.scheduler.resume(t);
}

/** The host thread died under us (e.g. killed by the host): the task dies with SIGKILL. */
export function handleHostExit(t: Task, status: number): void {
  log.debug(`${t}: host thread ${t.hostTid} exited (status 0x${status.toString(16)})`);
  exitGroup(t.tg, signaledStatus(SIGKILL, false));
}
