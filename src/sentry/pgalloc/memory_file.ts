// The memory file: one memfd backs all application memory of a sandbox
// (DESIGN.md §5). The Sentry maps it in windows ("chunks") as external
// ArrayBuffers, so copy-in/out is a plain memory copy. Stubs map ranges of it
// into application address spaces.
//
// Allocation hands out page-aligned file ranges ("extents"). An extent never
// crosses a chunk boundary, so every extent is one contiguous Uint8Array view.
// Freed ranges are hole-punched: the memory returns to the host and reads as zero,
// so every allocation starts zeroed.
import { native } from '../../native.js';
import { PAGE_SIZE } from '../../abi/linux/mm.js';

export interface Extent {
  /** Offset in the memory file. */
  off: number;
  len: number;
}

export const CHUNK_SIZE = 2 ** 31;
const FILE_SIZE = 2 ** 40;
/** The last MiB of the file is the platform's (its syscall batch page); never allocated. */
const RESERVED = 2 ** 20;
export const PLATFORM_SCRATCH_OFFSET = FILE_SIZE - RESERVED;
/** Freed runs up to this size are zeroed in place instead of hole-punched. */
const SMALL_FREE = 16 * PAGE_SIZE;

export class MemoryFile {
  readonly fd: number;
  private readonly chunks: Uint8Array[] = [];
  /** Never-used space starts here. */
  private bump = 0;
  /** Free ranges below `bump`, sorted by offset, coalesced. */
  private readonly free: Extent[] = [];
  private allocatedBytes = 0;
  /**
   * Extra references to pages shared by several mappings (refs - 1), one byte per page
   * of the used part of the file (grown with it); counts above 254 spill into a Map.
   * fork shares every private page, so this must be cheap per page.
   */
  private extra = new Uint8Array(0);
  private readonly extraBig = new Map<number, number>();
  private sharedPages = 0;

  constructor(name = 'tsvisor-memory') {
    const fd = native().memfdCreate(name, FILE_SIZE);
    if (fd < 0) throw new Error(`memfd_create failed: errno ${-fd}`);
    this.fd = fd;
  }

  /** Bytes currently allocated to application memory (upper bound of use). */
  get allocated(): number {
    return this.allocatedBytes;
  }

  /** Allocates `len` bytes (a page multiple) of zeroed memory. */
  allocate(len: number): Extent[] {
    if (len <= 0 || len % PAGE_SIZE !== 0) throw new RangeError(`bad allocation size ${len}`);
    const out: Extent[] = [];
    let need = len;
    // First fit from the free list; whole ranges or a prefix of one.
    for (let i = 0; i < this.free.length && need > 0; ) {
      const f = this.free[i]!;
      const take = Math.min(f.len, need);
      pushSplit(out, f.off, take);
      need -= take;
      if (take === f.len) this.free.splice(i, 1);
      else {
        f.off += take;
        f.len -= take;
        i++;
      }
    }
    if (need > 0) {
      if (this.bump + need > PLATFORM_SCRATCH_OFFSET) {
        // Count what we took so releasing it keeps the books straight.
        this.allocatedBytes += len - need;
        this.releaseExtents(out);
        throw new RangeError('memory file exhausted');
      }
      pushSplit(out, this.bump, need);
      this.bump += need;
    }
    this.allocatedBytes += len;
    return out;
  }

  /** Makes [off, off+len) read as zero and returns its pages to the host (stays allocated). */
  zeroRange(off: number, len: number): void {
    if (len > 0) native().punchHole(this.fd, off, len);
  }

  /** How many mappings hold the page at `off` (1 when only one does). */
  refCount(off: number): number {
    const p = Math.floor(off / PAGE_SIZE);
    return 1 + this.extraOf(p);
  }

  private extraOf(p: number): number {
    const e = p < this.extra.length ? this.extra[p]! : 0;
    return e === 255 ? this.extraBig.get(p)! : e;
  }

  private setExtra(p: number, n: number): void {
    if (p >= this.extra.length) {
      const grown = new Uint8Array(Math.max(p + 1, this.extra.length * 2, 1024));
      grown.set(this.extra);
      this.extra = grown;
    }
    const was = this.extra[p]!;
    if (n >= 255) {
      this.extra[p] = 255;
      this.extraBig.set(p, n);
    } else {
      if (was === 255) this.extraBig.delete(p);
      this.extra[p] = n;
    }
    if (was === 0 && n > 0) this.sharedPages++;
    else if (was !== 0 && n === 0) this.sharedPages--;
  }

  /** Another mapping now shares [off, off+len) (mremap of shared memory, fork). */
  addRef(off: number, len: number): void {
    const first = off / PAGE_SIZE;
    const end = (off + len) / PAGE_SIZE;
    if (end > this.extra.length) this.setExtra(end - 1, this.extraOf(end - 1));
    const ex = this.extra;
    for (let p = first; p < end; p++) {
      const e = ex[p]!;
      if (e < 254) {
        if (e === 0) this.sharedPages++;
        ex[p] = e + 1;
      } else {
        this.setExtra(p, this.extraOf(p) + 1);
      }
    }
  }

  /** Drops one reference; pages nobody references any more go back to the host. */
  release(off: number, len: number): void {
    if (len <= 0) return;
    if (this.sharedPages === 0) {
      this.freeRange(off, len);
      return;
    }
    // Free only the runs of pages whose last reference this was.
    const ex = this.extra;
    let runStart = -1;
    const end = (off + len) / PAGE_SIZE;
    for (let p = off / PAGE_SIZE; p <= end; p++) {
      let free = false;
      if (p < end) {
        const e = p < ex.length ? ex[p]! : 0;
        if (e === 0) free = true;
        else if (e < 255) {
          ex[p] = e - 1;
          if (e === 1) this.sharedPages--;
        } else {
          this.setExtra(p, this.extraOf(p) - 1);
        }
      }
      if (free && runStart < 0) runStart = p;
      if (!free && runStart >= 0) {
        this.freeRange(runStart * PAGE_SIZE, (p - runStart) * PAGE_SIZE);
        runStart = -1;
      }
    }
  }

  private freeRange(off: number, len: number): void {
    // Small runs are cleared in place (a memset is ~50x cheaper than fallocate) and stay
    // in our free list for reuse; large ones go back to the host.
    if (len <= SMALL_FREE) this.view(off, len).fill(0);
    else native().punchHole(this.fd, off, len);
    this.allocatedBytes -= len;
    // Insert into the sorted free list and coalesce with neighbours.
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.free[mid]!.off < off) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { off, len });
    const merge = (i: number): void => {
      const a = this.free[i];
      const b = this.free[i + 1];
      if (a && b && a.off + a.len === b.off) {
        a.len += b.len;
        this.free.splice(i + 1, 1);
      }
    };
    merge(lo);
    if (lo > 0) merge(lo - 1);
    const last = this.free[this.free.length - 1];
    if (last && last.off + last.len === this.bump) {
      this.bump = last.off;
      this.free.pop();
    }
  }

  releaseExtents(exts: readonly Extent[]): void {
    for (const e of exts) this.release(e.off, e.len);
  }

  /** A view of [off, off+len); the range must lie within one chunk. */
  view(off: number, len: number): Uint8Array {
    const idx = Math.floor(off / CHUNK_SIZE);
    const base = idx * CHUNK_SIZE;
    if (off + len > base + CHUNK_SIZE) throw new RangeError('view crosses a memory file chunk');
    const chunk = this.chunks[idx] ?? this.mapChunk(idx);
    return chunk.subarray(off - base, off - base + len);
  }

  private mapChunk(idx: number): Uint8Array {
    const ab = native().mmapShared(this.fd, idx * CHUNK_SIZE, CHUNK_SIZE);
    if (typeof ab === 'number') throw new Error(`cannot map memory file chunk: errno ${-ab}`);
    const u8 = new Uint8Array(ab);
    this.chunks[idx] = u8;
    return u8;
  }
}

function pushSplit(out: Extent[], off: number, len: number): void {
  while (len > 0) {
    const chunkEnd = (Math.floor(off / CHUNK_SIZE) + 1) * CHUNK_SIZE;
    const n = Math.min(len, chunkEnd - off);
    const prev = out[out.length - 1];
    if (prev && prev.off + prev.len === off && Math.floor(prev.off / CHUNK_SIZE) === Math.floor(off / CHUNK_SIZE)) {
      prev.len += n;
    } else {
      out.push({ off, len: n });
    }
    off += n;
    len -= n;
  }
}
