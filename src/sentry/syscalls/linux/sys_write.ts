// write(2), writev(2), pwrite64(2), pwritev(2), pwritev2(2).
import { EBADF, EFBIG, EINVAL, EOPNOTSUPP, EPIPE, ESPIPE } from '../../../abi/linux/errno.js';
import { O_APPEND } from '../../../abi/linux/fcntl.js';
import { RLIMIT_FSIZE } from '../../../abi/linux/limits.js';
import { SIGPIPE, SIGXFSZ } from '../../../abi/linux/signal.js';
import { sendToThread } from '../../kernel/signals.js';
import { SI_KERNEL, SI_USER } from '../../kernel/signal_queue.js';
import type { SyscallResult } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import { MSG_DONTWAIT } from '../../../abi/linux/socket.js';
import { SocketDescription } from '../../socket/socket.js';
import { seqDrop, seqLength, seqTake, type IOSequence } from '../../vfs/iosequence.js';
import { removePrivs } from '../../vfs/permissions.js';
import { blockingWrite } from './blocking.js';
import { MAX_RW_COUNT, readIovecs } from './iovec.js';

function writableFile(t: Task, fd: number): FileDescription {
  const file = t.fdTable.getIO(fd);
  if (!file.writable) throw EBADF;
  return file;
}

/** RLIMIT_FSIZE: regular-file writes stop at the limit; at it they fail with EFBIG and SIGXFSZ. */
function limitFileSize(t: Task, file: FileDescription, src: IOSequence, off: number): IOSequence {
  const limit = t.limit(RLIMIT_FSIZE).cur;
  if (limit === Infinity || !file.inode.isRegular()) return src;
  const pos = file.flags & O_APPEND ? file.inode.size() : off >= 0 ? off : file.offset;
  const total = seqLength(src);
  if (total === 0) return src;
  if (pos >= limit) {
    sendToThread(t, { signo: SIGXFSZ, code: SI_KERNEL });
    throw EFBIG;
  }
  return pos + total > limit ? seqTake(src, limit - pos) : src;
}

function doWrite(t: Task, file: FileDescription, src0: IOSequence, off: number): SyscallResult {
  const src = limitFileSize(t, file, src0, off);
  const total = seqLength(src);
  if (file instanceof SocketDescription) {
    // send(2) without flags: the socket waits (bounded by SO_SNDTIMEO) and raises
    // SIGPIPE itself, also for an EPIPE found after a wait.
    const flags = file.nonblocking ? MSG_DONTWAIT : 0;
    return file.sendmsg(t, { data: () => src, length: total, to: null, rights: null, creds: null, flags });
  }
  // Writing to a pipe nobody reads raises SIGPIPE as well as failing with EPIPE, also
  // when the reader went away while we waited for room (hence inside the retried op).
  const attempt = (s: IOSequence, at: number): number => {
    try {
      return file.write(t, s, at);
    } catch (e) {
      if (e === EPIPE) sendToThread(t, { signo: SIGPIPE, code: SI_USER, pid: t.tg.pid, uid: t.creds.ruid });
      throw e;
    }
  };
  if (total === 0) return attempt(src, off);
  if (file.inode.isRegular()) removePrivs(t.creds, file.inode);
  return blockingWrite(t, file, total, (done) => attempt(seqDrop(src, done), off < 0 ? -1 : off + done));
}

export function write(t: Task, [fd, buf, count]: SyscallArgs): SyscallResult {
  const file = writableFile(t, fd.int32());
  const n = Math.min(count.size(), MAX_RW_COUNT);
  // A zero count still reaches the file (eventfd & co. reject short buffers with EINVAL).
  return doWrite(t, file, n === 0 ? [] : t.mm.views(buf.addr(), n, false), -1);
}

export function pwrite64(t: Task, [fd, buf, count, offset]: SyscallArgs): SyscallResult {
  const file = writableFile(t, fd.int32());
  const off = offset.int64();
  if (off < 0) throw EINVAL;
  if (!file.positional) throw ESPIPE;
  const n = Math.min(count.size(), MAX_RW_COUNT);
  return doWrite(t, file, n === 0 ? [] : t.mm.views(buf.addr(), n, false), off);
}

export function writev(t: Task, [fd, iov, iovcnt]: SyscallArgs): SyscallResult {
  const file = writableFile(t, fd.int32());
  return doWrite(t, file, readIovecs(t, iov.addr(), iovcnt.int32(), false), -1);
}

export function pwritev(t: Task, [fd, iov, iovcnt, offset]: SyscallArgs): SyscallResult {
  const file = writableFile(t, fd.int32());
  const off = offset.int64();
  if (off < 0) throw EINVAL;
  if (!file.positional) throw ESPIPE;
  return doWrite(t, file, readIovecs(t, iov.addr(), iovcnt.int32(), false), off);
}

export function pwritev2(t: Task, [fd, iov, iovcnt, offset, , flags]: SyscallArgs): SyscallResult {
  const file = writableFile(t, fd.int32());
  if (flags.int32() & ~0x1f) throw EOPNOTSUPP;
  const off = offset.int64();
  if (off < -1) throw EINVAL;
  return doWrite(t, file, readIovecs(t, iov.addr(), iovcnt.int32(), false), off);
}
