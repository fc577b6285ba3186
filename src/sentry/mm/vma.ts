// A virtual memory area: a range of an address space with one protection and one
// backing. Backing is a list of memory-file extents covering the range in order;
// PROT_NONE reservations have none until they become accessible.
import type { Extent } from '../pgalloc/memory_file.js';
import type { FilePages } from './file_pages.js';

export interface FileMapping {
  /** What /proc/<pid>/maps shows for this mapping. */
  path: string;
  dev: bigint;
  ino: bigint;
  /** File offset of `start`. */
  offset: number;
  /** Re-reads file contents into `dst` at file offset `off` (for MADV_DONTNEED on private maps). */
  readAt?: (dst: Uint8Array, off: number) => void;
  /**
   * The file's pages (regular files): shared maps map them, private ones copy-on-write.
   * The backing then covers only the part of the VMA within EOF (a prefix); past it,
   * accesses fault.
   */
  pages?: FilePages;
}

export class Vma {
  /** MADV_DONTFORK: a forked child does not get this VMA (VM_DONTCOPY). */
  dontFork = false;
  /** MADV_WIPEONFORK: a forked child gets zero pages here (VM_WIPEONFORK). */
  wipeOnFork = false;

  constructor(
    public start: number,
    public end: number,
    public prot: number,
    /** MAP_SHARED rather than MAP_PRIVATE. */
    public shared: boolean,
    public backing: Extent[] | null,
    public file: FileMapping | null = null,
    /** "[heap]", "[stack]", "[vdso]" ... for anonymous special mappings. */
    public name = '',
    public growsDown = false,
    /** Protections mprotect may grant (a shared mapping of a read-only file lacks PROT_WRITE). */
    public maxProt = 7,
    /** MAP_LOCKED / mlock: MADV_DONTNEED is refused. */
    public locked = false,
    /**
     * Private pages may be shared with another address space since a fork: they are
     * mapped read-only on the host and copied on the first write (copy-on-write).
     */
    public cow = false,
    /**
     * The host stub has this VMA mapped. A forked child starts with nothing mapped and
     * maps each VMA at its first fault: most children exec or exit before touching much.
     */
    public hostMapped = true,
  ) {}

  get length(): number {
    return this.end - this.start;
  }

  /** Splits at `addr` (start < addr < end); returns the upper part, this keeps the lower. */
  splitAt(addr: number): Vma {
    const off = addr - this.start;
    let upperBacking: Extent[] | null = null;
    if (this.backing) {
      const lower: Extent[] = [];
      upperBacking = [];
      let pos = 0;
      for (const e of this.backing) {
        if (pos + e.len <= off) lower.push(e);
        else if (pos >= off) upperBacking.push(e);
        else {
          const cut = off - pos;
          lower.push({ off: e.off, len: cut });
          upperBacking.push({ off: e.off + cut, len: e.len - cut });
        }
        pos += e.len;
      }
      this.backing = lower;
    }
    const file = this.file ? { ...this.file, offset: this.file.offset + off } : null;
    const upper = new Vma(addr, this.end, this.prot, this.shared, upperBacking, file, this.name, this.growsDown,
      this.maxProt, this.locked, this.cow, this.hostMapped);
    upper.dontFork = this.dontFork;
    upper.wipeOnFork = this.wipeOnFork;
    this.end = addr;
    return upper;
  }

  /** Points the page at `addr` to memory-file offset `off` (after a copy-on-write copy). */
  replacePage(addr: number, off: number): void {
    if (!this.backing) return;
    const pos = addr - this.start;
    let base = 0;
    for (let i = 0; i < this.backing.length; i++) {
      const e = this.backing[i]!;
      if (pos < base + e.len) {
        const before = pos - base;
        const after = e.len - before - 4096;
        const parts: { off: number; len: number }[] = [];
        if (before > 0) parts.push({ off: e.off, len: before });
        parts.push({ off, len: 4096 });
        if (after > 0) parts.push({ off: e.off + before + 4096, len: after });
        this.backing.splice(i, 1, ...parts);
        return;
      }
      base += e.len;
    }
  }

  /** Memory-file location of `addr` within this VMA and the contiguous bytes from there. */
  locate(addr: number): { off: number; avail: number } | null {
    if (!this.backing) return null;
    let pos = addr - this.start;
    for (const e of this.backing) {
      if (pos < e.len) return { off: e.off + pos, avail: e.len - pos };
      pos -= e.len;
    }
    return null;
  }
}
