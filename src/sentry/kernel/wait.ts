// wait4(2) and waitid(2): a parent collects its children's state changes — exit
// (reaping the zombie), stop (WUNTRACED/WSTOPPED) and continue (WCONTINUED).
import { ECHILD, EINVAL } from '../../abi/linux/errno.js';
import { SIGCHLD } from '../../abi/linux/signal.js';
import { Block } from './block.js';
import { accountReapedChild } from './cputime.js';
import { reap } from './exit.js';
import { CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED } from './signal_queue.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

export const WNOHANG = 1;
export const WUNTRACED = 2; // = WSTOPPED for waitid
export const WSTOPPED = 2;
export const WEXITED = 4;
export const WCONTINUED = 8;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;

/** Which children a wait looks at. */
export type WaitTarget = { kind: 'any' } | { kind: 'pid'; pid: number } | { kind: 'pgid'; pgid: number } |
  { kind: 'tg'; tg: ThreadGroup };

export interface WaitResult {
  pid: number;
  uid: number;
  /** wait(2) status word. */
  status: number;
  /** CLD_* for waitid. */
  code: number;
  /** exit code or signal for waitid's si_status. */
  siStatus: number;
  child: ThreadGroup;
}

function matches(c: ThreadGroup, target: WaitTarget, options: number): boolean {
  switch (target.kind) {
    case 'pid':
      if (c.pid !== target.pid) return false;
      break;
    case 'pgid':
      if (c.pgid !== target.pgid) return false;
      break;
    case 'tg':
      if (c !== target.tg) return false;
      break;
    default:
      break;
  }
  // A "clone child" reports with a signal other than SIGCHLD (or none).
  if (options & __WALL) return true;
  const clone = c.exitSignal !== SIGCHLD;
  return options & __WCLONE ? clone : !clone;
}

/** One pass over the children; null if nothing to report yet. Throws ECHILD if none match. */
function scan(t: Task, target: WaitTarget, options: number): WaitResult | null {
  let any = false;
  for (const c of [...t.tg.children]) {
    if (!matches(c, target, options)) continue;
    // __WNOTHREAD: only children this thread forked, not its siblings'.
    if (options & __WNOTHREAD && c.parentThread !== t) continue;
    any = true;
    const uid = c.leader.creds.ruid;
    if (!c.alive && !c.reaped && options & WEXITED) {
      const st = c.exitStatus!;
      const signaled = (st & 0x7f) !== 0;
      const code = signaled ? (st & 0x80 ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
      const r = { pid: c.pid, uid, status: st, code, siStatus: signaled ? st & 0x7f : (st >> 8) & 0xff, child: c };
      if (!(options & WNOWAIT)) {
        accountReapedChild(t.tg, c);
        reap(c);
      }
      return r;
    }
    if (c.alive && c.stopped && c.stopReport && options & WSTOPPED) {
      if (!(options & WNOWAIT)) c.stopReport = false;
      return { pid: c.pid, uid, status: (c.stopSignal << 8) | 0x7f, code: CLD_STOPPED, siStatus: c.stopSignal, child: c };
    }
    if (c.alive && c.continueReport && options & WCONTINUED) {
      if (!(options & WNOWAIT)) c.continueReport = false;
      return { pid: c.pid, uid, status: 0xffff, code: CLD_CONTINUED, siStatus: 18, child: c };
    }
  }
  if (!any) throw ECHILD;
  return null;
}

/**
 * Waits for a state change. Returns the result, null for WNOHANG with nothing to
 * report, or a Block. `done` turns a result into the syscall's return value.
 */
export function waitFor(t: Task, target: WaitTarget, options: number,
  done: (r: WaitResult | null) => number): number | Block {
  const attempt = (): number | Block => {
    const r = scan(t, target, options);
    if (r) return done(r);
    if (options & WNOHANG) return done(null);
    return new Block(attempt, [{ queue: t.tg.childEvents, mask: 1 }]);
  };
  return attempt();
}

export function checkWait4Options(options: number): void {
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) throw EINVAL;
}

export function checkWaitidOptions(options: number): void {
  if (options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE)) throw EINVAL;
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) throw EINVAL;
}
