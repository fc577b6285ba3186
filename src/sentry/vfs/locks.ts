// Advisory file locks (fs/locks.c), kept per inode inside the Sentry:
//  - flock(2) locks, owned by the open file description, released when its last
//    reference goes;
//  - POSIX record locks (F_SETLK), owned by the process's descriptor table (Linux's
//    fl_owner = current->files), released when that table closes any fd of the file;
//  - OFD record locks (F_OFD_SETLK), owned by the open file description.
// The host never sees these locks: the sandbox owns its files, as runsc does.
import { EAGAIN, EBADF, EDEADLK, EINVAL, EOVERFLOW } from '../../abi/linux/errno.js';
import { SEEK_CUR, SEEK_END, SEEK_SET } from '../../abi/linux/fcntl.js';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, OFFSET_MAX } from '../../abi/linux/flock.js';
import { Block, type SyscallValue } from '../kernel/block.js';
import type { Task } from '../kernel/task.js';
import { EVENT_IN, WaitQueue } from '../kernel/waiter.js';
import type { FileDescription } from './file.js';
import type { Inode } from './inode.js';

/** A record lock's byte range, inclusive at both ends (end OFFSET_MAX: to EOF). */
export interface LockRange {
  type: number;
  start: bigint;
  end: bigint;
}

interface RecordLock extends LockRange {
  /** FdTable for POSIX locks, FileDescription for OFD locks. */
  owner: object;
  ofd: boolean;
  pid: number;
}

interface FlockLock {
  file: FileDescription;
  type: number;
  pid: number;
}

class InodeLocks {
  records: RecordLock[] = [];
  flocks: FlockLock[] = [];
  /** Woken whenever a lock goes away or shrinks: blocked requests retry. */
  readonly queue = new WaitQueue();

  get empty(): boolean {
    return this.records.length === 0 && this.flocks.length === 0;
  }
}

const byInode = new Map<Inode, InodeLocks>();

function locksFor(inode: Inode): InodeLocks {
  let l = byInode.get(inode);
  if (!l) byInode.set(inode, (l = new InodeLocks()));
  return l;
}

/** Forgets an inode's state once nothing is locked and nobody waits. */
function tidy(inode: Inode, l: InodeLocks): void {
  if (l.empty && l.queue.size === 0 && byInode.get(inode) === l) byInode.delete(inode);
}

function changed(inode: Inode, l: InodeLocks): void {
  l.queue.notify(EVENT_IN);
  tidy(inode, l);
}

const overlaps = (a: LockRange, b: LockRange): boolean => a.start <= b.end && b.start <= a.end;
const conflicts = (a: LockRange, b: LockRange): boolean =>
  overlaps(a, b) && (a.type === F_WRLCK || b.type === F_WRLCK);

// ---- release on close ----

/** Descriptions that own flock or OFD locks already have a release hook. */
const hooked = new WeakSet<FileDescription>();

function hookRelease(file: FileDescription): void {
  if (hooked.has(file)) return;
  hooked.add(file);
  file.onRelease(() => releaseDescriptionLocks(file));
}

/** Last reference to an open file description: its flock and OFD locks go. */
function releaseDescriptionLocks(file: FileDescription): void {
  const inode = file.inode;
  const l = byInode.get(inode);
  if (!l) return;
  l.flocks = l.flocks.filter((f) => f.file !== file);
  l.records = l.records.filter((r) => r.owner !== file);
  changed(inode, l);
}

/** close(2) of any fd of the file drops every POSIX lock the table's process holds on it. */
export function releasePosixLocks(file: FileDescription, owner: object): void {
  if (byInode.size === 0) return;
  const inode = file.inode;
  const l = byInode.get(inode);
  if (!l || !l.records.some((r) => r.owner === owner)) return;
  l.records = l.records.filter((r) => r.owner !== owner);
  changed(inode, l);
}

// ---- flock(2) ----

export function flock(t: Task, file: FileDescription, op: number): number | Block {
  let type: number;
  switch (op & ~LOCK_NB) {
    case LOCK_SH:
      type = F_RDLCK;
      break;
    case LOCK_EX:
      type = F_WRLCK;
      break;
    case LOCK_UN:
      type = F_UNLCK;
      break;
    default:
      throw EINVAL;
  }
  const inode = file.inode;
  const attempt = (): number | Block => {
    const l = locksFor(inode);
    const i = l.flocks.findIndex((f) => f.file === file);
    if (i >= 0) {
      if (l.flocks[i]!.type === type) return 0;
      // A conversion drops the old lock first and may then wait (or fail): not atomic.
      l.flocks.splice(i, 1);
      l.queue.notify(EVENT_IN);
    }
    if (type === F_UNLCK) {
      tidy(inode, l);
      return 0;
    }
    if (l.flocks.some((f) => f.type === F_WRLCK || type === F_WRLCK)) {
      if (op & LOCK_NB) {
        tidy(inode, l);
        throw EAGAIN;
      }
      return new Block(attempt, [{ queue: l.queue, mask: EVENT_IN }], null, null, true, 'restart', () => tidy(inode, l));
    }
    l.flocks.push({ file, type, pid: t.pid });
    hookRelease(file);
    return 0;
  };
  return attempt();
}

// ---- record locks (fcntl) ----

/** Turns l_whence/l_start/l_len into an inclusive range (flock_to_posix_lock). */
export function recordRange(file: FileDescription, whence: number, start: bigint, len: bigint): { start: bigint; end: bigint } {
  let base: bigint;
  switch (whence) {
    case SEEK_SET:
      base = 0n;
      break;
    case SEEK_CUR:
      base = BigInt(file.offset);
      break;
    case SEEK_END:
      base = BigInt(file.stat().size);
      break;
    default:
      throw EINVAL;
  }
  if (start > OFFSET_MAX - base) throw EOVERFLOW;
  let s = base + start;
  if (s < 0n) throw EINVAL;
  let e: bigint;
  if (len > 0n) {
    if (len - 1n > OFFSET_MAX - s) throw EOVERFLOW;
    e = s + len - 1n;
  } else if (len < 0n) {
    // A negative length locks the bytes before l_start.
    e = s - 1n;
    s += len;
    if (s < 0n) throw EINVAL;
  } else {
    e = OFFSET_MAX;
  }
  return { start: s, end: e };
}

/** The access mode must allow the lock type (check_fmode_for_setlk). */
export function checkLockMode(file: FileDescription, type: number): void {
  if ((type === F_RDLCK && !file.readable) || (type === F_WRLCK && !file.writable)) throw EBADF;
}

export interface LockConflict extends LockRange {
  /** The holder's pid; -1 for OFD locks. */
  pid: number;
}

/** F_GETLK / F_OFD_GETLK: the first lock of another owner that would block `req`. */
export function testRecordLock(file: FileDescription, owner: object, req: LockRange): LockConflict | null {
  const l = byInode.get(file.inode);
  const c = l?.records.find((r) => r.owner !== owner && conflicts(r, req));
  if (!c) return null;
  return { type: c.type, start: c.start, end: c.end, pid: c.ofd ? -1 : c.pid };
}

/** A POSIX lock request asleep in F_SETLKW, for deadlock detection. */
interface Waiter {
  task: Task;
  owner: object;
  inode: Inode;
  req: LockRange;
  retry: () => SyscallValue | Block;
}

const waiters = new Set<Waiter>();

function waiting(w: Waiter): boolean {
  // Stale once it was woken and retried, interrupted, or its task died.
  return w.task.block?.retry === w.retry || w.task.pendingRetry === w.retry;
}

function blockers(inode: Inode, owner: object, req: LockRange): object[] {
  return (byInode.get(inode)?.records ?? []).filter((r) => r.owner !== owner && conflicts(r, req)).map((r) => r.owner);
}

/** Would `owner` waiting for `req` close a cycle of POSIX lock waiters (posix_locks_deadlock)? */
function deadlocks(owner: object, inode: Inode, req: LockRange): boolean {
  const seen = new Set<object>();
  const todo = blockers(inode, owner, req);
  while (todo.length > 0) {
    const o = todo.pop()!;
    if (o === owner) return true;
    if (seen.has(o)) continue;
    seen.add(o);
    for (const w of waiters) {
      if (w.owner !== o) continue;
      if (!waiting(w)) {
        waiters.delete(w);
        continue;
      }
      todo.push(...blockers(w.inode, w.owner, w.req));
    }
  }
  return false;
}

/** Sets `req` for `owner` over its existing locks, merging and splitting ranges. */
function applyRecordLock(l: InodeLocks, owner: object, ofd: boolean, pid: number, req: LockRange): void {
  let { start, end } = req;
  const kept: RecordLock[] = [];
  for (const r of l.records) {
    if (r.owner !== owner || r.end < start - 1n || r.start > end + 1n) {
      kept.push(r);
    } else if (r.type === req.type) {
      // Same type, overlapping or adjacent: coalesce into the new lock.
      start = r.start < start ? r.start : start;
      end = r.end > end ? r.end : end;
    } else if (!overlaps(r, { type: req.type, start, end })) {
      kept.push(r); // adjacent, different type
    } else {
      if (r.start < start) kept.push({ ...r, end: start - 1n });
      if (r.end > end) kept.push({ ...r, start: end + 1n });
    }
  }
  if (req.type !== F_UNLCK) kept.push({ owner, ofd, pid, type: req.type, start, end });
  kept.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  l.records = kept;
}

/**
 * F_SETLK(W) / F_OFD_SETLK(W). `owner` is the FdTable (POSIX) or the description
 * (OFD). Conflicts fail with EAGAIN, or wait when `wait`; a POSIX wait that would
 * deadlock fails with EDEADLK.
 */
export function setRecordLock(t: Task, file: FileDescription, owner: object, ofd: boolean, req: LockRange, wait: boolean): number | Block {
  const inode = file.inode;
  let waiter: Waiter | null = null;
  const done = (): void => {
    if (waiter) waiters.delete(waiter);
    waiter = null;
  };
  const attempt = (): number | Block => {
    const l = locksFor(inode);
    if (req.type === F_UNLCK) {
      applyRecordLock(l, owner, ofd, t.pid, req);
      changed(inode, l);
      return 0;
    }
    if (l.records.some((r) => r.owner !== owner && conflicts(r, req))) {
      if (!wait) {
        tidy(inode, l);
        throw EAGAIN;
      }
      if (!ofd && deadlocks(owner, inode, req)) {
        done();
        tidy(inode, l);
        throw EDEADLK;
      }
      waiter ??= { task: t, owner, inode, req, retry: attempt };
      waiters.add(waiter);
      return new Block(attempt, [{ queue: l.queue, mask: EVENT_IN }], null, null, true, 'restart', () => {
        done();
        tidy(inode, l);
      });
    }
    done();
    const before = l.records.length;
    applyRecordLock(l, owner, ofd, t.pid, req);
    if (ofd) hookRelease(file);
    // Replacing a write lock by a read lock, or splitting one, may let others in.
    if (before > 0) l.queue.notify(EVENT_IN);
    return 0;
  };
  return attempt();
}

// ---- /proc/locks ----

/** /proc/locks (lock_get_status): one line per lock held in the sandbox. */
export function procLocksText(): string {
  let out = '';
  let id = 0;
  const dev = (inode: Inode): string => {
    const d = inode.fs.dev;
    const major = Number((d >> 8n) & 0xfffn);
    const minor = Number((d & 0xffn) | ((d >> 12n) & 0xfff00n));
    return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${inode.ino}`;
  };
  const kind = (type: number): string => (type === F_WRLCK ? 'WRITE' : 'READ');
  for (const [inode, l] of byInode) {
    for (const r of l.records) {
      const range = r.end === OFFSET_MAX ? `${r.start} EOF` : `${r.start} ${r.end}`;
      out += `${++id}: ${r.ofd ? 'OFDLCK' : 'POSIX '} ADVISORY  ${kind(r.type)} ${r.ofd ? -1 : r.pid} ${dev(inode)} ${range}\n`;
    }
    for (const f of l.flocks) out += `${++id}: FLOCK  ADVISORY  ${kind(f.type)} ${f.pid} ${dev(inode)} 0 EOF\n`;
  }
  return out;
}
