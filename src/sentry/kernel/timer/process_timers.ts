// A process's timers (Linux keeps them in signal_struct): the three itimers, the
// POSIX timers by id, and the RLIMIT_CPU watch. They belong to the thread group,
// so threads share them, fork starts without any (a new thread group has no
// entry here), exec deletes the POSIX timers only, and exit deletes everything.
import { onExec } from '../exec.js';
import { onProcessExit } from '../exit.js';
import type { ThreadGroup } from '../thread_group.js';
import type { ClockTimer } from './clock_timer.js';

/** What the per-process registry needs from a timer to end it. */
export interface Disposable {
  dispose(): void;
}

export class ProcessTimers {
  /** ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF (itimer.ts); created on first use. */
  readonly itimers: (Disposable | null)[] = [null, null, null];
  /** POSIX timers by id (posix_timer.ts). */
  readonly posix = new Map<number, Disposable>();
  /** Next id to try (Linux hands them out in order from 0, skipping ids in use). */
  nextId = 0;
  /** The RLIMIT_CPU expiry (rlimit_cpu.ts). */
  cpuLimit: ClockTimer | null = null;
}

const states = new WeakMap<ThreadGroup, ProcessTimers>();
let hooked = false;

/** The process's timers; created on first use. */
export function timersOf(tg: ThreadGroup): ProcessTimers {
  let s = states.get(tg);
  if (!s) {
    // Registered lazily: by the first call every kernel module has been loaded.
    if (!hooked) {
      hooked = true;
      onProcessExit(forgetTimers);
      onExec((t) => timersOnExec(t.tg));
    }
    s = new ProcessTimers();
    states.set(tg, s);
  }
  return s;
}

/** The process's timers if it ever had any. */
export function timersIfAny(tg: ThreadGroup): ProcessTimers | null {
  return states.get(tg) ?? null;
}

/** Deletes the POSIX timers of a process (exec; all timers at exit). */
function deletePosixTimers(s: ProcessTimers): void {
  for (const timer of s.posix.values()) timer.dispose();
  s.posix.clear();
}

/**
 * The process is gone: every timer stops (exit_itimers). Registered as a process
 * exit hook; safe to call again. (Nothing is needed at fork: a new thread group
 * starts without timers.)
 */
export function forgetTimers(tg: ThreadGroup): void {
  const s = states.get(tg);
  if (!s) return;
  deletePosixTimers(s);
  for (let i = 0; i < s.itimers.length; i++) {
    s.itimers[i]?.dispose();
    s.itimers[i] = null;
  }
  s.cpuLimit?.disarm();
  s.cpuLimit = null;
  states.delete(tg);
}

/**
 * execve(2) succeeded: POSIX timers are deleted (their ids become free), while the
 * itimers, alarm(2) included, and the RLIMIT_CPU watch carry on. Registered as an
 * exec hook; safe to call again.
 */
export function timersOnExec(tg: ThreadGroup): void {
  const s = states.get(tg);
  if (!s) return;
  // Ids keep counting up, as Linux's next_posix_timer_id lives on in signal_struct.
  deletePosixTimers(s);
}
