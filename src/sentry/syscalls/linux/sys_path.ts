// Name operations: readlink(at), access/faccessat(2), mkdir(at), mknod(at),
// unlink(at), rmdir, rename(at,at2), link(at), symlink(at).
import { EINVAL, EPERM } from '../../../abi/linux/errno.js';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW,
} from '../../../abi/linux/fcntl.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from '../../../abi/linux/stat.js';
import { CAP_DAC_READ_SEARCH, CAP_MKNOD } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import {
  accessAt, linkAt, mkdirAt, mknodAt, readlinkAt, renameAt, symlinkAt, unlinkAt,
} from '../../vfs/ops.js';

function doReadlink(t: Task, dirfd: number, pathAddr: number, buf: number, size: number): number {
  if (size <= 0) throw EINVAL;
  const path = t.readPath(pathAddr, true);
  const target = Buffer.from(readlinkAt(t, dirfd, path, true), 'latin1');
  const n = Math.min(target.length, size);
  t.mm.copyOut(buf, target.subarray(0, n));
  return n;
}

export function readlink(t: Task, [path, buf, size]: SyscallArgs): number {
  return doReadlink(t, AT_FDCWD, path.addr(), buf.addr(), size.int32());
}

export function readlinkat(t: Task, [dirfd, path, buf, size]: SyscallArgs): number {
  return doReadlink(t, dirfd.int32(), path.addr(), buf.addr(), size.int32());
}

export function access(t: Task, [path, mode]: SyscallArgs): number {
  accessAt(t, AT_FDCWD, t.readPath(path.addr()), mode.int32(), true, false, false);
  return 0;
}

export function faccessat(t: Task, [dirfd, path, mode]: SyscallArgs): number {
  accessAt(t, dirfd.int32(), t.readPath(path.addr()), mode.int32(), true, false, false);
  return 0;
}

export function faccessat2(t: Task, [dirfd, path, mode, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw EINVAL;
  const empty = (f & AT_EMPTY_PATH) !== 0;
  accessAt(t, dirfd.int32(), t.readPath(path.addr(), empty), mode.int32(), !(f & AT_SYMLINK_NOFOLLOW),
    (f & AT_EACCESS) !== 0, empty);
  return 0;
}

export function mkdir(t: Task, [path, mode]: SyscallArgs): number {
  mkdirAt(t, AT_FDCWD, t.readPath(path.addr()), mode.uint32());
  return 0;
}

export function mkdirat(t: Task, [dirfd, path, mode]: SyscallArgs): number {
  mkdirAt(t, dirfd.int32(), t.readPath(path.addr()), mode.uint32());
  return 0;
}

function doMknod(t: Task, dirfd: number, pathAddr: number, mode: number, dev: bigint): number {
  const type = mode & S_IFMT;
  switch (type) {
    case 0:
    case S_IFREG:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFCHR:
    case S_IFBLK:
      if (!t.creds.hasCap(CAP_MKNOD)) throw EPERM;
      break;
    case S_IFDIR:
      throw EPERM; // may_mknod: directories come from mkdir
    default:
      throw EINVAL;
  }
  mknodAt(t, dirfd, t.readPath(pathAddr), mode, dev);
  return 0;
}

export function mknod(t: Task, [path, mode, dev]: SyscallArgs): number {
  return doMknod(t, AT_FDCWD, path.addr(), mode.uint32(), dev.bigint() & 0xffffffffn);
}

export function mknodat(t: Task, [dirfd, path, mode, dev]: SyscallArgs): number {
  return doMknod(t, dirfd.int32(), path.addr(), mode.uint32(), dev.bigint() & 0xffffffffn);
}

export function unlink(t: Task, [path]: SyscallArgs): number {
  unlinkAt(t, AT_FDCWD, t.readPath(path.addr()), false);
  return 0;
}

export function rmdir(t: Task, [path]: SyscallArgs): number {
  unlinkAt(t, AT_FDCWD, t.readPath(path.addr()), true);
  return 0;
}

export function unlinkat(t: Task, [dirfd, path, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~AT_REMOVEDIR) throw EINVAL;
  unlinkAt(t, dirfd.int32(), t.readPath(path.addr()), (f & AT_REMOVEDIR) !== 0);
  return 0;
}

export function rename(t: Task, [oldpath, newpath]: SyscallArgs): number {
  renameAt(t, AT_FDCWD, t.readPath(oldpath.addr()), AT_FDCWD, t.readPath(newpath.addr()), 0);
  return 0;
}

export function renameat(t: Task, [olddirfd, oldpath, newdirfd, newpath]: SyscallArgs): number {
  renameAt(t, olddirfd.int32(), t.readPath(oldpath.addr()), newdirfd.int32(), t.readPath(newpath.addr()), 0);
  return 0;
}

export function renameat2(t: Task, [olddirfd, oldpath, newdirfd, newpath, flags]: SyscallArgs): number {
  renameAt(t, olddirfd.int32(), t.readPath(oldpath.addr()), newdirfd.int32(), t.readPath(newpath.addr()),
    flags.uint32());
  return 0;
}

export function link(t: Task, [oldpath, newpath]: SyscallArgs): number {
  linkAt(t, AT_FDCWD, t.readPath(oldpath.addr()), AT_FDCWD, t.readPath(newpath.addr()), false, false);
  return 0;
}

export function linkat(t: Task, [olddirfd, oldpath, newdirfd, newpath, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) throw EINVAL;
  const empty = (f & AT_EMPTY_PATH) !== 0;
  if (empty && !t.creds.hasCap(CAP_DAC_READ_SEARCH)) throw EPERM;
  linkAt(t, olddirfd.int32(), t.readPath(oldpath.addr(), empty), newdirfd.int32(), t.readPath(newpath.addr()),
    (f & AT_SYMLINK_FOLLOW) !== 0, empty);
  return 0;
}

export function symlink(t: Task, [target, linkpath]: SyscallArgs): number {
  symlinkAt(t, t.readPath(target.addr()), AT_FDCWD, t.readPath(linkpath.addr()));
  return 0;
}

export function symlinkat(t: Task, [target, newdirfd, linkpath]: SyscallArgs): number {
  symlinkAt(t, t.readPath(target.addr()), newdirfd.int32(), t.readPath(linkpath.addr()));
  return 0;
}
