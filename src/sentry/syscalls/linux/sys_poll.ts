// poll(2), ppoll(2), select(2), pselect6(2) (fs/select.c). Each pass asks every
// file for its poll mask; with nothing ready the task waits on all their queues
// until one fires, the timeout passes, or a signal handler interrupts (EINTR).
import { EBADF, EINTR, EINVAL } from '../../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import {
  POLLERR, POLLEX_SET, POLLFD_SIZE, POLLHUP, POLLIN_SET, POLLNVAL, POLLOUT_SET,
} from '../../../abi/linux/poll.js';
import { Block, type BlockWait, type SyscallValue } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import { pollMask, pollQueue } from '../../fsimpl/epoll/pollable.js';
import {
  handlerSignalPending, installSigmask, restoreSigmask, settled, writeRemaining,
} from './poll_wait.js';
import { readTimespec } from './sys_time.js';

/** Node timers take at most 2^31-1 ms; longer waits wake up early and wait again. */
const MAX_BLOCK_NS = 0x7fffffff * 1e6;

/** A timeout: `deadline` on the uptime clock (null: none), `zero` for a non-blocking pass. */
interface Timeout {
  deadline: number | null;
  zero: boolean;
}

function timeoutAfter(t: Task, ns: bigint | null): Timeout {
  if (ns === null) return { deadline: null, zero: false };
  return { deadline: t.kernel.uptimeNs() + Number(ns), zero: ns === 0n };
}

/**
 * The common wait loop: `pass` looks at every file and returns how many are ready;
 * `done(n)` finishes the call with n ready (0 at the timeout).
 */
function waitLoop(t: Task, to: Timeout, pass: () => number, waits: () => BlockWait[],
  done: (n: number) => SyscallValue): SyscallValue | Block {
  const attempt = (): SyscallValue | Block => {
    const n = pass();
    if (n > 0) return done(n);
    if (handlerSignalPending(t)) throw EINTR;
    const now = t.kernel.uptimeNs();
    if (to.zero || (to.deadline !== null && now >= to.deadline)) return done(0);
    const until = to.deadline === null ? null : Math.min(to.deadline, now + MAX_BLOCK_NS);
    return new Block(attempt, waits(), until, attempt, true, 'eintr');
  };
  return attempt();
}

/** The description behind fd for polling, or null (closed, or O_PATH which fdget refuses). */
function pollable(t: Task, fd: number): FileDescription | null {
  const f = t.fdTable.getOrNull(fd);
  return f && (f.flags & 0o10000000) /* O_PATH */ === 0 ? f : null;
}

// ---- poll, ppoll ----

function doPoll(t: Task, addr: number, nfds: number, to: Timeout, settle: (interrupted: boolean) => void):
  SyscallValue | Block {
  if (nfds > t.limit(RLIMIT_NOFILE).cur) throw EINVAL;
  const raw = nfds > 0 ? t.mm.copyIn(addr, nfds * POLLFD_SIZE) : new Uint8Array(0);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const fds = new Int32Array(nfds);
  const events = new Uint16Array(nfds);
  for (let i = 0; i < nfds; i++) {
    fds[i] = dv.getInt32(i * POLLFD_SIZE, true);
    events[i] = dv.getUint16(i * POLLFD_SIZE + 4, true);
  }
  const revents = new Uint16Array(nfds);
  const pass = (): number => {
    let count = 0;
    for (let i = 0; i < nfds; i++) {
      const fd = fds[i]!;
      let r = 0;
      if (fd >= 0) {
        const f = pollable(t, fd);
        r = f ? pollMask(f, t) & (events[i]! | POLLERR | POLLHUP) : POLLNVAL;
      }
      revents[i] = r;
      if (r !== 0) count++;
    }
    return count;
  };
  const waits = (): BlockWait[] => {
    const w: BlockWait[] = [];
    for (let i = 0; i < nfds; i++) {
      const f = fds[i]! >= 0 ? pollable(t, fds[i]!) : null;
      if (f) w.push({ queue: pollQueue(f, t), mask: events[i]! | POLLERR | POLLHUP });
    }
    return w;
  };
  // revents go back however the call ends (zeros after EINTR), as do_sys_poll does.
  const writeBack = (): void => {
    for (let i = 0; i < nfds; i++) dv.setUint16(i * POLLFD_SIZE + 6, revents[i]!, true);
    if (nfds > 0) t.mm.copyOut(addr, raw.slice());
  };
  return settled(() => waitLoop(t, to, pass, waits, (n) => n), (interrupted) => {
    settle(interrupted);
    if (interrupted) {
      revents.fill(0);
      try {
        writeBack();
      } catch {
        // Nothing to report a fault to once a handler interrupted the wait.
      }
    } else {
      writeBack();
    }
  });
}

export function poll(t: Task, [fds, nfds, timeout]: SyscallArgs): SyscallValue | Block {
  const ms = timeout.int32();
  const to = timeoutAfter(t, ms < 0 ? null : BigInt(ms) * 1_000_000n);
  return doPoll(t, fds.addr(), nfds.uint32(), to, () => {});
}

export function ppoll(t: Task, [fds, nfds, tsp, sigmask, sigsetsize]: SyscallArgs): SyscallValue | Block {
  const tsAddr = tsp.addr();
  const ns = tsAddr !== 0 ? readTimespec(t, tsAddr) : null;
  const to = timeoutAfter(t, ns);
  const masked = installSigmask(t, sigmask.addr(), sigsetsize.size());
  return withSigmask(t, masked, () => doPoll(t, fds.addr(), nfds.uint32(), to, (interrupted) => {
    if (ns !== null && ns !== 0n) writeRemaining(t, tsAddr, (to.deadline ?? 0) - t.kernel.uptimeNs(), false);
    if (!interrupted && masked) restoreSigmask(t);
  }));
}

/** Restores a temporary mask if `op` fails before its own settle runs. */
function withSigmask(t: Task, masked: boolean, op: () => SyscallValue | Block): SyscallValue | Block {
  try {
    return op();
  } catch (e) {
    if (masked && e !== EINTR) restoreSigmask(t);
    throw e;
  }
}

// ---- select, pselect6 ----

/** fdtable's max_fds: 64 slots at first, then powers of two times 128 (expand_fdtable). */
function maxFds(t: Task): number {
  let highest = -1;
  for (const [fd] of t.fdTable.entries()) highest = fd;
  if (highest < 64) return 64;
  return 128 * 2 ** Math.ceil(Math.log2(Math.floor(highest / 128) + 1));
}

function readFdSet(t: Task, addr: number, bytes: number): Uint8Array | null {
  return addr === 0 ? null : t.mm.copyIn(addr, bytes).slice();
}

function bit(set: Uint8Array | null, fd: number): boolean {
  return set !== null && (set[fd >> 3]! & (1 << (fd & 7))) !== 0;
}

function doSelect(t: Task, nfdsArg: number, addrs: [number, number, number], to: Timeout,
  settle: (interrupted: boolean) => void): SyscallValue | Block {
  return settled(() => {
    if (nfdsArg < 0) throw EINVAL;
    const n = Math.min(nfdsArg, maxFds(t));
    const bytes = Math.ceil(n / 64) * 8;
    const sets = addrs.map((a) => readFdSet(t, a, bytes));
    const [inSet, outSet, exSet] = sets;
    // max_select_fd: every fd named must be open.
    const wanted: number[] = [];
    for (let fd = 0; fd < n; fd++) {
      if (!bit(inSet!, fd) && !bit(outSet!, fd) && !bit(exSet!, fd)) continue;
      if (!pollable(t, fd)) throw EBADF;
      wanted.push(fd);
    }
    const results = sets.map((s) => (s ? new Uint8Array(bytes) : null));
    const pass = (): number => {
      let count = 0;
      for (const r of results) r?.fill(0);
      for (const fd of wanted) {
        const f = pollable(t, fd);
        if (!f) continue;
        const m = pollMask(f, t);
        const hit = (i: number, set: number): void => {
          if (!bit(sets[i]!, fd) || !(m & set)) return;
          results[i]![fd >> 3]! |= 1 << (fd & 7);
          count++;
        };
        hit(0, POLLIN_SET);
        hit(1, POLLOUT_SET);
        hit(2, POLLEX_SET);
      }
      return count;
    };
    const waits = (): BlockWait[] => {
      const w: BlockWait[] = [];
      for (const fd of wanted) {
        const f = pollable(t, fd);
        if (!f) continue;
        let mask = 0;
        if (bit(inSet!, fd)) mask |= POLLIN_SET;
        if (bit(outSet!, fd)) mask |= POLLOUT_SET;
        if (bit(exSet!, fd)) mask |= POLLEX_SET;
        w.push({ queue: pollQueue(f, t), mask });
      }
      return w;
    };
    const done = (count: number): number => {
      results.forEach((r, i) => {
        if (r) t.mm.copyOut(addrs[i]!, r);
      });
      return count;
    };
    return waitLoop(t, to, pass, waits, done);
  }, settle);
}

/** struct timeval as select(2) reads it: microseconds past a second carry over. */
function readTimeval(t: Task, addr: number): bigint {
  const b = t.mm.copyIn(addr, 16);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const usec = dv.getBigInt64(8, true);
  const sec = dv.getBigInt64(0, true) + usec / 1_000_000n;
  const nsec = (usec % 1_000_000n) * 1000n;
  if (sec < 0n || nsec < 0n) throw EINVAL;
  return sec * 1_000_000_000n + nsec;
}

export function select(t: Task, [nfds, inp, outp, exp, tvp]: SyscallArgs): SyscallValue | Block {
  const tvAddr = tvp.addr();
  const ns = tvAddr !== 0 ? readTimeval(t, tvAddr) : null;
  const to = timeoutAfter(t, ns);
  return doSelect(t, nfds.int32(), [inp.addr(), outp.addr(), exp.addr()], to, () => {
    if (ns !== null && ns !== 0n) writeRemaining(t, tvAddr, (to.deadline ?? 0) - t.kernel.uptimeNs(), true);
  });
}

export function pselect6(t: Task, [nfds, inp, outp, exp, tsp, sig]: SyscallArgs): SyscallValue | Block {
  const tsAddr = tsp.addr();
  const n = nfds.int32();
  const addrs: [number, number, number] = [inp.addr(), outp.addr(), exp.addr()];
  // The sixth argument points at { const sigset_t *ss; size_t ss_len; }.
  let maskAddr = 0;
  let maskSize = 0;
  if (sig.addr() !== 0) {
    const b = t.mm.copyIn(sig.addr(), 16);
    const dv = new DataView(b.buffer, b.byteOffset, 16);
    maskAddr = Number(dv.getBigUint64(0, true));
    maskSize = Number(dv.getBigUint64(8, true));
  }
  const ns = tsAddr !== 0 ? readTimespec(t, tsAddr) : null;
  const to = timeoutAfter(t, ns);
  const masked = installSigmask(t, maskAddr, maskSize);
  return withSigmask(t, masked, () => doSelect(t, n, addrs, to, (interrupted) => {
    if (ns !== null && ns !== 0n) writeRemaining(t, tsAddr, (to.deadline ?? 0) - t.kernel.uptimeNs(), false);
    if (!interrupted && masked) restoreSigmask(t);
  }));
}
