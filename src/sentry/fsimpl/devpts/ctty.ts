// Controlling terminals of sessions (Linux's tty->session and signal->tty). A pty
// records the session that owns it; a process's controlling terminal is the pty of
// its session, unless it gave it up with TIOCNOTTY. The host terminal (`do` run
// from a tty) is init's session's terminal and is served by fsimpl/host.
import { onProcessExit } from '../../kernel/exit.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';

/** What a terminal exposes for controlling-terminal lookups. */
export interface SessionTerminal {
  /** The owning session, null when none (or its leader is gone). */
  validSession(): number | null;
  /** The foreground process group, null when none. */
  foreground(): number | null;
  /** Device number as /proc/<pid>/stat's tty_nr encodes it (new_encode_dev). */
  readonly ttyNr: number;
  /** The controlling process of session `sid` exited (disassociate_ctty on exit). */
  leaderExited(sid: number): void;
}

const terminals = new WeakMap<Kernel, Set<SessionTerminal>>();
/** Non-leaders that gave up their terminal with TIOCNOTTY (their signal->tty is NULL). */
const detached = new WeakSet<ThreadGroup>();

export function registerTerminal(k: Kernel, tty: SessionTerminal): void {
  let set = terminals.get(k);
  if (!set) terminals.set(k, (set = new Set()));
  set.add(tty);
}

export function unregisterTerminal(k: Kernel, tty: SessionTerminal): void {
  terminals.get(k)?.delete(tty);
}

/** The caller's controlling pty, if any. */
export function controllingTerminal(t: Task): SessionTerminal | null {
  return controllingTerminalOf(t.kernel, t.tg);
}

/** A process's controlling pty, if any (/proc/<pid>/stat asks about others). */
export function controllingTerminalOf(k: Kernel, tg: ThreadGroup): SessionTerminal | null {
  if (detached.has(tg)) return null;
  for (const tty of terminals.get(k) ?? []) if (tty.validSession() === tg.sid) return tty;
  return null;
}

/** The caller may use the host terminal: it is init's session's, from boot (and was not given up). */
export function hasHostTerminal(t: Task): boolean {
  // Without an init (kernels built piecemeal by tests) every session may use it.
  const initSid = t.kernel.init?.sid ?? t.tg.sid;
  return t.kernel.controllingTty !== null && t.tg.sid === initSid && !detached.has(t.tg);
}

/** The caller's session has a terminal already: a pty, or the host terminal. */
export function sessionHasTerminal(t: Task): boolean {
  return controllingTerminal(t) !== null || hasHostTerminal(t);
}

/** TIOCNOTTY by a process that does not lead its session. */
export function detachProcess(tg: ThreadGroup): void {
  detached.add(tg);
}

/** Gaining a terminal again (TIOCSCTTY, an open that acquires one). */
export function attachProcess(tg: ThreadGroup): void {
  detached.delete(tg);
}

// A session leader's exit takes the session's terminal away (and, for a pty, hangs
// up its foreground group with SIGHUP).
onProcessExit((tg) => {
  if (tg.sid !== tg.pid || detached.has(tg)) return;
  for (const tty of [...(terminals.get(tg.leader.kernel) ?? [])]) tty.leaderExited(tg.sid);
});
