// Tasks (Linux's task_struct): one application thread. A task runs as one host
// thread of its address space's stub; while the Sentry serves its syscall, the
// host thread is stopped and `regs` holds its registers.
import { EBADF, ENOENT, ENOTDIR } from '../../abi/linux/errno.js';
import { AT_FDCWD } from '../../abi/linux/fcntl.js';
import { Registers } from '../arch/amd64/registers.js';
import type { MemoryManager } from '../mm/mm.js';
import type { FdTable } from '../vfs/fd_table.js';
import type { FsContext } from '../vfs/fs_context.js';
import type { VirtualDentry } from '../vfs/mount.js';
import type { WalkContext } from '../vfs/path.js';
import { Block, type SyscallValue, type BlockWait } from './block.js';
import type { Credentials } from './credentials.js';
import type { Kernel } from './kernel.js';
import type { Rlimit } from './limits.js';
import type { SeccompState } from './seccomp.js';
import { makeSyscallArgs, type SyscallArgs } from './syscall_args.js';
import type { ThreadGroup } from './thread_group.js';
import { WaitQueue } from './waiter.js';
import { PendingSignals } from './signal_queue.js';
import type { AltStack } from '../arch/amd64/signal_frame.js';

export const enum TaskState {
  /** Resumed on the host (computing or about to stop). */
  Running,
  /** Stopped at a syscall the Sentry is serving or will serve. */
  InSentry,
  /** Waiting on a Block. */
  Blocked,
  /** Its thread group is stopped (SIGSTOP & co.); resumes on SIGCONT. */
  Stopped,
  /** Exited; waiting to be reaped by its parent. */
  Zombie,
  /** Reaped. */
  Dead,
}

export class Task {
  readonly regs = new Registers();
  readonly args: SyscallArgs = makeSyscallArgs(this.regs);
  state = TaskState.InSentry;
  /** Name shown by ps and /proc/<pid>/comm (at most 15 bytes). */
  comm = '';
  /** Blocked signals. */
  sigmask = 0n;
  /** Signals sent to this thread (tkill, faults); process-wide ones are on the thread group. */
  readonly pending = new PendingSignals();
  /** Notified when a signal is queued for this thread (rt_sigtimedwait, signalfd). */
  readonly signalArrived = new WaitQueue();
  /** Mask to restore after the next handler returns (sigsuspend, ppoll, pselect, epoll_pwait). */
  savedSigmask: bigint | null = null;
  /** sigaltstack(2). */
  altStack: AltStack = { sp: 0, size: 0, flags: 2 /* SS_DISABLE */ };
  /**
   * Set when a blocked syscall was interrupted for a handler: how to finish it once
   * we know which handler runs ('restart' honours SA_RESTART, 'eintr' never restarts).
   */
  interrupted: 'restart' | 'eintr' | null = null;
  /** The Block this task waits on, and how to abandon it. */
  block: Block | null = null;
  cancelBlock: (() => void) | null = null;
  /** Set when a blocked task is woken: what to run to finish its syscall. */
  pendingRetry: (() => SyscallValue | Block) | null = null;
  /** Host signal to inject on the next resume (0: none). */
  hostSignal = 0;
  /** set_tid_address / CLONE_CHILD_CLEARTID. */
  clearChildTid = 0;
  robustList = 0;
  robustListLen = 0;
  /** Syscall number being served (for strace and restart). */
  syscallNr = -1;
  /** Ended while running on a shared address space: its host thread exits at its next stop. */
  hostExitPending = false;
  /** vfork(2) parent waits here until this child execs or exits. */
  vforkDone: WaitQueue | null = null;
  /** sched_setaffinity mask (bit n: CPU n); null means every CPU. */
  affinity: bigint | null = null;
  /** seccomp mode and filters (null: none, the dispatcher's only test); inherited by children. */
  seccomp: SeccompState | null = null;
  /** PR_SET_NO_NEW_PRIVS: exec never grants privilege; inherited, never cleared. */
  noNewPrivs = false;
  /** CPU time accounting, ns. */
  cpuUserNs = 0;
  cpuSysNs = 0;
  /** performance.now() when the current charging interval began, and what it is charged to (cputime.ts). */
  cpuMark = 0;
  cpuMode = 0;
  /** Voluntary context switches (blocking waits), for getrusage. */
  nvcsw = 0;

  constructor(
    readonly kernel: Kernel,
    /** Thread id in the sandbox's PID namespace. */
    public tid: number,
    /** Host tid of the stub thread running this task. */
    public hostTid: number,
    public tg: ThreadGroup,
    public mm: MemoryManager,
    public fdTable: FdTable,
    public fs: FsContext,
    public creds: Credentials,
  ) {}

  get pid(): number {
    return this.tg.pid;
  }

  get walkCtx(): WalkContext {
    return { task: this, fs: this.fs, creds: this.creds };
  }

  limit(resource: number): Rlimit {
    return this.tg.limits.get(resource);
  }

  /**
   * Where a *at() path starts: the root for absolute paths, the cwd for AT_FDCWD,
   * otherwise the directory open at dirfd (ENOTDIR if it is not one).
   */
  startFor(dirfd: number, path: string): VirtualDentry {
    if (path.startsWith('/')) return this.fs.root;
    if (dirfd === AT_FDCWD) return this.fs.cwd;
    const f = this.fdTable.getOrNull(dirfd);
    if (!f) throw EBADF;
    if (path.length > 0 && !f.inode.isDir()) throw ENOTDIR;
    return f.vd;
  }

  /** Reads a path argument; ENOENT for "" unless allowed (AT_EMPTY_PATH). */
  readPath(addr: number, allowEmpty = false): string {
    // PATH_MAX (4096) counts the NUL, so 4095 bytes is the longest path, as in getname().
    const p = this.mm.readCString(addr, 4095);
    if (p.length === 0 && !allowEmpty) throw ENOENT;
    return p;
  }

  /** A Block that retries `op` whenever one of the waits fires. */
  blockOn(waits: readonly BlockWait[], retry: () => SyscallValue | Block, deadline: number | null = null,
    onTimeout: (() => SyscallValue | Block) | null = null): Block {
    return new Block(retry, waits, deadline, onTimeout);
  }

  /** A Block on one queue. */
  waitOn(queue: WaitQueue, mask: number, retry: () => SyscallValue | Block): Block {
    return new Block(retry, [{ queue, mask }], null, null);
  }

  toString(): string {
    return `task ${this.tid} (${this.comm})`;
  }
}
