// The page cache for file mappings: the pages of an unchanged file are read into
// the memory file once and shared by every private mapping of it, copy-on-write.
// Exec of a dynamic program maps ld.so and libc without copying them each time.
// Entries are keyed by file identity and version (host dev, inode, mtime, size),
// so a changed file gets new pages; mappings made before keep the old ones.
import { pageRoundUp } from '../../abi/linux/mm.js';
import type { Extent, MemoryFile } from '../pgalloc/memory_file.js';

/** Files larger than this are copied per mapping (reading them whole would be wasteful). */
const MAX_CACHED_FILE = 64 * 1024 * 1024;
/** Bytes the cache itself keeps alive; least recently used entries go first. */
const MAX_CACHE_BYTES = 512 * 1024 * 1024;

interface Entry {
  extents: Extent[];
  bytes: number;
}

export class PageCache {
  /** Insertion order = LRU order (re-inserted on use). */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly mf: MemoryFile) {}

  /**
   * Extents holding the file's pages [offset, offset+len) (offset page-aligned),
   * each with a reference taken for the caller; pages past EOF are not included
   * (the caller gives those fresh zero pages). null when the file is not cacheable.
   */
  window(key: string, size: number, readAt: (dst: Uint8Array, off: number) => void, offset: number,
    len: number): Extent[] | null {
    if (size > MAX_CACHED_FILE || size === 0) return null;
    let e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    } else {
      e = this.fill(key, size, readAt);
    }
    const end = Math.min(offset + len, e.bytes);
    const out: Extent[] = [];
    let pos = 0;
    for (const x of e.extents) {
      const s = Math.max(pos, offset);
      const t = Math.min(pos + x.len, end);
      if (s < t) {
        const piece = { off: x.off + (s - pos), len: t - s };
        this.mf.addRef(piece.off, piece.len);
        out.push(piece);
      }
      pos += x.len;
    }
    return out;
  }

  private fill(key: string, size: number, readAt: (dst: Uint8Array, off: number) => void): Entry {
    const bytes = pageRoundUp(size);
    const extents = this.mf.allocate(bytes);
    let pos = 0;
    for (const x of extents) {
      readAt(this.mf.view(x.off, x.len), pos);
      pos += x.len;
    }
    const e = { extents, bytes };
    this.entries.set(key, e);
    this.bytes += bytes;
    while (this.bytes > MAX_CACHE_BYTES && this.entries.size > 1) {
      const [oldKey, old] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldKey);
      this.bytes -= old.bytes;
      this.mf.releaseExtents(old.extents);
    }
    return e;
  }

  /** Bytes held by the cache (for /proc/meminfo "Cached"). */
  get cachedBytes(): number {
    return this.bytes;
  }
}

const caches = new WeakMap<MemoryFile, PageCache>();

/** The page cache of a memory file (one per sandbox). */
export function pageCacheOf(mf: MemoryFile): PageCache {
  let c = caches.get(mf);
  if (!c) caches.set(mf, (c = new PageCache(mf)));
  return c;
}

