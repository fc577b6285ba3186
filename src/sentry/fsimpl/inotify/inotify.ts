// inotify instances (fs/notify/inotify/): a queue of struct inotify_event and the
// watches that fill it. The VFS reports changes through vfs/fsnotify.ts; reads hand
// out whole events only, identical consecutive events are merged, and a full queue
// ends with one IN_Q_OVERFLOW.
import { EAGAIN, EINVAL } from '../../../abi/linux/errno.js';
import { O_NONBLOCK, O_RDONLY } from '../../../abi/linux/fcntl.js';
import {
  IN_ALL_EVENTS, IN_EXCL_UNLINK, IN_IGNORED, IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT, IN_Q_OVERFLOW,
  INOTIFY_EVENT_SIZE, INOTIFY_MAX_QUEUED_EVENTS,
} from '../../../abi/linux/inotify.js';
import { EEXIST } from '../../../abi/linux/errno.js';
import { POLLIN } from '../../../abi/linux/poll.js';
import type { Task } from '../../kernel/task.js';
import { FileDescription } from '../../vfs/file.js';
import { addMark, removeMark, type NotifyGroup, type Watch } from '../../vfs/fsnotify.js';
import type { Inode } from '../../vfs/inode.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import { anonInodeVd } from '../epoll/anon_inode.js';

const FIONREAD = 0x541b;

interface QueuedEvent {
  wd: number;
  mask: number;
  cookie: number;
  name: string;
  /** The name as stored: NUL-padded to a multiple of the header size (0 without a name). */
  nameBytes: Uint8Array | null;
}

const encoder = new TextEncoder();

function eventSize(e: QueuedEvent): number {
  return INOTIFY_EVENT_SIZE + (e.nameBytes?.length ?? 0);
}

export class InotifyDescription extends FileDescription implements NotifyGroup {
  private readonly queue: QueuedEvent[] = [];
  private head = 0;
  private bytes = 0;
  private overflowQueued = false;
  private readonly byWd = new Map<number, Watch>();
  private readonly byInode = new Map<Inode, Watch>();
  private lastWd = 0;

  constructor(flags: number) {
    super(anonInodeVd('inotify'), O_RDONLY | (flags & O_NONBLOCK));
  }

  override get positional(): boolean {
    return false;
  }

  private get queued(): number {
    return this.queue.length - this.head;
  }

  // ---- watches ----

  /** inotify_add_watch after the path walk: returns the watch descriptor. */
  addWatch(inode: Inode, mask: number): number {
    const bits = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
    const old = this.byInode.get(inode);
    if (old) {
      if (mask & IN_MASK_CREATE) throw EEXIST;
      old.mask = mask & IN_MASK_ADD ? old.mask | bits : bits;
      return old.wd;
    }
    // Watch descriptors are handed out cyclically (idr_alloc_cyclic): a freed one is not reused soon.
    let wd = this.lastWd;
    do wd = wd >= 0x7fffffff ? 1 : wd + 1;
    while (this.byWd.has(wd));
    this.lastWd = wd;
    const w: Watch = { wd, mask: bits, inode, group: this };
    this.byWd.set(wd, w);
    this.byInode.set(inode, w);
    addMark(w);
    return wd;
  }

  /** inotify_rm_watch. */
  removeWatch(wd: number): void {
    const w = this.byWd.get(wd);
    if (!w) throw EINVAL;
    this.destroyWatch(w);
  }

  destroyWatch(w: Watch): void {
    if (this.byWd.get(w.wd) !== w) return;
    this.byWd.delete(w.wd);
    this.byInode.delete(w.inode);
    removeMark(w);
    this.deliver(w, IN_IGNORED, 0, '');
  }

  // ---- events ----

  deliver(w: Watch, mask: number, cookie: number, name: string): void {
    const last = this.queued > 0 ? this.queue[this.queue.length - 1]! : null;
    // An event identical to the newest one queued adds nothing (inotify_merge).
    if (last && last.wd === w.wd && last.mask === mask && last.cookie === cookie && last.name === name) return;
    if (this.queued >= INOTIFY_MAX_QUEUED_EVENTS) {
      if (this.overflowQueued) return;
      this.overflowQueued = true;
      this.push({ wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: '', nameBytes: null });
      return;
    }
    let nameBytes: Uint8Array | null = null;
    if (name !== '') {
      const raw = encoder.encode(name);
      const padded = Math.ceil((raw.length + 1) / INOTIFY_EVENT_SIZE) * INOTIFY_EVENT_SIZE;
      nameBytes = new Uint8Array(padded);
      nameBytes.set(raw);
    }
    this.push({ wd: w.wd, mask, cookie, name, nameBytes });
  }

  private push(e: QueuedEvent): void {
    this.queue.push(e);
    this.bytes += eventSize(e);
    this.waitQueue.notify(POLLIN);
  }

  private shift(): QueuedEvent {
    const e = this.queue[this.head++]!;
    this.bytes -= eventSize(e);
    if (e.mask === IN_Q_OVERFLOW && e.wd === -1) this.overflowQueued = false;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return e;
  }

  /** Whole events only: EINVAL if even the first does not fit; EAGAIN when empty (the caller may wait). */
  override read(t: Task, dst: IOSequence): number {
    if (this.queued === 0) throw EAGAIN;
    const room = seqLength(dst);
    if (eventSize(this.queue[this.head]!) > room) throw EINVAL;
    let n = 0;
    for (let i = this.head; i < this.queue.length && n + eventSize(this.queue[i]!) <= room; i++) n += eventSize(this.queue[i]!);
    const out = new Uint8Array(n);
    const v = new DataView(out.buffer);
    for (let off = 0; off < n; ) {
      const e = this.shift();
      v.setInt32(off, e.wd, true);
      v.setUint32(off + 4, e.mask >>> 0, true);
      v.setUint32(off + 8, e.cookie >>> 0, true);
      v.setUint32(off + 12, e.nameBytes?.length ?? 0, true);
      if (e.nameBytes) out.set(e.nameBytes, off + INOTIFY_EVENT_SIZE);
      off += eventSize(e);
    }
    copyToSeq(dst, out);
    return n;
  }

  override readiness(mask: number): number {
    return this.queued > 0 ? mask & POLLIN : 0;
  }

  override ioctl(t: Task, req: number, arg: number): number {
    if (req === FIONREAD) {
      t.mm.writeU32(arg, this.bytes);
      return 0;
    }
    return super.ioctl(t, req, arg);
  }

  protected override release(): void {
    // The instance is gone: its watches end without IN_IGNORED (nobody could read it).
    for (const w of this.byWd.values()) removeMark(w);
    this.byWd.clear();
    this.byInode.clear();
  }

  override linkName(): string {
    return 'anon_inode:inotify';
  }

  override fdinfo(): string {
    let s = '';
    for (const w of this.byWd.values()) {
      const dev = w.inode.fs.dev;
      // Linux prints the kernel's internal dev_t (major << 20 | minor).
      const sdev = (Number((dev >> 8n) & 0xfffn) << 20) | Number((dev & 0xffn) | ((dev >> 12n) & 0xfff00n));
      s += `inotify wd:${w.wd.toString(16)} ino:${w.inode.ino.toString(16)} sdev:${sdev.toString(16)} ` +
        `mask:${(w.mask >>> 0).toString(16)} ignored_mask:0\n`;
    }
    return s;
  }
}
