// inotify_init(2), inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2).
// Events are read with read(2); the instance lives in fsimpl/inotify.
import { EINVAL } from '../../../abi/linux/errno.js';
import {
  ALL_INOTIFY_BITS, IN_CLOEXEC, IN_DONT_FOLLOW, IN_MASK_ADD, IN_MASK_CREATE, IN_NONBLOCK, IN_ONLYDIR,
} from '../../../abi/linux/inotify.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { InotifyDescription } from '../../fsimpl/inotify/inotify.js';
import { resolvePath } from '../../vfs/path.js';
import { MAY_READ, checkPermission } from '../../vfs/permissions.js';

function init(t: Task, flags: number): number {
  if (flags & ~(IN_CLOEXEC | IN_NONBLOCK)) throw EINVAL;
  const f = new InotifyDescription(flags);
  try {
    return t.fdTable.add(f, (flags & IN_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    f.decRef();
  }
}

export function inotify_init(t: Task): number {
  return init(t, 0);
}

export function inotify_init1(t: Task, [flags]: SyscallArgs): number {
  return init(t, flags.int32());
}

function instance(t: Task, fd: number): InotifyDescription {
  const f = t.fdTable.get(fd);
  if (!(f instanceof InotifyDescription)) throw EINVAL;
  return f;
}

export function inotify_add_watch(t: Task, [fd, pathname, maskArg]: SyscallArgs): number {
  const mask = maskArg.uint32();
  if (mask & IN_MASK_ADD && mask & IN_MASK_CREATE) throw EINVAL;
  if ((mask & ~ALL_INOTIFY_BITS) !== 0 || (mask & ALL_INOTIFY_BITS) === 0) throw EINVAL;
  const group = instance(t, fd.int32());
  const path = t.readPath(pathname.addr());
  const vd = resolvePath(t.walkCtx, t.startFor(-100, path), path, {
    follow: (mask & IN_DONT_FOLLOW) === 0,
    directory: (mask & IN_ONLYDIR) !== 0,
  });
  // Watching needs read permission on the file (inotify_find_inode).
  checkPermission(t.creds, vd.dentry.inode, MAY_READ);
  return group.addWatch(vd.dentry.inode, mask);
}

export function inotify_rm_watch(t: Task, [fd, wd]: SyscallArgs): number {
  instance(t, fd.int32()).removeWatch(wd.int32());
  return 0;
}
