// fsync(2), fdatasync(2), sync(2), syncfs(2), sync_file_range(2). Sandbox-local files
// (tmpfs, overlay upper) live in memory and have nothing to flush; host-backed gofer
// files pass the request to their host fd, so durability is the host's.
import { EINVAL, ESPIPE } from '../../../abi/linux/errno.js';
import { S_IFBLK, S_IFDIR, S_IFLNK, S_IFREG } from '../../../abi/linux/stat.js';
import { SYNC_FILE_RANGE_VALID } from '../../../abi/linux/splice.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { writebackAllFilePages } from '../../mm/file_pages.js';

export function fsync(t: Task, [fd]: SyscallArgs): number {
  const file = t.fdTable.getIO(fd.int32());
  // Stores through shared mappings reach the file system first.
  file.syncMappedPages();
  file.fsync(false);
  return 0;
}

export function fdatasync(t: Task, [fd]: SyscallArgs): number {
  const file = t.fdTable.getIO(fd.int32());
  // Stores through shared mappings reach the file system first.
  file.syncMappedPages();
  file.fsync(true);
  return 0;
}

/** sync(2) never fails; host-backed data already sits in the host's page cache. */
export function sync(): number {
  // Stores through shared file mappings are the one thing the Sentry itself holds back.
  writebackAllFilePages();
  return 0;
}

export function syncfs(t: Task, [fd]: SyscallArgs): number {
  writebackAllFilePages();
  t.fdTable.getIO(fd.int32()).syncfs();
  return 0;
}

export function sync_file_range(t: Task, [fdArg, offArg, nbytesArg, flagsArg]: SyscallArgs): number {
  const file = t.fdTable.getIO(fdArg.int32());
  const flags = flagsArg.uint32();
  if (flags & ~SYNC_FILE_RANGE_VALID) throw EINVAL;
  const off = offArg.bigint();
  const nbytes = nbytesArg.bigint();
  const offS = BigInt.asIntN(64, off);
  const end = BigInt.asIntN(64, off + nbytes);
  if (offS < 0n || end < 0n || end < offS) throw EINVAL;
  // Only files with a page cache take it (pipes, sockets and character devices do not).
  const type = file.inode.type;
  if (type !== S_IFREG && type !== S_IFBLK && type !== S_IFDIR && type !== S_IFLNK) throw ESPIPE;
  if (flags === 0) return 0;
  file.syncMappedPages();
  file.syncRange(Number(offS), Number(BigInt.asIntN(64, nbytes)), flags);
  return 0;
}
