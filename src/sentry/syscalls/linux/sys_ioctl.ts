// ioctl(2): generic requests here, the rest delegated to the file.
import { O_NONBLOCK, O_ASYNC } from '../../../abi/linux/fcntl.js';
import { FIOASYNC, FIOCLEX, FIONBIO, FIONCLEX } from '../../../abi/linux/ioctl.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function ioctl(t: Task, [fdArg, req, arg]: SyscallArgs): number {
  const fd = fdArg.int32();
  const file = t.fdTable.getIO(fd);
  const r = req.uint32();
  switch (r) {
    case FIOCLEX:
      t.fdTable.setCloexec(fd, true);
      return 0;
    case FIONCLEX:
      t.fdTable.setCloexec(fd, false);
      return 0;
    case FIONBIO:
      if (t.mm.readI32(arg.addr()) !== 0) file.flags |= O_NONBLOCK;
      else file.flags &= ~O_NONBLOCK;
      return 0;
    case FIOASYNC:
      if (t.mm.readI32(arg.addr()) !== 0) file.flags |= O_ASYNC;
      else file.flags &= ~O_ASYNC;
      return 0;
    default:
      return file.ioctl(t, r, arg.addr());
  }
}
