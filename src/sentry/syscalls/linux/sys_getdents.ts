// getdents64(2), getdents(2).
import { EINVAL, ENOTDIR } from '../../../abi/linux/errno.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import type { DirEntry } from '../../vfs/inode.js';
import { notifyAccess } from '../../vfs/fsnotify.js';

type Encoder = (e: DirEntry, off: number) => Uint8Array;

/** struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; } 8-aligned. */
function dirent64(e: DirEntry, off: number): Uint8Array {
  const name = Buffer.from(e.name, 'latin1');
  const reclen = (19 + name.length + 1 + 7) & ~7;
  const b = new Uint8Array(reclen);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, e.ino, true);
  dv.setBigInt64(8, BigInt(off), true);
  dv.setUint16(16, reclen, true);
  dv.setUint8(18, e.type);
  b.set(name, 19);
  return b;
}

/** struct linux_dirent { ulong ino; ulong off; u16 reclen; char name[]; char pad; char type; }. */
function dirent(e: DirEntry, off: number): Uint8Array {
  const name = Buffer.from(e.name, 'latin1');
  const reclen = (18 + name.length + 2 + 7) & ~7;
  const b = new Uint8Array(reclen);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, e.ino, true);
  dv.setBigInt64(8, BigInt(off), true);
  dv.setUint16(16, reclen, true);
  b.set(name, 18);
  b[reclen - 1] = e.type;
  return b;
}

function getdentsCommon(t: Task, fd: number, addr: number, count: number, enc: Encoder): number {
  const file = t.fdTable.getIO(fd);
  if (!file.inode.isDir()) throw ENOTDIR;
  // Fault before consuming entries, so a bad buffer loses no directory position.
  t.mm.views(addr, Math.min(count, 1), true);
  const chunks: Uint8Array[] = [];
  let used = 0;
  let tooSmall = false;
  file.iterateDir(t, (e) => {
    const rec = enc(e, file.offset + 1);
    if (used + rec.length > count) {
      if (used === 0) tooSmall = true;
      return false;
    }
    chunks.push(rec);
    used += rec.length;
    return true;
  });
  notifyAccess(file); // iterate_dir reports every listing, even at the end
  if (tooSmall) throw EINVAL;
  const out = new Uint8Array(used);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  if (used > 0) t.mm.copyOut(addr, out);
  return used;
}

export function getdents64(t: Task, [fd, dirp, count]: SyscallArgs): number {
  return getdentsCommon(t, fd.int32(), dirp.addr(), count.uint32(), dirent64);
}

export function getdents(t: Task, [fd, dirp, count]: SyscallArgs): number {
  return getdentsCommon(t, fd.int32(), dirp.addr(), count.uint32(), dirent);
}
