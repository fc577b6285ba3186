// exit(2), exit_group(2).
import { NO_RETURN, type SyscallResult } from '../../kernel/block.js';
import { exitGroup, exitThread } from '../../kernel/exit.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { exitedStatus } from '../../kernel/thread_group.js';

export function exit(t: Task, [code]: SyscallArgs): SyscallResult {
  exitThread(t, code.int32());
  return NO_RETURN;
}

export function exit_group(t: Task, [code]: SyscallArgs): SyscallResult {
  exitGroup(t.tg, exitedStatus(code.int32()));
  return NO_RETURN;
}
