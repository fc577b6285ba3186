// mq_open(2), mq_unlink(2), mq_timedsend(2), mq_timedreceive(2), mq_notify(2),
// mq_getsetattr(2). Queues live in the IPC namespace's mqueue file system and are
// opened through its internal mount; names are single path components (libc strips
// the leading slash).
import {
  EACCES, EBADF, EEXIST, EINVAL, EMSGSIZE, ENOENT, ENOTSOCK, EBUSY,
} from '../../../abi/linux/errno.js';
import { O_ACCMODE, O_CLOEXEC, O_CREAT, O_EXCL, O_NONBLOCK, O_TRUNC } from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import { NSIG } from '../../../abi/linux/signal.js';
import { S_IFREG } from '../../../abi/linux/stat.js';
import type { Block } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { realtimeNs } from '../../kernel/time.js';
import { MQ_PRIO_MAX, MqueueDescription, MqueueInode, type MqAttrRequest } from '../../fsimpl/mqueue/mqueue.js';
import { SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD } from '../../fsimpl/mqueue/queue.js';
import { MAY_READ, MAY_WRITE, checkPermission, checkSticky } from '../../vfs/permissions.js';

const MQ_ATTR_SIZE = 64;
const SIGEVENT_SIZE = 64;
const O_NOCTTY = 0o400;
/** PATH_MAX - 1: getname's longest name. */
const NAME_LEN_MAX = 4095;

/** getname + lookup_one_len's rules for a queue name. */
function readName(t: Task, addr: number): string {
  const name = t.mm.readCString(addr, NAME_LEN_MAX);
  if (name.length === 0) throw ENOENT;
  if (name === '.' || name === '..' || name.includes('/')) throw EACCES;
  return name;
}

/** A descriptor that must be an open queue. */
function queueFile(t: Task, fd: number): MqueueDescription {
  const f = t.fdTable.getOrNull(fd);
  if (!(f instanceof MqueueDescription)) throw EBADF;
  return f;
}

/** An absolute CLOCK_REALTIME timeout as an uptime deadline; EFAULT/EINVAL checked first. */
function readDeadline(t: Task, addr: number): number | null {
  if (addr === 0) return null;
  const b = t.mm.copyIn(addr, 16);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) throw EINVAL;
  const left = sec * 1_000_000_000n + nsec - realtimeNs();
  return t.kernel.uptimeNs() + (left > 0n ? Number(left) : 0);
}

export function mq_open(t: Task, [nameArg, oflagArg, modeArg, attrArg]: SyscallArgs): number {
  const oflag = oflagArg.int32();
  const mode = modeArg.uint32() & 0xffff;
  let attr: MqAttrRequest | null = null;
  if (attrArg.addr() !== 0) {
    const b = t.mm.copyIn(attrArg.addr(), MQ_ATTR_SIZE);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    attr = { maxmsg: clampLong(dv.getBigInt64(8, true)), msgsize: clampLong(dv.getBigInt64(16, true)) };
  }
  const name = readName(t, nameArg.addr());
  const fs = t.kernel.ipc.mqueue;
  let inode = fs.dir.lookup(name) as MqueueInode | null;
  const created = !inode;
  if (!inode) {
    if (!(oflag & O_CREAT)) throw ENOENT;
    inode = fs.createQueue(name, {
      mode: S_IFREG | (mode & 0o7777 & ~t.fs.umask), uid: t.creds.fsuid, gid: t.creds.fsgid,
    }, attr, t);
  } else {
    if ((oflag & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL)) throw EEXIST;
    const acc = oflag & O_ACCMODE;
    if (acc === O_ACCMODE) throw EINVAL;
    checkPermission(t.creds, inode, acc === 0 ? MAY_READ : acc === 1 ? MAY_WRITE : MAY_READ | MAY_WRITE);
  }
  const vd = fs.vdOf(name)!;
  const file = inode.open(t, vd, oflag & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
  try {
    // Queue descriptors are always close-on-exec.
    return t.fdTable.add(file, true, t.limit(RLIMIT_NOFILE).cur);
  } catch (e) {
    // Linux takes the descriptor first: with none free (EMFILE) no queue is made.
    if (created) {
      fs.dir.unlink(name);
      fs.root().drop(name);
    }
    throw e;
  } finally {
    file.decRef();
  }
}

function clampLong(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

export function mq_unlink(t: Task, [nameArg]: SyscallArgs): number {
  const name = readName(t, nameArg.addr());
  const fs = t.kernel.ipc.mqueue;
  const dir = fs.dir;
  const inode = dir.lookup(name);
  if (!inode) throw ENOENT;
  checkPermission(t.creds, dir, MAY_WRITE | 1);
  checkSticky(t.creds, dir, inode);
  dir.unlink(name);
  fs.root().drop(name);
  return 0;
}

export function mq_timedsend(t: Task, [fd, msgPtr, lenArg, prioArg, timeout]: SyscallArgs): number | Block {
  const deadline = readDeadline(t, timeout.addr());
  const prio = prioArg.uint32();
  if (prio >= MQ_PRIO_MAX) throw EINVAL;
  const f = queueFile(t, fd.int32());
  if (!f.writable) throw EBADF;
  const q = f.queue;
  const len = lenArg.size();
  if (len > q.msgsize) throw EMSGSIZE;
  const data = len > 0 ? t.mm.copyIn(msgPtr.addr(), len) : new Uint8Array(0);
  return q.send(t, { prio, data }, (f.flags & O_NONBLOCK) !== 0, deadline);
}

export function mq_timedreceive(t: Task, [fd, msgPtr, lenArg, prioPtr, timeout]: SyscallArgs): number | Block {
  const deadline = readDeadline(t, timeout.addr());
  const f = queueFile(t, fd.int32());
  if (!f.readable) throw EBADF;
  const q = f.queue;
  if (lenArg.size() < q.msgsize) throw EMSGSIZE;
  const buf = msgPtr.addr();
  const prioAddr = prioPtr.addr();
  return q.receive(t, (f.flags & O_NONBLOCK) !== 0, deadline, (m) => {
    if (prioAddr !== 0) t.mm.writeU32(prioAddr, m.prio);
    t.mm.copyOut(buf, m.data);
    return m.data.length;
  });
}

export function mq_notify(t: Task, [fd, sevp]: SyscallArgs): number {
  let ev: { value: bigint; signo: number; notify: number } | null = null;
  if (sevp.addr() !== 0) {
    const b = t.mm.copyIn(sevp.addr(), SIGEVENT_SIZE);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    ev = { value: dv.getBigUint64(0, true), signo: dv.getInt32(8, true), notify: dv.getInt32(12, true) };
    if (ev.notify !== SIGEV_NONE && ev.notify !== SIGEV_SIGNAL && ev.notify !== SIGEV_THREAD) throw EINVAL;
    // valid_signal(): 0 is accepted (and never sent).
    if (ev.notify === SIGEV_SIGNAL && (ev.signo >>> 0) > NSIG) throw EINVAL;
    if (ev.notify === SIGEV_THREAD) {
      // SIGEV_THREAD needs a netlink socket in sigev_signo; there are none here.
      if (!t.fdTable.getOrNull(ev.signo)) throw EBADF;
      throw ENOTSOCK;
    }
  }
  const f = queueFile(t, fd.int32());
  const q = f.queue;
  const owner = q.owner();
  if (!ev) {
    if (owner && owner.owner === t.tg) q.notification = null;
    return 0;
  }
  if (owner) throw EBUSY;
  q.notification = { owner: t.tg, notify: ev.notify, signo: ev.signo, value: ev.value, via: f };
  return 0;
}

export function mq_getsetattr(t: Task, [fd, newAttr, oldAttr]: SyscallArgs): number {
  let flags: bigint | null = null;
  if (newAttr.addr() !== 0) {
    const b = t.mm.copyIn(newAttr.addr(), MQ_ATTR_SIZE);
    flags = new DataView(b.buffer, b.byteOffset, b.length).getBigInt64(0, true);
    if (flags & ~BigInt(O_NONBLOCK)) throw EINVAL;
  }
  const f = queueFile(t, fd.int32());
  const q = f.queue;
  const out = new Uint8Array(MQ_ATTR_SIZE);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, BigInt(f.flags & O_NONBLOCK), true);
  dv.setBigInt64(8, BigInt(q.maxmsg), true);
  dv.setBigInt64(16, BigInt(q.msgsize), true);
  dv.setBigInt64(24, BigInt(q.curmsgs), true);
  if (flags !== null) {
    if (flags & BigInt(O_NONBLOCK)) f.flags |= O_NONBLOCK;
    else f.flags &= ~O_NONBLOCK;
  }
  if (oldAttr.addr() !== 0) t.mm.copyOut(oldAttr.addr(), out);
  return 0;
}
