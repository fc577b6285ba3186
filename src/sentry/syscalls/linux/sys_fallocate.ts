// fallocate(2) (glibc's posix_fallocate uses it): the checks of vfs_fallocate, then
// the file's own allocate, which knows which modes its file system supports.
import { EBADF, EFBIG, EINVAL, EISDIR, ENODEV, EOPNOTSUPP, ESPIPE } from '../../../abi/linux/errno.js';
import { S_IFBLK, S_IFDIR, S_IFIFO, S_IFREG } from '../../../abi/linux/stat.js';
import {
  FALLOC_FL_ALLOCATE_RANGE, FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_MODE_MASK, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_UNSHARE_RANGE, FALLOC_FL_WRITE_ZEROES, FALLOC_FL_ZERO_RANGE,
} from '../../../abi/linux/splice.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

/** Largest offset+len the file systems here allow (MAX_LFS_FILESIZE). */
const MAX_BYTES = 2n ** 63n - 1n;

/** The mode combinations Linux accepts (current kernels: one operation, KEEP_SIZE where it makes sense). */
function checkMode(mode: number): void {
  if (mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE)) throw EOPNOTSUPP;
  switch (mode & FALLOC_FL_MODE_MASK) {
    case FALLOC_FL_ALLOCATE_RANGE:
    case FALLOC_FL_UNSHARE_RANGE:
    case FALLOC_FL_ZERO_RANGE:
      return;
    case FALLOC_FL_PUNCH_HOLE:
      if (!(mode & FALLOC_FL_KEEP_SIZE)) throw EOPNOTSUPP;
      return;
    case FALLOC_FL_COLLAPSE_RANGE:
    case FALLOC_FL_INSERT_RANGE:
    case FALLOC_FL_WRITE_ZEROES:
      if (mode & FALLOC_FL_KEEP_SIZE) throw EOPNOTSUPP;
      return;
    default:
      throw EOPNOTSUPP;
  }
}

export function fallocate(t: Task, [fdArg, modeArg, offArg, lenArg]: SyscallArgs): number {
  const file = t.fdTable.getIO(fdArg.int32());
  const mode = modeArg.int32();
  const off = BigInt.asIntN(64, offArg.bigint());
  const len = BigInt.asIntN(64, lenArg.bigint());
  if (off < 0n || len <= 0n) throw EINVAL;
  checkMode(mode);
  if (!file.writable) throw EBADF;
  const type = file.inode.type;
  if (type === S_IFIFO) throw ESPIPE;
  if (type === S_IFDIR) throw EISDIR;
  if (type !== S_IFREG && type !== S_IFBLK) throw ENODEV;
  // Wrapping through zero counts as too big as well.
  if (off + len > MAX_BYTES) throw EFBIG;
  // Mapped pages hold the newest data: it reaches the file first, and reads back what changed.
  file.syncMappedPages();
  file.allocate(mode, Number(off), Number(len));
  const op = mode & FALLOC_FL_MODE_MASK;
  const shifts = op === FALLOC_FL_COLLAPSE_RANGE || op === FALLOC_FL_INSERT_RANGE;
  if (op !== FALLOC_FL_ALLOCATE_RANGE) file.reloadMappedPages(Number(off), shifts ? Infinity : Number(len));
  return 0;
}
