// The syscall table as data (DESIGN.md §3): number, name, handler, support level.
// The kernel dispatches through it; syscalls/linux fills it; `tsvisor syscalls`
// and docs/ print it.
import type { SyscallResult } from './block.js';
import type { SyscallArgs } from './syscall_args.js';
import type { Task } from './task.js';

export type SyscallHandler = (t: Task, args: SyscallArgs) => SyscallResult;

export type SupportLevel = 'full' | 'partial' | 'unimplemented';

export interface SyscallEntry {
  nr: number;
  name: string;
  handler: SyscallHandler | null;
  support: SupportLevel;
  /** What is missing (partial) or why not (unimplemented). */
  note: string;
  /** errno returned when unimplemented (default ENOSYS). */
  errno?: number;
}

export type SyscallTable = ReadonlyArray<SyscallEntry | undefined>;
