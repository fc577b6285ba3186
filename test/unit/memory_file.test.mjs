// The memory file (pgalloc/memory_file.ts) on a real memfd: allocation, release
// and reuse, zeroing by hole punching, chunk boundaries and shared-page references.
// Uses the native addon (memfd_create, mmap, fallocate) but no ptrace and no process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK_SIZE, MemoryFile } from '../../dist/tsc/sentry/pgalloc/memory_file.js';

const PAGE = 4096;

/** Fills [off, off+len) with v through the Sentry's view. */
function fill(mf, off, len, v) {
  mf.view(off, len).fill(v);
}

/** True when every byte of [off, off+len) is v. */
function all(mf, off, len, v) {
  return mf.view(off, len).every((b) => b === v);
}

const total = (exts) => exts.reduce((n, e) => n + e.len, 0);

test('allocate: page-aligned zeroed memory, counted in `allocated`', () => {
  const mf = new MemoryFile('t-alloc');
  assert.equal(mf.allocated, 0);
  const a = mf.allocate(3 * PAGE);
  assert.equal(total(a), 3 * PAGE);
  for (const e of a) {
    assert.equal(e.off % PAGE, 0);
    assert.ok(all(mf, e.off, e.len, 0), 'fresh memory reads as zero');
  }
  const b = mf.allocate(PAGE);
  assert.equal(mf.allocated, 4 * PAGE);
  // Extents of different allocations never overlap.
  const ranges = [...a, ...b].sort((x, y) => x.off - y.off);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1].off + ranges[i - 1].len <= ranges[i].off);
  // The Sentry's view and the file are the same memory: two views alias.
  fill(mf, b[0].off, PAGE, 0x5a);
  assert.equal(mf.view(b[0].off + 100, 1)[0], 0x5a);
});

test('allocate: sizes must be positive page multiples', () => {
  const mf = new MemoryFile('t-bad');
  assert.throws(() => mf.allocate(0), RangeError);
  assert.throws(() => mf.allocate(100), RangeError);
  assert.throws(() => mf.allocate(-PAGE), RangeError);
  assert.equal(mf.allocated, 0);
});

test('release: memory reads as zero afterwards and is reused by the next allocation', () => {
  const mf = new MemoryFile('t-release');
  const [a] = mf.allocate(PAGE);
  const [b] = mf.allocate(2 * PAGE);
  const [c] = mf.allocate(PAGE);
  fill(mf, a.off, a.len, 1);
  fill(mf, b.off, b.len, 2);
  fill(mf, c.off, c.len, 3);
  mf.release(b.off, b.len);
  assert.equal(mf.allocated, 2 * PAGE);
  assert.ok(all(mf, b.off, b.len, 0), 'released pages read as zero (hole punched)');
  assert.ok(all(mf, a.off, a.len, 1) && all(mf, c.off, c.len, 3), 'neighbours untouched');
  // The hole is reused first, and is zero for its new owner.
  const d = mf.allocate(PAGE);
  assert.deepEqual(d, [{ off: b.off, len: PAGE }]);
  const e = mf.allocate(PAGE);
  assert.deepEqual(e, [{ off: b.off + PAGE, len: PAGE }]);
  assert.ok(all(mf, b.off, b.len, 0));
  assert.equal(mf.allocated, 4 * PAGE);
});

test('release: neighbouring free ranges coalesce, and a large allocation takes them as one extent', () => {
  const mf = new MemoryFile('t-coalesce');
  const pages = [];
  for (let i = 0; i < 5; i++) pages.push(mf.allocate(PAGE)[0]);
  for (const i of [1, 3, 2]) mf.release(pages[i].off, PAGE); // out of order
  const big = mf.allocate(3 * PAGE);
  assert.deepEqual(big, [{ off: pages[1].off, len: 3 * PAGE }]);
});

test('allocate: a fragmented free list gives several extents that add up', () => {
  const mf = new MemoryFile('t-frag');
  const pages = [];
  for (let i = 0; i < 6; i++) pages.push(mf.allocate(PAGE)[0]);
  mf.release(pages[1].off, PAGE);
  mf.release(pages[3].off, PAGE);
  const got = mf.allocate(4 * PAGE);
  assert.equal(total(got), 4 * PAGE);
  const offs = got.map((e) => e.off);
  assert.ok(offs.includes(pages[1].off) && offs.includes(pages[3].off), 'holes first');
  for (const e of got) assert.ok(all(mf, e.off, e.len, 0));
  assert.equal(mf.allocated, 8 * PAGE);
  // Releasing everything returns the file to empty, and allocation starts over at 0.
  for (const p of [pages[0], pages[2], pages[4], pages[5]]) mf.release(p.off, PAGE);
  mf.releaseExtents(got);
  assert.equal(mf.allocated, 0);
  assert.deepEqual(mf.allocate(PAGE), [{ off: 0, len: PAGE }]);
});

test('extents never cross a chunk boundary, from fresh space or from the free list', () => {
  const mf = new MemoryFile('t-chunks');
  const head = mf.allocate(CHUNK_SIZE - PAGE); // no host memory is touched
  assert.equal(total(head), CHUNK_SIZE - PAGE);
  const two = mf.allocate(2 * PAGE);
  assert.deepEqual(two, [{ off: CHUNK_SIZE - PAGE, len: PAGE }, { off: CHUNK_SIZE, len: PAGE }]);
  // Each extent is one contiguous view; a view across the boundary is refused.
  fill(mf, two[0].off, PAGE, 7);
  fill(mf, two[1].off, PAGE, 8);
  assert.ok(all(mf, CHUNK_SIZE - PAGE, PAGE, 7));
  assert.ok(all(mf, CHUNK_SIZE, PAGE, 8));
  assert.throws(() => mf.view(CHUNK_SIZE - 10, 20), RangeError);
  const tail = mf.allocate(PAGE); // keeps the freed range below from merging into the bump
  mf.releaseExtents(two); // coalesces into one free range spanning the boundary
  const again = mf.allocate(2 * PAGE);
  assert.equal(again.length, 2, 'split again at the boundary');
  for (const e of again) assert.equal(Math.floor(e.off / CHUNK_SIZE), Math.floor((e.off + e.len - 1) / CHUNK_SIZE));
  assert.ok(all(mf, CHUNK_SIZE - PAGE, PAGE, 0) && all(mf, CHUNK_SIZE, PAGE, 0), 'zeroed');
  mf.releaseExtents([...head, ...again, ...tail]);
  assert.equal(mf.allocated, 0);
});

test('addRef keeps shared pages alive until their last release', () => {
  const mf = new MemoryFile('t-refs');
  const [ext] = mf.allocate(3 * PAGE);
  fill(mf, ext.off, 3 * PAGE, 9);
  // A second mapping shares the middle page (mremap of shared memory, for example).
  mf.addRef(ext.off + PAGE, PAGE);
  mf.release(ext.off, 3 * PAGE); // the first mapping goes away
  assert.equal(mf.allocated, PAGE, 'only the shared page is left');
  assert.ok(all(mf, ext.off, PAGE, 0), 'unshared pages freed');
  assert.ok(all(mf, ext.off + PAGE, PAGE, 9), 'the shared page keeps its data');
  assert.ok(all(mf, ext.off + 2 * PAGE, PAGE, 0));
  // The freed pages are reusable while the shared one is not handed out.
  const other = mf.allocate(2 * PAGE);
  assert.ok(other.every((e) => e.off + e.len <= ext.off + PAGE || e.off >= ext.off + 2 * PAGE));
  mf.release(ext.off + PAGE, PAGE); // the second mapping goes away
  assert.ok(all(mf, ext.off + PAGE, PAGE, 0));
  assert.equal(mf.allocated, 2 * PAGE);
  mf.releaseExtents(other);
  assert.equal(mf.allocated, 0);
});

test('addRef counts: three users of a page need three releases', () => {
  const mf = new MemoryFile('t-refs3');
  const [p] = mf.allocate(PAGE);
  fill(mf, p.off, PAGE, 4);
  mf.addRef(p.off, PAGE);
  mf.addRef(p.off, PAGE);
  mf.release(p.off, PAGE);
  mf.release(p.off, PAGE);
  assert.ok(all(mf, p.off, PAGE, 4));
  assert.equal(mf.allocated, PAGE);
  mf.release(p.off, PAGE);
  assert.ok(all(mf, p.off, PAGE, 0));
  assert.equal(mf.allocated, 0);
});

test('zeroRange: zeroes without freeing', () => {
  const mf = new MemoryFile('t-zero');
  const [p] = mf.allocate(2 * PAGE);
  fill(mf, p.off, 2 * PAGE, 3);
  mf.zeroRange(p.off, PAGE);
  assert.ok(all(mf, p.off, PAGE, 0));
  assert.ok(all(mf, p.off + PAGE, PAGE, 3));
  assert.equal(mf.allocated, 2 * PAGE);
  assert.notDeepEqual(mf.allocate(PAGE), [{ off: p.off, len: PAGE }], 'still owned');
});

test('a failed (too large) allocation leaves the accounting and the free list as they were', () => {
    const mf = new MemoryFile('t-exhaust');
    const [a] = mf.allocate(PAGE);
    mf.allocate(PAGE); // b stays allocated
    mf.release(a.off, PAGE); // a is on the free list
    assert.equal(mf.allocated, PAGE);
    assert.throws(() => mf.allocate(2 ** 41), RangeError); // e.g. mmap(2 TiB, PROT_READ)
    assert.equal(mf.allocated, PAGE, 'b is still allocated');
    assert.deepEqual(mf.allocate(PAGE), [{ off: a.off, len: PAGE }], 'the hole is still free');
  });
