// The mqueue file system (ipc/mqueue.c): one per IPC namespace, used by
// mq_open(3) through its internal mount and visible wherever it is mounted
// (/dev/mqueue). Each queue is a regular file; its descriptions are pollable
// queue handles and read(2) gives the "QSIZE:... NOTIFY:..." status line.
import { EINVAL, EMFILE, ENAMETOOLONG, ENOENT, ENOSPC, EOVERFLOW } from '../../../abi/linux/errno.js';
import { RLIMIT_MSGQUEUE } from '../../../abi/linux/limits.js';
import { S_IFDIR, S_IFREG, dtypeOf, type Stat } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import type { WaitQueue } from '../../kernel/waiter.js';
import { Dentry } from '../../vfs/dentry.js';
import { DirectoryDescription, FileDescription, seekWithSize } from '../../vfs/file.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import { Inode, nowTimespec, type CreateOpts, type DirEntry } from '../../vfs/inode.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import { Mount, type VirtualDentry } from '../../vfs/mount.js';
import { MessageQueue } from './queue.js';

export const MQUEUE_MAGIC = 0x19800202;
/** Limits root (CAP_SYS_RESOURCE) may raise a queue to. */
export const HARD_MSGMAX = 65536;
export const HARD_MSGSIZEMAX = 16 * 1024 * 1024;
/** MQ_PRIO_MAX. */
export const MQ_PRIO_MAX = 32768;
/** i_size of a queue file (FILENT_SIZE). */
const FILENT_SIZE = 80;
const CAP_SYS_RESOURCE = 24;
/** sizeof(struct msg_msg) and sizeof(struct posix_msg_tree_node) on x86_64: the per-queue overhead Linux charges. */
const MSG_MSG_SIZE = 48;
const TREE_NODE_SIZE = 48;

/** Sentry memory a queue costs besides its messages. */
const QUEUE_OVERHEAD = 512;

/** Where queues and messages charge the Sentry memory they hold (IpcMemory). */
export interface MemoryCharge {
  charge(bytes: number): void;
  release(bytes: number): void;
}

export interface MqAttrRequest {
  maxmsg: number;
  msgsize: number;
}

export class MqueueFilesystem extends Filesystem {
  readonly name = 'mqueue';
  readonly dev = anonDev();
  private readonly rootDentry: Dentry;
  /** The namespace's internal mount (mq_open works without /dev/mqueue). */
  readonly mount: Mount;
  /** /proc/sys/fs/mqueue. */
  readonly limits = { msgMax: 10, msgsizeMax: 8192, msgDefault: 10, msgsizeDefault: 8192, queuesMax: 256 };
  queuesCount = 0;
  /** Bytes charged per uid against RLIMIT_MSGQUEUE (Linux's user_struct->mq_bytes). */
  private readonly bytesByUid = new Map<number, number>();

  constructor(readonly memory: MemoryCharge) {
    super();
    // Names change behind the dentry cache (mq_unlink does not walk paths): always ask the directory.
    this.revalidates = true;
    this.rootDentry = new Dentry('/', null, new MqueueDir(this));
    this.mount = new Mount(this, this.rootDentry, 0, null, null, 'mqueue');
  }

  root(): Dentry {
    return this.rootDentry;
  }

  get dir(): MqueueDir {
    return this.rootDentry.inode as MqueueDir;
  }

  override statfs(): StatFs {
    return { ...super.statfs(), type: MQUEUE_MAGIC };
  }

  /**
   * mqueue_create_attr + mqueue_get_inode: a new queue named `name`, charged to the
   * creator. `task` is null for a plain open(O_CREAT) in a mount (no rlimit check).
   */
  createQueue(name: string, opts: CreateOpts, attr: MqAttrRequest | null, task: Task | null): MqueueInode {
    const privileged = task ? task.creds.hasCap(CAP_SYS_RESOURCE) : true;
    if (this.queuesCount >= this.limits.queuesMax && !privileged) throw ENOSPC;
    const maxmsg = attr ? attr.maxmsg : this.limits.msgDefault;
    const msgsize = attr ? attr.msgsize : this.limits.msgsizeDefault;
    if (maxmsg <= 0 || msgsize <= 0) throw EINVAL;
    if (privileged) {
      if (maxmsg > HARD_MSGMAX || msgsize > HARD_MSGSIZEMAX) throw EINVAL;
    } else if (maxmsg > this.limits.msgMax || msgsize > this.limits.msgsizeMax) {
      throw EINVAL;
    }
    const bytes = maxmsg * MSG_MSG_SIZE + Math.min(maxmsg, MQ_PRIO_MAX) * TREE_NODE_SIZE + maxmsg * msgsize;
    if (!Number.isSafeInteger(bytes)) throw EOVERFLOW;
    const uid = opts.uid;
    const used = this.bytesByUid.get(uid) ?? 0;
    if (task && used + bytes > task.limit(RLIMIT_MSGQUEUE).cur) throw EMFILE;
    this.memory.charge(QUEUE_OVERHEAD);
    this.bytesByUid.set(uid, used + bytes);
    this.queuesCount++;
    const inode = new MqueueInode(this, opts, new MessageQueue(maxmsg, msgsize, this.memory), bytes);
    this.dir.children.set(name, inode);
    this.dir.touch();
    return inode;
  }

  /** The queue is unlinked and closed: its charge and slot go back (mqueue_evict_inode). */
  evict(inode: MqueueInode): void {
    const used = (this.bytesByUid.get(inode.chargedUid) ?? 0) - inode.chargedBytes;
    if (used > 0) this.bytesByUid.set(inode.chargedUid, used);
    else this.bytesByUid.delete(inode.chargedUid);
    this.queuesCount--;
    inode.queue.discard();
    this.memory.release(QUEUE_OVERHEAD);
  }

  /** A location for a queue by name in the internal mount (for mq_open's description). */
  vdOf(name: string): VirtualDentry | null {
    const d = this.rootDentry.lookup(name);
    return d ? { mount: this.mount, dentry: d } : null;
  }
}

export class MqueueDir extends Inode {
  readonly children = new Map<string, MqueueInode>();

  constructor(readonly fs: MqueueFilesystem) {
    super(fs.allocIno(), S_IFDIR | 0o1777, 0, 0);
  }

  touch(): void {
    this.mtime = this.ctime = nowTimespec();
  }

  override lookup(name: string): Inode | null {
    // simple_lookup
    if (name.length > 255) throw ENAMETOOLONG;
    return this.children.get(name) ?? null;
  }

  override readdir(): DirEntry[] {
    const out: DirEntry[] = [];
    for (const [name, q] of this.children) out.push({ name, ino: q.ino, type: dtypeOf(q.mode) });
    return out;
  }

  /** open(O_CREAT) in a mount: a queue with the default attributes. */
  override create(name: string, opts: CreateOpts): Inode {
    return this.fs.createQueue(name, { ...opts, mode: S_IFREG | (opts.mode & 0o7777) }, null, null);
  }

  override unlink(name: string): void {
    const q = this.children.get(name);
    if (!q) throw ENOENT;
    this.children.delete(name);
    q.nlink = 0;
    q.ctime = nowTimespec();
    this.touch();
    q.maybeEvict();
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new DirectoryDescription(vd, flags);
  }
}

export class MqueueInode extends Inode {
  /** Open descriptions (an unlinked queue lives while any is open). */
  openCount = 0;
  readonly chargedUid: number;

  constructor(
    readonly fs: MqueueFilesystem,
    opts: CreateOpts,
    readonly queue: MessageQueue,
    readonly chargedBytes: number,
  ) {
    super(fs.allocIno(), S_IFREG | (opts.mode & 0o7777), opts.uid, opts.gid);
    this.chargedUid = opts.uid;
  }

  override size(): number {
    return FILENT_SIZE;
  }

  override stat(): Stat {
    // No pages behind the file: i_blocks stays 0 whatever i_size says.
    return { ...super.stat(), blocks: 0 };
  }

  maybeEvict(): void {
    if (this.nlink === 0 && this.openCount === 0) this.fs.evict(this);
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new MqueueDescription(vd, flags, this);
  }
}

/** An open queue (mqd_t). */
export class MqueueDescription extends FileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    readonly mq: MqueueInode,
  ) {
    super(vd, flags);
    mq.openCount++;
  }

  get queue(): MessageQueue {
    return this.mq.queue;
  }

  override get waitQueue(): WaitQueue {
    return this.mq.queue.events;
  }

  override readiness(mask: number): number {
    return this.mq.queue.readiness(mask);
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    const text = Buffer.from(this.mq.queue.statusLine(), 'latin1');
    const pos = off >= 0 ? off : this.offset;
    if (pos >= text.length) return 0;
    const n = copyToSeq(dst, text.subarray(pos, pos + seqLength(dst)));
    if (off < 0) this.offset += n;
    this.mq.atime = nowTimespec();
    return n;
  }

  override seek(off: number, whence: number): number {
    return seekWithSize(this, off, whence, FILENT_SIZE);
  }

  protected override release(): void {
    // mqueue_flush_file drops the owner's registration when it closes the queue; we
    // see the close of the description it registered through.
    const n = this.mq.queue.notification;
    if (n && n.via === this) this.mq.queue.notification = null;
    this.mq.openCount--;
    this.mq.maybeEvict();
  }
}
