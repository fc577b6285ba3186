// pidfds: pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2); CLONE_PIDFD uses the same files.
import { EBADF, EINVAL, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import { O_NONBLOCK, O_RDWR } from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import { S_IFREG } from '../../../abi/linux/stat.js';
import { setPidfdMaker } from '../../kernel/clone.js';
import { SIGINFO_SIZE, SI_USER, decodeSigInfo } from '../../kernel/signal_queue.js';
import { sendToGroup } from '../../kernel/signals.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';
import { EVENT_IN, type WaitQueue } from '../../kernel/waiter.js';
import { AnonFilesystem } from '../../vfs/anonfs.js';
import { FileDescription } from '../../vfs/file.js';
import { Inode } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { mayKill } from './sys_kill.js';

class PidfdInode extends Inode {
  constructor(readonly fs: AnonFilesystem) {
    super(fs.allocIno(), S_IFREG | 0o600);
  }

  override open(): FileDescription {
    throw EINVAL;
  }
}

/** A pidfd: readable (POLLIN) once the process has exited. */
export class PidfdDescription extends FileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    readonly target: ThreadGroup,
  ) {
    super(vd, flags);
  }

  override get waitQueue(): WaitQueue {
    // The parent's child-event queue fires when the process changes state.
    return this.target.parent?.childEvents ?? super.waitQueue;
  }

  override readiness(mask: number): number {
    return this.target.alive ? 0 : mask & EVENT_IN;
  }

  override get positional(): boolean {
    return false;
  }

  override linkName(): string {
    return 'anon_inode:[pidfd]';
  }
}

let fs: AnonFilesystem | null = null;

function newPidfd(t: Task, tg: ThreadGroup, flags: number, cloexec: boolean): number {
  fs ??= new AnonFilesystem('anon_inodefs', (f) => new PidfdInode(f));
  const f = new PidfdDescription(fs.vdFor('[pidfd]', new PidfdInode(fs)), O_RDWR | flags, tg);
  try {
    return t.fdTable.add(f, cloexec, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    f.decRef();
  }
}

// CLONE_PIDFD files are close-on-exec, like pidfd_open's.
setPidfdMaker((t, tg) => newPidfd(t, tg, 0, true));

/** The process a pidfd refers to (EBADF/EINVAL otherwise). */
export function pidfdTarget(t: Task, fd: number): ThreadGroup {
  const f = t.fdTable.getOrNull(fd);
  if (!f) throw EBADF;
  if (!(f instanceof PidfdDescription)) throw EBADF; // pidfd_pid(): any other file is EBADF
  return f.target;
}

export function pidfd_open(t: Task, [pidArg, flagsArg]: SyscallArgs): number {
  const flags = flagsArg.uint32();
  if (flags & ~O_NONBLOCK) throw EINVAL;
  const pid = pidArg.int32();
  if (pid <= 0) throw EINVAL;
  const tg = t.kernel.threadGroups.get(pid);
  if (!tg || tg.reaped) throw ESRCH;
  return newPidfd(t, tg, flags, true);
}

export function pidfd_send_signal(t: Task, [fdArg, sigArg, infoArg, flagsArg]: SyscallArgs): number {
  if (flagsArg.uint32() !== 0) throw EINVAL;
  const tg = pidfdTarget(t, fdArg.int32());
  const sig = sigArg.int32();
  if (sig < 0 || sig > 64) throw EINVAL;
  if (!tg.alive) throw ESRCH;
  if (!mayKill(t, tg.leader, sig)) throw EPERM;
  let info = { signo: sig, code: SI_USER, pid: t.tg.pid, uid: t.creds.ruid };
  if (infoArg.addr() !== 0) {
    const i = decodeSigInfo(t.mm.copyIn(infoArg.addr(), SIGINFO_SIZE));
    if (i.signo !== sig) throw EINVAL;
    if ((i.code >= 0 || i.code === -6) && tg !== t.tg) throw EPERM;
    info = { ...i, signo: sig, code: i.code, pid: i.pid ?? 0, uid: i.uid ?? 0 };
  }
  if (sig !== 0) sendToGroup(tg, info);
  return 0;
}

/** pidfd_getfd(2): a copy of another process's fd (needs ptrace-level access: same uid or root). */
export function pidfd_getfd(t: Task, [pidfdArg, targetfd, flagsArg]: SyscallArgs): number {
  if (flagsArg.uint32() !== 0) throw EINVAL;
  const tg = pidfdTarget(t, pidfdArg.int32());
  if (!tg.alive) throw ESRCH;
  if (!mayKill(t, tg.leader, 0)) throw EPERM;
  const file = tg.leader.fdTable.get(targetfd.int32());
  return t.fdTable.add(file, true, t.limit(RLIMIT_NOFILE).cur);
}

