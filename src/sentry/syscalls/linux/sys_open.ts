// open(2), openat(2), openat2(2), creat(2), close(2), close_range(2).
import { E2BIG, EINVAL } from '../../../abi/linux/errno.js';
import {
  AT_FDCWD, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE, O_CLOEXEC, O_CREAT, O_LARGEFILE, O_PATH, O_TMPFILE, O_TRUNC,
  O_WRONLY,
} from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import type { Block } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import { WouldBlock } from '../../kernel/waiter.js';
import type { Task } from '../../kernel/task.js';
import { openAt } from '../../vfs/ops.js';
import {
  RESOLVE_BENEATH, RESOLVE_CACHED, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV,
} from '../../vfs/path.js';

/** __O_TMPFILE without the O_DIRECTORY that O_TMPFILE includes. */
const O_TMPFILE_ONLY = 0o20000000;

/** Flags open(2) knows; others are silently ignored (openat2 rejects them). */
const VALID_OPEN_FLAGS = 0o37777703;

function doOpen(t: Task, dirfd: number, pathAddr: number, flags: number, mode: number, resolve = 0): number | Block {
  const path = t.readPath(pathAddr);
  // __O_TMPFILE needs O_DIRECTORY and write access, and excludes O_CREAT (build_open_flags).
  if ((flags & O_TMPFILE_ONLY) && ((flags & (O_TMPFILE | O_CREAT)) !== O_TMPFILE || (flags & 3) === 0)) throw EINVAL;
  const attempt = (): number | Block => {
    let file;
    try {
      file = openAt(t, dirfd, path, { flags: flags | O_LARGEFILE, mode, resolve });
    } catch (e) {
      // Opening a FIFO waits for the other end (fifo(7)).
      if (e instanceof WouldBlock) return t.waitOn(e.queue, e.mask, attempt);
      throw e;
    }
    try {
      return t.fdTable.add(file, (flags & O_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
    } finally {
      file.decRef();
    }
  };
  return attempt();
}

export function open(t: Task, [path, flags, mode]: SyscallArgs): number | Block {
  return doOpen(t, AT_FDCWD, path.addr(), flags.int32(), mode.uint32());
}

export function openat(t: Task, [dirfd, path, flags, mode]: SyscallArgs): number | Block {
  return doOpen(t, dirfd.int32(), path.addr(), flags.int32(), mode.uint32());
}

export function creat(t: Task, [path, mode]: SyscallArgs): number | Block {
  return doOpen(t, AT_FDCWD, path.addr(), O_CREAT | O_WRONLY | O_TRUNC, mode.uint32());
}

/** openat2(2): struct open_how { u64 flags; u64 mode; u64 resolve; }, strictly validated. */
export function openat2(t: Task, [dirfd, path, how, size]: SyscallArgs): number | Block {
  const sz = size.size();
  if (sz < 24) throw EINVAL;
  if (sz > 4096) throw E2BIG;
  const raw = t.mm.copyIn(how.addr(), sz);
  for (let i = 24; i < sz; i++) if (raw[i] !== 0) throw E2BIG;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const flagsHi = dv.getUint32(4, true);
  const flags = dv.getUint32(0, true);
  const mode = Number(dv.getBigUint64(8, true));
  const resolve = Number(dv.getBigUint64(16, true));
  if (flagsHi !== 0 || flags & ~VALID_OPEN_FLAGS) throw EINVAL;
  const validResolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
    RESOLVE_IN_ROOT | RESOLVE_CACHED;
  if (resolve & ~validResolve) throw EINVAL;
  if ((resolve & RESOLVE_BENEATH) && (resolve & RESOLVE_IN_ROOT)) throw EINVAL;
  if (mode & ~0o7777) throw EINVAL;
  if (mode !== 0 && !(flags & O_CREAT) && (flags & O_TMPFILE) !== O_TMPFILE) throw EINVAL;
  if ((flags & O_PATH) && flags & ~(O_PATH | O_CLOEXEC | 0o200000 | 0o400000)) throw EINVAL;
  return doOpen(t, dirfd.int32(), path.addr(), flags, mode, resolve);
}

export function close(t: Task, [fd]: SyscallArgs): number {
  t.fdTable.remove(fd.int32());
  return 0;
}

export function close_range(t: Task, [first, last, flags]: SyscallArgs): number {
  const f = flags.uint32();
  if (f & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) throw EINVAL;
  const lo = first.uint32();
  const hi = last.uint32();
  if (lo > hi) throw EINVAL;
  t.fdTable.removeRange(lo, hi, (f & CLOSE_RANGE_CLOEXEC) !== 0);
  return 0;
}

