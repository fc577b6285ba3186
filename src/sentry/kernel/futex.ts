// Futexes (kernel/futex): wait queues keyed by the futex word. Private futexes
// (and shared ones on private memory) are keyed by address space and address;
// shared futexes on shared memory by their memory-file offset, so processes
// mapping the same pages meet on the same queue.
import { EAGAIN, EFAULT, EINVAL, ETIMEDOUT } from '../../abi/linux/errno.js';
import { PROT_READ } from '../../abi/linux/mm.js';
import type { Block } from './block.js';
import type { Task } from './task.js';
import { WaitQueue } from './waiter.js';

export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;

interface Waiter {
  task: Task;
  bitset: number;
  /** Notified when the waiter is woken. */
  readonly queue: WaitQueue;
  key: string;
  woken: boolean;
}

let mmIds = new WeakMap<object, number>();
let nextMmId = 1;

export class FutexManager {
  private readonly waiters = new Map<string, Waiter[]>();

  /** The queue key of the futex word at addr. */
  key(t: Task, addr: number, priv: boolean): string {
    if (addr % 4 !== 0) throw EINVAL;
    const v = t.mm.find(addr);
    if (!v || !(v.prot & PROT_READ)) throw EFAULT;
    if (!priv && v.shared) {
      const loc = v.locate(addr);
      if (loc) return `s:${loc.off}`;
    }
    let id = mmIds.get(t.mm);
    if (id === undefined) mmIds.set(t.mm, (id = nextMmId++));
    return `p:${id}:${addr}`;
  }

  /**
   * FUTEX_WAIT(_BITSET): sleeps if *addr == val until woken (returns 0) or the
   * deadline (uptime ns) passes (ETIMEDOUT). EAGAIN if the value differs.
   */
  wait(t: Task, addr: number, val: number, bitset: number, priv: boolean, deadline: number | null): number | Block {
    if (bitset === 0) throw EINVAL;
    const key = this.key(t, addr, priv);
    if (t.mm.readU32(addr) !== val >>> 0) throw EAGAIN;
    const w: Waiter = { task: t, bitset, queue: new WaitQueue(), key, woken: false };
    this.enqueue(w);
    const done = (): number | Block => {
      if (w.woken) return 0;
      return t.blockOn([{ queue: w.queue, mask: 1 }], done, deadline, timeout);
    };
    const timeout = (): number => {
      if (w.woken) return 0;
      this.remove(w);
      throw ETIMEDOUT;
    };
    return t.blockOn([{ queue: w.queue, mask: 1 }], done, deadline, timeout);
  }

  private enqueue(w: Waiter): void {
    let list = this.waiters.get(w.key);
    if (!list) this.waiters.set(w.key, (list = []));
    list.push(w);
  }

  private remove(w: Waiter): void {
    const list = this.waiters.get(w.key);
    if (!list) return;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.waiters.delete(w.key);
  }

  /** Drops waiters whose task gave up (exited or was interrupted). */
  cancel(t: Task): void {
    for (const list of this.waiters.values()) {
      for (const w of [...list]) if (w.task === t && !w.woken) this.remove(w);
    }
  }

  /** Wakes up to n waiters of key matching bitset; returns how many. */
  wakeKey(key: string, n: number, bitset: number): number {
    const list = this.waiters.get(key);
    if (!list) return 0;
    let woken = 0;
    for (const w of [...list]) {
      if (woken >= n) break;
      if ((w.bitset & bitset) === 0) continue;
      this.remove(w);
      w.woken = true;
      w.queue.notify(1);
      woken++;
    }
    return woken;
  }

  wake(t: Task, addr: number, n: number, bitset: number, priv: boolean): number {
    if (bitset === 0) throw EINVAL;
    return this.wakeKey(this.key(t, addr, priv), n, bitset);
  }

  /** FUTEX_(CMP_)REQUEUE: wake nWake waiters of addr, move up to nRequeue to addr2. */
  requeue(t: Task, addr: number, addr2: number, nWake: number, nRequeue: number, cmp: number | null, priv: boolean): number {
    const k1 = this.key(t, addr, priv);
    const k2 = this.key(t, addr2, priv);
    if (cmp !== null && t.mm.readU32(addr) !== cmp >>> 0) throw EAGAIN;
    const woken = this.wakeKey(k1, nWake, FUTEX_BITSET_MATCH_ANY);
    const list = this.waiters.get(k1) ?? [];
    let moved = 0;
    for (const w of [...list]) {
      if (moved >= nRequeue) break;
      this.remove(w);
      w.key = k2;
      this.enqueue(w);
      moved++;
    }
    return woken + moved;
  }

  /** Number of waiters (tests, /proc). */
  get size(): number {
    let n = 0;
    for (const l of this.waiters.values()) n += l.length;
    return n;
  }
}

/** For tests: forget address-space ids. */
export function resetFutexIds(): void {
  mmIds = new WeakMap();
  nextMmId = 1;
}
