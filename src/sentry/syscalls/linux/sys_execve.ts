// execve(2), execveat(2).
import { E2BIG, EINVAL, ENOENT } from '../../../abi/linux/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../../../abi/linux/fcntl.js';
import { REGS_SET, type SyscallResult } from '../../kernel/block.js';
import { commitExec } from '../../kernel/exec.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { loadImage } from '../../loader/loader.js';

function readArray(t: Task, addr: number): string[] {
  try {
    return t.mm.readStringArray(addr);
  } catch (e) {
    if (e instanceof RangeError) throw E2BIG;
    throw e;
  }
}

function doExec(t: Task, dirfd: number, pathAddr: number, argvAddr: number, envpAddr: number, flags: number): SyscallResult {
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) throw EINVAL;
  const path = t.readPath(pathAddr, (flags & AT_EMPTY_PATH) !== 0);
  const argv = readArray(t, argvAddr);
  const envp = readArray(t, envpAddr);
  let img;
  if (path.length === 0) {
    // fexecve: the file open at dirfd; AT_EXECFN becomes /dev/fd/N like Linux.
    if (dirfd === AT_FDCWD) throw ENOENT;
    const file = t.fdTable.get(dirfd);
    img = loadImage(t, { path: `/dev/fd/${dirfd}`, start: t.fs.root, file: file.vd, argv, envp });
  } else {
    img = loadImage(t, { path, start: t.startFor(dirfd, path), argv, envp,
      noFollow: (flags & AT_SYMLINK_NOFOLLOW) !== 0 });
  }
  commitExec(t, img);
  return REGS_SET;
}

export function execve(t: Task, [path, argv, envp]: SyscallArgs): SyscallResult {
  return doExec(t, AT_FDCWD, path.addr(), argv.addr(), envp.addr(), 0);
}

export function execveat(t: Task, [dirfd, path, argv, envp, flags]: SyscallArgs): SyscallResult {
  return doExec(t, dirfd.int32(), path.addr(), argv.addr(), envp.addr(), flags.int32());
}
