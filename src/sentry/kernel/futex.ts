// Futexes (kernel/futex): wait queues keyed by the futex word. Private futexes are
// keyed by address space and address; shared ones on private memory likewise but
// apart from private ones (Linux's FUT_OFF_MMSHARED); shared ones on shared memory
// by the file and offset (file mappings) or the memory-file offset (anonymous
// shared memory, SysV shm), so processes mapping the same pages meet on one queue.
//
// PI futexes (Documentation/locking/pi-futex.rst): the word holds the owner's tid,
// FUTEX_WAITERS and FUTEX_OWNER_DIED. The kernel side of a contended PI futex is a
// PiState: its owner and its waiters in priority order, FIFO among equals. Ownership
// moves to the top waiter on FUTEX_UNLOCK_PI or when the owner dies, and the word
// is rewritten to name it. The word is changed with compare-and-swap because other
// application threads update it concurrently from user space. Priority inheritance
// itself (boosting the owner) is not done: host threads run at the host's priorities.
import { EAGAIN, EDEADLK, EFAULT, EINVAL, EPERM, ESRCH, ETIMEDOUT } from '../../abi/linux/errno.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../abi/linux/mm.js';
import { Reg } from '../arch/amd64/registers.js';
import type { MemoryManager } from '../mm/mm.js';
import { Block } from './block.js';
import { SCHED_DEADLINE, isRtPolicy, schedParams } from './sched_params.js';
import { TaskState, type Task } from './task.js';
import { WaitQueue } from './waiter.js';

export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;
export const FUTEX_WAITERS = 0x80000000;
export const FUTEX_OWNER_DIED = 0x40000000;
export const FUTEX_TID_MASK = 0x3fffffff;
/** Linux's ROBUST_LIST_LIMIT: a corrupt or circular list cannot keep us busy. */
const ROBUST_LIST_LIMIT = 2048;
/** Compare-and-swap retries before giving up on a word user space keeps changing. */
const CAS_RETRIES = 1000;
const READABLE = PROT_READ | PROT_WRITE | PROT_EXEC;

interface Waiter {
  task: Task;
  bitset: number;
  /** Notified when the waiter is woken. */
  readonly queue: WaitQueue;
  key: string;
  woken: boolean;
  /** FUTEX_WAIT_REQUEUE_PI: the PI futex (key, address in task's mm) it waits to be requeued to. */
  readonly requeuePi: { key: string; addr: number } | null;
  /** Set once FUTEX_CMP_REQUEUE_PI moved it onto that PI futex. */
  pi: PiWaiter | null;
}

interface PiWaiter {
  task: Task;
  /** The futex word in task's address space (for rewriting it when the owner dies). */
  addr: number;
  readonly queue: WaitQueue;
  /** Lower runs first (Linux's prio: deadline, then real-time, then everyone else alike). */
  readonly prio: number;
  /** Set when it was made the owner. */
  woken: boolean;
  state: PiState;
}

interface PiState {
  readonly key: string;
  owner: Task;
  /** Never empty while the state is in FutexManager.pi. */
  readonly waiters: PiWaiter[];
}

let mmIds = new WeakMap<object, number>();
let nextMmId = 1;

function mmId(mm: MemoryManager): number {
  let id = mmIds.get(mm);
  if (id === undefined) mmIds.set(mm, (id = nextMmId++));
  return id;
}

/** The futex word for atomic access; EFAULT unless mapped writable (a private copy is made first). */
function word(t: Task, addr: number): Int32Array {
  const v = t.mm.views(addr, 4, true)[0]!;
  if (v.length < 4) throw EFAULT;
  return new Int32Array(v.buffer, v.byteOffset, 1);
}

function load(t: Task, addr: number): number {
  return Atomics.load(word(t, addr), 0) >>> 0;
}

/** cmpxchg on the word; returns the value found (== old when the swap happened). */
function cmpxchg(t: Task, addr: number, old: number, nw: number): number {
  return Atomics.compareExchange(word(t, addr), 0, old | 0, nw | 0) >>> 0;
}

function prioOf(t: Task): number {
  const p = schedParams(t);
  if (p.policy === SCHED_DEADLINE) return -1;
  if (isRtPolicy(p.policy)) return 99 - p.priority;
  return 120;
}

function dead(t: Task): boolean {
  return t.state === TaskState.Zombie || t.state === TaskState.Dead;
}

/**
 * Makes a blocked syscall start over after a signal handler, whatever SA_RESTART
 * says (Linux's ERESTARTNOINTR): the syscall instruction runs again.
 */
function restartNoIntr(t: Task): void {
  t.interrupted = null;
  t.regs.set(Reg.rip, t.regs.get(Reg.rip) - 2);
  t.regs.set(Reg.rax, t.regs.getSigned(Reg.orig_rax));
}

/** Ends a blocked syscall with an errno when a signal interrupts it. */
function failOnInterrupt(t: Task, e: { errno: number }): void {
  t.interrupted = null;
  t.regs.set(Reg.rax, -e.errno);
}

export class FutexManager {
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly pi = new Map<string, PiState>();

  /** The queue key of the futex word at addr. */
  key(t: Task, addr: number, priv: boolean): string {
    if (addr % 4 !== 0) throw EINVAL;
    if (addr + 4 > t.mm.maxAddress) throw EFAULT; // access_ok
    // A private key is the address alone: no memory is touched until the op reads it.
    if (priv) return `p:${mmId(t.mm)}:${addr}`;
    const v = t.mm.find(addr);
    if (!v || !(v.prot & READABLE)) throw EFAULT;
    if (v.shared) {
      if (v.file) return `f:${v.file.dev}:${v.file.ino}:${v.file.offset + (addr - v.start)}`;
      const loc = v.locate(addr);
      if (loc) return `s:${loc.off}`;
    }
    return `m:${mmId(t.mm)}:${addr}`;
  }

  /**
   * FUTEX_WAIT(_BITSET): sleeps if *addr == val until woken (returns 0) or the
   * deadline (uptime ns) passes (ETIMEDOUT). EAGAIN if the value differs.
   */
  wait(t: Task, addr: number, val: number, bitset: number, priv: boolean, deadline: number | null): number | Block {
    if (bitset === 0) throw EINVAL;
    const key = this.key(t, addr, priv);
    if (t.mm.readU32(addr) !== val >>> 0) throw EAGAIN;
    const w = this.newWaiter(t, key, bitset, null);
    this.enqueue(w);
    const waits = [{ queue: w.queue, mask: 1 }];
    const done = (): number | Block => (w.woken ? 0 : block());
    const timeout = (): number => {
      if (w.woken) return 0;
      this.remove(w);
      throw ETIMEDOUT;
    };
    // Untimed waits restart after a handler with SA_RESTART (ERESTARTSYS); timed ones
    // fail with EINTR (ERESTART_RESTARTBLOCK). Either way the waiter leaves the queue.
    const block = (): Block => new Block(done, waits, deadline, timeout, true, deadline === null ? 'restart' : 'eintr',
      () => this.remove(w));
    return block();
  }

  private newWaiter(t: Task, key: string, bitset: number, requeuePi: Waiter['requeuePi']): Waiter {
    return { task: t, bitset, queue: new WaitQueue(), key, woken: false, requeuePi, pi: null };
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

  private wakeWaiter(w: Waiter): void {
    this.remove(w);
    w.woken = true;
    w.queue.notify(1);
  }

  /** Drops waiters whose task gave up (it exited). */
  cancel(t: Task): void {
    for (const list of [...this.waiters.values()]) {
      for (const w of [...list]) if (w.task === t && !w.woken) this.remove(w);
    }
    for (const st of [...this.pi.values()]) {
      for (const pw of [...st.waiters]) if (pw.task === t) this.piRemove(pw);
    }
  }

  /** Wakes up to n waiters of key matching bitset; returns how many. */
  wakeKey(key: string, n: number, bitset: number): number {
    // A PI futex is released with UNLOCK_PI, never woken.
    if (this.pi.has(key)) throw EINVAL;
    const list = this.waiters.get(key);
    if (!list) return 0;
    let woken = 0;
    for (const w of [...list]) {
      if (woken >= n) break;
      if (w.requeuePi) throw EINVAL;
      if ((w.bitset & bitset) === 0) continue;
      this.wakeWaiter(w);
      woken++;
    }
    return woken;
  }

  /** FUTEX_WAKE(_BITSET): Linux wakes at least one waiter even when n <= 0. */
  wake(t: Task, addr: number, n: number, bitset: number, priv: boolean): number {
    if (bitset === 0) throw EINVAL;
    return this.wakeKey(this.key(t, addr, priv), Math.max(1, n), bitset);
  }

  /** FUTEX_(CMP_)REQUEUE: wake nWake waiters of addr, move up to nRequeue to addr2. */
  requeue(t: Task, addr: number, addr2: number, nWake: number, nRequeue: number, cmp: number | null, priv: boolean): number {
    const k1 = this.key(t, addr, priv);
    const k2 = this.key(t, addr2, priv);
    if (cmp !== null && t.mm.readU32(addr) !== cmp >>> 0) throw EAGAIN;
    if (this.pi.has(k1)) throw EINVAL;
    let count = 0;
    for (const w of [...(this.waiters.get(k1) ?? [])]) {
      if (count - nWake >= nRequeue) break;
      if (w.requeuePi) throw EINVAL;
      if (++count <= nWake) {
        this.wakeWaiter(w);
      } else {
        this.remove(w);
        w.key = k2;
        this.enqueue(w);
      }
    }
    return count;
  }

  // ---- PI futexes ----

  /**
   * futex_lock_pi_atomic for `task` (the caller, or the waiter CMP_REQUEUE_PI acts
   * for) on the word at addr in t's address space: true when it took the lock, the
   * owner to queue behind, or null when user space changed the word meanwhile.
   */
  private lockPiAtomic(t: Task, task: Task, addr: number, key: string, setWaiters: boolean): true | Task | null {
    const uval = load(t, addr);
    const pid = uval & FUTEX_TID_MASK;
    if (pid === task.tid) throw EDEADLK;
    const st = this.pi.get(key);
    if (st) {
      // The word must name the owner the kernel knows, or user space tampered with it.
      if (pid !== st.owner.tid) throw EINVAL;
      return st.owner;
    }
    // A plain waiter on the same word: mixing PI and non-PI ops.
    if (this.waiters.get(key)?.length) throw EINVAL;
    if (pid === 0) {
      // Free (possibly with stale WAITERS/OWNER_DIED bits): take it, keeping OWNER_DIED.
      const nv = (uval & FUTEX_OWNER_DIED) | task.tid | (setWaiters ? FUTEX_WAITERS : 0);
      return cmpxchg(t, addr, uval, nv) === uval ? true : null;
    }
    // Owned: set WAITERS first so the owner's user-space unlock comes to the kernel.
    const nv = (uval | FUTEX_WAITERS) >>> 0;
    if (nv !== uval && cmpxchg(t, addr, uval, nv) !== uval) return null;
    const owner = t.kernel.tasks.get(pid);
    if (!owner || dead(owner)) {
      // The owner is gone without a robust list (or the word is bogus), unless it changed.
      if (load(t, addr) !== nv) return null;
      throw ESRCH;
    }
    return owner;
  }

  private piState(key: string, owner: Task): PiState {
    let st = this.pi.get(key);
    if (!st) this.pi.set(key, (st = { key, owner, waiters: [] }));
    return st;
  }

  private piEnqueue(st: PiState, task: Task, addr: number, queue: WaitQueue): PiWaiter {
    const pw: PiWaiter = { task, addr, queue, prio: prioOf(task), woken: false, state: st };
    let i = st.waiters.length;
    while (i > 0 && st.waiters[i - 1]!.prio > pw.prio) i--;
    st.waiters.splice(i, 0, pw);
    return pw;
  }

  private piRemove(pw: PiWaiter): void {
    const st = pw.state;
    const i = st.waiters.indexOf(pw);
    if (i >= 0) st.waiters.splice(i, 1);
    if (st.waiters.length === 0 && this.pi.get(st.key) === st) this.pi.delete(st.key);
  }

  /** Makes the top waiter of st the owner (its word was already rewritten). */
  private piGrant(st: PiState): PiWaiter {
    const top = st.waiters.shift()!;
    st.owner = top.task;
    if (st.waiters.length === 0) this.pi.delete(st.key);
    top.woken = true;
    top.queue.notify(1);
    return top;
  }

  /** A Block for a queued PI waiter: 0 once it owns the lock, ETIMEDOUT at the deadline. */
  private piSleep(pw: PiWaiter, deadline: number | null, onInterrupt: () => void): Block {
    const waits = [{ queue: pw.queue, mask: 1 }];
    const done = (): number | Block => (pw.woken ? 0 : block());
    const timeout = (): number => {
      if (pw.woken) return 0;
      this.piRemove(pw);
      throw ETIMEDOUT;
    };
    const block = (): Block => new Block(done, waits, deadline, timeout, true, 'restart', () => {
      this.piRemove(pw);
      onInterrupt();
    });
    return block();
  }

  /** FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI. The deadline is in uptime ns. */
  lockPi(t: Task, addr: number, priv: boolean, deadline: number | null, trylock: boolean): number | Block {
    const key = this.key(t, addr, priv);
    for (let i = 0; i < CAS_RETRIES; i++) {
      const r = this.lockPiAtomic(t, t, addr, key, false);
      if (r === true) return 0;
      if (r === null) continue;
      if (trylock) throw EAGAIN;
      const pw = this.piEnqueue(this.piState(key, r), t, addr, new WaitQueue());
      // Interrupted by a handler: start over afterwards (ERESTARTNOINTR).
      return this.piSleep(pw, deadline, () => restartNoIntr(t));
    }
    throw EAGAIN;
  }

  /** FUTEX_UNLOCK_PI: hands the lock to the top waiter, or frees the word. */
  unlockPi(t: Task, addr: number, priv: boolean): number {
    for (let i = 0; i < CAS_RETRIES; i++) {
      const uval = t.mm.readU32(addr);
      if ((uval & FUTEX_TID_MASK) !== t.tid) throw EPERM;
      const key = this.key(t, addr, priv);
      const st = this.pi.get(key);
      if (st) {
        if (st.owner !== t) throw EINVAL;
        // The new owner's word keeps WAITERS set while the kernel has state; OWNER_DIED goes.
        const nv = (FUTEX_WAITERS | st.waiters[0]!.task.tid) >>> 0;
        const cur = cmpxchg(t, addr, uval, nv);
        if (cur !== uval) {
          // A waiter bit appeared after we read the word: read again. Anything else is tampering.
          if ((cur & FUTEX_TID_MASK) === uval) continue;
          throw EINVAL;
        }
        this.piGrant(st);
        return 0;
      }
      // No waiters in the kernel: free the word, dropping stale bits.
      if (cmpxchg(t, addr, uval, 0) !== uval) throw EAGAIN;
      return 0;
    }
    throw EAGAIN;
  }

  /** FUTEX_WAIT_REQUEUE_PI: waits on addr to be requeued to (and acquire) the PI futex addr2. */
  waitRequeuePi(t: Task, addr: number, val: number, addr2: number, priv: boolean, deadline: number | null): number | Block {
    if (addr === addr2) throw EINVAL;
    const key2 = this.key(t, addr2, priv);
    const key = this.key(t, addr, priv);
    if (t.mm.readU32(addr) !== val >>> 0) throw EAGAIN;
    if (key === key2) throw EINVAL;
    const w = this.newWaiter(t, key, FUTEX_BITSET_MATCH_ANY, { key: key2, addr: addr2 });
    this.enqueue(w);
    const waits = [{ queue: w.queue, mask: 1 }];
    const done = (): number | Block => (w.woken || w.pi?.woken ? 0 : block());
    const timeout = (): number => {
      if (w.woken || w.pi?.woken) return 0;
      if (w.pi) this.piRemove(w.pi);
      else this.remove(w);
      throw ETIMEDOUT;
    };
    const block = (): Block => new Block(done, waits, deadline, timeout, true, 'restart', () => {
      // Before the requeue the call starts over; after it, the value it waited on is
      // stale, so Linux returns EWOULDBLOCK rather than restarting.
      if (w.pi) {
        this.piRemove(w.pi);
        failOnInterrupt(t, EAGAIN);
      } else {
        this.remove(w);
        restartNoIntr(t);
      }
    });
    return block();
  }

  /**
   * FUTEX_CMP_REQUEUE_PI: takes the PI futex addr2 for the first waiter of addr if it
   * is free (waking it), and requeues up to nRequeue waiters onto addr2's PI queue.
   */
  cmpRequeuePi(t: Task, addr: number, addr2: number, nWake: number, nRequeue: number, cmp: number, priv: boolean): number {
    if (addr === addr2 || nWake !== 1) throw EINVAL;
    const k1 = this.key(t, addr, priv);
    const k2 = this.key(t, addr2, priv);
    if (k1 === k2) throw EINVAL;
    if (t.mm.readU32(addr) !== cmp >>> 0) throw EAGAIN;
    let count = 0;
    let owner: Task | null = null;
    const top = this.waiters.get(k1)?.[0];
    if (top) {
      if (!top.requeuePi || top.requeuePi.key !== k2) throw EINVAL;
      for (let i = 0; owner === null; i++) {
        if (i >= CAS_RETRIES) throw EAGAIN;
        const r = this.lockPiAtomic(t, top.task, addr2, k2, true);
        if (r === true) {
          this.wakeWaiter(top);
          count = 1;
          owner = top.task;
        } else if (r !== null) {
          owner = r;
        }
      }
    }
    for (const w of [...(this.waiters.get(k1) ?? [])]) {
      if (count - nWake >= nRequeue) break;
      if (!w.requeuePi || w.requeuePi.key !== k2) throw EINVAL;
      this.remove(w);
      w.pi = this.piEnqueue(this.piState(k2, owner!), w.task, w.requeuePi.addr, w.queue);
      count++;
    }
    return count;
  }

  // ---- exit ----

  /** futex_exit_release: robust futexes, then PI futexes the dying task still owns. */
  exitTask(t: Task): void {
    this.exitRobustList(t);
    for (const st of [...this.pi.values()]) {
      if (st.owner !== t) continue;
      // The top waiter inherits the lock; OWNER_DIED tells it the state may be inconsistent.
      const top = st.waiters[0]!;
      try {
        Atomics.store(word(top.task, top.addr), 0, (top.task.tid | FUTEX_WAITERS | FUTEX_OWNER_DIED) | 0);
      } catch {
        // The waiter's word is gone: it gets the lock all the same.
      }
      this.piGrant(st);
    }
  }

  /** exit_robust_list: walks the thread's robust futex list (bit 0 of a pointer: a PI futex). */
  private exitRobustList(t: Task): void {
    if (t.robustList === 0) return;
    try {
      const head = t.robustList;
      let entry = t.mm.readU64(head);
      const offset = t.mm.readI64(head + 8);
      const pendingRaw = t.mm.readU64(head + 16);
      const pending = pendingRaw - (pendingRaw % 2);
      let pi = entry % 2 === 1;
      entry -= entry % 2;
      for (let n = 0; entry !== head && n < ROBUST_LIST_LIMIT; n++) {
        let next: number | null = null;
        try {
          next = t.mm.readU64(entry);
        } catch {
          // Process this entry, then stop.
        }
        if (entry !== pending && !this.futexDeath(t, entry + offset, pi, false)) return;
        if (next === null) return;
        pi = next % 2 === 1;
        entry = next - (next % 2);
      }
      if (pending !== 0) this.futexDeath(t, pending + offset, pendingRaw % 2 === 1, true);
    } catch {
      // A bad list is the application's problem: stop walking it.
    }
  }

  /** handle_futex_death: returns false to stop walking the list. */
  private futexDeath(t: Task, addr: number, pi: boolean, pendingOp: boolean): boolean {
    if (addr % 4 !== 0) return false;
    for (let i = 0; i < CAS_RETRIES; i++) {
      const uval = t.mm.readU32(addr);
      const owner = uval & FUTEX_TID_MASK;
      // Died between releasing a plain robust lock in user space and waking: wake for it.
      if (pendingOp && !pi && owner === 0) {
        this.wakeQuiet(t, addr);
        return true;
      }
      if (owner !== t.tid) return true;
      if (cmpxchg(t, addr, uval, ((uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0) !== uval) continue;
      // PI futexes are handed over by exitTask.
      if (!pi && uval & FUTEX_WAITERS) this.wakeQuiet(t, addr);
      return true;
    }
    return true;
  }

  private wakeQuiet(t: Task, addr: number): void {
    try {
      this.wake(t, addr, 1, FUTEX_BITSET_MATCH_ANY, false);
    } catch {
      // Nothing to wake on a bad or PI word.
    }
  }

  /** Number of waiters (tests, /proc). */
  get size(): number {
    let n = 0;
    for (const l of this.waiters.values()) n += l.length;
    for (const st of this.pi.values()) n += st.waiters.length;
    return n;
  }
}

/** For tests: forget address-space ids. */
export function resetFutexIds(): void {
  mmIds = new WeakMap();
  nextMmId = 1;
}
