// Pipes (fs/pipe.c): a bounded byte buffer with reader and writer ends. Writes of
// at most PIPE_BUF bytes are atomic. Reads and writes that cannot progress throw
// EAGAIN; the syscall layer blocks on the pipe's wait queue unless O_NONBLOCK.
import { EAGAIN, EBUSY, EINVAL, ENXIO, EPERM, EPIPE } from '../../../abi/linux/errno.js';
import { FIONREAD } from '../../../abi/linux/ioctl.js';
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_WRONLY } from '../../../abi/linux/fcntl.js';
import { S_IFDIR, S_IFIFO } from '../../../abi/linux/stat.js';
import { TaskState, type Task } from '../../kernel/task.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, WaitQueue, WouldBlock } from '../../kernel/waiter.js';
import { AnonFilesystem } from '../../vfs/anonfs.js';
import { FileDescription } from '../../vfs/file.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import { Inode } from '../../vfs/inode.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';

export const PIPE_BUF = 4096;
export const DEFAULT_PIPE_SIZE = 65536;
/** /proc/sys/fs/pipe-max-size */
export const PIPE_MAX_SIZE = 1048576;

export class Pipe {
  private chunks: Uint8Array[] = [];
  private head = 0; // read offset into chunks[0]
  size = 0; // bytes buffered
  capacity = DEFAULT_PIPE_SIZE;
  readers = 0;
  writers = 0;
  /** How many times a writer has opened this pipe (Linux's w_counter): FIFO readers see
   *  hang-up only after a writer came and went since they opened. */
  writeOpens = 0;
  /** Readers and writers wait here; events are EVENT_IN/EVENT_OUT. */
  readonly queue = new WaitQueue();

  get free(): number {
    return this.capacity - this.size;
  }

  read(dst: IOSequence): number {
    const want = seqLength(dst);
    if (want === 0) return 0;
    if (this.size === 0) {
      if (this.writers === 0) return 0;
      throw EAGAIN;
    }
    let done = 0;
    while (done < want && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const n = Math.min(c.length - this.head, want - done);
      copyToSeq(dst, c.subarray(this.head, this.head + n), done);
      done += n;
      this.head += n;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    const wasWritable = this.free >= PIPE_BUF;
    this.size -= done;
    // Writers wait for room for an atomic write (pipe_poll: a free page); like Linux,
    // only the change from full to writable is an event (EPOLLET sees one edge).
    if (!wasWritable && (this.free >= PIPE_BUF || this.size === 0)) this.queue.notify(EVENT_OUT);
    return done;
  }

  /** Copies up to `max` buffered bytes without consuming them (tee, and splice before its write lands). */
  peek(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.size));
    let done = 0;
    let head = this.head;
    for (const c of this.chunks) {
      if (done === out.length) break;
      const n = Math.min(c.length - head, out.length - done);
      out.set(c.subarray(head, head + n), done);
      done += n;
      head = 0;
    }
    return out;
  }

  /** Consumes `n` buffered bytes (after peek) with read's wake-ups. */
  discard(n: number): void {
    const dst = new Uint8Array(Math.min(n, this.size));
    if (dst.length > 0) this.read([dst]);
  }

  write(src: IOSequence): number {
    if (this.readers === 0) throw EPIPE;
    const total = seqLength(src);
    if (total === 0) return 0;
    // Atomic for small writes: all or nothing.
    if (total <= PIPE_BUF && this.free < total) throw EAGAIN;
    const n = Math.min(total, this.free);
    if (n === 0) throw EAGAIN;
    const buf = new Uint8Array(n);
    let off = 0;
    for (const v of src) {
      if (off >= n) break;
      const part = v.subarray(0, n - off);
      buf.set(part, off);
      off += part.length;
    }
    this.chunks.push(buf);
    this.size += n;
    this.queue.notify(EVENT_IN);
    return n;
  }

  /** poll bits for a description that reads and/or writes (both for an O_RDWR FIFO). */
  readiness(mask: number, reader: boolean, writer: boolean, writeOpensAtOpen: number): number {
    let r = 0;
    if (reader) {
      if (this.size > 0) r |= EVENT_IN;
      if (this.writers === 0 && this.writeOpens !== writeOpensAtOpen) r |= EVENT_HUP;
    }
    if (writer) {
      if (this.free >= PIPE_BUF || this.size === 0) r |= EVENT_OUT;
      if (this.readers === 0) r |= EVENT_ERR;
    }
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  /** F_SETPIPE_SZ; `n` is the unsigned int argument. */
  setCapacity(n: number, privileged: boolean): number {
    if (n < 0 || n > 2 ** 31) throw EINVAL;
    if (n > PIPE_MAX_SIZE && !privileged) throw EPERM;
    let cap = Math.max(n, 4096);
    cap = 2 ** Math.ceil(Math.log2(cap));
    if (cap < this.size) throw EBUSY;
    this.capacity = cap;
    this.queue.notify(EVENT_OUT);
    return cap;
  }
}

export class PipeInode extends Inode {
  constructor(
    readonly fs: AnonFilesystem,
    readonly pipe: Pipe,
  ) {
    super(fs.allocIno(), S_IFIFO | 0o600);
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new PipeDescription(vd, flags, this.pipe);
  }

  override size(): number {
    return 0;
  }
}

export class PipeDescription extends FileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    readonly pipe: Pipe,
  ) {
    super(vd, flags);
    if (this.readable) pipe.readers++;
    if (this.writable) {
      pipe.writers++;
      pipe.writeOpens++;
    }
    this.writeOpensAtOpen = pipe.writeOpens;
    // FIFO openers waiting for a peer retry now.
    pipe.queue.notify(EVENT_IN | EVENT_OUT);
  }

  /** pipe.writeOpens when this description was opened (see Pipe.readiness). */
  private readonly writeOpensAtOpen: number;

  override get waitQueue(): WaitQueue {
    return this.pipe.queue;
  }

  override get positional(): boolean {
    return false;
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    return this.pipe.read(dst);
  }

  override write(t: Task, src: IOSequence, off: number): number {
    return this.pipe.write(src);
  }

  override readiness(mask: number): number {
    return this.pipe.readiness(mask, this.readable, this.writable, this.writeOpensAtOpen);
  }

  override ioctl(t: Task, req: number, arg: number): number {
    if (req === FIONREAD) {
      t.mm.writeU32(arg, this.pipe.size);
      return 0;
    }
    return super.ioctl(t, req, arg);
  }

  override linkName(): string {
    return `pipe:[${this.inode.ino}]`;
  }

  protected override release(): void {
    if (this.readable) this.pipe.readers--;
    if (this.writable) this.pipe.writers--;
    this.pipe.queue.notify(EVENT_IN | EVENT_OUT | EVENT_HUP | EVENT_ERR);
  }
}

let pipefs: AnonFilesystem | null = null;

function fs(): AnonFilesystem {
  return (pipefs ??= new AnonFilesystem('pipefs', (f) => new PipeDirInode(f)));
}

class PipeDirInode extends Inode {
  constructor(readonly fs: AnonFilesystem) {
    super(1n, S_IFDIR | 0o700);
  }

  override open(): FileDescription {
    throw EINVAL;
  }
}

/** pipe2(2): a new pipe's read and write descriptions (flags: O_NONBLOCK, O_DIRECT). */
export function newPipe(flags: number): [PipeDescription, PipeDescription] {
  const p = new Pipe();
  const inode = new PipeInode(fs(), p);
  const vd = fs().vdFor(`pipe:[${inode.ino}]`, inode);
  return [new PipeDescription(vd, O_RDONLY | flags, p), new PipeDescription(vd, O_WRONLY | flags, p)];
}

/**
 * A named pipe (mkfifo): one Pipe per inode, shared by every open. A blocking open
 * for reading waits until a writer is there, and vice versa (fifo(7)); O_RDWR never
 * waits. Openers waiting in open count as present for the other side, as Linux's
 * counters do, so a waiting reader and a waiting writer meet instead of deadlocking.
 */
export class FifoInode extends Inode {
  readonly pipe = new Pipe();
  private readonly waitingReaders = new Set<Task>();
  private readonly waitingWriters = new Set<Task>();

  constructor(
    readonly fs: Filesystem,
    mode: number,
    uid: number,
    gid: number,
  ) {
    super(fs.allocIno(), S_IFIFO | (mode & 0o7777), uid, gid);
  }

  /** Openers still waiting (one that has exited no longer counts). */
  private waiting(set: Set<Task>): number {
    for (const t of [...set]) if (t.state === TaskState.Zombie || t.state === TaskState.Dead) set.delete(t);
    return set.size;
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    const acc = flags & O_ACCMODE;
    const nonblock = (flags & O_NONBLOCK) !== 0;
    if (acc === O_RDONLY && !nonblock && this.pipe.writers === 0 && this.waiting(this.waitingWriters) === 0) {
      this.waitingReaders.add(t);
      throw new WouldBlock(this.pipe.queue, EVENT_IN);
    }
    if (acc === O_WRONLY && this.pipe.readers === 0 && this.waiting(this.waitingReaders) === 0) {
      if (nonblock) throw ENXIO;
      this.waitingWriters.add(t);
      throw new WouldBlock(this.pipe.queue, EVENT_OUT);
    }
    this.waitingReaders.delete(t);
    this.waitingWriters.delete(t);
    return new PipeDescription(vd, flags, this.pipe);
  }
}
