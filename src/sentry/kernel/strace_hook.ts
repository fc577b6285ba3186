// The kernel's hook into --strace: the strace package registers a formatter, so
// the kernel does not depend on it (dependencies point downward).
import type { SyscallValue } from './block.js';
import type { Task } from './task.js';

export interface StraceFormatter {
  /** Called when a syscall starts: decode the arguments (memory is still intact). */
  enter(t: Task, nr: number): string;
  /** Called when it finishes; `entry` is what enter returned. */
  exit(t: Task, nr: number, entry: string, result: SyscallValue | null): string;
  /** Only these syscall names, or all when null. */
  filter: Set<string> | null;
  write(line: string): void;
}

let formatter: StraceFormatter | null = null;
const pending = new WeakMap<Task, string>();

export function setStraceFormatter(f: StraceFormatter): void {
  formatter = f;
}

export function straceEnter(t: Task, nr: number): void {
  if (!formatter) return;
  pending.set(t, formatter.enter(t, nr));
}

export function straceExit(t: Task, nr: number, result: SyscallValue | null): void {
  if (!formatter) return;
  const entry = pending.get(t);
  if (entry === undefined) return;
  pending.delete(t);
  formatter.write(formatter.exit(t, nr, entry, result));
}
