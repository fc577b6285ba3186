// The IPC namespace (Linux's struct ipc_namespace): one per sandbox. It holds the
// SysV id tables and limits and the POSIX message queue file system, and the hooks
// the process model calls on fork (CLONE_SYSVSEM) and exit (SEM_UNDO).
import { MqueueFilesystem } from '../../fsimpl/mqueue/mqueue.js';
import { onProcessExit } from '../exit.js';
import type { Kernel } from '../kernel.js';
import type { ThreadGroup } from '../thread_group.js';
import { IpcMemory } from './ipc.js';
import { MsgRegistry } from './msg.js';
import { SemRegistry } from './sem.js';
import { ShmRegistry } from './shm.js';

/** Most Sentry memory IPC objects may hold (the machine's share, capped). */
const MEMORY_CAP = 1024 * 1024 * 1024;

export class IpcNamespace {
  readonly shm: ShmRegistry;
  readonly sem: SemRegistry;
  readonly msg: MsgRegistry;
  /** Sentry heap held by semaphores, queued messages and queues (shm pages are app memory). */
  readonly memory: IpcMemory;
  private mqfs: MqueueFilesystem | null = null;

  constructor(kernel: Kernel) {
    registerExitHook();
    this.memory = new IpcMemory(() => Math.min(MEMORY_CAP, Math.floor(kernel.opts.totalMemory / 4)));
    this.shm = new ShmRegistry(kernel);
    this.sem = new SemRegistry(this.memory);
    this.msg = new MsgRegistry(this.memory);
  }

  /** The mqueue file system (mq_open's, and what `mount -t mqueue` shows). */
  get mqueue(): MqueueFilesystem {
    return (this.mqfs ??= new MqueueFilesystem(this.memory));
  }
}

/**
 * Exit hook: the last process sharing a SEM_UNDO list applies its adjustments
 * (exit_sem). Runs once when a thread group exits (registered with onProcessExit).
 */
export function semExit(tg: ThreadGroup): void {
  tg.leader.kernel.ipc.sem.exit(tg);
}

let hooked = false;

/** Registered when the first namespace is made, not at import: exit.js may still be loading then. */
function registerExitHook(): void {
  if (hooked) return;
  hooked = true;
  onProcessExit(semExit);
}

/** Fork hook for clone(CLONE_SYSVSEM) without CLONE_THREAD: the child shares the parent's undo list. */
export function semShareUndo(parent: ThreadGroup, child: ThreadGroup): void {
  parent.leader.kernel.ipc.sem.share(parent, child);
}
