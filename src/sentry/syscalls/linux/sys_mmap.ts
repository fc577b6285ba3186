// mmap(2), munmap(2), mprotect(2), mremap(2), madvise(2), msync(2), mincore(2), brk(2).
import { EACCES, EBADF, EINVAL, ENOMEM, EOPNOTSUPP, EPERM } from '../../../abi/linux/errno.js';
import {
  MADV_COLD, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE,
  MADV_KEEPONFORK, MADV_MERGEABLE, MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ,
  MADV_POPULATE_WRITE, MADV_RANDOM, MADV_REMOVE, MADV_SEQUENTIAL, MADV_UNMERGEABLE, MADV_WILLNEED,
  MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_FIXED, MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN, MAP_HUGETLB, MAP_LOCKED, MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED,
  MAP_SHARED_VALIDATE, MAP_STACK, MAP_SYNC, MAP_TYPE, MAP_32BIT, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE,
  MS_ASYNC, MS_INVALIDATE, MS_SYNC, PAGE_SIZE, PROT_WRITE, pageRoundUp,
} from '../../../abi/linux/mm.js';
import { RLIMIT_AS } from '../../../abi/linux/limits.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { fileSourceOf } from '../../mm/file_source.js';

/** Flags MAP_SHARED_VALIDATE accepts (mm/mmap.c LEGACY_MAP_MASK plus MAP_SYNC). */
const VALIDATE_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |
  MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT |
  MAP_FIXED_NOREPLACE | MAP_SYNC | 0x3f000000;

/** RLIMIT_AS applies to every mapping call. */
function withAsLimit(t: Task): Task['mm'] {
  t.mm.asLimit = t.limit(RLIMIT_AS).cur;
  return t.mm;
}

export function mmap(t: Task, [addrArg, lenArg, protArg, flagsArg, fdArg, offArg]: SyscallArgs): number {
  withAsLimit(t);
  const addr = addrArg.addr();
  const len = lenArg.size();
  const prot = protArg.int32();
  const flags = flagsArg.int32();
  const off = offArg.int64();
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) throw EINVAL;
  if (type === MAP_SHARED_VALIDATE && flags & ~VALIDATE_MASK) throw EOPNOTSUPP;
  if (len === 0) throw EINVAL;
  if (off % PAGE_SIZE !== 0 || off < 0) throw EINVAL;
  if (pageRoundUp(len) === 0 || len > t.mm.maxAddress) throw ENOMEM;
  const shared = type !== MAP_PRIVATE;
  const fixed = (flags & MAP_FIXED) !== 0;
  const noReplace = (flags & MAP_FIXED_NOREPLACE) !== 0;
  if (flags & MAP_HUGETLB) throw EINVAL;
  const locked = (flags & MAP_LOCKED) !== 0;
  if (flags & MAP_ANONYMOUS) {
    // Anonymous memory takes MAP_SHARED or MAP_PRIVATE only (do_mmap).
    if (type === MAP_SHARED_VALIDATE) throw EINVAL;
    return t.mm.mmap({ addr, length: len, prot, fixed: fixed && !noReplace, noReplace, shared,
      growsDown: (flags & MAP_GROWSDOWN) !== 0, locked });
  }
  const file = t.fdTable.getOrNull(fdArg.int32());
  if (!file || file.flags & 0o10000000 /* O_PATH */) throw EBADF;
  if (!file.readable) throw EACCES;
  if (shared && prot & PROT_WRITE && !file.writable) throw EACCES;
  const mapping = file.mapping();
  // A write-sealed memfd takes no writable shared map, and a shared one can never become writable.
  const sealed = shared && mapping.writeSealed === true;
  if (sealed && prot & PROT_WRITE) throw EPERM;
  const st = file.stat();
  const source = fileSourceOf(file, mapping);
  return t.mm.mmap({
    addr, length: len, prot, fixed: fixed && !noReplace, noReplace, shared, locked,
    // A shared mapping of a file opened without write access can never become writable.
    maxProt: shared && (!file.writable || sealed) ? 7 & ~PROT_WRITE : 7,
    file: { readAt: mapping.readAt, path: mapping.name ?? t.fs.pathOf(file.vd), dev: st.dev, ino: st.ino, offset: off,
      ...(source ? { source } : {}) },
  });
}

export function munmap(t: Task, [addr, len]: SyscallArgs): number {
  t.mm.munmap(addr.addr(), len.size());
  return 0;
}

export function mprotect(t: Task, [addr, len, prot]: SyscallArgs): number {
  // PROT_GROWSDOWN is valid on grows-down mappings only; MemoryManager checks that.
  t.mm.mprotect(addr.addr(), len.size(), prot.int32());
  return 0;
}

export function mremap(t: Task, [oldAddr, oldSize, newSize, flagsArg, newAddr]: SyscallArgs): number {
  withAsLimit(t);
  const flags = flagsArg.int32();
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) throw EINVAL;
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) throw EINVAL;
  if (flags & MREMAP_DONTUNMAP) throw EINVAL;
  return t.mm.mremap(oldAddr.addr(), oldSize.size(), newSize.size(), (flags & MREMAP_MAYMOVE) !== 0,
    flags & MREMAP_FIXED ? newAddr.addr() : null);
}

const KNOWN_ADVICE = new Set([
  MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
  MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP,
  MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
]);

export function madvise(t: Task, [addr, len, advice]: SyscallArgs): number {
  const a = advice.int32();
  if (!KNOWN_ADVICE.has(a)) throw EINVAL;
  if (addr.addr() % PAGE_SIZE !== 0) throw EINVAL;
  t.mm.madvise(addr.addr(), len.size(), a);
  return 0;
}

export function msync(t: Task, [addr, len, flags]: SyscallArgs): number {
  const f = flags.int32();
  if (f & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) throw EINVAL;
  if ((f & MS_ASYNC) && (f & MS_SYNC)) throw EINVAL;
  const a = addr.addr();
  if (a % PAGE_SIZE !== 0) throw EINVAL;
  const l = pageRoundUp(len.size());
  if (l > 0 && !t.mm.isMapped(a, l)) throw ENOMEM;
  // Stores through shared file mappings reach the file (MS_ASYNC too: writeback is cheap here).
  if (l > 0) t.mm.syncFiles(a, l);
  return 0;
}

export function mincore(t: Task, [addr, len, vec]: SyscallArgs): number {
  t.mm.mincore(addr.addr(), len.size(), vec.addr());
  return 0;
}

export function brk(t: Task, [addr]: SyscallArgs): number {
  withAsLimit(t);
  return t.mm.setBrk(addr.addr());
}

