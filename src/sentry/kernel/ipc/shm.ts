// SysV shared memory (ipc/shm.c). A segment owns memory-file pages; shmat maps
// them shared into the caller's address space (MemoryManager.mmap with `backing`),
// so fork, exit and munmap treat an attachment like any shared mapping.
//
// Attachments are not counted by hooks: nattch is the number of VMAs, in all live
// address spaces, that map the segment (Linux counts VMAs too: a split attachment
// counts twice). Such VMAs are recognised by the segment's pseudo-device and inode
// (the id), which is also what /proc/<pid>/maps shows ("/SYSV<key> (deleted)").
// A segment marked for removal drops its own page reference at once, and is
// destroyed by the first shm operation that finds it unattached.
import { EIDRM, EINVAL, ENOMEM, ENOSPC, EPERM } from '../../../abi/linux/errno.js';
import { RLIMIT_AS, RLIMIT_MEMLOCK } from '../../../abi/linux/limits.js';
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../abi/linux/mm.js';
import type { MemoryManager } from '../../mm/mm.js';
import type { Vma } from '../../mm/vma.js';
import type { Extent } from '../../pgalloc/memory_file.js';
import { anonDev } from '../../vfs/filesystem.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import {
  CAP_IPC_LOCK, IpcIds, IpcObject, MAY_READ_IPC, MAY_WRITE_IPC, ipcGet, nowSeconds, type DecodedPerm,
} from './ipc.js';

// shmget flags
export const SHM_HUGETLB = 0o4000;
export const SHM_NORESERVE = 0o10000;
// shmat flags
export const SHM_RDONLY = 0o10000;
export const SHM_RND = 0o20000;
export const SHM_REMAP = 0o40000;
export const SHM_EXEC = 0o100000;
// mode flags
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;
// shmctl commands beyond IPC_*
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_STAT = 13;
export const SHM_INFO = 14;
export const SHM_STAT_ANY = 15;

/** Linux's defaults (include/uapi/linux/shm.h); /proc/sys/kernel/shm* print the same. */
export const SHMMIN = 1;
export const SHMMNI = 4096;
export const SHMMAX = (1n << 64n) - 1n - (1n << 24n);
export const SHMALL = SHMMAX;
/** x86: attach addresses are page aligned. */
const SHMLBA = PAGE_SIZE;

export class ShmSegment extends IpcObject {
  /** Requested size in bytes. */
  size = 0;
  /** The pages, in order; the segment holds one reference until IPC_RMID. */
  extents: Extent[] = [];
  atime = 0;
  dtime = 0;
  cpid = 0;
  lpid = 0;

  get pages(): number {
    return Math.ceil(this.size / PAGE_SIZE);
  }
}

export interface ShmStat {
  seg: ShmSegment;
  nattch: number;
}

export interface ShmInfo {
  usedIds: number;
  totPages: number;
  rssPages: number;
  maxIdx: number;
}

export class ShmRegistry {
  readonly ids = new IpcIds<ShmSegment>();
  /** Pseudo-device of segment "files": marks attachment VMAs (ino = segment id). */
  readonly dev = anonDev();
  readonly limits = { shmmax: SHMMAX, shmall: SHMALL, shmmni: SHMMNI };
  /** Pages of all segments (shm_tot). */
  private totPages = 0;
  /** Segments marked SHM_DEST that may still be attached. */
  private doomed = 0;

  constructor(private readonly kernel: Kernel) {}

  // ---- shmget ----

  get(t: Task, key: number, size: bigint, flags: number): number {
    this.sweep();
    return ipcGet(this.ids, {
      key,
      flags,
      creds: t.creds,
      create: () => this.newSegment(t, key, size, flags),
      moreChecks: (seg) => {
        if (BigInt(seg.size) < size) throw EINVAL;
      },
    });
  }

  private newSegment(t: Task, key: number, size: bigint, flags: number): ShmSegment {
    const l = this.limits;
    if (size < BigInt(SHMMIN) || size > l.shmmax) throw EINVAL;
    const pages = (size + BigInt(PAGE_SIZE - 1)) / BigInt(PAGE_SIZE);
    if (pages * BigInt(PAGE_SIZE) >= 1n << 64n) throw ENOSPC;
    if (BigInt(this.totPages) + pages > l.shmall) throw ENOSPC;
    // Linux accounts the whole segment up front (overcommit heuristic: more than the
    // machine has fails). We refuse it with SHM_NORESERVE too: every attachment and
    // fork counts each page, which a terabyte segment would make very slow.
    if (size > BigInt(this.kernel.opts.totalMemory)) throw ENOMEM;
    if (this.ids.inUse >= l.shmmni) throw ENOSPC;
    const bytes = Number(pages) * PAGE_SIZE;
    let extents: Extent[];
    try {
      extents = this.kernel.mf.allocate(bytes);
    } catch (e) {
      if (e instanceof RangeError) throw ENOMEM;
      throw e;
    }
    const seg = new ShmSegment(key, t.creds, flags);
    seg.size = Number(size);
    seg.extents = extents;
    seg.cpid = t.pid;
    try {
      this.ids.add(seg, l.shmmni);
    } catch (e) {
      this.kernel.mf.releaseExtents(extents);
      throw e;
    }
    this.totPages += Number(pages);
    return seg;
  }

  // ---- shmat / shmdt ----

  attach(t: Task, shmid: number, addrArg: number, flags: number): number {
    if (shmid < 0) throw EINVAL;
    let addr = addrArg;
    if (addr !== 0) {
      if (addr % SHMLBA !== 0) {
        if (!(flags & SHM_RND)) throw EINVAL;
        addr -= addr % SHMLBA;
        if (addr === 0 && flags & SHM_REMAP) throw EINVAL;
      }
    } else if (flags & SHM_REMAP) {
      throw EINVAL;
    }
    const fixed = addrArg !== 0;
    let prot = PROT_READ;
    let acc = MAY_READ_IPC;
    if (!(flags & SHM_RDONLY)) {
      prot |= PROT_WRITE;
      acc |= MAY_WRITE_IPC;
    }
    if (flags & SHM_EXEC) {
      prot |= PROT_EXEC;
      acc |= 0o111;
    }
    this.sweep();
    const seg = this.ids.get(shmid);
    seg.check(t.creds, acc);
    if (seg.removed) throw EIDRM;
    const len = seg.pages * PAGE_SIZE;
    if (addr !== 0 && !(flags & SHM_REMAP)) {
      if (addr + seg.size > 2 ** 64) throw EINVAL;
      if (intersects(t.mm, addr, len)) throw EINVAL;
    }
    t.mm.asLimit = t.limit(RLIMIT_AS).cur;
    const key = (seg.key >>> 0).toString(16).padStart(8, '0');
    const at = t.mm.mmap({
      addr,
      length: len,
      prot,
      fixed,
      shared: true,
      // A read-only attachment is a read-only file open: mprotect cannot add write.
      maxProt: flags & SHM_RDONLY ? PROT_READ | PROT_EXEC : 7,
      file: { path: `/SYSV${key} (deleted)`, dev: this.dev, ino: BigInt(seg.id), offset: 0, readAt: () => {} },
      backing: seg.extents,
    });
    seg.atime = nowSeconds();
    seg.lpid = t.pid;
    return at;
  }

  /** The segment a VMA maps, if it is an attachment. */
  private segmentOf(v: Vma): ShmSegment | null {
    if (!v.file || v.file.dev !== this.dev) return null;
    try {
      return this.ids.get(Number(v.file.ino));
    } catch {
      return null;
    }
  }

  /**
   * shmdt(2): unmaps the attachment that starts at addr, including pieces of it left
   * by munmap/mprotect (ksys_shmdt's two passes).
   */
  detach(t: Task, addr: number): void {
    if (addr % PAGE_SIZE !== 0) throw EINVAL;
    const vmas = t.mm.mappings;
    let i = 0;
    let seg: ShmSegment | null = null;
    for (; i < vmas.length; i++) {
      const v = vmas[i]!;
      if (v.end <= addr || v.start < addr) continue;
      const s = this.segmentOf(v);
      if (s && v.start - addr === v.file!.offset) {
        seg = s;
        break;
      }
    }
    if (!seg) throw EINVAL;
    const size = seg.pages * PAGE_SIZE;
    const ranges: [number, number][] = [[vmas[i]!.start, vmas[i]!.length]];
    for (i++; i < vmas.length; i++) {
      const v = vmas[i]!;
      if (v.end - addr > size) break;
      if (this.segmentOf(v) === seg && v.start - addr === v.file!.offset) ranges.push([v.start, v.length]);
    }
    for (const [start, len] of ranges) t.mm.munmap(start, len);
    seg.dtime = nowSeconds();
    seg.lpid = t.pid;
    this.sweep();
  }

  // ---- shmctl ----

  /** IPC_STAT, SHM_STAT, SHM_STAT_ANY (byIndex: SHM_STAT*, id is a table index). */
  stat(t: Task, id: number, byIndex: boolean, checkPerm: boolean): ShmStat {
    this.sweep();
    const seg = byIndex ? this.ids.atIndex(id % 32768) : this.ids.get(id);
    if (checkPerm) seg.check(t.creds, MAY_READ_IPC);
    return { seg, nattch: this.nattch(seg) };
  }

  set(t: Task, id: number, perm: DecodedPerm): void {
    this.sweep();
    const seg = this.ids.get(id);
    seg.checkOwner(t.creds);
    seg.updatePerm(perm);
  }

  /** IPC_RMID: destroyed now if unattached, else when the last attachment goes. */
  remove(t: Task, id: number): void {
    this.sweep();
    const seg = this.ids.get(id);
    seg.checkOwner(t.creds);
    if (seg.mode & SHM_DEST) return;
    seg.mode |= SHM_DEST;
    this.ids.makePrivate(seg);
    // Attachments hold their own references; the segment's goes now.
    this.kernel.mf.releaseExtents(seg.extents);
    this.doomed++;
    if (this.nattch(seg) === 0) this.destroy(seg);
  }

  lock(t: Task, id: number, lock: boolean): void {
    this.sweep();
    const seg = this.ids.get(id);
    if (!t.creds.hasCap(CAP_IPC_LOCK)) {
      if (t.creds.euid !== seg.uid && t.creds.euid !== seg.cuid) throw EPERM;
      if (lock && t.limit(RLIMIT_MEMLOCK).cur === 0) throw EPERM;
    }
    // Sandbox memory is never swapped: locking only changes what IPC_STAT reports.
    if (lock) seg.mode |= SHM_LOCKED;
    else seg.mode &= ~SHM_LOCKED;
  }

  info(): ShmInfo {
    this.sweep();
    return { usedIds: this.ids.inUse, totPages: this.totPages, rssPages: this.totPages, maxIdx: this.ids.maxIdx() };
  }

  // ---- attachment accounting ----

  /** Attachment VMAs per segment id, over every live address space. */
  private attachCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    const seen = new Set<MemoryManager>();
    for (const task of this.kernel.tasks.values()) {
      const mm = task.mm;
      if (seen.has(mm)) continue;
      seen.add(mm);
      for (const v of mm.mappings) {
        if (v.file && v.file.dev === this.dev) {
          const id = Number(v.file.ino);
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      }
    }
    return counts;
  }

  /** shm_nattch. */
  nattch(seg: ShmSegment): number {
    return this.attachCounts().get(seg.id) ?? 0;
  }

  /** Destroys segments marked for removal that nobody maps any more. */
  sweep(): void {
    if (this.doomed === 0) return;
    const counts = this.attachCounts();
    for (const seg of [...this.ids.values()]) {
      if (seg.mode & SHM_DEST && !counts.get(seg.id)) this.destroy(seg);
    }
  }

  private destroy(seg: ShmSegment): void {
    if (seg.mode & SHM_DEST) this.doomed--;
    else this.kernel.mf.releaseExtents(seg.extents);
    seg.extents = [];
    this.totPages -= seg.pages;
    this.ids.remove(seg);
  }
}

/** Any mapping in [addr, addr+len)? (find_vma_intersection) */
function intersects(mm: MemoryManager, addr: number, len: number): boolean {
  for (const v of mm.mappings) {
    if (v.start >= addr + len) break;
    if (v.end > addr) return true;
  }
  return false;
}
