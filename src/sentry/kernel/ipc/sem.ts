// SysV semaphores (ipc/sem.c). All operations of one semop are applied atomically
// or not at all. A caller that must wait joins the set's pending list; whoever
// changes the set afterwards (semop, SETVAL, SETALL, an exiting SEM_UNDO owner)
// retries the pending operations in order and completes them on the sleepers'
// behalf, as Linux's update_queue does, so a woken sleeper finds its operation
// already done and values never "belong" to nobody in between.
import { EAGAIN, EFBIG, EIDRM, EINVAL, ENOSPC, ERANGE, type SysError } from '../../../abi/linux/errno.js';
import { Block } from '../block.js';
import type { Task } from '../task.js';
import type { ThreadGroup } from '../thread_group.js';
import { WaitQueue } from '../waiter.js';
import {
  IPC_NOWAIT, IpcIds, IpcObject, MAY_READ_IPC, MAY_WRITE_IPC, ipcGet, nowSeconds, type DecodedPerm, type IpcMemory,
} from './ipc.js';

export const SEM_UNDO = 0x1000;
export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_STAT = 18;
export const SEM_INFO = 19;
export const SEM_STAT_ANY = 20;

/** Linux's defaults (include/uapi/linux/sem.h); /proc/sys/kernel/sem prints the first four. */
export const SEMMSL = 32000;
export const SEMMNS = 1024000000;
export const SEMOPM = 500;
export const SEMMNI = 32000;
export const SEMVMX = 32767;
export const SEMAEM = SEMVMX;
export const SEMUME = SEMOPM;
export const SEMMNU = SEMMNS;
export const SEMMAP = SEMMNS;
export const SEMUSZ = 20;

export interface SemBuf {
  num: number;
  op: number;
  flg: number;
}

/** A sleeping semop (Linux's struct sem_queue). */
interface SemWaiter {
  task: Task;
  sops: SemBuf[];
  undo: SemUndo | null;
  alter: boolean;
  /** Index of the operation that would block (GETNCNT/GETZCNT count by it). */
  blocking: number;
  done: boolean;
  error: SysError | null;
  readonly queue: WaitQueue;
  block: Block | null;
}

/** Adjustments one process made with SEM_UNDO on one set (struct sem_undo). */
class SemUndo {
  constructor(
    public set: SemSet | null,
    /** semadj: what exit adds back to each semaphore (a short in Linux). */
    readonly adj: Int16Array,
    readonly list: SemUndoList,
  ) {}
}

/** A process's SEM_UNDO entries, shared by CLONE_SYSVSEM (struct sem_undo_list). */
class SemUndoList {
  readonly entries = new Map<SemSet, SemUndo>();
  refs = 1;
}

export class SemSet extends IpcObject {
  /** semval and sempid of each semaphore (typed arrays: sets may be large). */
  vals = new Int32Array(0);
  pids = new Int32Array(0);
  otime = 0;
  readonly pending: SemWaiter[] = [];
  readonly undos = new Set<SemUndo>();

  get nsems(): number {
    return this.vals.length;
  }
}

/** Sentry memory charged for a set and for an undo structure. */
const setBytes = (nsems: number): number => 256 + nsems * 8;
const undoBytes = (nsems: number): number => 64 + nsems * 2;

export interface SemInfoValues {
  semmap: number;
  semmni: number;
  semmns: number;
  semmnu: number;
  semmsl: number;
  semopm: number;
  semume: number;
  semusz: number;
  semvmx: number;
  semaem: number;
}

type Outcome = 'ok' | 'block' | SysError;

export class SemRegistry {
  readonly ids = new IpcIds<SemSet>();
  readonly limits = { semmsl: SEMMSL, semmns: SEMMNS, semopm: SEMOPM, semmni: SEMMNI };
  private usedSems = 0;
  private readonly undoLists = new WeakMap<ThreadGroup, SemUndoList>();

  constructor(private readonly mem: IpcMemory) {}

  // ---- semget ----

  get(t: Task, key: number, nsems: number, flags: number): number {
    if (nsems < 0 || nsems > this.limits.semmsl) throw EINVAL;
    return ipcGet(this.ids, {
      key,
      flags,
      creds: t.creds,
      create: () => {
        if (nsems === 0) throw EINVAL;
        if (this.usedSems + nsems > this.limits.semmns) throw ENOSPC;
        if (this.ids.inUse >= this.limits.semmni) throw ENOSPC;
        this.mem.charge(setBytes(nsems));
        const set = new SemSet(key, t.creds, flags);
        set.vals = new Int32Array(nsems);
        set.pids = new Int32Array(nsems);
        try {
          this.ids.add(set, this.limits.semmni);
        } catch (e) {
          this.mem.release(setBytes(nsems));
          throw e;
        }
        this.usedSems += nsems;
        return set;
      },
      moreChecks: (set) => {
        if (nsems > set.nsems) throw EINVAL;
      },
    });
  }

  // ---- semop / semtimedop ----

  /** `timeoutNs`: relative timeout of semtimedop, or null to wait forever. */
  op(t: Task, semid: number, sops: SemBuf[], timeoutNs: number | null): number | Block {
    let max = 0;
    let undos = false;
    let alter = false;
    for (const s of sops) {
      if (s.num > max) max = s.num;
      if (s.flg & SEM_UNDO) undos = true;
      if (s.op !== 0) alter = true;
    }
    const set = this.ids.get(semid);
    const undo = undos ? this.findAllocUndo(t.tg, set) : null;
    if (max >= set.nsems) throw EFBIG;
    set.check(t.creds, alter ? MAY_WRITE_IPC : MAY_READ_IPC);
    const w: SemWaiter = {
      task: t, sops, undo, alter, blocking: 0, done: false, error: null, queue: new WaitQueue(), block: null,
    };
    const r = this.perform(set, w);
    if (r === 'ok') {
      set.otime = nowSeconds();
      if (alter) this.update(set);
      return 0;
    }
    if (r !== 'block') throw r;
    set.pending.push(w);
    const deadline = timeoutNs === null ? null : t.kernel.uptimeNs() + timeoutNs;
    return this.sleep(set, w, deadline);
  }

  private sleep(set: SemSet, w: SemWaiter, deadline: number | null): Block {
    const finish = (): number | Block => {
      if (!w.done) return park();
      if (w.error) throw w.error;
      return 0;
    };
    const timeout = (): number | Block => {
      if (w.done) return finish();
      dropWaiter(set, w);
      throw EAGAIN;
    };
    // semop is never restarted after a handler (signal(7)); the operation is undone
    // by simply leaving the queue: nothing of it was applied.
    const park = (): Block => {
      w.block = new Block(finish, [{ queue: w.queue, mask: 1 }], deadline, timeout, true, 'eintr',
        () => dropWaiter(set, w));
      return w.block;
    };
    return park();
  }

  /** perform_atomic_semop: all or nothing. */
  private perform(set: SemSet, w: SemWaiter): Outcome {
    const vals = new Map<number, number>();
    const adj = new Map<number, number>();
    for (let i = 0; i < w.sops.length; i++) {
      const s = w.sops[i]!;
      const cur = vals.get(s.num) ?? set.vals[s.num]!;
      if ((s.op === 0 && cur !== 0) || cur + s.op < 0) {
        w.blocking = i;
        return s.flg & IPC_NOWAIT ? EAGAIN : 'block';
      }
      const next = cur + s.op;
      if (next > SEMVMX) return ERANGE;
      if (s.flg & SEM_UNDO) {
        const u = (adj.get(s.num) ?? w.undo!.adj[s.num]!) - s.op;
        if (u < -SEMAEM - 1 || u > SEMAEM) return ERANGE;
        adj.set(s.num, u);
      }
      vals.set(s.num, next);
    }
    for (const [num, v] of vals) set.vals[num] = v;
    for (const [num, u] of adj) w.undo!.adj[num] = u;
    for (const s of w.sops) set.pids[s.num] = w.task.pid;
    return 'ok';
  }

  /**
   * update_queue: completes every pending operation that can now proceed, oldest
   * first; waits-for-zero before decrements, and from the start again after an
   * operation that changed values (it may unblock an older one).
   */
  private update(set: SemSet): void {
    for (let again = true; again; ) {
      again = false;
      const order = [...set.pending.filter((w) => !w.alter), ...set.pending.filter((w) => w.alter)];
      for (const w of order) {
        if (!isLive(w)) {
          dropWaiter(set, w);
          continue;
        }
        const r = this.perform(set, w);
        if (r === 'block') continue;
        dropWaiter(set, w);
        complete(w, r === 'ok' ? null : r);
        if (r === 'ok') {
          set.otime = nowSeconds();
          if (w.alter) {
            again = true;
            break;
          }
        }
      }
    }
  }

  // ---- SEM_UNDO ----

  private findAllocUndo(tg: ThreadGroup, set: SemSet): SemUndo {
    let list = this.undoLists.get(tg);
    if (!list) this.undoLists.set(tg, (list = new SemUndoList()));
    let un = list.entries.get(set);
    if (!un) {
      this.mem.charge(undoBytes(set.nsems));
      un = new SemUndo(set, new Int16Array(set.nsems), list);
      list.entries.set(set, un);
      set.undos.add(un);
    }
    return un;
  }

  /** exit_sem: the last process sharing an undo list applies its adjustments. */
  exit(tg: ThreadGroup): void {
    const list = this.undoLists.get(tg);
    if (!list) return;
    this.undoLists.delete(tg);
    if (--list.refs > 0) return;
    for (const [set, un] of list.entries) {
      if (!un.set) continue;
      set.undos.delete(un);
      un.set = null;
      this.mem.release(undoBytes(set.nsems));
      for (let i = 0; i < set.nsems; i++) {
        if (un.adj[i] === 0) continue;
        set.vals[i] = Math.min(SEMVMX, Math.max(0, set.vals[i]! + un.adj[i]!));
        set.pids[i] = tg.pid;
      }
      this.update(set);
    }
    list.entries.clear();
  }

  /** clone(CLONE_SYSVSEM): the child shares the parent's undo list. */
  share(parent: ThreadGroup, child: ThreadGroup): void {
    let list = this.undoLists.get(parent);
    if (!list) this.undoLists.set(parent, (list = new SemUndoList()));
    list.refs++;
    this.undoLists.set(child, list);
  }

  // ---- semctl ----

  /** IPC_STAT, SEM_STAT, SEM_STAT_ANY. */
  stat(t: Task, id: number, byIndex: boolean, checkPerm: boolean): SemSet {
    const set = byIndex ? this.ids.atIndex(id % 32768) : this.ids.get(id);
    if (checkPerm) set.check(t.creds, MAY_READ_IPC);
    return set;
  }

  info(usage: boolean): { info: SemInfoValues; maxIdx: number } {
    const l = this.limits;
    return {
      info: {
        semmap: SEMMAP, semmni: l.semmni, semmns: l.semmns, semmnu: SEMMNU, semmsl: l.semmsl, semopm: l.semopm,
        semume: SEMUME, semvmx: SEMVMX,
        semusz: usage ? this.ids.inUse : SEMUSZ,
        semaem: usage ? this.usedSems : SEMAEM,
      },
      maxIdx: this.ids.maxIdx(),
    };
  }

  /** A readable set and a valid semaphore number (GETVAL & co.). */
  private readable(t: Task, id: number, semnum: number): SemSet {
    const set = this.ids.get(id);
    set.check(t.creds, MAY_READ_IPC);
    if (semnum < 0 || semnum >= set.nsems) throw EINVAL;
    return set;
  }

  getVal(t: Task, id: number, semnum: number): number {
    return this.readable(t, id, semnum).vals[semnum]!;
  }

  getPid(t: Task, id: number, semnum: number): number {
    return this.readable(t, id, semnum).pids[semnum]!;
  }

  /** GETNCNT (zero=false) and GETZCNT: sleepers blocked on this semaphore. */
  count(t: Task, id: number, semnum: number, zero: boolean): number {
    const set = this.readable(t, id, semnum);
    let n = 0;
    for (const w of set.pending) {
      if (!isLive(w)) continue;
      const s = w.sops[w.blocking]!;
      if (s.num === semnum && (zero ? s.op === 0 : s.op < 0)) n++;
    }
    return n;
  }

  getAll(t: Task, id: number): number[] {
    const set = this.ids.get(id);
    set.check(t.creds, MAY_READ_IPC);
    return Array.from(set.vals);
  }

  setVal(t: Task, id: number, semnum: number, val: number): void {
    if (val > SEMVMX || val < 0) throw ERANGE;
    const set = this.ids.get(id);
    if (semnum < 0 || semnum >= set.nsems) throw EINVAL;
    set.check(t.creds, MAY_WRITE_IPC);
    for (const un of set.undos) un.adj[semnum] = 0;
    set.vals[semnum] = val;
    set.pids[semnum] = t.pid;
    set.ctime = nowSeconds();
    this.update(set);
  }

  /** SETALL: `load` reads the nsems new values from the caller (EFAULT) after the checks. */
  setAll(t: Task, id: number, load: (nsems: number) => number[]): void {
    const set = this.ids.get(id);
    set.check(t.creds, MAY_WRITE_IPC);
    const vals = load(set.nsems);
    if (vals.some((v) => v > SEMVMX)) throw ERANGE;
    if (set.removed) throw EIDRM;
    set.vals.set(vals);
    set.pids.fill(t.pid);
    for (const un of set.undos) un.adj.fill(0);
    set.ctime = nowSeconds();
    this.update(set);
  }

  set(t: Task, id: number, perm: DecodedPerm): void {
    const set = this.ids.get(id);
    set.checkOwner(t.creds);
    set.updatePerm(perm);
  }

  /** IPC_RMID: sleepers fail with EIDRM, undo entries die with the set. */
  remove(t: Task, id: number): void {
    const set = this.ids.get(id);
    set.checkOwner(t.creds);
    for (const un of set.undos) {
      un.set = null;
      un.list.entries.delete(set);
      this.mem.release(undoBytes(set.nsems));
    }
    set.undos.clear();
    for (const w of [...set.pending]) {
      dropWaiter(set, w);
      complete(w, EIDRM);
    }
    this.ids.remove(set);
    this.usedSems -= set.nsems;
    this.mem.release(setBytes(set.nsems));
  }
}

function isLive(w: SemWaiter): boolean {
  return !w.done && w.block !== null && w.task.block === w.block;
}

function dropWaiter(set: SemSet, w: SemWaiter): void {
  const i = set.pending.indexOf(w);
  if (i >= 0) set.pending.splice(i, 1);
}

function complete(w: SemWaiter, error: SysError | null): void {
  w.done = true;
  w.error = error;
  w.queue.notify(1);
}
