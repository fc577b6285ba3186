// stat(2), lstat(2), fstat(2), newfstatat(2), statx(2), statfs(2), fstatfs(2).
import { EINVAL } from '../../../abi/linux/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW } from '../../../abi/linux/fcntl.js';
import { STATX__RESERVED, encodeStat, encodeStatx } from '../../../abi/linux/stat.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { encodeStatFs } from '../../../abi/linux/statfs.js';
import { lookupAt, statAt } from '../../vfs/ops.js';

function out(t: Task, addr: number, dv: DataView): void {
  t.mm.copyOut(addr, new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength));
}

export function stat(t: Task, [path, buf]: SyscallArgs): number {
  out(t, buf.addr(), encodeStat(statAt(t, AT_FDCWD, t.readPath(path.addr()), true, false)));
  return 0;
}

export function lstat(t: Task, [path, buf]: SyscallArgs): number {
  out(t, buf.addr(), encodeStat(statAt(t, AT_FDCWD, t.readPath(path.addr()), false, false)));
  return 0;
}

export function fstat(t: Task, [fd, buf]: SyscallArgs): number {
  out(t, buf.addr(), encodeStat(t.fdTable.get(fd.int32()).stat()));
  return 0;
}

export function newfstatat(t: Task, [dirfd, path, buf, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) throw EINVAL;
  const p = t.readPath(path.addr(), (f & AT_EMPTY_PATH) !== 0);
  out(t, buf.addr(), encodeStat(statAt(t, dirfd.int32(), p, !(f & AT_SYMLINK_NOFOLLOW), (f & AT_EMPTY_PATH) !== 0)));
  return 0;
}

export function statx(t: Task, [dirfd, path, flags, mask, buf]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) throw EINVAL;
  if ((f & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) throw EINVAL;
  const m = mask.uint32();
  if (m & STATX__RESERVED) throw EINVAL;
  const p = t.readPath(path.addr(), (f & AT_EMPTY_PATH) !== 0);
  const st = statAt(t, dirfd.int32(), p, !(f & AT_SYMLINK_NOFOLLOW), (f & AT_EMPTY_PATH) !== 0);
  out(t, buf.addr(), encodeStatx(st, m));
  return 0;
}

export function statfs(t: Task, [path, buf]: SyscallArgs): number {
  const vd = lookupAt(t, AT_FDCWD, t.readPath(path.addr()), true);
  t.mm.copyOut(buf.addr(), encodeStatFs(vd.mount.fs.statfs()));
  return 0;
}

export function fstatfs(t: Task, [fd, buf]: SyscallArgs): number {
  const f = t.fdTable.get(fd.int32());
  t.mm.copyOut(buf.addr(), encodeStatFs(f.vd.mount.fs.statfs()));
  return 0;
}
