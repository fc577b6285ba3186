// One-shot expiries on a clock, the building block of itimers, POSIX timers,
// RLIMIT_CPU and CPU-clock sleeps. What to do at expiry (signal, rearm, overrun
// accounting) is the owner's business; this file only gets the callback to run at
// the right time.
//
// Real-time clocks (REALTIME, MONOTONIC, BOOTTIME, TAI) are all kept on the
// Sentry's uptime scale: the sandbox's REALTIME is a fixed offset from its
// monotonic clock (time.ts), so an absolute REALTIME expiry converts once. They
// fire from a Node timer, re-armed when Node wakes us early (its timers have
// millisecond granularity and may run up to a millisecond before the hrtime
// deadline; Linux never fires early).
//
// CPU clocks give no host notification. They are sampled by cpu_sampler.ts.
import type { Kernel } from '../kernel.js';
import { cpuSamplerAdd, cpuSamplerRemove } from './cpu_sampler.js';

/** Longest delay Node's setTimeout accepts (2^31-1 ms); longer waits are chained. */
const MAX_TIMEOUT_MS = 0x7fffffff;

/** A clock a timer can run on. Values are ns on the clock's own scale. */
export interface TimerClock {
  readonly kind: 'real' | 'cpu';
  now(): number;
  /** False once a CPU clock's process or thread is gone (its timers never fire again). */
  alive(): boolean;
  /** CPU clocks: host threads that may advance the clock right now (sampling pace). */
  runners(): number;
}

/** The real-time base all real timers use: ns since the sandbox booted. */
export function uptimeClock(k: Kernel): TimerClock {
  return {
    kind: 'real',
    now: () => k.uptimeNs(),
    alive: () => true,
    runners: () => 0,
  };
}

export class ClockTimer {
  /** Absolute expiry on the clock, ns; 0 when disarmed. */
  private expiry = 0;
  private node: NodeJS.Timeout | null = null;
  private sampled = false;

  constructor(
    readonly clock: TimerClock,
    /** Runs once per arm, when the clock reaches the expiry; `now` is the clock's value then. */
    private readonly onExpire: (now: number) => void,
  ) {}

  get armed(): boolean {
    return this.expiry !== 0;
  }

  /** The absolute expiry, 0 when disarmed. */
  get expires(): number {
    return this.expiry;
  }

  /** Arms (or re-arms) at an absolute time on the clock. A time already past fires soon, not now. */
  arm(expiry: number): void {
    this.disarm();
    // 0 means disarmed: an expiry at clock value 0 has passed anyway.
    this.expiry = Math.max(1, expiry);
    if (this.clock.kind === 'real') this.scheduleReal();
    else {
      this.sampled = true;
      cpuSamplerAdd(this);
    }
  }

  disarm(): void {
    this.expiry = 0;
    if (this.node) {
      clearTimeout(this.node);
      this.node = null;
    }
    if (this.sampled) {
      this.sampled = false;
      cpuSamplerRemove(this);
    }
  }

  /**
   * Fires now if armed and due (a timer set in the past expires before timer_settime
   * returns on Linux, so its signal is already pending then). Returns whether it fired.
   */
  fireIfDue(): boolean {
    if (this.expiry === 0 || !this.clock.alive()) return false;
    const now = this.clock.now();
    if (now < this.expiry) return false;
    this.disarm();
    this.onExpire(now);
    return true;
  }

  /** ns until expiry (<= 0 once due), or 0 when disarmed. */
  remaining(): number {
    return this.expiry === 0 ? 0 : this.expiry - this.clock.now();
  }

  /** CPU sampler: fires if the clock reached the expiry (the callback may re-arm). */
  sample(): void {
    if (this.expiry === 0) return;
    if (!this.clock.alive()) {
      this.expiry = 0;
      this.sampled = false;
      return;
    }
    const now = this.clock.now();
    if (now < this.expiry) return;
    this.expiry = 0;
    this.sampled = false;
    this.onExpire(now);
  }

  private scheduleReal(): void {
    const ms = Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil((this.expiry - this.clock.now()) / 1e6)));
    this.node = setTimeout(this.fireReal, ms);
  }

  private readonly fireReal = (): void => {
    this.node = null;
    if (this.expiry === 0) return;
    const now = this.clock.now();
    if (now < this.expiry) {
      this.scheduleReal();
      return;
    }
    this.expiry = 0;
    this.onExpire(now);
  };
}

/**
 * Moves a periodic expiry past `now` by whole intervals (hrtimer_forward): returns
 * how many intervals it moved (0 if `expiry` is still ahead) and the new expiry.
 */
export function forward(expiry: number, interval: number, now: number): { n: number; next: number } {
  if (now < expiry || interval <= 0) return { n: 0, next: expiry };
  const n = Math.floor((now - expiry) / interval) + 1;
  return { n, next: expiry + n * interval };
}
