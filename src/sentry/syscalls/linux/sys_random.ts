// getrandom(2).
import { EINVAL } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { MAX_RW_COUNT } from './iovec.js';
import { fillRandom } from '../../kernel/rand.js';

const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;

export function getrandom(t: Task, [buf, count, flags]: SyscallArgs): number {
  const f = flags.uint32();
  if (f & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) throw EINVAL;
  if ((f & GRND_RANDOM) && (f & GRND_INSECURE)) throw EINVAL;
  const n = Math.min(count.size(), MAX_RW_COUNT);
  if (n === 0) return 0;
  let done = 0;
  for (const v of t.mm.views(buf.addr(), n, true)) {
    fillRandom(v);
    done += v.length;
  }
  return done;
}
