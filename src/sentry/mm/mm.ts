// MemoryManager: one application address space (Linux's mm_struct). It owns the
// VMAs, the brk, the mmap layout, and copy-in/out between the Sentry and app memory.
// App memory lives in the memory file; the stub maps the same pages (DESIGN.md §5).
import {
  EACCES, EEXIST, EFAULT, EINVAL, ENAMETOOLONG, ENOMEM, EPERM,
} from '../../abi/linux/errno.js';
import {
  MADV_DOFORK, MADV_DONTFORK, MADV_DONTNEED, MADV_FREE, MADV_KEEPONFORK, MADV_REMOVE, MADV_WIPEONFORK, PAGE_SIZE, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_NONE, PROT_READ,
  PROT_WRITE,
  pageRoundDown, pageRoundUp,
} from '../../abi/linux/mm.js';
import type { Extent, MemoryFile } from '../pgalloc/memory_file.js';
import { major, minor } from '../../abi/linux/stat.js';
import type { AddressSpace } from '../platform/platform.js';
import { Vma, type FileMapping } from './vma.js';
import { filePagesFor, takeTruncation, type FilePages, type FileStore } from './file_pages.js';
import type { VirtualDentry } from '../vfs/mount.js';

/** Lowest address an application may map (vm.mmap_min_addr). */
export const MIN_USER_ADDRESS = 0x10000;
/** Writable private file mappings up to this size are copied at mmap instead of copy-on-write. */
const EAGER_COPY_LIMIT = 4 * 1024 * 1024;

const FORK_ADVICE = new Set([MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK]);
/** Linux's default vm.max_map_count. */
export const MAX_MAP_COUNT = 65530;

export interface MmapOpts {
  addr: number;
  length: number;
  prot: number;
  /** MAP_FIXED: replace what is there. */
  fixed: boolean;
  /** MAP_FIXED_NOREPLACE: at addr or fail with EEXIST. */
  noReplace?: boolean;
  shared: boolean;
  file?: FileMapping & { readAt: (dst: Uint8Array, off: number) => void; source?: FileSource };
  name?: string;
  growsDown?: boolean;
  maxProt?: number;
  locked?: boolean;
  /**
   * Existing memory-file pages to map (SysV shm, POSIX shm): the mapping shares them
   * (a reference each) instead of getting fresh ones. Must cover the page-rounded length.
   */
  backing?: readonly Extent[];
}

/** A regular file to map through its page set (file_pages.ts). */
export interface FileSource {
  /** The inode owning the data (below overlay). */
  owner: object;
  /** Identity and version of host contents, when known. */
  version?: string;
  store: FileStore;
}

export interface MmLayout {
  /** Top-down mmap allocations start below this. */
  mmapBase: number;
  stackTop: number;
}

const TWO32 = 4294967296;
/** On x86 any of PROT_READ, PROT_WRITE, PROT_EXEC makes a page readable. */
const READABLE = PROT_READ | PROT_WRITE | PROT_EXEC;

export class MemoryManager {
  /** Sorted, non-overlapping. */
  private vmas: Vma[] = [];
  private lastHit: Vma | null = null;
  brkStart = 0;
  brk = 0;
  layout: MmLayout;
  /** Host tid of a stopped thread of this mm, used to inject host mm syscalls. */
  via = 0;
  /** RLIMIT_AS in bytes (set from the task's limits before each mapping call). */
  asLimit = Infinity;
  /** argv/envp bounds for /proc/<pid>/cmdline and environ. */
  argStart = 0;
  argEnd = 0;
  envStart = 0;
  envEnd = 0;
  /** auxv as pairs, for /proc/<pid>/auxv. */
  auxv: number[] = [];
  /** Path of the executable and where it is (for /proc/<pid>/exe). */
  executable = '';
  exeVd: VirtualDentry | null = null; // set through setExe
  private users = 1;

  constructor(
    readonly mf: MemoryFile,
    readonly as: AddressSpace,
    readonly maxAddress: number,
  ) {
    this.layout = { mmapBase: maxAddress, stackTop: maxAddress };
  }

  /** Another task shares this mm (CLONE_VM). */
  /** The executable; each address space running it keeps it from being written (ETXTBSY). */
  setExe(vd: VirtualDentry | null): void {
    vd?.dentry.inode.denyWriteAccess();
    if (this.exeVd) this.exeVd.dentry.inode.writeCount++;
    this.exeVd = vd;
  }

  incUsers(): void {
    this.users++;
  }

  /** Tasks sharing this mm. */
  get userCount(): number {
    return this.users;
  }

  /**
   * fork(2): a copy of this address space in `as`. Shared mappings share pages;
   * private ones share them copy-on-write: both sides map them read-only on the
   * host and the first write copies the page (breakCow). `via` is a stopped thread
   * of this mm, `childVia` one of the new address space.
   */
  fork(as: AddressSpace, childVia: number): MemoryManager {
    const child = new MemoryManager(this.mf, as, this.maxAddress);
    child.via = childVia;
    child.layout = { ...this.layout };
    child.brkStart = this.brkStart;
    child.brk = this.brk;
    child.argStart = this.argStart;
    child.argEnd = this.argEnd;
    child.envStart = this.envStart;
    child.envEnd = this.envEnd;
    child.auxv = [...this.auxv];
    child.executable = this.executable;
    child.setExe(this.exeVd);
    child.asLimit = this.asLimit;
    this.hasCow = child.hasCow = true;
    for (const v of this.vmas) {
      if (v.dontFork) continue;
      const c = new Vma(v.start, v.end, v.prot, v.shared, null, v.file ? { ...v.file } : null, v.name, v.growsDown,
        v.maxProt, v.locked);
      c.wipeOnFork = v.wipeOnFork;
      if (v.wipeOnFork) {
        // Private anonymous only (madvise checks): the child starts from zero pages.
        if (v.backing) c.backing = this.mf.allocate(v.length);
      } else if (v.backing) {
        c.backing = v.backing.map((e) => ({ ...e }));
        for (const e of v.backing) this.mf.addRef(e.off, e.len);
        if (!v.shared) {
          c.cow = v.cow = true;
          // Parent and child both lose write access until a write copies the page.
          if (v.prot & PROT_WRITE && v.hostMapped) this.protectBacked(v, v.prot & ~PROT_WRITE);
        }
      }
      // Mapped in the child's stub on first touch (handleFault).
      c.hostMapped = false;
      child.fileRef(c, 1);
      child.vmas.push(c);
    }
    return child;
  }

  /**
   * After fork: what the task will touch at once (its stack page, code, TLS) is
   * mapped now, in the same batch as everything else, instead of one fault each.
   */
  prepareAfterFork(rsp: number, rip: number, tls: number): void {
    for (const a of [rsp, rip, tls]) {
      const v = this.find(a);
      if (v && !v.hostMapped && v.backing && v.prot !== PROT_NONE) this.hostMap(v, v.start, v.end);
    }
    // The first thing both sides do is write their stack: copy that page now.
    this.breakCow(rsp);
    if (this.find(rsp - PAGE_SIZE)) this.breakCow(rsp - PAGE_SIZE);
  }

  /**
   * A host fault the memory manager can resolve: a VMA not yet mapped in the stub
   * (after fork), or a write to a copy-on-write page. False means a real fault.
   */
  handleFault(addr: number, accessError: boolean): boolean {
    const v = this.find(addr);
    if (!v) return false;
    if (!v.hostMapped) {
      if (v.prot === PROT_NONE || !v.backing) return false;
      v.hostMapped = true;
      this.hostMap(v, v.start, v.end);
      return !!v.locate(addr) || this.extendFile(v, addr);
    }
    // Past EOF when mapped: the file may have grown since.
    if (!accessError && v.prot !== PROT_NONE && !v.locate(addr)) return this.extendFile(v, addr);
    return accessError && this.breakCow(addr);
  }

  /** A fault at `addr` is past the end of the mapped file (SIGBUS rather than SIGSEGV). */
  pastEof(addr: number): boolean {
    const v = this.find(addr);
    return !!v?.file?.pages && v.prot !== PROT_NONE && !v.locate(addr);
  }

  /**
   * Extends a file VMA's backing over pages the file now has (it grew after mmap).
   * True when `addr` is now backed.
   */
  private extendFile(v: Vma, addr: number): boolean {
    const f = v.file;
    if (!f?.pages || !v.backing) return false;
    let backed = 0;
    for (const e of v.backing) backed += e.len;
    if (backed >= v.length) return false;
    let ext = f.pages.acquire(f.offset + backed, v.length - backed);
    if (ext.length === 0) return false;
    let n = 0;
    for (const e of ext) n += e.len;
    // An eagerly copied private mapping owns its pages: copy these too.
    if (!v.shared && !v.cow) {
      ext = this.copyPrivate(ext, n);
      f.pages.watchCopies(f.offset + backed, ext);
    }
    v.backing.push(...ext);
    if (v.hostMapped) this.hostMap(v, v.start + backed, v.start + backed + n);
    return !!v.locate(addr);
  }

  /** mprotect in the stub over what is mapped there: a file VMA past EOF is not. */
  private protectBacked(v: Vma, prot: number): void {
    let len = v.length;
    if (v.file?.pages) {
      len = 0;
      for (const e of v.backing ?? []) len += e.len;
      len = Math.min(len, v.length);
    }
    if (len > 0) this.as.protect(this.via, v.start, len, prot);
  }

  /** A VMA of a file's pages starts (1) or stops (-1) mapping them. */
  private fileRef(v: Vma, delta: 1 | -1): void {
    const fp = v.file?.pages;
    if (!fp) return;
    const sharedWritable = v.shared && (v.maxProt & PROT_WRITE) !== 0;
    if (delta > 0) fp.incMap(sharedWritable);
    else fp.decMap(sharedWritable);
  }

  /**
   * Runs truncate(2)/ftruncate(2) for a task of this address space: afterwards its
   * mappings of the file lose the pages wholly past the new end (touching them is SIGBUS).
   */
  truncating(fn: () => void): void {
    takeTruncation();
    fn();
    const z = takeTruncation();
    if (!z) return;
    const keepEnd = pageRoundUp(z.size);
    for (const v of this.vmas) {
      if (v.file?.pages !== z.fp || !v.backing) continue;
      const keep = Math.max(0, keepEnd - v.file.offset);
      const kept: Extent[] = [];
      const gone: Extent[] = [];
      let pos = 0;
      for (const e of v.backing) {
        if (pos + e.len <= keep) kept.push(e);
        else if (pos >= keep) gone.push(e);
        else {
          kept.push({ off: e.off, len: keep - pos });
          gone.push({ off: e.off + (keep - pos), len: e.len - (keep - pos) });
        }
        pos += e.len;
      }
      if (gone.length === 0) continue;
      this.mf.releaseExtents(gone);
      v.backing = kept;
      if (v.hostMapped) this.as.unmap(this.via, v.start + keep, pos - keep);
    }
  }

  /** msync(2): writes back what shared file mappings in [addr, addr+len) stored. */
  syncFiles(addr: number, len: number): void {
    const done = new Set<FilePages>();
    for (let i = this.indexOf(addr); i < this.vmas.length; i++) {
      const v = this.vmas[i]!;
      if (v.start >= addr + len) break;
      const fp = v.file?.pages;
      if (fp && v.shared && !done.has(fp)) {
        done.add(fp);
        fp.writeback();
      }
    }
  }

  /**
   * Makes the page at `addr` writable for this address space alone: copies it if
   * another address space still shares it, then maps it writable. Returns false if
   * `addr` is not in a writable copy-on-write mapping (a real fault).
   */
  breakCow(addr: number): boolean {
    const v = this.find(addr);
    if (!v || !v.cow || !(v.prot & PROT_WRITE) || !v.backing) return false;
    const page = pageRoundDown(addr);
    const loc = v.locate(page);
    if (!loc) return false;
    let off = loc.off;
    if (this.mf.refCount(off) > 1) {
      const [fresh] = this.mf.allocate(PAGE_SIZE);
      this.mf.view(fresh!.off, PAGE_SIZE).set(this.mf.view(off, PAGE_SIZE));
      this.mf.release(off, PAGE_SIZE);
      v.replacePage(page, fresh!.off);
      off = fresh!.off;
    }
    // Not mapped in this stub yet: map the whole VMA, it now points at the copy.
    if (!v.hostMapped) this.hostMap(v, v.start, v.end);
    else this.as.mapFile(this.via, page, PAGE_SIZE, v.prot, off);
    return true;
  }

  /** breakCow regardless of the mapping's protection (kernel writes such as the loader's). */
  private breakCowForce(v: Vma, page: number): void {
    const loc = v.locate(page);
    if (!loc || this.mf.refCount(loc.off) <= 1) return;
    const [fresh] = this.mf.allocate(PAGE_SIZE);
    this.mf.view(fresh!.off, PAGE_SIZE).set(this.mf.view(loc.off, PAGE_SIZE));
    this.mf.release(loc.off, PAGE_SIZE);
    v.replacePage(page, fresh!.off);
    if (v.hostMapped) this.as.mapFile(this.via, page, PAGE_SIZE, this.hostProt(v), fresh!.off);
  }

  /** Breaks copy-on-write for every shared page in [addr, addr+len) before the Sentry writes there. */
  private breakCowRange(addr: number, len: number): void {
    for (let pos = pageRoundDown(addr); pos < addr + len; ) {
      const v = this.find(pos);
      if (!v) return;
      if (!v.cow || !(v.prot & PROT_WRITE) || !v.backing) {
        pos = v.end;
        continue;
      }
      const end = Math.min(v.end, addr + len);
      for (; pos < end; pos += PAGE_SIZE) {
        const loc = v.locate(pos);
        if (!loc) return;
        if (this.mf.refCount(loc.off) > 1) this.breakCow(pos);
      }
    }
  }

  /** Drops a user; the last one frees all memory and the host address space. */
  decUsers(): void {
    if (--this.users > 0) return;
    this.setExe(null);
    for (const v of this.vmas) this.freeBacking(v);
    this.vmas = [];
    this.lastHit = null;
    this.as.release();
  }

  /** Set once this address space took part in a fork: writes by the Sentry check for shared pages. */
  private hasCow = false;

  get mappings(): readonly Vma[] {
    return this.vmas;
  }

  /** Bytes of virtual address space mapped (VmSize). */
  get virtualSize(): number {
    let n = 0;
    for (const v of this.vmas) n += v.length;
    return n;
  }

  // ---- lookup ----

  private indexOf(addr: number): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vmas[mid]!.end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo; // first vma with end > addr
  }

  /** The VMA containing addr, or null. */
  find(addr: number): Vma | null {
    const h = this.lastHit;
    if (h && addr >= h.start && addr < h.end) return h;
    const i = this.indexOf(addr);
    const v = this.vmas[i];
    if (v && v.start <= addr) {
      this.lastHit = v;
      return v;
    }
    return null;
  }

  // ---- mmap family ----

  mmap(o: MmapOpts): number {
    const len = pageRoundUp(o.length);
    if (o.length <= 0 || len > this.maxAddress) throw o.length <= 0 ? EINVAL : ENOMEM;
    if (this.asLimit !== Infinity) {
      // MAP_FIXED replaces what it overlaps: only the growth counts against RLIMIT_AS.
      const replaced = o.fixed && !o.noReplace ? this.mappedBytes(o.addr, len) : 0;
      if (this.virtualSize - replaced + len > this.asLimit) throw ENOMEM;
    }
    let addr: number;
    if (o.fixed || o.noReplace) {
      addr = o.addr;
      if (addr % PAGE_SIZE !== 0) throw EINVAL;
      if (addr + len > this.maxAddress) throw ENOMEM;
      if (addr < MIN_USER_ADDRESS) throw EPERM;
      if (o.noReplace && this.overlaps(addr, len)) throw EEXIST;
      if (o.fixed && !o.noReplace) this.unmapRange(addr, len);
    } else {
      addr = this.findGap(pageRoundDown(o.addr), len);
    }
    if (this.vmas.length >= MAX_MAP_COUNT) throw ENOMEM;
    let file: FileMapping | null = o.file ?? null;
    if (o.file?.source) {
      // Resolved after MAP_FIXED unmapped the old range (it may have held the last mapping).
      const { source, ...rest } = o.file;
      file = { ...rest, pages: filePagesFor(this.mf, source.owner, source.version) };
    }
    const v = new Vma(addr, addr + len, o.prot, o.shared, null, file, o.name ?? '', !!o.growsDown,
      o.maxProt ?? 7, !!o.locked);
    if (o.file?.source) {
      this.fileRef(v, 1);
      v.file!.pages!.attach(o.file.source.store, o.shared && (v.maxProt & PROT_WRITE) !== 0);
    }
    if (o.backing) {
      v.backing = [];
      let need = len;
      for (const e of o.backing) {
        if (need <= 0) break;
        const n = Math.min(e.len, need);
        this.mf.addRef(e.off, n);
        v.backing.push({ off: e.off, len: n });
        need -= n;
      }
      if (need > 0) {
        this.mf.releaseExtents(v.backing);
        throw EINVAL;
      }
      // A private mapping of shared pages (the vDSO): a write must copy the page.
      if (!o.shared) v.cow = this.hasCow = true;
      this.hostMap(v, v.start, v.end);
    } else if (o.prot !== PROT_NONE || o.file) {
      try {
        this.populate(v);
      } catch (e) {
        this.freeBacking(v);
        throw e instanceof RangeError ? ENOMEM : e;
      }
    }
    this.insert(v);
    return addr;
  }

  /** Allocates backing for a VMA, fills it from the file and maps it in the stub. */
  private populate(v: Vma): void {
    if (v.file?.pages) {
      this.populateFile(v, v.file.pages);
      return;
    }
    v.backing = this.mf.allocate(v.length);
    if (v.file) {
      let pos = 0;
      for (const e of v.backing) {
        v.file.readAt?.(this.mf.view(e.off, e.len), v.file.offset + pos);
        pos += e.len;
      }
    }
    this.hostMap(v, v.start, v.end);
  }

  /** Host protection of a VMA: copy-on-write pages stay read-only until a write copies them. */
  private hostProt(v: Vma): number {
    return v.cow ? v.prot & ~PROT_WRITE : v.prot;
  }

  /**
   * A mapping of a file's pages up to EOF: shared ones map them, private ones share
   * them copy-on-write. Past EOF nothing is backed (a fault, SIGBUS).
   */
  private populateFile(v: Vma, fp: FilePages): void {
    const f = v.file!;
    const pages = fp.acquire(f.offset, v.length);
    let have = 0;
    for (const e of pages) have += e.len;
    if (v.shared) {
      v.backing = pages;
    } else if (v.prot & PROT_WRITE && have <= EAGER_COPY_LIMIT && !fp.writablyMapped) {
      // A library's data segment: nearly every page gets written, and a write fault
      // costs two host stops (~40 µs) against ~0.3 µs for copying the page now. The
      // page set watches the copies so untouched ones still see file writes.
      v.backing = this.copyPrivate(pages, have);
      fp.watchCopies(f.offset, v.backing);
    } else {
      v.backing = pages;
      v.cow = true;
      this.hasCow = true;
    }
    this.hostMap(v, v.start, v.end);
  }

  /** Own copies of `bytes` bytes of shared pages; the shared references are dropped. */
  private copyPrivate(shared: readonly Extent[], bytes: number): Extent[] {
    const own = bytes > 0 ? this.mf.allocate(bytes) : [];
    let src = 0;
    let srcPos = 0;
    for (const d of own) {
      for (let done = 0; done < d.len; ) {
        const x = shared[src]!;
        const n = Math.min(x.len - srcPos, d.len - done);
        this.mf.view(d.off + done, n).set(this.mf.view(x.off + srcPos, n));
        done += n;
        srcPos += n;
        if (srcPos === x.len) {
          src++;
          srcPos = 0;
        }
      }
    }
    this.mf.releaseExtents(shared);
    return own;
  }

  private hostMap(v: Vma, from: number, to: number): void {
    v.hostMapped = true;
    if (!v.backing || v.prot === PROT_NONE) {
      this.as.unmap(this.via, from, to - from);
      return;
    }
    const prot = this.hostProt(v);
    let pos = v.start;
    for (const e of v.backing) {
      const s = Math.max(pos, from);
      const t = Math.min(pos + e.len, to);
      if (s < t) this.as.mapFile(this.via, s, t - s, prot, e.off + (s - pos));
      pos += e.len;
    }
  }

  private overlaps(addr: number, len: number): boolean {
    const v = this.vmas[this.indexOf(addr)];
    return !!v && v.start < addr + len;
  }

  /** Top-down search for a free range, honouring a hint when it fits. */
  findGap(hint: number, len: number): number {
    if (hint >= MIN_USER_ADDRESS && hint + len <= this.maxAddress && !this.overlaps(hint, len)) return hint;
    let top = this.layout.mmapBase;
    for (let i = this.indexOf(top - 1); ; i--) {
      const below = i - 1 >= 0 ? this.vmas[i - 1]! : null;
      const cur = this.vmas[i];
      const gapTop = cur && cur.start < top ? cur.start : top;
      const gapBottom = below ? below.end : MIN_USER_ADDRESS;
      if (gapTop - gapBottom >= len && gapTop - len >= MIN_USER_ADDRESS) return gapTop - len;
      if (!below) break;
      top = below.start;
      if (i - 1 < 0) break;
    }
    // Nothing below mmapBase: try above it (bottom-up), as Linux falls back.
    let start = this.layout.mmapBase;
    for (let i = this.indexOf(start); i <= this.vmas.length; i++) {
      const v = this.vmas[i];
      const end = v ? v.start : this.maxAddress;
      if (end - start >= len) return start;
      if (v) start = Math.max(start, v.end);
    }
    throw ENOMEM;
  }

  private insert(v: Vma): void {
    const i = this.indexOf(v.start);
    this.vmas.splice(i, 0, v);
  }

  /** Splits VMAs so that addr is a boundary. */
  private splitAt(addr: number): void {
    const v = this.find(addr);
    if (!v || v.start === addr) return;
    const upper = v.splitAt(addr);
    this.fileRef(upper, 1);
    this.vmas.splice(this.vmas.indexOf(v) + 1, 0, upper);
    this.lastHit = null;
  }

  /** VMAs fully inside [addr, addr+len) after splitting at both ends. */
  private carve(addr: number, len: number): Vma[] {
    this.splitAt(addr);
    this.splitAt(addr + len);
    const out: Vma[] = [];
    for (let i = this.indexOf(addr); i < this.vmas.length; i++) {
      const v = this.vmas[i]!;
      if (v.start >= addr + len) break;
      out.push(v);
    }
    return out;
  }

  /** Releases a VMA's pages (it is going away); the last mapping of a file writes it back. */
  private freeBacking(v: Vma): void {
    if (v.backing) this.mf.releaseExtents(v.backing);
    v.backing = null;
    this.fileRef(v, -1);
  }

  private unmapRange(addr: number, len: number): void {
    const gone = this.carve(addr, len);
    if (gone.length === 0) return;
    for (const v of gone) this.freeBacking(v);
    const first = this.vmas.indexOf(gone[0]!);
    this.vmas.splice(first, gone.length);
    this.lastHit = null;
    this.as.unmap(this.via, addr, len);
  }

  munmap(addr: number, length: number): void {
    if (addr % PAGE_SIZE !== 0 || length <= 0) throw EINVAL;
    const len = pageRoundUp(length);
    if (addr + len > this.maxAddress || addr + len < addr) throw EINVAL;
    this.unmapRange(addr, len);
  }

  /** Bytes of [addr, addr+len) that are mapped. */
  private mappedBytes(addr: number, len: number): number {
    let n = 0;
    for (let i = this.indexOf(addr); i < this.vmas.length; i++) {
      const v = this.vmas[i]!;
      if (v.start >= addr + len) break;
      n += Math.min(v.end, addr + len) - Math.max(v.start, addr);
    }
    return n;
  }

  /** True when every page of [addr, addr+len) is mapped. */
  isMapped(addr: number, len: number): boolean {
    let pos = addr;
    while (pos < addr + len) {
      const v = this.find(pos);
      if (!v) return false;
      pos = v.end;
    }
    return true;
  }

  mprotect(addr: number, length: number, prot: number): void {
    if (addr % PAGE_SIZE !== 0) throw EINVAL;
    const growsDown = (prot & PROT_GROWSDOWN) !== 0;
    if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) throw EINVAL;
    // x86 has no grows-up VMAs; PROT_GROWSDOWN needs one that grows down.
    if (prot & PROT_GROWSUP) throw EINVAL;
    prot &= ~PROT_GROWSDOWN;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) throw EINVAL;
    const len = pageRoundUp(length);
    if (len === 0) return;
    if (addr + len > this.maxAddress) throw ENOMEM;
    const first = this.find(addr);
    if (!first) throw ENOMEM;
    if (growsDown && !first.growsDown) throw EINVAL;
    // Like Linux, VMAs are changed in order; a hole or a forbidden protection stops
    // the walk with an error and leaves the part before it changed.
    let pos = addr;
    while (pos < addr + len) {
      const v = this.find(pos);
      if (!v) throw ENOMEM;
      if (prot & ~v.maxProt) throw EACCES;
      const end = Math.min(v.end, addr + len);
      for (const part of this.carve(pos, end - pos)) {
        const was = part.prot;
        part.prot = prot;
        if (!part.backing && prot !== PROT_NONE) this.populate(part);
        // PROT_NONE pages are not mapped in the stub at all: map them again.
        else if (part.backing && part.hostMapped && was === PROT_NONE) this.hostMap(part, part.start, part.end);
        else if (part.backing && part.hostMapped) this.protectBacked(part, this.hostProt(part));
      }
      pos = end;
    }
  }

  /** brk(2): returns the new break, or the old one when the request fails. */
  setBrk(newBrk: number): number {
    if (newBrk < this.brkStart) return this.brk;
    const oldEnd = pageRoundUp(this.brk);
    const newEnd = pageRoundUp(newBrk);
    if (newEnd > oldEnd) {
      // Linux keeps a guard page between the heap and the next mapping (check_brk_limits).
      if (this.overlaps(oldEnd, newEnd - oldEnd + PAGE_SIZE) || newEnd > this.layout.mmapBase) return this.brk;
      try {
        this.mmap({ addr: oldEnd, length: newEnd - oldEnd, prot: PROT_READ | PROT_WRITE, fixed: true,
          shared: false, name: '[heap]' });
      } catch {
        return this.brk;
      }
      this.mergeHeap();
    } else if (newEnd < oldEnd) {
      this.unmapRange(newEnd, oldEnd - newEnd);
    }
    this.brk = newBrk;
    return this.brk;
  }

  /** Keeps the heap one VMA as it grows, as Linux does. */
  private mergeHeap(): void {
    for (let i = 0; i + 1 < this.vmas.length; i++) {
      const a = this.vmas[i]!;
      const b = this.vmas[i + 1]!;
      if (a.name === '[heap]' && b.name === '[heap]' && a.end === b.start && a.prot === b.prot && a.backing && b.backing) {
        a.end = b.end;
        a.backing.push(...b.backing);
        this.vmas.splice(i + 1, 1);
        this.lastHit = null;
        i--;
      }
    }
  }

  mremap(oldAddr: number, oldLength: number, newLength: number, mayMove: boolean, fixedAddr: number | null): number {
    if (oldAddr % PAGE_SIZE !== 0 || newLength <= 0) throw EINVAL;
    let oldLen = pageRoundUp(oldLength);
    const newLen = pageRoundUp(newLength);
    if (newLen > this.maxAddress || newLen < newLength) throw EINVAL;
    if (oldLen === 0) {
      // old_size 0 duplicates a shared mapping (a second view of the same pages).
      const v = this.find(oldAddr);
      if (!v) throw EFAULT;
      if (!v.shared || !mayMove) throw EINVAL;
      return this.duplicateShared(v, oldAddr, newLen, fixedAddr);
    }
    if (fixedAddr !== null) {
      if (fixedAddr % PAGE_SIZE !== 0) throw EINVAL;
      if (fixedAddr < oldAddr + oldLen && oldAddr < fixedAddr + newLen) throw EINVAL;
      this.unmapRange(fixedAddr, newLen);
      if (oldLen > newLen) {
        this.unmapRange(oldAddr + newLen, oldLen - newLen);
        oldLen = newLen;
      }
      const v = this.find(oldAddr);
      if (!v || oldAddr + oldLen > v.end) throw EFAULT;
      return this.moveRange(oldAddr, oldLen, newLen, fixedAddr);
    }
    // Shrinking (or keeping the size) never moves and may span mappings, but the
    // start must be mapped (Linux 6.x looks the VMA up first).
    if (!this.find(oldAddr)) throw EFAULT;
    if (newLen <= oldLen) {
      if (newLen < oldLen) this.unmapRange(oldAddr + newLen, oldLen - newLen);
      return oldAddr;
    }
    const v = this.find(oldAddr);
    if (!v || oldAddr + oldLen > v.end) throw EFAULT;
    // Grow in place when the range is the tail of its VMA and the space after it is free.
    const growBy = newLen - oldLen;
    if (oldAddr + oldLen === v.end && v.end + growBy <= this.maxAddress && !this.overlaps(v.end, growBy)) {
      if (v.file?.pages) {
        // The file's pages cover the new part as far as the file goes.
        v.end += growBy;
        this.extendFile(v, v.end - PAGE_SIZE);
        return oldAddr;
      }
      const ext = this.mf.allocate(growBy);
      const from = v.end;
      v.end += growBy;
      if (v.backing) v.backing.push(...ext);
      else this.mf.releaseExtents(ext);
      if (v.file && v.backing) {
        let pos = from - v.start;
        for (const e of ext) {
          v.file.readAt?.(this.mf.view(e.off, e.len), v.file.offset + pos);
          pos += e.len;
        }
      }
      this.hostMap(v, from, v.end);
      return oldAddr;
    }
    if (!mayMove) throw ENOMEM;
    const dest = this.findGap(0, newLen);
    return this.moveRange(oldAddr, oldLen, newLen, dest);
  }

  /** mremap(old_size=0): a new mapping of the same shared pages. */
  private duplicateShared(v: Vma, oldAddr: number, newLen: number, fixedAddr: number | null): number {
    if (!v.backing || oldAddr + newLen > v.end) throw EINVAL;
    const dest = fixedAddr ?? this.findGap(0, newLen);
    if (fixedAddr !== null) this.unmapRange(fixedAddr, newLen);
    const copy = new Vma(oldAddr, oldAddr + newLen, v.prot, true, null, v.file ? { ...v.file } : null, v.name,
      false, v.maxProt, v.locked);
    const ext: Extent[] = [];
    for (let pos = oldAddr; pos < oldAddr + newLen; ) {
      const loc = v.locate(pos);
      if (!loc) break; // past the file's end
      const n = Math.min(loc.avail, oldAddr + newLen - pos);
      ext.push({ off: loc.off, len: n });
      this.mf.addRef(loc.off, n);
      pos += n;
    }
    copy.backing = ext;
    if (copy.file) copy.file.offset += oldAddr - v.start;
    copy.start = dest;
    copy.end = dest + newLen;
    this.fileRef(copy, 1);
    this.insert(copy);
    this.hostMap(copy, copy.start, copy.end);
    return dest;
  }

  /** Moves [oldAddr, +oldLen) to dest without copying (same memory-file pages), growing to newLen. */
  private moveRange(oldAddr: number, oldLen: number, newLen: number, dest: number): number {
    const moved = this.carve(oldAddr, oldLen);
    const first = this.vmas.indexOf(moved[0]!);
    this.vmas.splice(first, moved.length);
    this.lastHit = null;
    this.as.unmap(this.via, oldAddr, oldLen);
    let at = dest;
    for (const v of moved) {
      const len = v.length;
      v.start = at;
      v.end = at + len;
      this.insert(v);
      this.hostMap(v, v.start, v.end);
      at += len;
    }
    if (newLen > oldLen) {
      const last = moved[moved.length - 1]!;
      this.mremap(last.start, last.length, last.length + (newLen - oldLen), false, null);
    }
    return dest;
  }

  madvise(addr: number, length: number, advice: number): void {
    if (addr % PAGE_SIZE !== 0) throw EINVAL;
    const len = pageRoundUp(length);
    if (len === 0) return;
    if (!this.isMapped(addr, len)) throw ENOMEM;
    if (FORK_ADVICE.has(advice)) {
      this.setForkAdvice(addr, len, advice);
      return;
    }
    if (advice !== MADV_DONTNEED && advice !== MADV_FREE && advice !== MADV_REMOVE) return;
    for (let pos = addr; pos < addr + len; ) {
      const v = this.find(pos)!;
      if (v.locked) throw EINVAL;
      pos = v.end;
    }
    for (let pos = addr; pos < addr + len; ) {
      const v = this.find(pos)!;
      const end = Math.min(v.end, addr + len);
      if (v.backing && !v.shared) this.discard(v, pos, end);
      pos = end;
    }
  }

  private setForkAdvice(addr: number, len: number, advice: number): void {
    if (advice === MADV_WIPEONFORK) {
      // Only private anonymous memory can be wiped (Linux: EINVAL for files and shared maps).
      for (let pos = addr; pos < addr + len; ) {
        const v = this.find(pos)!;
        if (v.file || v.shared) throw EINVAL;
        pos = v.end;
      }
    }
    for (const part of this.carve(addr, len)) {
      if (advice === MADV_DONTFORK || advice === MADV_DOFORK) part.dontFork = advice === MADV_DONTFORK;
      else part.wipeOnFork = advice === MADV_WIPEONFORK;
    }
  }

  /** Drops private pages: anonymous ones read as zero again, file ones re-read the file. */
  private discard(v: Vma, from: number, to: number): void {
    if (v.file?.pages) {
      this.discardFile(v, v.file.pages, from, to);
      return;
    }
    if (v.cow) {
      // Shared pages must not be zeroed under the other process: give this one fresh pages.
      for (let pos = from; pos < to; pos += PAGE_SIZE) {
        const loc = v.locate(pos)!;
        if (this.mf.refCount(loc.off) === 1) continue;
        const [fresh] = this.mf.allocate(PAGE_SIZE);
        this.mf.release(loc.off, PAGE_SIZE);
        v.replacePage(pos, fresh!.off);
        if (v.file) v.file.readAt?.(this.mf.view(fresh!.off, PAGE_SIZE), v.file.offset + (pos - v.start));
        if (v.hostMapped) this.as.mapFile(this.via, pos, PAGE_SIZE, this.hostProt(v), fresh!.off);
      }
    }
    for (let pos = from; pos < to; ) {
      const loc = v.locate(pos)!;
      const n = Math.min(loc.avail, to - pos);
      // Punch, never fill: filling would make the host allocate every page of a huge range.
      this.mf.zeroRange(loc.off, n);
      if (v.file) v.file.readAt?.(this.mf.view(loc.off, n), v.file.offset + (pos - v.start));
      pos += n;
    }
  }

  /** MADV_DONTNEED on a private file mapping: its pages are the file's again (copy-on-write). */
  private discardFile(v: Vma, fp: FilePages, from: number, to: number): void {
    v.cow = true;
    this.hasCow = true;
    for (let pos = from; pos < to; pos += PAGE_SIZE) {
      const loc = v.locate(pos);
      if (!loc) return;
      const [page] = fp.acquire(v.file!.offset + (pos - v.start), PAGE_SIZE);
      if (!page) return;
      this.mf.release(loc.off, PAGE_SIZE);
      v.replacePage(pos, page.off);
      if (v.hostMapped) this.as.mapFile(this.via, pos, PAGE_SIZE, this.hostProt(v), page.off);
    }
  }

  /**
   * mincore(2): one byte per page into `vec`; every mapped page is resident. Written
   * in bounded pieces: the range may be a huge PROT_NONE reservation.
   */
  mincore(addr: number, length: number, vec: number): void {
    if (addr % PAGE_SIZE !== 0) throw EINVAL;
    const len = pageRoundUp(length);
    if (len === 0) return;
    if (addr + len > this.maxAddress || !this.isMapped(addr, len)) throw ENOMEM;
    const pages = len / PAGE_SIZE;
    const chunk = new Uint8Array(Math.min(pages, 1 << 16)).fill(1);
    for (let done = 0; done < pages; done += chunk.length) {
      this.copyOut(vec + done, chunk.subarray(0, Math.min(chunk.length, pages - done)));
    }
  }

  // ---- copy-in/out ----

  /** A direct view of app memory if [addr, addr+len) is contiguous in the memory file. */
  private directView(addr: number, len: number, write: boolean): Uint8Array | null {
    const v = this.find(addr);
    if (!v || !(v.prot & (write ? PROT_WRITE : READABLE)) || addr + len > v.end) return null;
    if (write && v.cow) return null; // views() breaks copy-on-write first
    const loc = v.locate(addr);
    if (!loc || loc.avail < len) return null;
    return this.mf.view(loc.off, len);
  }

  /**
   * Views covering [addr, addr+len) in order, for zero-copy I/O. Throws EFAULT if the
   * first byte is inaccessible; stops early (shorter total) at the first bad page after it.
   */
  views(addr: number, len: number, write: boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (len === 0) return out;
    if (addr < 0 || addr + len > TWO32 * TWO32) throw EFAULT;
    // Writing into pages another process still shares would write into its memory too.
    if (write && this.hasCow) this.breakCowRange(addr, Math.min(len, this.maxAddress - addr));
    let pos = addr;
    const end = addr + len;
    while (pos < end) {
      const v = this.find(pos);
      if (!v || !(v.prot & (write ? PROT_WRITE : READABLE)) || !v.backing) break;
      // Past a file's end (unless it grew since): like a fault there, EFAULT.
      const loc = v.locate(pos) ?? (this.extendFile(v, pos) ? v.locate(pos) : null);
      if (!loc) break;
      const n = Math.min(loc.avail, end - pos, v.end - pos);
      out.push(this.mf.view(loc.off, n));
      pos += n;
    }
    if (out.length === 0) throw EFAULT;
    return out;
  }

  copyIn(addr: number, len: number): Uint8Array {
    const d = this.directView(addr, len, false);
    if (d) return d.slice();
    const out = new Uint8Array(len);
    let n = 0;
    for (const v of this.views(addr, len, false)) {
      out.set(v, n);
      n += v.length;
    }
    if (n < len) throw EFAULT;
    return out;
  }

  /** Like copyIn but returns a view when possible (valid until memory changes). */
  peek(addr: number, len: number): Uint8Array {
    return this.directView(addr, len, false) ?? this.copyIn(addr, len);
  }

  copyOut(addr: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const d = this.directView(addr, data.length, true);
    if (d) {
      d.set(data);
      return;
    }
    const vs = this.views(addr, data.length, true);
    let total = 0;
    for (const v of vs) total += v.length;
    if (total < data.length) throw EFAULT;
    let n = 0;
    for (const v of vs) {
      v.set(data.subarray(n, n + v.length));
      n += v.length;
    }
  }

  /** Zeroes [addr, addr+len) of app memory. */
  zero(addr: number, len: number): void {
    const vs = this.views(addr, len, true);
    let total = 0;
    for (const v of vs) {
      v.fill(0);
      total += v.length;
    }
    if (total < len) throw EFAULT;
  }

  /**
   * /proc/<pid>/mem access with FOLL_FORCE semantics: reads ignore PROT_READ where the
   * mapping may be readable; writes reach read-only private mappings through a private
   * copy of the page (how debuggers plant breakpoints), never read-only shared ones.
   * Returns the bytes moved before the first page that cannot be reached.
   */
  forceAccess(addr: number, buf: Uint8Array, write: boolean): number {
    let done = 0;
    while (done < buf.length) {
      const pos = addr + done;
      const v = this.find(pos);
      if (!v || !v.backing) break;
      if (write && !(v.prot & PROT_WRITE) && v.shared) break;
      if (!write && !(v.maxProt & PROT_READ)) break;
      const page = pageRoundDown(pos);
      const n = Math.min(page + PAGE_SIZE - pos, buf.length - done);
      if (write && v.cow) this.breakCowForce(v, page);
      const loc = v.locate(pos);
      if (!loc) break;
      const view = this.mf.view(loc.off, n);
      if (write) view.set(buf.subarray(done, done + n));
      else buf.set(view, done);
      done += n;
    }
    return done;
  }

  /** Zeroes app memory regardless of protection (the loader's bss tail, like FOLL_FORCE). */
  forceZero(addr: number, len: number): void {
    // The page may be the file's (file_pages.ts): give this mapping its own copy first.
    for (let pos = pageRoundDown(addr); pos < addr + len; pos += PAGE_SIZE) {
      const v = this.find(pos);
      if (v?.cow && v.backing) this.breakCowForce(v, pos);
    }
    let total = 0;
    for (const v of this.views(addr, len, false)) {
      v.fill(0);
      total += v.length;
    }
    if (total < len) throw EFAULT;
  }

  readU8(addr: number): number {
    return this.peek(addr, 1)[0]!;
  }

  readU32(addr: number): number {
    const b = this.peek(addr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  readI32(addr: number): number {
    return this.readU32(addr) | 0;
  }

  /** Unsigned 64-bit as a number (exact below 2^53). */
  readU64(addr: number): number {
    const b = this.peek(addr, 8);
    const lo = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    const hi = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
    return lo + hi * TWO32;
  }

  /** Signed 64-bit as a number (exact within ±2^53). */
  readI64(addr: number): number {
    const b = this.peek(addr, 8);
    const lo = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    const hi = b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24);
    return lo + hi * TWO32;
  }

  writeU32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.copyOut(addr, b);
  }

  writeU64(addr: number, v: number): void {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, v >>> 0, true);
    dv.setUint32(4, Math.floor(v / TWO32) >>> 0, true);
    this.copyOut(addr, b);
  }

  /** Reads a NUL-terminated byte string (latin1: one char per byte). */
  readCString(addr: number, max = 4096): string {
    let out = '';
    let pos = addr;
    for (;;) {
      const v = this.find(pos);
      if (!v || !(v.prot & READABLE) || !v.backing) throw EFAULT;
      const loc = v.locate(pos);
      if (!loc) throw EFAULT;
      const n = Math.min(loc.avail, v.end - pos, max + 1 - out.length);
      const view = this.mf.view(loc.off, n);
      const z = view.indexOf(0);
      const part = z >= 0 ? view.subarray(0, z) : view;
      out += Buffer.from(part.buffer, part.byteOffset, part.length).toString('latin1');
      if (z >= 0) return out;
      if (out.length > max) throw ENAMETOOLONG;
      pos += n;
    }
  }

  /** Reads a NULL-terminated array of string pointers (argv, envp). */
  readStringArray(addr: number, maxTotal = 2 * 1024 * 1024): string[] {
    const out: string[] = [];
    if (addr === 0) return out;
    let total = 0;
    for (let p = addr; ; p += 8) {
      const s = this.readU64(p);
      if (s === 0) return out;
      const str = this.readCString(s, 128 * 1024);
      total += str.length + 1 + 8;
      if (total > maxTotal) throw new RangeError('E2BIG');
      out.push(str);
    }
  }

  // ---- /proc ----

  /** Lines of /proc/<pid>/maps. */
  mapsText(): string {
    let out = '';
    for (const v of this.vmas) out += this.mapsLine(v);
    return out;
  }

  /** One /proc/<pid>/maps line (show_map_vma). */
  mapsLine(v: Vma): string {
    const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');
    const perms = `${v.prot & PROT_READ ? 'r' : '-'}${v.prot & PROT_WRITE ? 'w' : '-'}${v.prot & PROT_EXEC ? 'x' : '-'}${v.shared ? 's' : 'p'}`;
    const f = v.file;
    const dev = f ? `${hex(major(f.dev), 2)}:${hex(minor(f.dev), 2)}` : '00:00';
    const line = `${hex(v.start, 8)}-${hex(v.end, 8)} ${perms} ${hex(f ? f.offset : 0, 8)} ${dev} ${f ? f.ino : 0}`;
    const name = f ? f.path : v.name;
    return name ? `${line.padEnd(73)}${name}\n` : `${line} \n`;
  }

  /** Unused by copy paths: memory-file extents of a VMA (for tests). */
  backingOf(addr: number): readonly Extent[] | null {
    return this.find(addr)?.backing ?? null;
  }
}
