// fork(2), vfork(2), clone(2), clone3(2), unshare(2).
import { E2BIG, EINVAL, EPERM } from '../../../abi/linux/errno.js';
import { SIGCHLD } from '../../../abi/linux/signal.js';
import type { Block } from '../../kernel/block.js';
import {
  CLONE_FILES, CLONE_FS, CLONE_NEWNS, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD, CLONE_VFORK, CLONE_VM, CSIGNAL,
  NAMESPACES, doClone,
} from '../../kernel/clone.js';
import { CAP_SYS_ADMIN } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function fork(t: Task): number | Block {
  return doClone(t, { flags: 0, flagsHigh: 0n, exitSignal: SIGCHLD, stack: 0, parentTid: 0, childTid: 0, tls: 0, pidfdAddr: 0 });
}

export function vfork(t: Task): number | Block {
  return doClone(t, { flags: CLONE_VFORK | CLONE_VM, flagsHigh: 0n, exitSignal: SIGCHLD, stack: 0, parentTid: 0,
    childTid: 0, tls: 0, pidfdAddr: 0 });
}

/** clone(flags, stack, parent_tid, child_tid, tls) — the x86_64 argument order. */
export function clone(t: Task, [flags, stack, parentTid, childTid, tls]: SyscallArgs): number | Block {
  const f = flags.uint64();
  const low = f % 4294967296;
  // CLONE_PIDFD reuses parent_tid for the fd, so it cannot also receive the tid.
  if ((low & 0x1000) && (low & 0x100000)) throw EINVAL;
  return doClone(t, {
    flags: low & ~CSIGNAL, flagsHigh: 0n, exitSignal: low & CSIGNAL, stack: stack.addr(),
    parentTid: parentTid.addr(), childTid: childTid.addr(), tls: tls.uint64(), pidfdAddr: parentTid.addr(),
  });
}

const CLONE_ARGS_SIZE_VER0 = 64;

/** clone3(struct clone_args *, size). */
export function clone3(t: Task, [argsAddr, sizeArg]: SyscallArgs): number | Block {
  const size = sizeArg.size();
  if (size < CLONE_ARGS_SIZE_VER0) throw EINVAL;
  if (size > 4096) throw E2BIG;
  const raw = t.mm.copyIn(argsAddr.addr(), size);
  // Fields we do not know must be zero (copy_struct_from_user).
  for (let i = 88; i < size; i++) if (raw[i] !== 0) throw E2BIG;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const u = (off: number): bigint => (off + 8 <= size ? v.getBigUint64(off, true) : 0n);
  const flags = u(0);
  const exitSignal = u(32);
  const stackBase = Number(u(40));
  const stackSize = Number(u(48));
  if (u(64) !== 0n || u(72) !== 0n) throw EPERM; // set_tid needs CAP_SYS_ADMIN in an owning namespace
  if (u(80) !== 0n) throw EINVAL; // CLONE_INTO_CGROUP
  if (flags & BigInt(CSIGNAL)) throw EINVAL;
  if (exitSignal > 64n) throw EINVAL;
  if ((stackBase === 0) !== (stackSize === 0)) throw EINVAL;
  return doClone(t, {
    flags: Number(flags & 0xffffffffn), flagsHigh: flags & ~0xffffffffn, exitSignal: Number(exitSignal),
    stack: stackBase === 0 ? 0 : stackBase + stackSize, parentTid: Number(u(24)), childTid: Number(u(16)),
    tls: Number(u(56)), pidfdAddr: Number(u(8)),
  });
}

const UNSHARE_FLAGS = CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM |
  NAMESPACES;

/**
 * unshare(2): stop sharing the fd table, the fs context or the mount namespace.
 * Other namespaces are refused like clone does; CLONE_THREAD/SIGHAND/VM only make
 * sense for a lone thread, where there is nothing to unshare.
 */
export function unshare(t: Task, [flagsArg]: SyscallArgs): number {
  let f = flagsArg.uint32();
  if (f & ~UNSHARE_FLAGS) throw EINVAL;
  if (f & NAMESPACES & ~CLONE_NEWNS) throw EPERM;
  if (f & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) && t.tg.tasks.size > 1) throw EINVAL;
  if (f & CLONE_VM && t.mm.userCount > 1) throw EINVAL;
  if (f & CLONE_NEWNS) {
    if (!t.creds.hasCap(CAP_SYS_ADMIN)) throw EPERM;
    f |= CLONE_FS;
  }
  if (f & CLONE_FS) t.fs = t.fs.clone();
  if (f & CLONE_NEWNS) t.fs.unshareMounts();
  if (f & CLONE_FILES && t.fdTable.shared) {
    const own = t.fdTable.fork();
    t.fdTable.decUsers();
    t.fdTable = own;
  }
  return 0;
}
