// read(2), readv(2), pread64(2), preadv(2), preadv2(2).
import { EBADF, EINVAL, EISDIR, EOPNOTSUPP, ESPIPE } from '../../../abi/linux/errno.js';
import type { SyscallResult } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import type { IOSequence } from '../../vfs/iosequence.js';
import { blockingRead } from './blocking.js';
import { MAX_RW_COUNT, readIovecs } from './iovec.js';

function readableFile(t: Task, fd: number): FileDescription {
  const file = t.fdTable.getIO(fd);
  if (!file.readable) throw EBADF;
  if (file.inode.isDir()) throw EISDIR;
  return file;
}

function doRead(t: Task, file: FileDescription, dst: () => IOSequence, off: number): SyscallResult {
  return blockingRead(t, file, () => file.read(t, dst(), off));
}

export function read(t: Task, [fd, buf, count]: SyscallArgs): SyscallResult {
  const file = readableFile(t, fd.int32());
  const n = Math.min(count.size(), MAX_RW_COUNT);
  const addr = buf.addr();
  // A zero count still reaches the file (eventfd & co. reject short buffers with EINVAL).
  return doRead(t, file, () => (n === 0 ? [] : t.mm.views(addr, n, true)), -1);
}

export function pread64(t: Task, [fd, buf, count, offset]: SyscallArgs): SyscallResult {
  const file = readableFile(t, fd.int32());
  const off = offset.int64();
  if (off < 0) throw EINVAL;
  if (!file.positional) throw ESPIPE;
  const n = Math.min(count.size(), MAX_RW_COUNT);
  const addr = buf.addr();
  return doRead(t, file, () => (n === 0 ? [] : t.mm.views(addr, n, true)), off);
}

export function readv(t: Task, [fd, iov, iovcnt]: SyscallArgs): SyscallResult {
  const file = readableFile(t, fd.int32());
  const seq = readIovecs(t, iov.addr(), iovcnt.int32(), true);
  return doRead(t, file, () => seq, -1);
}

export function preadv(t: Task, [fd, iov, iovcnt, offset]: SyscallArgs): SyscallResult {
  const file = readableFile(t, fd.int32());
  const off = offset.int64();
  if (off < 0) throw EINVAL;
  if (!file.positional) throw ESPIPE;
  const seq = readIovecs(t, iov.addr(), iovcnt.int32(), true);
  return doRead(t, file, () => seq, off);
}

/** preadv2: offset -1 means the file position; RWF_* flags are accepted when harmless. */
export function preadv2(t: Task, [fd, iov, iovcnt, offset, , flags]: SyscallArgs): SyscallResult {
  const file = readableFile(t, fd.int32());
  if (flags.int32() & ~0x1f) throw EOPNOTSUPP;
  const off = offset.int64();
  if (off < -1) throw EINVAL;
  const seq = readIovecs(t, iov.addr(), iovcnt.int32(), true);
  return doRead(t, file, () => seq, off);
}
