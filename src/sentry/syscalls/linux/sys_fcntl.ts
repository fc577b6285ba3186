// fcntl(2): descriptor flags, status flags, duplication, pipe size. Record locks
// (F_GETLK/F_SETLK(W)/F_OFD_*) are decoded in sys_flock.ts.
import { EBADF, EINVAL } from '../../../abi/linux/errno.js';
import {
  FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETOWN, F_GETPIPE_SZ, F_GETSIG, F_SETFD, F_SETFL,
  F_SETOWN, F_SETPIPE_SZ, F_SETSIG, O_PATH, SETFL_MASK,
  F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW,
} from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import { CAP_SYS_RESOURCE } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { PipeDescription } from '../../fsimpl/pipe/pipe.js';
import type { Block } from '../../kernel/block.js';
import { fcntlLock } from './sys_flock.js';
import { addSeals, getSeals } from './sys_memfd.js';

export function fcntl(t: Task, [fdArg, cmdArg, arg]: SyscallArgs): number | Block {
  const fd = fdArg.int32();
  const cmd = cmdArg.int32();
  const file = t.fdTable.get(fd);
  const nofile = t.limit(RLIMIT_NOFILE).cur;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = arg.int32();
      if (min < 0 || min >= nofile) throw EINVAL;
      return t.fdTable.add(file, cmd === F_DUPFD_CLOEXEC, nofile, min);
    }
    case F_GETFD:
      return t.fdTable.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      t.fdTable.setCloexec(fd, (arg.int32() & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return file.flags;
    case F_SETFL: {
      if (file.flags & O_PATH) throw EBADF;
      const v = arg.int32();
      file.flags = (file.flags & ~SETFL_MASK) | (v & SETFL_MASK);
      return 0;
    }
    case 1033 /* F_ADD_SEALS */:
      return addSeals(t, file, arg.uint32());
    case 1034 /* F_GET_SEALS */:
      return getSeals(file);
    case F_GETPIPE_SZ:
      if (!(file instanceof PipeDescription)) throw EBADF;
      return file.pipe.capacity;
    case F_SETPIPE_SZ:
      if (!(file instanceof PipeDescription)) throw EBADF;
      return file.pipe.setCapacity(arg.uint32(), t.creds.hasCap(CAP_SYS_RESOURCE));
    case F_GETOWN:
    case F_GETSIG:
      return 0;
    case F_SETOWN:
    case F_SETSIG:
      return 0;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return fcntlLock(t, fd, cmd, arg.addr());
    default:
      throw EINVAL;
  }
}
