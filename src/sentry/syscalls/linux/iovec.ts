// struct iovec arrays for readv/writev and friends (lib/iov_iter.c rules).
import { EINVAL } from '../../../abi/linux/errno.js';
import type { Task } from '../../kernel/task.js';
import type { IOSequence } from '../../vfs/iosequence.js';

/** Largest single read or write (INT_MAX rounded down to a page, like Linux). */
export const MAX_RW_COUNT = 0x7ffff000;
export const UIO_MAXIOV = 1024;

/** Decodes iovcnt iovecs at addr into memory views (write: the kernel writes into them). */
export function readIovecs(t: Task, addr: number, iovcnt: number, write: boolean): IOSequence {
  if (iovcnt < 0 || iovcnt > UIO_MAXIOV) throw EINVAL;
  if (iovcnt === 0) return [];
  const raw = t.mm.copyIn(addr, iovcnt * 16);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const seq: IOSequence = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = dv.getUint32(i * 16, true) + dv.getUint32(i * 16 + 4, true) * 4294967296;
    const lenHi = dv.getInt32(i * 16 + 12, true);
    const len = dv.getUint32(i * 16 + 8, true) + lenHi * 4294967296;
    if (len < 0 || lenHi < 0) throw EINVAL;
    if (len === 0) continue;
    const n = Math.min(len, MAX_RW_COUNT - total);
    if (n <= 0) break;
    total += n;
    // A bad iovec faults only if nothing before it transferred (EFAULT on the first).
    try {
      for (const v of t.mm.views(base, n, write)) seq.push(v);
    } catch (e) {
      if (seq.length === 0) throw e;
      break;
    }
  }
  return seq;
}
