// flock(2) and fcntl(2)'s record-lock commands (F_GETLK, F_SETLK, F_SETLKW and the
// F_OFD_* variants). The lock state lives in vfs/locks.ts.
import { EBADF, EINVAL } from '../../../abi/linux/errno.js';
import { F_GETLK, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLKW, O_PATH, SEEK_SET } from '../../../abi/linux/fcntl.js';
import { FLOCK_SIZE, F_RDLCK, F_UNLCK, F_WRLCK, OFFSET_MAX, decodeFlock, encodeFlock } from '../../../abi/linux/flock.js';
import type { Block } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { checkLockMode, flock as flockFile, recordRange, setRecordLock, testRecordLock } from '../../vfs/locks.js';

export function flock(t: Task, [fd, op]: SyscallArgs): number | Block {
  // O_PATH descriptors do not count as open for flock (fdget skips FMODE_PATH).
  const file = t.fdTable.getIO(fd.int32());
  return flockFile(t, file, op.int32());
}

/** The record-lock commands of fcntl(2); `arg` points to a struct flock. */
export function fcntlLock(t: Task, fd: number, cmd: number, arg: number): number | Block {
  const file = t.fdTable.get(fd);
  if (file.flags & O_PATH) throw EBADF;
  const raw = t.mm.copyIn(arg, FLOCK_SIZE);
  const fl = decodeFlock(raw);
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  // POSIX locks belong to the process's descriptor table, OFD locks to the description.
  const owner: object = ofd ? file : t.fdTable;
  if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
    if (fl.type !== F_RDLCK && fl.type !== F_WRLCK) throw EINVAL;
    const range = recordRange(file, fl.whence, fl.start, fl.len);
    if (ofd && fl.pid !== 0) throw EINVAL;
    const c = testRecordLock(file, owner, { type: fl.type, ...range });
    if (!c) {
      fl.type = F_UNLCK;
    } else {
      fl.type = c.type;
      fl.whence = SEEK_SET;
      fl.start = c.start;
      fl.len = c.end === OFFSET_MAX ? 0n : c.end - c.start + 1n;
      fl.pid = c.pid;
    }
    t.mm.copyOut(arg, encodeFlock(fl, raw));
    return 0;
  }
  const range = recordRange(file, fl.whence, fl.start, fl.len);
  if (fl.type !== F_RDLCK && fl.type !== F_WRLCK && fl.type !== F_UNLCK) throw EINVAL;
  checkLockMode(file, fl.type);
  if (ofd && fl.pid !== 0) throw EINVAL;
  const wait = cmd === F_SETLKW || cmd === F_OFD_SETLKW;
  return setRecordLock(t, file, owner, ofd, { type: fl.type, ...range }, wait);
}
