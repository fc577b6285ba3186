// signalfd (fs/signalfd.c): reading takes pending signals of the *reader* (thread
// signals first, then the process's) that are in the fd's mask, as struct
// signalfd_siginfo records. Like Linux, the file looks at whoever asks: read()
// knows its task; poll, select and epoll name the caller through setPollCaller
// (epoll watches the signals of the task that added the fd, as Linux does).
import { EAGAIN, EINVAL } from '../../../abi/linux/errno.js';
import { SFD_NONBLOCK, SIGNALFD_SIGINFO_SIZE } from '../../../abi/linux/anonfd.js';
import { O_RDWR } from '../../../abi/linux/fcntl.js';
import { POLLIN } from '../../../abi/linux/poll.js';
import {
  SIGBUS, SIGCHLD, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGSTOP, SIGSYS, SIGTRAP, SI_KERNEL, SI_TIMER, SI_USER,
} from '../../../abi/linux/signal.js';
import type { SigInfo } from '../../kernel/signal_queue.js';
import type { Task } from '../../kernel/task.js';
import type { WaitQueue } from '../../kernel/waiter.js';
import { FileDescription } from '../../vfs/file.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import { anonInodeVd } from '../epoll/anon_inode.js';
import type { CallerAware, ExactPollBits } from '../epoll/pollable.js';

const FAULTS = new Set([SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP]);
const NSIGPOLL = 6;
const SI_SIGIO = -5;
/** SIGKILL and SIGSTOP can never be read from a signalfd. */
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

/** struct signalfd_siginfo from a siginfo (signalfd_copyinfo, by siginfo_layout). */
export function encodeSignalfdSiginfo(i: SigInfo): Uint8Array {
  const b = new Uint8Array(SIGNALFD_SIGINFO_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, i.signo, true);
  v.setInt32(4, i.errno ?? 0, true);
  v.setInt32(8, i.code, true);
  const value = i.value ?? 0n;
  const kernelCode = i.code > SI_USER && i.code < SI_KERNEL;
  if (kernelCode && FAULTS.has(i.signo)) {
    v.setBigUint64(72, BigInt(i.addr ?? 0), true); // ssi_addr
  } else if (kernelCode && i.signo === SIGCHLD) {
    v.setUint32(12, i.pid ?? 0, true);
    v.setUint32(16, i.uid ?? 0, true);
    v.setInt32(40, i.status ?? 0, true);
    v.setBigUint64(56, BigInt(i.utime ?? 0), true);
    v.setBigUint64(64, BigInt(i.stime ?? 0), true);
  } else if (kernelCode && i.signo === SIGSYS) {
    v.setBigUint64(88, BigInt(i.addr ?? 0), true); // ssi_call_addr
  } else if ((kernelCode && i.code <= NSIGPOLL) || i.code === SI_SIGIO) {
    v.setUint32(28, Number(BigInt.asUintN(32, BigInt(i.band ?? 0))), true);
    v.setInt32(20, i.fd ?? 0, true);
  } else if (i.code === SI_TIMER) {
    v.setUint32(24, i.timerid ?? 0, true); // ssi_tid
    v.setUint32(32, i.overrun ?? 0, true);
    v.setBigUint64(48, value, true);
    v.setInt32(44, Number(BigInt.asIntN(32, value)), true);
  } else if (i.code < 0) {
    // SI_QUEUE, SI_TKILL, SI_MESGQ ...: pid, uid and the sigval.
    v.setUint32(12, i.pid ?? 0, true);
    v.setUint32(16, i.uid ?? 0, true);
    v.setBigUint64(48, value, true);
    v.setInt32(44, Number(BigInt.asIntN(32, value)), true);
  } else {
    // SI_USER (kill) and SI_KERNEL.
    v.setUint32(12, i.pid ?? 0, true);
    v.setUint32(16, i.uid ?? 0, true);
  }
  return b;
}

export class SignalfdDescription extends FileDescription implements CallerAware, ExactPollBits {
  readonly exactPollBits = true;
  /** The signals this fd reads (never SIGKILL or SIGSTOP). */
  private mask: bigint;
  /** Whose signals the next readiness()/waitQueue refers to. */
  private asker: Task;

  constructor(owner: Task, mask: bigint, flags: number) {
    super(anonInodeVd('signalfd'), O_RDWR | (flags & SFD_NONBLOCK));
    this.asker = owner;
    this.mask = mask & ~UNBLOCKABLE;
  }

  get sigmask(): bigint {
    return this.mask;
  }

  /** signalfd4 on an existing signalfd: a new mask; waiters re-check. */
  setMask(mask: bigint): void {
    this.mask = mask & ~UNBLOCKABLE;
    this.asker.signalArrived.notify(POLLIN);
  }

  setPollCaller(t: Task): void {
    this.asker = t;
  }

  override get waitQueue(): WaitQueue {
    return this.asker.signalArrived;
  }

  override get positional(): boolean {
    return false;
  }

  private take(t: Task): SigInfo | null {
    const notWanted = ~this.mask;
    return t.pending.dequeue(notWanted) ?? t.tg.sharedPending.dequeue(notWanted);
  }

  override read(t: Task, dst: IOSequence): number {
    const max = Math.floor(seqLength(dst) / SIGNALFD_SIGINFO_SIZE);
    if (max === 0) throw EINVAL;
    this.asker = t;
    let n = 0;
    while (n < max) {
      const info = this.take(t);
      if (!info) break;
      copyToSeq(dst, encodeSignalfdSiginfo(info), n * SIGNALFD_SIGINFO_SIZE);
      n++;
    }
    // Nothing pending: blockingRead waits on waitQueue, the reader's signal queue.
    if (n === 0) throw EAGAIN;
    return n * SIGNALFD_SIGINFO_SIZE;
  }

  override readiness(mask: number): number {
    const t = this.asker;
    const pending = (t.pending.mask | t.tg.sharedPending.mask) & this.mask;
    return pending !== 0n ? mask & POLLIN : 0;
  }

  override linkName(): string {
    return 'anon_inode:[signalfd]';
  }

  override fdinfo(): string {
    return `sigmask:\t${this.mask.toString(16).padStart(16, '0')}\n`;
  }
}
