// Blocking I/O for syscall handlers: try the operation; when it would block (EAGAIN)
// on a blocking description, wait on the file's queue and retry. Writes keep the
// progress they made so a large blocking write returns only when all of it is done.
import { EAGAIN } from '../../../abi/linux/errno.js';
import { O_NONBLOCK } from '../../../abi/linux/fcntl.js';
import { Block } from '../../kernel/block.js';
import type { Task } from '../../kernel/task.js';
import { EVENT_IN, EVENT_OUT, TimedWouldBlock } from '../../kernel/waiter.js';
import type { FileDescription } from '../../vfs/file.js';
import { SocketDescription } from '../../socket/socket.js';
import { returnOnInterrupt, socketWait } from '../../socket/wait.js';

export function blockingRead(t: Task, file: FileDescription, op: () => number): number | Block {
  // Sockets bound their waits by SO_RCVTIMEO (then a handler means EINTR, not a restart).
  if (file instanceof SocketDescription) {
    return socketWait(t, {
      nonblock: (file.flags & O_NONBLOCK) !== 0,
      timeoutNs: file.rcvtimeoNs,
      waits: () => [{ queue: file.waitQueue, mask: EVENT_IN }],
      attempt: op,
    }) as number | Block;
  }
  const start = t.kernel.uptimeNs();
  const attempt = (): number | Block => {
    try {
      return op();
    } catch (e) {
      // A terminal's VTIME: wait for input, but only until the deadline the file names.
      if (e instanceof TimedWouldBlock) {
        const deadline = Math.max(start + e.afterStartNs, e.notBeforeNs);
        return new Block(attempt, [{ queue: file.waitQueue, mask: EVENT_IN }], deadline, () => e.expire());
      }
      if (e !== EAGAIN || file.flags & O_NONBLOCK) throw e;
      return t.waitOn(file.waitQueue, EVENT_IN, attempt);
    }
  };
  return attempt();
}

/** `op(done)` writes what remains after `done` bytes and returns how many it wrote. */
export function blockingWrite(t: Task, file: FileDescription, total: number, op: (done: number) => number): number | Block {
  let done = 0;
  // Sockets bound their waits by SO_SNDTIMEO, and return what they sent when a wait
  // ends early (timeout, signal handler) instead of restarting (which would send it twice).
  if (file instanceof SocketDescription) {
    return socketWait(t, {
      nonblock: (file.flags & O_NONBLOCK) !== 0,
      timeoutNs: file.sndtimeoNs,
      waits: () => [{ queue: file.waitQueue, mask: EVENT_OUT }],
      progress: () => (done > 0 ? done : null),
      attempt: () => {
        for (;;) {
          let n: number;
          try {
            n = op(done);
          } catch (e) {
            if (e === EAGAIN || done === 0) throw e;
            return done;
          }
          done += n;
          if (done >= total || n === 0) return done;
        }
      },
    }) as number | Block;
  }
  const attempt = (): number | Block => {
    for (;;) {
      try {
        const n = op(done);
        done += n;
        if (done >= total || n === 0) return done;
      } catch (e) {
        if (e !== EAGAIN) {
          if (done > 0) return done;
          throw e;
        }
        if (file.flags & O_NONBLOCK) {
          if (done > 0) return done;
          throw e;
        }
        // A handler interrupting the wait after some progress ends the write with that
        // count (pipe_write), rather than restarting it and writing the data twice.
        return new Block(attempt, [{ queue: file.waitQueue, mask: EVENT_OUT }], null, null, true, 'restart', () => {
          if (done > 0) returnOnInterrupt(t, done);
        });
      }
    }
  };
  return attempt();
}
