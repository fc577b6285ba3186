// Wait queues: how blocking syscalls learn that they may make progress
// (gVisor's waiter package, Linux's wait_queue_head). Event masks are poll(2) bits.

export const EVENT_IN = 0x001; // POLLIN
export const EVENT_PRI = 0x002;
export const EVENT_OUT = 0x004; // POLLOUT
export const EVENT_ERR = 0x008;
export const EVENT_HUP = 0x010;
export const EVENT_NVAL = 0x020;
export const EVENT_RDNORM = 0x040;
export const EVENT_RDHUP = 0x2000;
export const ALL_EVENTS = 0xffff;

export type WakeFn = (events: number) => void;

interface Entry {
  fn: WakeFn;
  mask: number;
}

export class WaitQueue {
  private readonly entries = new Set<Entry>();
  /** Called when waiters come and go (host fds arm and disarm their event-loop watch). */
  onChange: ((mask: number) => void) | null = null;

  /** Registers fn for events in mask; returns the function that unregisters it. */
  register(fn: WakeFn, mask: number): () => void {
    const e: Entry = { fn, mask };
    this.entries.add(e);
    this.onChange?.(this.mask());
    return () => {
      if (this.entries.delete(e)) this.onChange?.(this.mask());
    };
  }

  /** Union of the events waiters want. */
  mask(): number {
    let m = 0;
    for (const e of this.entries) m |= e.mask;
    return m;
  }

  /** Wakes every waiter interested in any of `events`. */
  notify(events: number): void {
    if (this.entries.size === 0) return;
    for (const e of [...this.entries]) if (e.mask & events) e.fn(events & e.mask);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Something that can be polled: a file description, a pipe end, a socket. */
export interface Waitable {
  /** The subset of `mask` that is ready now. */
  readiness(mask: number): number;
  readonly waitQueue: WaitQueue;
}

/**
 * Thrown by an operation that must wait before it can even start (opening a FIFO
 * with no peer): the syscall layer waits on `queue` and retries the whole call.
 */
export class WouldBlock {
  constructor(
    readonly queue: WaitQueue,
    readonly mask: number,
  ) {}
}

/**
 * Thrown by a read that must wait but not forever (a terminal's VTIME): the wait
 * ends at max(call start + afterStartNs, notBeforeNs) on the uptime clock, and then
 * `expire()` gives the read's result.
 */
export class TimedWouldBlock {
  constructor(
    readonly afterStartNs: number,
    readonly notBeforeNs: number,
    readonly expire: () => number,
  ) {}
}
