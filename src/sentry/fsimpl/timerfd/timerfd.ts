// timerfd (fs/timerfd.c): a timer whose expirations are read as a u64 count.
// Expirations are computed from the clock when asked (read, poll, gettime), so a
// periodic timer nobody reads costs nothing; a Node timer only wakes the wait queue
// at the next expiry while the count is 0. All deadlines are kept on the uptime
// clock: REALTIME here is the monotonic clock plus a fixed offset (kernel/time.ts),
// and the sandbox cannot set it, so converting an absolute time once is exact.
import { EAGAIN, EINVAL } from '../../../abi/linux/errno.js';
import { TFD_NONBLOCK, TFD_TIMER_ABSTIME } from '../../../abi/linux/anonfd.js';
import { O_RDWR } from '../../../abi/linux/fcntl.js';
import { POLLIN } from '../../../abi/linux/poll.js';
import type { Kernel } from '../../kernel/kernel.js';
import { clockNow } from '../../kernel/time.js';
import type { Task } from '../../kernel/task.js';
import { FileDescription } from '../../vfs/file.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import { anonInodeVd } from '../epoll/anon_inode.js';
import type { ExactPollBits } from '../epoll/pollable.js';

/** Longest delay Node's setTimeout takes (2^31-1 ms); longer waits re-arm. */
const MAX_TIMEOUT_MS = 0x7fffffff;

export interface TimerValue {
  /** Time to the next expiry, ns (0: disarmed). */
  value: bigint;
  interval: bigint;
}

export class TimerfdDescription extends FileDescription implements ExactPollBits {
  readonly exactPollBits = true;
  /** Next expiry on the uptime clock (ns), or null when disarmed. */
  private next: number | null = null;
  private interval = 0;
  private ticks = 0;
  private settimeFlags = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly kernel: Kernel,
    readonly clock: number,
    flags: number,
  ) {
    super(anonInodeVd('timerfd'), O_RDWR | (flags & TFD_NONBLOCK));
  }

  private now(): number {
    return this.kernel.uptimeNs();
  }

  override get positional(): boolean {
    return false;
  }

  /** Counts expirations up to now. */
  private advance(now: number): void {
    if (this.next === null || now < this.next) return;
    if (this.interval > 0) {
      const n = Math.floor((now - this.next) / this.interval) + 1;
      this.ticks += n;
      this.next += n * this.interval;
    } else {
      this.ticks += 1;
      this.next = null;
    }
  }

  /** Sets a Node timer for the next expiry while nothing is pending, to wake waiters. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.next === null || this.ticks > 0) return;
    const ms = Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil((this.next - this.now()) / 1e6)));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.advance(this.now());
      // Node's timers may run a little early: wait again for the rest.
      if (this.ticks === 0) this.arm();
      else this.waitQueue.notify(POLLIN);
    }, ms);
  }

  private current(now: number): TimerValue {
    const left = this.next === null ? 0 : Math.max(0, this.next - now);
    return { value: BigInt(Math.round(left)), interval: BigInt(this.interval) };
  }

  /** timerfd_settime(2): returns the old setting. */
  set(t: Task, flags: number, value: bigint, interval: bigint): TimerValue {
    const now = this.now();
    this.advance(now);
    const old = this.current(now);
    this.ticks = 0;
    this.settimeFlags = flags;
    this.interval = Number(interval);
    if (value === 0n) {
      this.next = null;
    } else if (flags & TFD_TIMER_ABSTIME) {
      this.next = now + Number(value - clockNow(t, this.clock));
    } else {
      this.next = now + Number(value);
    }
    this.advance(now);
    this.arm();
    if (this.ticks > 0) this.waitQueue.notify(POLLIN);
    return old;
  }

  /** timerfd_gettime(2). */
  get(): TimerValue {
    const now = this.now();
    this.advance(now);
    return this.current(now);
  }

  override read(t: Task, dst: IOSequence): number {
    if (seqLength(dst) < 8) throw EINVAL;
    this.advance(this.now());
    if (this.ticks === 0) throw EAGAIN;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(this.ticks), true);
    copyToSeq(dst, b);
    this.ticks = 0;
    this.arm();
    return 8;
  }

  override readiness(mask: number): number {
    this.advance(this.now());
    return this.ticks > 0 ? mask & POLLIN : 0;
  }

  override linkName(): string {
    return 'anon_inode:[timerfd]';
  }

  override fdinfo(): string {
    const v = this.get();
    const ts = (ns: bigint): string => `(${ns / 1_000_000_000n}, ${ns % 1_000_000_000n})`;
    return `clockid: ${this.clock}\nticks: ${this.ticks}\nsettime flags: 0${this.settimeFlags.toString(8)}\n` +
      `it_value: ${ts(v.value)}\nit_interval: ${ts(v.interval)}\n`;
  }

  protected override release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
