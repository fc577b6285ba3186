// getdents64(2), getdents(2).
import { EINVAL, ENOTDIR } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { DirEntry } from '../../vfs/inode.js';
import { notifyAccess } from '../../vfs/fsnotify.js';

/** Writes one record at `pos` of `b` if it fits before `limit`; returns its length, or 0. */
type Encoder = (b: Buffer, pos: number, limit: number, e: DirEntry, off: number) => number;

// Records go straight into one buffer per call: a buffer per entry cost more than the listing.
function putOff(b: Buffer, pos: number, off: number): void {
  b.writeUInt32LE(off % 0x1_0000_0000, pos);
  b.writeUInt32LE(Math.floor(off / 0x1_0000_0000), pos + 4);
}

/** struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; } 8-aligned. */
function dirent64(b: Buffer, pos: number, limit: number, e: DirEntry, off: number): number {
  const reclen = (19 + e.name.length + 1 + 7) & ~7; // names are latin1: one byte per char
  if (pos + reclen > limit) return 0;
  b.writeBigUInt64LE(e.ino, pos);
  putOff(b, pos + 8, off);
  b.writeUInt16LE(reclen, pos + 16);
  b[pos + 18] = e.type;
  b.write(e.name, pos + 19, 'latin1');
  b.fill(0, pos + 19 + e.name.length, pos + reclen);
  return reclen;
}

/** struct linux_dirent { ulong ino; ulong off; u16 reclen; char name[]; char pad; char type; }. */
function dirent(b: Buffer, pos: number, limit: number, e: DirEntry, off: number): number {
  const reclen = (18 + e.name.length + 2 + 7) & ~7;
  if (pos + reclen > limit) return 0;
  b.writeBigUInt64LE(e.ino, pos);
  putOff(b, pos + 8, off);
  b.writeUInt16LE(reclen, pos + 16);
  b.write(e.name, pos + 18, 'latin1');
  b.fill(0, pos + 18 + e.name.length, pos + reclen - 1);
  b[pos + reclen - 1] = e.type;
  return reclen;
}

/** Bytes filled per call at most: a larger count just gets the rest on the next call. */
const MAX_BATCH = 1 << 20;

function getdentsCommon(t: Task, fd: number, addr: number, count: number, enc: Encoder): number {
  const file = t.fdTable.getIO(fd);
  if (!file.inode.isDir()) throw ENOTDIR;
  // Fault before consuming entries, so a bad buffer loses no directory position.
  t.mm.views(addr, Math.min(count, 1), true);
  const limit = Math.min(count, MAX_BATCH);
  const out = Buffer.allocUnsafe(limit);
  let used = 0;
  let tooSmall = false;
  file.iterateDir(t, (e) => {
    const n = enc(out, used, limit, e, file.offset + 1);
    if (n === 0) {
      if (used === 0) tooSmall = true;
      return false;
    }
    used += n;
    return true;
  });
  notifyAccess(file); // iterate_dir reports every listing, even at the end
  if (tooSmall) throw EINVAL;
  if (used > 0) t.mm.copyOut(addr, out.subarray(0, used));
  return used;
}

export function getdents64(t: Task, [fd, dirp, count]: SyscallArgs): number {
  return getdentsCommon(t, fd.int32(), dirp.addr(), count.uint32(), dirent64);
}

export function getdents(t: Task, [fd, dirp, count]: SyscallArgs): number {
  return getdentsCommon(t, fd.int32(), dirp.addr(), count.uint32(), dirent);
}
