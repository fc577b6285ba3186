// The IPC namespace (Linux's struct ipc_namespace): one per sandbox. It holds the
// SysV id tables and limits and the POSIX message queue file system, and the hooks
// the process model calls on fork (CLONE_SYSVSEM) and exit (SEM_UNDO).
import { MqueueFilesystem } from '../../fsimpl/mqueue/mqueue.js';
import type { Kernel } from '../kernel.js';
import type { ThreadGroup } from '../thread_group.js';
import { MsgRegistry } from './msg.js';
import { SemRegistry } from './sem.js';
import { ShmRegistry } from './shm.js';

export class IpcNamespace {
  readonly shm: ShmRegistry;
  readonly sem = new SemRegistry();
  readonly msg = new MsgRegistry();
  private mqfs: MqueueFilesystem | null = null;

  constructor(kernel: Kernel) {
    this.shm = new ShmRegistry(kernel);
  }

  /** The mqueue file system (mq_open's, and what `mount -t mqueue` shows). */
  get mqueue(): MqueueFilesystem {
    return (this.mqfs ??= new MqueueFilesystem());
  }
}

/**
 * Exit hook: the last process sharing a SEM_UNDO list applies its adjustments
 * (exit_sem). Call once when a thread group exits.
 */
export function semExit(tg: ThreadGroup): void {
  tg.leader.kernel.ipc.sem.exit(tg);
}

/** Fork hook for clone(CLONE_SYSVSEM) without CLONE_THREAD: the child shares the parent's undo list. */
export function semShareUndo(parent: ThreadGroup, child: ThreadGroup): void {
  parent.leader.kernel.ipc.sem.share(parent, child);
}
