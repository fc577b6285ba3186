// Blocking I/O for syscall handlers: try the operation; when it would block (EAGAIN)
// on a blocking description, wait on the file's queue and retry. Writes keep the
// progress they made so a large blocking write returns only when all of it is done.
import { EAGAIN } from '../../../abi/linux/errno.js';
import { O_NONBLOCK } from '../../../abi/linux/fcntl.js';
import type { Block } from '../../kernel/block.js';
import type { Task } from '../../kernel/task.js';
import { EVENT_IN, EVENT_OUT } from '../../kernel/waiter.js';
import type { FileDescription } from '../../vfs/file.js';

export function blockingRead(t: Task, file: FileDescription, op: () => number): number | Block {
  const attempt = (): number | Block => {
    try {
      return op();
    } catch (e) {
      if (e !== EAGAIN || file.flags & O_NONBLOCK) throw e;
      return t.waitOn(file.waitQueue, EVENT_IN, attempt);
    }
  };
  return attempt();
}

/** `op(done)` writes what remains after `done` bytes and returns how many it wrote. */
export function blockingWrite(t: Task, file: FileDescription, total: number, op: (done: number) => number): number | Block {
  let done = 0;
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
        return t.waitOn(file.waitQueue, EVENT_OUT, attempt);
      }
    }
  };
  return attempt();
}
