// What poll(2), select(2) and epoll(7) need from any file: its full poll mask as
// Linux's f_op->poll would return it, the wait queue to watch, and whether it can be
// polled at all (file_can_poll).
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from '../../../abi/linux/poll.js';
import { S_IFDIR, S_IFREG } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import { ALL_EVENTS, type WaitQueue } from '../../kernel/waiter.js';
import { FileDescription } from '../../vfs/file.js';

/**
 * Files whose readiness depends on who asks. Linux's signalfd_poll looks at
 * `current`'s pending signals and waits on `current`'s signal queue; our
 * readiness(mask) has no task, so pollers name the caller first.
 */
export interface CallerAware {
  setPollCaller(t: Task): void;
}

/**
 * Files whose readiness() already returns Linux's exact bits. Others get
 * POLLRDNORM/POLLWRNORM added next to POLLIN/POLLOUT, as pipes, sockets, ttys and
 * DEFAULT_POLLMASK (files without ->poll) report them.
 */
export interface ExactPollBits {
  readonly exactPollBits: true;
}

function isCallerAware(f: FileDescription): f is FileDescription & CallerAware {
  return typeof (f as Partial<CallerAware>).setPollCaller === 'function';
}

function isExact(f: FileDescription): boolean {
  return (f as Partial<ExactPollBits>).exactPollBits === true;
}

/** The file's full poll mask (vfs_poll), asked on behalf of t. */
export function pollMask(f: FileDescription, t: Task | null): number {
  if (t && isCallerAware(f)) f.setPollCaller(t);
  let r = f.readiness(ALL_EVENTS);
  if (!isExact(f)) {
    if (r & POLLIN) r |= POLLRDNORM;
    if (r & POLLOUT) r |= POLLWRNORM;
  }
  return r;
}

/** The queue to watch for the file's readiness changes, on behalf of t. */
export function pollQueue(f: FileDescription, t: Task | null): WaitQueue {
  if (t && isCallerAware(f)) f.setPollCaller(t);
  return f.waitQueue;
}

/**
 * file_can_poll: epoll refuses files without a ->poll (EPERM). Ours are the ones
 * that override readiness(); regular files and directories never poll (a host
 * stdout redirected to a file overrides it but is still a regular file).
 */
export function canPoll(f: FileDescription): boolean {
  if (f.readiness === FileDescription.prototype.readiness) return false;
  const type = f.inode.type;
  return type !== S_IFREG && type !== S_IFDIR;
}

/**
 * A watch is costly when its queue reacts to waiters coming and going (host fds arm
 * an event-loop poll, epoll instances arm their own such files): watch those only
 * while someone actually waits.
 */
export function costlyToWatch(q: WaitQueue): boolean {
  return q.onChange !== null;
}
