// The Kernel: everything one sandbox's Sentry owns (tasks, pids, the platform,
// the memory file, UTS names, the kernel log) and the entry points that create the
// first process and report its exit.
import type { MemoryFile } from '../pgalloc/memory_file.js';
import type { Platform } from '../platform/platform.js';
import type { FileDescription } from '../vfs/file.js';
import type { MountNamespace, VirtualDentry } from '../vfs/mount.js';
import { FutexManager } from './futex.js';
import { IpcNamespace } from './ipc/namespace.js';
import { Scheduler } from './scheduler.js';
import type { SyscallTable } from './syscall_table.js';
import { Syslog } from './syslog.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import type { Vdso } from '../loader/vdso.js';

export interface UtsNames {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

export interface KernelOptions {
  platform: Platform;
  memoryFile: MemoryFile;
  syscalls: SyscallTable;
  hostname: string;
  /** Print every syscall (--strace); optionally only these names. */
  strace: boolean;
  straceSyscalls: Set<string> | null;
  /** Number of CPUs the sandbox reports. */
  cpus: number;
  /** Most tasks (threads included) the sandbox may have at once; fork/clone fail with EAGAIN beyond. */
  maxTasks?: number;
  /** Bytes of memory the sandbox reports (/proc/meminfo, sysinfo). */
  totalMemory: number;
  /** The host's /proc/cpuinfo, read by the launcher before confinement (absent: a generic CPU). */
  cpuinfo?: string;
  /** The vDSO every exec maps (absent: none, libc makes time system calls). */
  vdso?: Vdso;
}

export class Kernel {
  readonly platform: Platform;
  readonly mf: MemoryFile;
  readonly syscalls: SyscallTable;
  readonly scheduler: Scheduler;
  readonly syslog = new Syslog();
  readonly futexes = new FutexManager();
  /** SysV IPC objects and POSIX message queues (the sandbox's IPC namespace). */
  readonly ipc: IpcNamespace = new IpcNamespace(this);
  readonly uts: UtsNames;
  readonly tasks = new Map<number, Task>();
  readonly byHostTid = new Map<number, Task>();
  readonly threadGroups = new Map<number, ThreadGroup>();
  readonly opts: KernelOptions;
  readonly vdso: Vdso | null;
  /** Monotonic ns at boot (CLOCK_BOOTTIME and /proc/uptime start here). */
  readonly bootNs = process.hrtime.bigint();
  /** The root mount namespace (set by the launcher). */
  mntns!: MountNamespace;
  init: ThreadGroup | null = null;
  /** Opens the sandbox's controlling terminal for /dev/tty (null: none, ENXIO). */
  controllingTty: ((t: Task, vd: VirtualDentry, flags: number) => FileDescription) | null = null;
  private lastPid = 0;
  private exitResolve!: (status: number) => void;
  /** Resolves with init's wait status when it exits. */
  readonly exited: Promise<number>;
  /** Syscalls already reported as unimplemented (logged once each). */
  readonly reportedUnimplemented = new Set<number>();

  constructor(opts: KernelOptions) {
    this.opts = opts;
    this.platform = opts.platform;
    this.mf = opts.memoryFile;
    this.syscalls = opts.syscalls;
    this.scheduler = new Scheduler(this);
    this.vdso = opts.vdso ?? null;
    this.uts = {
      sysname: 'Linux',
      nodename: opts.hostname,
      release: '4.4.0',
      version: '#1 SMP Sun Jan 10 15:06:54 PST 2016',
      machine: 'x86_64',
      domainname: '(none)',
    };
    this.syslog.boot(Number(this.bootNs & 0xffffffffn));
    this.exited = new Promise((resolve) => (this.exitResolve = resolve));
  }

  /** A free pid in the sandbox's PID namespace (pid_max 4194304, wraps like Linux). */
  allocPid(): number {
    for (let i = 0; i < 4194304; i++) {
      this.lastPid = this.lastPid >= 4194303 ? 300 : this.lastPid + 1;
      if (!this.tasks.has(this.lastPid) && !this.threadGroups.has(this.lastPid)) return this.lastPid;
    }
    throw new Error('pid space exhausted');
  }

  /** Live tasks (threads included), for the sandbox-wide limit. */
  get taskCount(): number {
    return this.byHostTid.size;
  }

  /** Nanoseconds since boot. */
  uptimeNs(): number {
    return Number(process.hrtime.bigint() - this.bootNs);
  }

  registerTask(t: Task): void {
    this.tasks.set(t.tid, t);
    this.byHostTid.set(t.hostTid, t);
  }

  /** The task's host thread changed (execve switches stubs). */
  rehost(t: Task, hostTid: number): void {
    this.byHostTid.delete(t.hostTid);
    t.hostTid = hostTid;
    this.byHostTid.set(hostTid, t);
  }

  private keepAlive: NodeJS.Timeout | null = null;

  /**
   * init started. Every task may then sleep with nothing for Node to wait on (pause(),
   * a futex without timeout): a handle keeps the event loop, and the sandbox, alive.
   */
  initStarted(): void {
    this.keepAlive ??= setInterval(() => {}, 0x7fffffff);
  }

  /** init exited: every other process dies too (PID namespace semantics). */
  initExited(status: number): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    this.exitResolve(status);
  }
}
