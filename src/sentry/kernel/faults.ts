// Host signal stops of application threads: faults (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGTRAP) become signals for the task; anything else is dropped. A fault
// never reaches the Sentry itself.
import { SEGV_ACCERR, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGSYS, SIGTRAP, signalName } from '../../abi/linux/signal.js';
import { log } from '../../log.js';
import { exitGroup } from './exit.js';
import { forceSignal } from './signals.js';
import type { Task } from './task.js';
import { signaledStatus } from './thread_group.js';

const SYNCHRONOUS = new Set([SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS]);

export interface HostSigInfo {
  signo: number;
  code: number;
  addr: number;
}


export function handleHostSignal(t: Task, si: HostSigInfo): void {
  t.mm.via = t.hostTid;
  if (SYNCHRONOUS.has(si.signo)) {
    log.debug(`${t}: ${signalName(si.signo)} at 0x${si.addr.toString(16)} (code ${si.code})`);
    // Lazy mapping after fork and copy-on-write are the memory manager's business, never the app's.
    if (si.signo === SIGSEGV && t.mm.handleFault(si.addr, si.code === SEGV_ACCERR)) {
      t.kernel.scheduler.resume(t);
      return;
    }
    // A file mapping's page past EOF is SIGBUS/BUS_ADRERR in Linux, not SIGSEGV.
    const bus = si.signo === SIGSEGV && t.mm.pastEof(si.addr);
    forceSignal(t, bus ? { signo: SIGBUS, code: 2 /* BUS_ADRERR */, addr: si.addr }
      : { signo: si.signo, code: si.code, addr: si.addr });
    t.kernel.scheduler.resume(t);
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
