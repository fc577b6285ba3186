// Pending signals (Linux's struct sigpending) and siginfo_t. Standard signals
// coalesce (one pending instance); real-time signals queue in order.
import { SIGRTMIN, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP, SIGSYS } from '../../abi/linux/signal.js';

/** siginfo_t fields; which ones matter depends on the signal and code (sigaction(2)). */
export interface SigInfo {
  signo: number;
  code: number;
  errno?: number;
  /** kill/sigqueue/SIGCHLD: sender or child. */
  pid?: number;
  uid?: number;
  /** SIGCHLD: exit code or signal. */
  status?: number;
  utime?: number;
  stime?: number;
  /** Faults: the faulting address. */
  addr?: number;
  /** sigqueue / timers: sigval. */
  value?: bigint;
  timerid?: number;
  overrun?: number;
  /** SIGIO/SIGPOLL. */
  band?: number;
  fd?: number;
  /** SIGSYS from seccomp: the syscall number and AUDIT_ARCH_* (si_syscall, si_arch). */
  syscall?: number;
  arch?: number;
  /**
   * Told when this siginfo enters (true) or leaves (false, delivered or discarded) a
   * pending queue: a POSIX timer queues one siginfo at a time and re-arms when it is
   * taken, counting the expirations in between as overruns (timers.c).
   */
  onQueue?: (queued: boolean) => void;
}

export const SIGINFO_SIZE = 128;
// si_code values (include/uapi/asm-generic/siginfo.h)
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_QUEUE = -1;
export const SI_TIMER = -2;
export const SI_MESGQ = -3;
export const SI_ASYNCIO = -4;
export const SI_SIGIO = -5;
export const SI_TKILL = -6;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_TRAPPED = 4;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;
export const POLL_IN = 1;

const FAULTS = new Set([SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP]);

/** Encodes siginfo_t (x86_64 layout: the union starts at offset 16). */
export function encodeSigInfo(i: SigInfo, out = new Uint8Array(SIGINFO_SIZE)): Uint8Array {
  out.fill(0);
  const v = new DataView(out.buffer, out.byteOffset, SIGINFO_SIZE);
  v.setInt32(0, i.signo, true);
  v.setInt32(4, i.errno ?? 0, true);
  v.setInt32(8, i.code, true);
  if (FAULTS.has(i.signo) && i.code > 0) {
    v.setBigUint64(16, BigInt(i.addr ?? 0), true);
  } else if ((i.signo === 17 /* SIGCHLD */ || i.status !== undefined) && i.code > 0) { // any exit signal
    v.setInt32(16, i.pid ?? 0, true);
    v.setUint32(20, i.uid ?? 0, true);
    v.setInt32(24, i.status ?? 0, true);
    v.setBigInt64(32, BigInt(i.utime ?? 0), true);
    v.setBigInt64(40, BigInt(i.stime ?? 0), true);
  } else if (i.code === SI_TIMER) {
    v.setInt32(16, i.timerid ?? 0, true);
    v.setInt32(20, i.overrun ?? 0, true);
    v.setBigUint64(24, i.value ?? 0n, true);
  } else if (i.code === SI_SIGIO || (i.signo === 29 /* SIGIO */ && i.code > 0)) {
    v.setBigInt64(16, BigInt(i.band ?? 0), true);
    v.setInt32(24, i.fd ?? 0, true);
  } else if (i.signo === SIGSYS && i.code > 0) {
    v.setBigUint64(16, BigInt(i.addr ?? 0), true);
    v.setInt32(24, i.syscall ?? 0, true);
    v.setUint32(28, i.arch ?? 0, true);
  } else {
    // kill, tkill, sigqueue, mq: pid, uid, sigval
    v.setInt32(16, i.pid ?? 0, true);
    v.setUint32(20, i.uid ?? 0, true);
    v.setBigUint64(24, i.value ?? 0n, true);
  }
  return out;
}

/** Decodes a siginfo_t an application passed in (rt_sigqueueinfo). */
export function decodeSigInfo(b: Uint8Array): SigInfo {
  const v = new DataView(b.buffer, b.byteOffset, SIGINFO_SIZE);
  return {
    signo: v.getInt32(0, true),
    errno: v.getInt32(4, true),
    code: v.getInt32(8, true),
    pid: v.getInt32(16, true),
    uid: v.getUint32(20, true),
    value: v.getBigUint64(24, true),
  };
}

export function sigBit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** Queued real-time signals per process (RLIMIT_SIGPENDING-like cap). */
const MAX_QUEUED = 4096;

export class PendingSignals {
  /** Bit n-1 set when signal n is pending. */
  mask = 0n;
  private readonly infos: SigInfo[] = [];

  /** Queues a signal; false if it was dropped (standard signal already pending, queue full). */
  enqueue(info: SigInfo): boolean {
    const bit = sigBit(info.signo);
    if (info.signo < SIGRTMIN) {
      if (this.mask & bit) return false;
    } else if (this.infos.length >= MAX_QUEUED) {
      return false;
    }
    this.mask |= bit;
    this.infos.push(info);
    info.onQueue?.(true);
    return true;
  }

  has(sig: number): boolean {
    return (this.mask & sigBit(sig)) !== 0n;
  }

  /** Removes every instance of sig (e.g. SIGCONT discards pending stops). */
  discard(sig: number): void {
    if (!this.has(sig)) return;
    for (let i = this.infos.length - 1; i >= 0; i--) {
      const info = this.infos[i]!;
      if (info.signo !== sig) continue;
      this.infos.splice(i, 1);
      info.onQueue?.(false);
    }
    this.mask &= ~sigBit(sig);
  }

  /**
   * Takes the signal to deliver next among those not in `blocked`: synchronous
   * faults first, then the lowest-numbered standard signal, then real-time
   * signals in number order (FIFO within one number).
   */
  dequeue(blocked: bigint): SigInfo | null {
    const ready = this.mask & ~blocked;
    if (ready === 0n) return null;
    let pick = -1;
    for (const sig of FAULTS) if (ready & sigBit(sig)) return this.take(sig);
    for (let sig = 1; sig <= 64; sig++) {
      if (ready & sigBit(sig)) {
        pick = sig;
        break;
      }
    }
    return pick < 0 ? null : this.take(pick);
  }

  /** Takes the first pending instance of sig. */
  take(sig: number): SigInfo | null {
    const i = this.infos.findIndex((x) => x.signo === sig);
    if (i < 0) {
      this.mask &= ~sigBit(sig);
      return null;
    }
    const info = this.infos.splice(i, 1)[0]!;
    if (!this.infos.some((x) => x.signo === sig)) this.mask &= ~sigBit(sig);
    info.onQueue?.(false);
    return info;
  }

  get size(): number {
    return this.infos.length;
  }
}
