// eventfd (fs/eventfd.c): a 64-bit counter. Writes add to it, reads take it all
// (or 1 in semaphore mode). Reads of 0 and writes past ULLONG_MAX-1 would block:
// they throw EAGAIN and the read/write syscalls wait on our queue unless O_NONBLOCK.
import { EAGAIN, EINVAL } from '../../../abi/linux/errno.js';
import { EFD_NONBLOCK, EFD_SEMAPHORE } from '../../../abi/linux/anonfd.js';
import { O_RDWR } from '../../../abi/linux/fcntl.js';
import { POLLERR, POLLIN, POLLOUT } from '../../../abi/linux/poll.js';
import type { Task } from '../../kernel/task.js';
import { FileDescription } from '../../vfs/file.js';
import { copyToSeq, gather, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import { anonInodeVd } from '../epoll/anon_inode.js';
import type { ExactPollBits } from '../epoll/pollable.js';

const ULLONG_MAX = 0xffff_ffff_ffff_ffffn;
let nextId = 0;

export class EventfdDescription extends FileDescription implements ExactPollBits {
  readonly exactPollBits = true;
  /** For /proc/<pid>/fdinfo (eventfd-id). */
  readonly id = nextId++;

  constructor(
    private count: bigint,
    readonly semaphore: boolean,
    flags: number,
  ) {
    super(anonInodeVd('eventfd'), O_RDWR | (flags & EFD_NONBLOCK));
  }

  get counter(): bigint {
    return this.count;
  }

  override get positional(): boolean {
    return false;
  }

  override read(t: Task, dst: IOSequence): number {
    if (seqLength(dst) < 8) throw EINVAL;
    if (this.count === 0n) throw EAGAIN;
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    copyToSeq(dst, b);
    this.waitQueue.notify(POLLOUT);
    return 8;
  }

  override write(t: Task, src: IOSequence): number {
    // Exactly 8 bytes since Linux 6.9 (older kernels took the first 8 of a longer buffer).
    if (seqLength(src) !== 8) throw EINVAL;
    const b = gather(src, 8);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (v === ULLONG_MAX) throw EINVAL;
    if (ULLONG_MAX - this.count <= v) throw EAGAIN;
    this.count += v;
    // Linux wakes readers even for a write of 0 (an edge for EPOLLET watchers).
    this.waitQueue.notify(POLLIN);
    return 8;
  }

  override readiness(mask: number): number {
    let r = 0;
    if (this.count > 0n) r |= POLLIN;
    if (this.count === ULLONG_MAX) r |= POLLERR;
    if (ULLONG_MAX - 1n > this.count) r |= POLLOUT;
    return r & mask;
  }

  override linkName(): string {
    return 'anon_inode:[eventfd]';
  }

  override fdinfo(): string {
    return `eventfd-count: ${this.count.toString(16).padStart(16, ' ')}\neventfd-id: ${this.id}\n` +
      `eventfd-semaphore: ${this.semaphore ? 1 : 0}\n`;
  }
}

/** eventfd2(2); `flags` already validated. */
export function newEventfd(initval: number, flags: number): EventfdDescription {
  return new EventfdDescription(BigInt(initval >>> 0), (flags & EFD_SEMAPHORE) !== 0, flags);
}
