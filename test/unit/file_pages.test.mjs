// File page sets (mm/file_pages.ts) under the MemoryManager: shared mappings share the
// file's pages and write back, private ones copy on write, file I/O goes through the
// pages, EOF bounds the backing, and no memory-file page outlives its users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryManager } from '../../dist/tsc/sentry/mm/mm.js';
import { MemoryFile } from '../../dist/tsc/sentry/pgalloc/memory_file.js';
import { filePagesFor, filePagesOf, filePagesTruncated } from '../../dist/tsc/sentry/mm/file_pages.js';
import { PROT_READ, PROT_WRITE } from '../../dist/tsc/abi/linux/mm.js';

const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;
const mf = new MemoryFile('t-file-pages');

class FakeAddressSpace {
  pid = 1;
  calls = [];
  mapFile(via, addr, len, prot, fileOff) {
    this.calls.push({ op: 'map', addr, len, prot, fileOff });
  }
  unmap(via, addr, len) {
    this.calls.push({ op: 'unmap', addr, len });
  }
  protect() {}
  release() {}
}

/** A file's storage: a growable byte array, with the references the page set takes. */
class Store {
  refs = 1;
  writable = true;
  constructor(size) {
    this.data = new Uint8Array(size);
    for (let i = 0; i < size; i++) this.data[i] = 97 + (i % 26);
  }
  storeRead(dst, off) {
    if (off >= this.data.length) return 0;
    const n = Math.min(dst.length, this.data.length - off);
    dst.set(this.data.subarray(off, off + n));
    return n;
  }
  storeWrite(src, off) {
    if (off + src.length > this.data.length) {
      const g = new Uint8Array(off + src.length);
      g.set(this.data);
      this.data = g;
    }
    this.data.set(src, off);
    return src.length;
  }
  storeSize() {
    return this.data.length;
  }
  truncate(n) {
    filePagesTruncated(this, n);
    const g = new Uint8Array(n);
    g.set(this.data.subarray(0, n));
    this.data = g;
  }
  incRef() {
    this.refs++;
  }
  decRef() {
    this.refs--;
  }
}

function mm() {
  const as = new FakeAddressSpace();
  const m = new MemoryManager(mf, as, 2 ** 47);
  m.layout = { mmapBase: 0x7f0000000000, stackTop: 2 ** 47 };
  return { m, as };
}

const map = (m, store, pages, shared, prot = RW, extra = {}) =>
  m.mmap({
    addr: 0, length: pages * PAGE, prot, fixed: false, shared,
    file: { readAt: () => {}, path: '/f', dev: 0n, ino: 1n, offset: 0, source: { owner: store, store, ...extra } },
  });
const str = (u8) => Buffer.from(u8).toString('latin1');

test('shared mappings of a file share its pages; stores reach the file on msync and the last munmap', () => {
  const base = mf.allocated;
  const f = new Store(2 * PAGE + 10);
  const a = mm();
  const b = mm();
  const x = map(a.m, f, 2, true);
  const y = map(b.m, f, 4, true);
  assert.equal(str(a.m.copyIn(x + 1, 3)), 'bcd');
  a.m.copyOut(x + PAGE, new TextEncoder().encode('SHARED'));
  assert.equal(str(b.m.copyIn(y + PAGE, 6)), 'SHARED', 'the other address space sees the store');
  assert.notEqual(str(f.data.subarray(PAGE, PAGE + 6)), 'SHARED', 'not yet in storage');
  // read(2) through the page set sees it before writeback.
  const dst = new Uint8Array(6);
  filePagesOf(f).afterRead([dst], PAGE, 6);
  assert.equal(str(dst), 'SHARED');
  a.m.syncFiles(x, 2 * PAGE);
  assert.equal(str(f.data.subarray(PAGE, PAGE + 6)), 'SHARED', 'msync wrote it back');
  assert.equal(f.refs, 3, 'the set holds the store (reader and writer)');
  // Past EOF (page 3 of b's mapping) nothing is backed: EFAULT, and a SIGBUS fault.
  assert.throws(() => b.m.copyIn(y + 3 * PAGE, 1));
  assert.equal(b.m.pastEof(y + 3 * PAGE), true);
  assert.equal(b.m.pastEof(y + 2 * PAGE + 100), false, 'the page holding EOF is mapped');
  a.m.copyOut(x + 2, new TextEncoder().encode('zz'));
  a.m.munmap(x, 2 * PAGE);
  b.m.munmap(y, 4 * PAGE);
  assert.equal(str(f.data.subarray(2, 4)), 'zz', 'the last munmap wrote back');
  assert.equal(f.refs, 1, 'the store is let go');
  assert.equal(filePagesOf(f), undefined, 'a set without a version is freed');
  assert.equal(mf.allocated, base, 'no page leaked');
});

test('private mappings copy on write; untouched pages see file writes; MADV_DONTNEED drops the copy', () => {
  const base = mf.allocated;
  const f = new Store(2 * PAGE);
  const { m } = mm();
  const p = map(m, f, 2, false);
  m.copyOut(p, new TextEncoder().encode('MINE'));
  const src = new TextEncoder().encode('FILE');
  f.storeWrite(src, 0);
  filePagesOf(f).afterWrite([src], 0, 4);
  f.storeWrite(src, PAGE);
  filePagesOf(f).afterWrite([src], PAGE, 4);
  assert.equal(str(m.copyIn(p, 4)), 'MINE', 'the written page is private');
  assert.equal(str(m.copyIn(p + PAGE, 4)), 'FILE', 'the untouched page follows the file');
  m.madvise(p, PAGE, 4 /* MADV_DONTNEED */);
  assert.equal(str(m.copyIn(p, 4)), 'FILE', 'after MADV_DONTNEED the page is the file\'s again');
  m.munmap(p, 2 * PAGE);
  assert.equal(str(f.data.subarray(0, 4)), 'FILE', 'private stores never reach the file');
  assert.equal(mf.allocated, base);
});

test('an empty file maps with nothing backed; growth is picked up at the next fault', () => {
  const base = mf.allocated;
  const f = new Store(0);
  const { m, as } = mm();
  const p = map(m, f, 2, true);
  assert.throws(() => m.copyIn(p, 1));
  assert.equal(m.pastEof(p), true);
  assert.equal(m.handleFault(p, false), false, 'a real fault (SIGBUS)');
  f.storeWrite(new TextEncoder().encode('grown'), 0);
  as.calls = [];
  assert.equal(m.handleFault(p, false), true, 'the file grew: the page is mapped now');
  assert.deepEqual(as.calls.map((c) => [c.op, c.addr - p, c.len]), [['map', 0, PAGE]]);
  assert.equal(str(m.copyIn(p, 5)), 'grown');
  m.munmap(p, 2 * PAGE);
  assert.equal(mf.allocated, base);
});

test('truncation drops the pages past EOF from the set and from the truncating address space', () => {
  const base = mf.allocated;
  const f = new Store(3 * PAGE);
  const { m, as } = mm();
  const p = map(m, f, 3, true);
  as.calls = [];
  m.truncating(() => f.truncate(PAGE + 1));
  assert.deepEqual(as.calls, [{ op: 'unmap', addr: p + 2 * PAGE, len: PAGE }]);
  assert.equal(m.pastEof(p + 2 * PAGE), true);
  assert.equal(m.copyIn(p + PAGE + 5, 1)[0], 0, 'the tail of the page holding EOF reads zero');
  m.munmap(p, 3 * PAGE);
  assert.equal(mf.allocated, base);
});

test('fork shares the pages; the set lives until the last address space lets go', () => {
  const base = mf.allocated;
  const f = new Store(PAGE);
  const a = mm();
  const p = map(a.m, f, 1, true);
  const child = a.m.fork(new FakeAddressSpace(), 0);
  a.m.copyOut(p, new TextEncoder().encode('parent'));
  assert.equal(str(child.copyIn(p, 6)), 'parent');
  a.m.decUsers();
  assert.ok(filePagesOf(f), 'the child still maps it');
  child.copyOut(p, new TextEncoder().encode('child!'));
  child.decUsers();
  assert.equal(str(f.data.subarray(0, 6)), 'child!', 'exit wrote it back');
  assert.equal(mf.allocated, base);
});

test('a versioned set is kept after the last unmap and reused; a new version replaces it', () => {
  const base = mf.allocated;
  const f = new Store(2 * PAGE);
  const { m } = mm();
  const p = map(m, f, 2, false, PROT_READ, { version: 'v1' });
  const first = m.find(p).locate(p).off;
  m.munmap(p, 2 * PAGE);
  assert.equal(mf.allocated, base + 2 * PAGE, 'the pages stay cached');
  assert.equal(f.refs, 1, 'but the file is let go');
  const q = map(m, f, 2, false, PROT_READ, { version: 'v1' });
  assert.equal(m.find(q).locate(q).off, first, 'same pages reused');
  m.munmap(q, 2 * PAGE);
  // A changed version (the host file changed) gets fresh pages.
  filePagesFor(mf, f, 'v2');
  assert.equal(mf.allocated, base, 'the stale pages were freed');
  filePagesOf(f).destroy();
});

test('small writable private mappings are copied at mmap; the copies still see writes until touched', () => {
  const base = mf.allocated;
  const f = new Store(2 * PAGE);
  const a = mm();
  const b = mm();
  const ro = map(a.m, f, 2, false, PROT_READ);
  const p = map(b.m, f, 2, false);
  assert.equal(b.m.find(p).cow, false, 'copied eagerly, mapped writable');
  b.m.copyOut(p, new TextEncoder().encode('MINE'));
  const w = (off, text) => {
    const src = new TextEncoder().encode(text);
    f.storeWrite(src, off);
    filePagesOf(f).afterWrite([src], off, src.length);
  };
  w(0, 'FILE');
  w(PAGE + 8, 'FILE');
  assert.equal(str(b.m.copyIn(p, 4)), 'MINE');
  assert.equal(str(b.m.copyIn(p + PAGE + 8, 4)), 'FILE', 'the untouched copy took the write');
  assert.equal(str(a.m.copyIn(ro + PAGE + 8, 4)), 'FILE');
  b.m.munmap(p, 2 * PAGE);
  assert.equal(mf.allocated, base + 4 * PAGE, 'the unmapped copies wait for the next look');
  w(0, 'x');
  w(PAGE, 'y');
  assert.equal(mf.allocated, base + 2 * PAGE, 'and are let go then');
  a.m.munmap(ro, 2 * PAGE);
  assert.equal(mf.allocated, base);
});

test('while the file is mapped shared and writable, private mappings share its pages copy-on-write', () => {
  const base = mf.allocated;
  const f = new Store(PAGE);
  const { m } = mm();
  const s = map(m, f, 1, true);
  const p = map(m, f, 1, false);
  assert.equal(m.find(p).cow, true);
  m.copyOut(s, new TextEncoder().encode('shared'));
  assert.equal(str(m.copyIn(p, 6)), 'shared', 'the untouched private page is the file page');
  m.munmap(p, PAGE);
  m.munmap(s, PAGE);
  assert.equal(mf.allocated, base);
});
