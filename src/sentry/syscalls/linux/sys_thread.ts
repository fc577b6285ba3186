// set_tid_address(2), set_robust_list(2), get_robust_list(2), rseq(2).
import { EINVAL, ENOSYS, ESRCH } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

/** sizeof(struct robust_list_head) */
const ROBUST_LIST_HEAD_SIZE = 24;

export function set_tid_address(t: Task, [tidptr]: SyscallArgs): number {
  t.clearChildTid = tidptr.addr();
  return t.tid;
}

export function set_robust_list(t: Task, [head, len]: SyscallArgs): number {
  if (len.size() !== ROBUST_LIST_HEAD_SIZE) throw EINVAL;
  t.robustList = head.addr();
  t.robustListLen = len.size();
  return 0;
}

export function get_robust_list(t: Task, [pid, headPtr, lenPtr]: SyscallArgs): number {
  const p = pid.int32();
  const target = p === 0 ? t : t.kernel.tasks.get(p);
  if (!target) throw ESRCH;
  t.mm.writeU64(headPtr.addr(), target.robustList);
  t.mm.writeU64(lenPtr.addr(), ROBUST_LIST_HEAD_SIZE);
  return 0;
}

/** rseq is optional: glibc falls back when it is absent. */
export function rseq(): number {
  throw ENOSYS;
}
