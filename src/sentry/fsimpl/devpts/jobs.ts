// Process-group helpers the terminal needs for job control (kill_pgrp,
// is_current_pgrp_orphaned, session_of_pgrp), over the kernel's thread groups.
import { sendToGroup } from '../../kernel/signals.js';
import { SI_KERNEL } from '../../kernel/signal_queue.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';

/** Sends sig to every live process of group pgid (kill_pgrp with priv). */
export function killPgrp(k: Kernel, pgid: number, sig: number): void {
  for (const tg of [...k.threadGroups.values()]) {
    if (tg.alive && tg.pgid === pgid) sendToGroup(tg, { signo: sig, code: SI_KERNEL });
  }
}

/**
 * A group is orphaned when no member has a parent in another group of the same
 * session (POSIX): nothing could ever continue it, so it gets EIO, not a stop.
 */
export function pgrpOrphaned(k: Kernel, pgid: number): boolean {
  for (const tg of k.threadGroups.values()) {
    if (!tg.alive || tg.pgid !== pgid) continue;
    const p = tg.parent;
    if (p && p.alive && p.pgid !== pgid && p.sid === tg.sid) return false;
  }
  return true;
}

/** The session of group pgid, or of process pgid when no group has that id; null if neither exists. */
export function sessionOfPgrp(k: Kernel, pgid: number): number | null {
  for (const tg of k.threadGroups.values()) if (tg.alive && tg.pgid === pgid) return tg.sid;
  const tg = k.threadGroups.get(pgid);
  return tg && tg.alive ? tg.sid : null;
}

/** The signal is ignored or blocked by the caller (tty_io.c's is_ignored). */
export function sigIgnored(t: Task, sig: number): boolean {
  return t.tg.handlers.get(sig).handler === 1 /* SIG_IGN */ || ((t.sigmask >> BigInt(sig - 1)) & 1n) === 1n;
}

/** The caller leads its session (Linux's signal->leader after setsid). */
export function isSessionLeader(t: Task): boolean {
  return t.tg.sid === t.tg.pid;
}
