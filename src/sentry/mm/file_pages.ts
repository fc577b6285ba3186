// File pages: while a file is mapped, its pages in the memory file are the one copy of
// its contents (Linux's page cache). Shared mappings map them directly, private ones
// copy-on-write; read/write of the file go through them (writes update them in place,
// reads see what mappings stored), and data stored through shared mappings is written
// back to the file system on msync, fsync, the last munmap and exit.
//
// Pages are keyed by the inode that owns the data (below overlay). After the last
// mapping goes, a set whose file has a version (host files) and was only mapped
// read-only or private (programs and libraries) is kept in a bounded LRU, so the
// next exec maps ld.so and libc without reading them again.
import { PAGE_SIZE, pageRoundUp } from '../../abi/linux/mm.js';
import { log } from '../../log.js';
import { CHUNK_SIZE, type Extent, type MemoryFile } from '../pgalloc/memory_file.js';
import { copyFromSeq, copyToSeq } from '../vfs/iosequence.js';

/** A file's own storage, below the page set (a file description of it). */
export interface FileStore {
  /** Reads at `off` into dst; returns bytes read (short at EOF). */
  storeRead(dst: Uint8Array, off: number): number;
  /** Writes src at `off`; returns bytes written. */
  storeWrite(src: Uint8Array, off: number): number;
  storeSize(): number;
  readonly writable: boolean;
  incRef(): void;
  decRef(): void;
}

/** Retired (unmapped, clean) sets kept for reuse: bytes and count. */
const MAX_RETIRED_BYTES = 512 * 1024 * 1024;
const MAX_RETIRED_SETS = 512;

export class FilePages {
  /** File page index -> memory-file offset; the set holds one reference on each. */
  private readonly pages = new Map<number, number>();
  /** VMAs mapping this set, in all address spaces. */
  private maps = 0;
  /** Shared VMAs that may be writable: pages may differ from the file's storage. */
  private sharedWritable = 0;
  /** Stores since the last writeback may not have reached storage. */
  private dirty = false;
  /** Ever mapped shared and writable: a data file, not worth keeping once unmapped. */
  private wasWritable = false;
  private reader: FileStore | null = null;
  private writer: FileStore | null = null;
  /**
   * Private copies of pages made eagerly at mmap (file page index -> memory-file
   * offsets), each with one extra reference so it is not reused while watched. A file
   * write reaches the copies still equal to the page (untouched since the copy), as
   * it would reach a private mapping's shared page in Linux.
   */
  private readonly copies = new Map<number, number[]>();

  constructor(
    readonly mf: MemoryFile,
    readonly owner: object,
    /** Identity and version of the contents (host files); retired sets are kept under it. */
    public version: string | undefined,
  ) {}

  get bytes(): number {
    return this.pages.size * PAGE_SIZE;
  }

  /** Shared mappings that may write exist (memfd F_SEAL_WRITE is EBUSY then). */
  get writablyMapped(): boolean {
    return this.sharedWritable > 0;
  }

  /** Remembers how to reach the file's storage (references held until the last mapping goes). */
  attach(store: FileStore, writableShared: boolean): void {
    if (!this.reader) {
      store.incRef();
      this.reader = store;
    }
    if (writableShared && store.writable && !this.writer) {
      store.incRef();
      this.writer = store;
    }
  }

  /** The file's size as its storage says. */
  size(): number {
    return (this.writer ?? this.reader)?.storeSize() ?? 0;
  }

  /**
   * Extents of the file's pages for [off, off+len) (off page-aligned), read in as
   * needed, with a reference taken for the caller. Stops at the page holding EOF:
   * the result covers a prefix of the range (empty past EOF).
   */
  acquire(off: number, len: number): Extent[] {
    const first = off / PAGE_SIZE;
    const end = Math.min(first + len / PAGE_SIZE, pageRoundUp(this.size()) / PAGE_SIZE);
    const out: Extent[] = [];
    for (let p = first; p < end; ) {
      let at = this.pages.get(p);
      if (at === undefined) {
        // Read the run of missing pages in one go.
        let q = p + 1;
        while (q < end && !this.pages.has(q)) q++;
        this.fill(p, q);
        at = this.pages.get(p)!;
      }
      this.mf.addRef(at, PAGE_SIZE);
      const last = out[out.length - 1];
      if (last && last.off + last.len === at && sameChunk(last.off, at)) last.len += PAGE_SIZE;
      else out.push({ off: at, len: PAGE_SIZE });
      p++;
    }
    return out;
  }

  /** `exts` are private copies of the file's pages from `off` on, made for a mapping. */
  watchCopies(off: number, exts: readonly Extent[]): void {
    let p = off / PAGE_SIZE;
    for (const e of exts) {
      for (let x = 0; x < e.len; x += PAGE_SIZE, p++) {
        const list = this.liveCopies(p);
        this.mf.addRef(e.off + x, PAGE_SIZE);
        list.push(e.off + x);
      }
    }
  }

  /** Copies of page p still mapped somewhere; ones only this set holds are let go. */
  private liveCopies(p: number): number[] {
    let list = this.copies.get(p);
    if (!list) this.copies.set(p, (list = []));
    for (let i = list.length - 1; i >= 0; i--) {
      if (this.mf.refCount(list[i]!) === 1) {
        this.mf.release(list[i]!, PAGE_SIZE);
        list.splice(i, 1);
      }
    }
    return list;
  }

  private dropCopies(p: number): void {
    for (const c of this.copies.get(p) ?? []) this.mf.release(c, PAGE_SIZE);
    this.copies.delete(p);
  }

  /** The memory-file offset of file page `index` if held. */
  pageAt(index: number): number | undefined {
    return this.pages.get(index);
  }

  private fill(from: number, to: number): void {
    const store = this.reader;
    const exts = this.mf.allocate((to - from) * PAGE_SIZE);
    let p = from;
    for (const e of exts) {
      const view = this.mf.view(e.off, e.len);
      if (store) {
        try {
          let done = 0;
          while (done < view.length) {
            const n = store.storeRead(view.subarray(done), p * PAGE_SIZE + done);
            if (n <= 0) break;
            done += n;
          }
        } catch (e) {
          // A fault may be what asked: an I/O error leaves zeros rather than escaping.
          log.warn(`file page read failed: ${String(e)}`);
        }
      }
      for (let x = 0; x < e.len; x += PAGE_SIZE) this.pages.set(p++, e.off + x);
    }
  }

  // ---- mappings ----

  incMap(sharedWritable: boolean): void {
    this.maps++;
    if (sharedWritable) {
      this.sharedWritable++;
      this.dirty = this.wasWritable = true;
    }
    if (this.maps === 1) unretire(this);
  }

  decMap(sharedWritable: boolean): void {
    if (sharedWritable) this.sharedWritable--;
    if (--this.maps === 0) this.idle();
  }

  /** The last mapping went away: write back, let go of the file, keep or free the pages. */
  private idle(): void {
    this.writeback();
    // No mapping is left to hold a copy.
    for (const p of [...this.copies.keys()]) this.dropCopies(p);
    this.writer?.decRef();
    this.reader?.decRef();
    this.writer = this.reader = null;
    if (this.version !== undefined && !this.dirty && !this.wasWritable) retire(this);
    else this.destroy();
  }

  /** Frees every page (the set is forgotten). */
  destroy(): void {
    for (const off of this.pages.values()) this.mf.release(off, PAGE_SIZE);
    this.pages.clear();
    for (const p of [...this.copies.keys()]) this.dropCopies(p);
    if (registry.get(this.owner) === this) registry.delete(this.owner);
    retired.delete(this);
  }

  // ---- file I/O through the pages ----

  /** write(2) reached storage: held pages take the same bytes. */
  afterWrite(src: readonly Uint8Array[], off: number, n: number): void {
    if (n <= 0 || this.pages.size === 0) return;
    this.forEachPiece(off, n, (at, pos, len) => {
      if (this.copies.size > 0) this.writeCopies(Math.floor(pos / PAGE_SIZE), at, src, pos - off, len);
      copyFromSeq(src, this.mf.view(at, len), pos - off);
    });
  }

  /** Before page p (at `at`) takes a write: untouched private copies of it take it too. */
  private writeCopies(p: number, at: number, src: readonly Uint8Array[], skip: number, len: number): void {
    if (!this.copies.has(p)) return;
    const base = at - (at % PAGE_SIZE);
    const page = this.mf.view(base, PAGE_SIZE);
    for (const c of this.liveCopies(p)) {
      const copy = this.mf.view(c, PAGE_SIZE);
      if (Buffer.compare(copy, page) === 0) copyFromSeq(src, copy.subarray(at - base, at - base + len), skip);
    }
  }

  /** read(2) got n bytes from storage: pages written through a shared mapping are newer. */
  afterRead(dst: readonly Uint8Array[], off: number, n: number): void {
    if (n <= 0 || !this.dirty) return;
    this.forEachPiece(off, n, (at, pos, len) => copyToSeq(dst, this.mf.view(at, len), pos - off));
  }

  /** fallocate changed [off, off+n) of storage (zeroed or shifted it): held pages read it again. */
  reload(off: number, n: number): void {
    const store = this.writer ?? this.reader;
    if (!store || this.pages.size === 0) return;
    const size = store.storeSize();
    let last = 0;
    for (const p of this.pages.keys()) last = Math.max(last, (p + 1) * PAGE_SIZE);
    const end = Math.min(off + n, last);
    if (end <= off) return;
    this.forEachPiece(off, end - off, (at, pos, len) => {
      const view = this.mf.view(at, len);
      const got = pos < size ? Math.max(0, store.storeRead(view, pos)) : 0;
      view.fill(0, got);
    });
  }

  /** Calls fn(memory-file offset, file offset, length) for the held parts of [off, off+n). */
  private forEachPiece(off: number, n: number, fn: (at: number, pos: number, len: number) => void): void {
    const end = off + n;
    for (let p = Math.floor(off / PAGE_SIZE); p * PAGE_SIZE < end; p++) {
      const at = this.pages.get(p);
      if (at === undefined) continue;
      const s = Math.max(off, p * PAGE_SIZE);
      const t = Math.min(end, (p + 1) * PAGE_SIZE);
      fn(at + (s - p * PAGE_SIZE), s, t - s);
    }
  }

  /**
   * truncate(2): pages wholly past the new size leave the set. The truncating task's
   * address space drops them from its mappings right after (takeTruncation); other
   * address spaces keep the pages they map until they unmap them (zapping them there
   * would need their threads stopped), and later file I/O no longer reaches them.
   */
  truncate(size: number): void {
    const keep = pageRoundUp(size) / PAGE_SIZE;
    const before = this.bytes;
    for (const [p, at] of this.pages) {
      if (p >= keep) {
        this.mf.release(at, PAGE_SIZE);
        this.pages.delete(p);
        this.dropCopies(p);
      }
    }
    // The tail of the last page reads as zero if the file grows again (truncate_pagecache).
    const tail = size % PAGE_SIZE;
    const at = this.pages.get(Math.floor(size / PAGE_SIZE));
    if (tail && at !== undefined) this.mf.view(at + tail, PAGE_SIZE - tail).fill(0);
    if (retired.has(this)) retiredBytes -= before - this.bytes;
    lastTruncation = { fp: this, size };
  }

  /** Writes pages that may hold stores from shared mappings back to the file's storage. */
  writeback(): void {
    if (!this.dirty) return;
    const w = this.writer;
    if (!w) return;
    const size = w.storeSize();
    try {
      for (const [p, at] of this.pages) {
        const pos = p * PAGE_SIZE;
        if (pos >= size) continue;
        w.storeWrite(this.mf.view(at, Math.min(PAGE_SIZE, size - pos)), pos);
      }
    } catch (e) {
      // Like a failed writeback in Linux: the error is the file's, not the caller's.
      log.warn(`file page writeback failed: ${String(e)}`);
    }
    // Writable shared mappings can store again at any time.
    this.dirty = this.sharedWritable > 0;
  }
}

function sameChunk(a: number, b: number): boolean {
  return Math.floor(a / CHUNK_SIZE) === Math.floor(b / CHUNK_SIZE);
}

/** The truncation the current syscall made, for its task's address space to apply. */
let lastTruncation: { fp: FilePages; size: number } | null = null;

/** Takes the truncation recorded during the current syscall, if any. */
export function takeTruncation(): { fp: FilePages; size: number } | null {
  const z = lastTruncation;
  lastTruncation = null;
  return z;
}

// ---- the registry ----

/** Page sets by data inode: mapped ones and retired ones. */
const registry = new Map<object, FilePages>();
/** Retired sets, least recently used first. */
const retired = new Set<FilePages>();
let retiredBytes = 0;

function retire(fp: FilePages): void {
  if (fp.bytes === 0) {
    fp.destroy();
    return;
  }
  retired.add(fp);
  retiredBytes += fp.bytes;
  while ((retiredBytes > MAX_RETIRED_BYTES || retired.size > MAX_RETIRED_SETS) && retired.size > 0) {
    const old = retired.values().next().value as FilePages;
    retired.delete(old);
    retiredBytes -= old.bytes;
    old.destroy();
  }
}

function unretire(fp: FilePages): void {
  if (retired.delete(fp)) retiredBytes -= fp.bytes;
}

/** The page set of a data inode, if it has one (mapped, or retired and reusable). */
export function filePagesOf(owner: object): FilePages | undefined {
  return registry.get(owner);
}

/**
 * The page set to map `owner` through, made on first use. A retired set whose file
 * changed version since (changed on the host) is dropped for a fresh one.
 */
export function filePagesFor(mf: MemoryFile, owner: object, version: string | undefined): FilePages {
  let fp = registry.get(owner);
  if (fp && retired.has(fp) && fp.version !== version) {
    unretire(fp);
    fp.destroy();
    fp = undefined;
  }
  if (!fp) {
    fp = new FilePages(mf, owner, version);
    registry.set(owner, fp);
  }
  // In-sandbox writes kept the pages current; the version is the file's latest.
  fp.version = version;
  return fp;
}

/** sync(2): every file's pages reach its storage. */
export function writebackAllFilePages(): void {
  for (const fp of registry.values()) fp.writeback();
}

/** The file owned by `owner` was truncated to `size` (file systems call this). */
export function filePagesTruncated(owner: object, size: number): void {
  registry.get(owner)?.truncate(size);
}

