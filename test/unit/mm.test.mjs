// MemoryManager bookkeeping (mm/mm.ts) with a real memory file and a fake address
// space that records what the stub would be told: mmap placement and replacement,
// munmap/mprotect/mremap on VMA boundaries, brk, copy-in/out and /proc/<pid>/maps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryManager, MIN_USER_ADDRESS } from '../../dist/tsc/sentry/mm/mm.js';
import { MemoryFile } from '../../dist/tsc/sentry/pgalloc/memory_file.js';
import { EACCES, EEXIST, EFAULT, EINVAL, ENAMETOOLONG, ENOMEM, EPERM } from '../../dist/tsc/abi/linux/errno.js';
import { PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from '../../dist/tsc/abi/linux/mm.js';
import { makedev } from '../../dist/tsc/abi/linux/stat.js';
import { assertErrno, dec, enc } from './vfs_helpers.mjs';

const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;
const MAX = 2 ** 47;
const BASE = 0x7f0000000000; // mmapBase

/** Records the host mapping calls the MemoryManager makes. */
class FakeAddressSpace {
  pid = 4242;
  calls = [];
  released = false;
  mapFile(via, addr, len, prot, fileOff) {
    this.calls.push({ op: 'map', addr, len, prot, fileOff });
  }
  unmap(via, addr, len) {
    this.calls.push({ op: 'unmap', addr, len });
  }
  protect(via, addr, len, prot) {
    this.calls.push({ op: 'protect', addr, len, prot });
  }
  release() {
    this.released = true;
  }
  take() {
    const c = this.calls;
    this.calls = [];
    return c;
  }
}

// One memory file for the whole file: each test checks `allocated` relative to its start.
const mf = new MemoryFile('t-mm');

function mm() {
  const as = new FakeAddressSpace();
  const m = new MemoryManager(mf, as, MAX);
  m.layout = { mmapBase: BASE, stackTop: MAX };
  return { m, as, base: mf.allocated };
}

const anon = (m, addr, pages, prot = RW, extra = {}) =>
  m.mmap({ addr, length: pages * PAGE, prot, fixed: false, shared: false, ...extra });
const fixed = (m, addr, pages, prot = RW, extra = {}) =>
  m.mmap({ addr, length: pages * PAGE, prot, fixed: true, shared: false, ...extra });
const spans = (m) => m.mappings.map((v) => [v.start, v.end]);
/** Memory-file offsets backing each page of [addr, addr+pages). */
function offsets(m, addr, pages) {
  const out = [];
  for (let i = 0; i < pages; i++) {
    const v = m.find(addr + i * PAGE);
    out.push(v.locate(addr + i * PAGE).off);
  }
  return out;
}

test('mmap without a hint goes top-down below mmapBase; a free hint is honoured', () => {
  const { m, as } = mm();
  const a = anon(m, 0, 2);
  assert.equal(a, BASE - 2 * PAGE);
  const b = anon(m, 0, 3);
  assert.equal(b, a - 3 * PAGE, 'the next one right below');
  const hint = 0x10000000;
  assert.equal(anon(m, hint, 1), hint);
  assert.equal(anon(m, hint + PAGE + 123, 1), hint + PAGE, 'an unaligned hint is rounded down (x86)');
  assert.equal(anon(m, hint, 1), b - PAGE, 'an occupied hint is ignored');
  assert.equal(anon(m, 0x1000, 1), b - 2 * PAGE, 'a hint below mmap_min_addr is ignored');
  // The stub was told to map each one with its protection.
  const maps = as.calls.filter((c) => c.op === 'map');
  assert.equal(maps.length, 6);
  assert.deepEqual(maps[0], { op: 'map', addr: a, len: 2 * PAGE, prot: RW, fileOff: m.find(a).backing[0].off });
  // A hole between mappings is found again.
  m.munmap(b, 3 * PAGE);
  assert.equal(anon(m, 0, 3), b);
});

test('mmap memory is zeroed, writable and readable through copyIn/copyOut', () => {
  const { m, base } = mm();
  const a = anon(m, 0, 2);
  assert.equal(mf.allocated - base, 2 * PAGE);
  assert.ok(m.copyIn(a, 2 * PAGE).every((b) => b === 0));
  m.copyOut(a + 4090, enc('spans two pages'));
  assert.equal(dec(m.copyIn(a + 4090, 15)), 'spans two pages');
  m.writeU64(a + 8, 2 ** 40 + 5);
  assert.equal(m.readU64(a + 8), 2 ** 40 + 5);
  m.writeU32(a, 0xdeadbeef);
  assert.equal(m.readU32(a), 0xdeadbeef);
  assert.equal(m.readI32(a), 0xdeadbeef | 0);
});

test('mmap argument errors: EINVAL, EPERM, ENOMEM', () => {
  const { m } = mm();
  assertErrno(() => m.mmap({ addr: 0, length: 0, prot: RW, fixed: false, shared: false }), EINVAL);
  assertErrno(() => fixed(m, 0x100000 + 1, 1), EINVAL, 'MAP_FIXED needs an aligned address');
  assertErrno(() => fixed(m, 0x1000, 1), EPERM, 'below mmap_min_addr');
  assertErrno(() => fixed(m, MAX - PAGE, 2), ENOMEM, 'past the end of the address space');
  assertErrno(() => m.mmap({ addr: 0, length: MAX + PAGE, prot: RW, fixed: false, shared: false }), ENOMEM);
  assert.equal(m.mappings.length, 0);
});

test('MAP_FIXED replaces what was there, splitting the old mapping; its memory is freed', () => {
  const { m, as, base } = mm();
  const a = 0x200000;
  fixed(m, a, 4);
  m.copyOut(a, new Uint8Array(4 * PAGE).fill(1));
  as.take();
  fixed(m, a + PAGE, 2, PROT_READ);
  assert.deepEqual(spans(m), [[a, a + PAGE], [a + PAGE, a + 3 * PAGE], [a + 3 * PAGE, a + 4 * PAGE]]);
  assert.ok(m.copyIn(a + PAGE, 2 * PAGE).every((b) => b === 0), 'new, zeroed memory');
  assert.equal(m.copyIn(a, 1)[0], 1);
  assert.equal(m.copyIn(a + 3 * PAGE, 1)[0], 1);
  assert.equal(m.find(a + PAGE).prot, PROT_READ);
  assert.equal(mf.allocated - base, 4 * PAGE, 'the replaced pages went back');
  const calls = as.take();
  assert.deepEqual(calls[0], { op: 'unmap', addr: a + PAGE, len: 2 * PAGE });
  assert.equal(calls[1].op, 'map');
  assert.equal(calls[1].prot, PROT_READ);
});

test('MAP_FIXED_NOREPLACE: EEXIST on any overlap, placed exactly otherwise', () => {
  const { m } = mm();
  const a = 0x300000;
  fixed(m, a, 2);
  const nr = (addr, pages) => m.mmap({ addr, length: pages * PAGE, prot: RW, fixed: false, noReplace: true, shared: false });
  assertErrno(() => nr(a, 1), EEXIST);
  assertErrno(() => nr(a - PAGE, 2), EEXIST, 'overlapping the start');
  assertErrno(() => nr(a + PAGE, 5), EEXIST, 'overlapping the end');
  assert.equal(nr(a + 2 * PAGE, 1), a + 2 * PAGE, 'adjacent is fine');
  assert.equal(nr(a - PAGE, 1), a - PAGE);
  assert.equal(m.mappings.length, 3);
});

test('munmap splits a VMA, frees just those pages, and accepts unmapped ranges', () => {
  const { m, as, base } = mm();
  const a = 0x400000;
  fixed(m, a, 3);
  m.copyOut(a, new Uint8Array(3 * PAGE).fill(5));
  const offs = offsets(m, a, 3);
  as.take();
  m.munmap(a + PAGE, PAGE);
  assert.deepEqual(spans(m), [[a, a + PAGE], [a + 2 * PAGE, a + 3 * PAGE]]);
  assert.deepEqual(as.take(), [{ op: 'unmap', addr: a + PAGE, len: PAGE }]);
  assert.equal(mf.allocated - base, 2 * PAGE);
  assert.deepEqual([offsets(m, a, 1)[0], offsets(m, a + 2 * PAGE, 1)[0]], [offs[0], offs[2]], 'the rest stays where it was');
  assert.equal(m.copyIn(a + 2 * PAGE, 1)[0], 5);
  assertErrno(() => m.copyIn(a + PAGE, 1), EFAULT);
  m.munmap(0x50000000, 10 * PAGE); // nothing there: fine
  m.munmap(a, 5000); // the length rounds up to two pages
  assert.deepEqual(spans(m), [[a + 2 * PAGE, a + 3 * PAGE]]);
  assertErrno(() => m.munmap(a + 1, PAGE), EINVAL);
  assertErrno(() => m.munmap(a, 0), EINVAL);
  assertErrno(() => m.munmap(MAX - PAGE, 2 * PAGE), EINVAL);
});

test('mprotect splits VMAs; before a hole it changes what comes first, then fails with ENOMEM', () => {
  const { m, as } = mm();
  const a = 0x500000;
  fixed(m, a, 2);
  fixed(m, a + 3 * PAGE, 2); // hole at a + 2 pages
  as.take();
  m.mprotect(a + PAGE, PAGE, PROT_READ);
  assert.deepEqual(spans(m).slice(0, 2), [[a, a + PAGE], [a + PAGE, a + 2 * PAGE]]);
  assert.deepEqual(as.take(), [{ op: 'protect', addr: a + PAGE, len: PAGE, prot: PROT_READ }]);
  assertErrno(() => m.copyOut(a + PAGE, enc('x')), EFAULT, 'now read-only');
  assertErrno(() => m.mprotect(a, 5 * PAGE, PROT_READ | PROT_EXEC), ENOMEM);
  assert.equal(m.find(a).prot, PROT_READ | PROT_EXEC, 'changed before the hole');
  assert.equal(m.find(a + PAGE).prot, PROT_READ | PROT_EXEC);
  assert.equal(m.find(a + 3 * PAGE).prot, RW, 'untouched after it');
  assertErrno(() => m.mprotect(a + 2 * PAGE, PAGE, PROT_READ), ENOMEM, 'starting in the hole');
  assertErrno(() => m.mprotect(a + 1, PAGE, PROT_READ), EINVAL);
  assertErrno(() => m.mprotect(a, PAGE, 0x80), EINVAL, 'unknown bits');
  m.mprotect(a, 0, PROT_NONE); // zero length: nothing
  assert.equal(m.find(a).prot, PROT_READ | PROT_EXEC);
});

test('mprotect cannot exceed maxProt (EACCES) and makes reservations accessible', () => {
  const { m, base } = mm();
  const a = 0x600000;
  fixed(m, a, 2, PROT_READ, { shared: true, maxProt: PROT_READ | PROT_EXEC });
  assertErrno(() => m.mprotect(a, PAGE, RW), EACCES);
  m.mprotect(a, PAGE, PROT_READ | PROT_EXEC);
  const r = 0x700000;
  fixed(m, r, 16, PROT_NONE);
  const used = mf.allocated - base;
  assertErrno(() => m.copyIn(r, 1), EFAULT, 'PROT_NONE');
  m.mprotect(r + 4 * PAGE, 2 * PAGE, RW);
  assert.equal(mf.allocated - base, used + 2 * PAGE, 'only the opened part gets memory');
  m.copyOut(r + 4 * PAGE, enc('ok'));
  assert.equal(dec(m.copyIn(r + 4 * PAGE, 2)), 'ok');
  assert.deepEqual(spans(m).filter(([s]) => s >= r).length, 3);
});

test('mremap grows in place when the space after the mapping is free, keeping its pages', () => {
  const { m, base } = mm();
  const a = 0x800000;
  fixed(m, a, 2);
  m.copyOut(a, enc('keep me'));
  const before = offsets(m, a, 2);
  assert.equal(m.mremap(a, 2 * PAGE, 5 * PAGE, false, null), a);
  assert.deepEqual(spans(m), [[a, a + 5 * PAGE]]);
  assert.deepEqual(offsets(m, a, 2), before, 'no copy: the same memory-file pages');
  assert.equal(dec(m.copyIn(a, 7)), 'keep me');
  assert.ok(m.copyIn(a + 2 * PAGE, 3 * PAGE).every((b) => b === 0));
  assert.equal(mf.allocated - base, 5 * PAGE);
});

test('mremap moves a mapping that cannot grow (MREMAP_MAYMOVE), without copying; ENOMEM otherwise', () => {
  const { m, as, base } = mm();
  const a = 0x900000;
  fixed(m, a, 2);
  fixed(m, a + 2 * PAGE, 1); // blocks growth in place
  m.copyOut(a, enc('moving data'));
  m.copyOut(a + 2 * PAGE - 3, enc('end'));
  const before = offsets(m, a, 2);
  assertErrno(() => m.mremap(a, 2 * PAGE, 4 * PAGE, false, null), ENOMEM);
  as.take();
  const b = m.mremap(a, 2 * PAGE, 4 * PAGE, true, null);
  assert.notEqual(b, a);
  assert.deepEqual(offsets(m, b, 2), before, 'same memory-file offsets: moved, not copied');
  assert.equal(dec(m.copyIn(b, 11)), 'moving data');
  assert.equal(dec(m.copyIn(b + 2 * PAGE - 3, 3)), 'end');
  assert.ok(m.copyIn(b + 2 * PAGE, 2 * PAGE).every((x) => x === 0), 'the grown part is zero');
  assertErrno(() => m.copyIn(a, 1), EFAULT, 'the old range is gone');
  assert.equal(m.find(a + 2 * PAGE).start, a + 2 * PAGE, 'the neighbour stays');
  const calls = as.take();
  assert.ok(calls.some((c) => c.op === 'unmap' && c.addr === a && c.len === 2 * PAGE));
  assert.ok(calls.some((c) => c.op === 'map' && c.addr === b && c.fileOff === before[0]));
  assert.equal(mf.allocated - base, 5 * PAGE);
});

test('mremap with MREMAP_FIXED moves to the given address, replacing what was there', () => {
  const { m } = mm();
  const a = 0xa00000;
  const dst = 0xb00000;
  fixed(m, a, 2);
  fixed(m, dst, 4);
  m.copyOut(a, enc('fixed move'));
  assert.equal(m.mremap(a, 2 * PAGE, 2 * PAGE, true, dst), dst);
  assert.equal(dec(m.copyIn(dst, 10)), 'fixed move');
  assert.deepEqual(spans(m), [[dst, dst + 2 * PAGE], [dst + 2 * PAGE, dst + 4 * PAGE]]);
  assertErrno(() => m.mremap(dst, 2 * PAGE, 2 * PAGE, true, dst + PAGE), EINVAL, 'overlapping ranges');
  assertErrno(() => m.mremap(dst, PAGE, PAGE, true, 0xc00001), EINVAL);
});

test('mremap shrinks in place, across VMA boundaries', () => {
  const { m, base } = mm();
  const a = 0xd00000;
  fixed(m, a, 2);
  fixed(m, a + 2 * PAGE, 2, PROT_READ);
  assert.equal(m.mremap(a, 4 * PAGE, PAGE, false, null), a);
  assert.deepEqual(spans(m), [[a, a + PAGE]]);
  assert.equal(mf.allocated - base, PAGE);
  assertErrno(() => m.mremap(a + 1, PAGE, PAGE, false, null), EINVAL);
  assertErrno(() => m.mremap(a, PAGE, 0, false, null), EINVAL);
});

test('mremap of an address with no mapping is EFAULT, even when shrinking', () => {
    const { m } = mm();
    assertErrno(() => m.mremap(0xe00000, 2 * PAGE, PAGE, false, null), EFAULT);
    assertErrno(() => m.mremap(0xe00000, PAGE, PAGE, false, null), EFAULT);
  });

test('mremap(old_size 0) of a shared mapping makes a second view of the same pages', () => {
  const { m, base } = mm();
  const a = 0xf00000;
  fixed(m, a, 2, RW, { shared: true });
  const b = m.mremap(a, 0, 2 * PAGE, true, null);
  assert.notEqual(b, a);
  assert.deepEqual(offsets(m, b, 2), offsets(m, a, 2));
  m.copyOut(a + 10, enc('shared'));
  assert.equal(dec(m.copyIn(b + 10, 6)), 'shared');
  assert.equal(mf.allocated - base, 2 * PAGE, 'no new memory');
  m.munmap(a, 2 * PAGE);
  assert.equal(dec(m.copyIn(b + 10, 6)), 'shared', 'the other view keeps the pages alive');
  assert.equal(mf.allocated - base, 2 * PAGE);
  m.munmap(b, 2 * PAGE);
  assert.equal(mf.allocated - base, 0);
  fixed(m, a, 1);
  assertErrno(() => m.mremap(a, 0, PAGE, true, null), EINVAL, 'private mappings cannot be duplicated');
});

test('brk grows one [heap] VMA, keeps a guard page before the next mapping, and shrinks', () => {
  const { m } = mm();
  const start = 0x1000000;
  m.brkStart = m.brk = start;
  assert.equal(m.setBrk(start + 100), start + 100);
  assert.deepEqual(spans(m), [[start, start + PAGE]]);
  assert.equal(m.find(start).name, '[heap]');
  assert.equal(m.setBrk(start + 3 * PAGE), start + 3 * PAGE);
  assert.equal(m.setBrk(start + 5 * PAGE + 1), start + 5 * PAGE + 1);
  assert.deepEqual(spans(m), [[start, start + 6 * PAGE]], 'still one VMA');
  m.copyOut(start + 5 * PAGE, enc('heap'));
  // A mapping 2 pages above the heap end: growing by one page leaves exactly one free page.
  fixed(m, start + 8 * PAGE, 1);
  assert.equal(m.setBrk(start + 7 * PAGE), start + 7 * PAGE, 'one page of gap is enough');
  assert.equal(m.setBrk(start + 8 * PAGE), start + 7 * PAGE, 'no gap at all: refused, old break returned');
  assert.equal(m.setBrk(start + 7 * PAGE + 1), start + 7 * PAGE, 'touching the guard page: refused');
  assert.equal(m.setBrk(start - PAGE), start + 7 * PAGE, 'below the start: refused');
  // Shrinking unmaps whole pages past the new end.
  assert.equal(m.setBrk(start + PAGE + 1), start + PAGE + 1);
  assert.deepEqual(spans(m), [[start, start + 2 * PAGE], [start + 8 * PAGE, start + 9 * PAGE]]);
  assertErrno(() => m.copyIn(start + 5 * PAGE, 1), EFAULT);
  assert.equal(m.setBrk(start + 3 * PAGE), start + 3 * PAGE);
  assert.ok(m.copyIn(start + 2 * PAGE, PAGE).every((b) => b === 0), 'regrown heap is zero');
  assert.equal(m.setBrk(start), start);
  assert.deepEqual(spans(m), [[start + 8 * PAGE, start + 9 * PAGE]]);
});

test('copyIn/copyOut cross VMA boundaries; EFAULT exactly at the first inaccessible byte', () => {
  const { m } = mm();
  const a = 0x2000000;
  fixed(m, a, 1);
  fixed(m, a + PAGE, 1); // adjacent, separately backed
  fixed(m, a + 2 * PAGE, 1, PROT_READ);
  const data = new Uint8Array(PAGE + 50).map((_, i) => i & 0xff);
  m.copyOut(a + PAGE - 100, data); // first VMA into the second
  assert.deepEqual(m.copyIn(a + PAGE - 100, data.length), data);
  const three = m.copyIn(a + PAGE - 100, PAGE + 200); // through all three
  assert.deepEqual(three.subarray(0, data.length), data);
  assert.ok(three.subarray(data.length).every((b) => b === 0));
  // views(): as much as is accessible, stopping at the first bad byte.
  const vs = m.views(a + PAGE, 3 * PAGE, true);
  assert.equal(vs.reduce((n, v) => n + v.length, 0), PAGE, 'writable up to the read-only page');
  const rs = m.views(a + 2 * PAGE - 10, 2 * PAGE, false);
  assert.equal(rs.reduce((n, v) => n + v.length, 0), PAGE + 10, 'readable up to the unmapped page');
  assertErrno(() => m.views(a + 3 * PAGE, 10, false), EFAULT, 'the first byte is bad');
  assertErrno(() => m.copyIn(a + 3 * PAGE - 5, 10), EFAULT, 'a read running into unmapped memory');
  assertErrno(() => m.copyOut(a + 2 * PAGE - 5, enc('0123456789')), EFAULT, 'a write running into read-only memory');
  assertErrno(() => m.copyIn(a - 1, 2), EFAULT, 'starting before the mapping');
  assertErrno(() => m.copyIn(-1, 1), EFAULT);
  assertErrno(() => m.copyIn(2 ** 64, 1), EFAULT);
  m.copyOut(a, new Uint8Array(0)); // empty: never faults
  assert.equal(m.views(0, 0, false).length, 0);
  // PROT_WRITE or PROT_EXEC alone still make a page readable on x86.
  fixed(m, a + 4 * PAGE, 1, PROT_EXEC);
  assert.equal(m.copyIn(a + 4 * PAGE, 4).length, 4);
});

test('readCString across a VMA boundary; EFAULT past the end; ENAMETOOLONG past max', () => {
  const { m } = mm();
  const a = 0x3000000;
  fixed(m, a, 1);
  fixed(m, a + PAGE, 1);
  m.copyOut(a + PAGE - 5, enc('hello world\0'));
  assert.equal(m.readCString(a + PAGE - 5), 'hello world');
  assert.equal(m.readCString(a + PAGE - 5, 11), 'hello world', 'exactly max bytes is fine');
  assertErrno(() => m.readCString(a + PAGE - 5, 10), ENAMETOOLONG);
  m.copyOut(a + 2 * PAGE - 3, enc('abc'));
  assertErrno(() => m.readCString(a + 2 * PAGE - 3), EFAULT, 'no NUL before unmapped memory');
  assertErrno(() => m.readCString(a + 5 * PAGE), EFAULT);
  m.copyOut(a, enc('\xe9t\xe9\0'));
  assert.equal(m.readCString(a), '\xe9t\xe9', 'bytes, one char each (latin1)');
  // argv-style arrays of pointers.
  m.writeU64(a + 100, a);
  m.writeU64(a + 108, a + PAGE - 5);
  m.writeU64(a + 116, 0);
  assert.deepEqual(m.readStringArray(a + 100), ['\xe9t\xe9', 'hello world']);
});

test('mapsText: the columns of Linux\'s /proc/<pid>/maps', () => {
  const { m } = mm();
  const file = { path: '/usr/bin/cat', dev: makedev(0xfe, 0), ino: 260131n, offset: 0x2000, readAt() {} };
  fixed(m, 0x55d4e94fb000, 5, PROT_READ | PROT_EXEC, { file });
  fixed(m, 0x55d4e9500000, 3, PROT_READ, { file: { ...file, offset: 0x7000 } });
  m.brkStart = m.brk = 0x564f47c07000;
  m.setBrk(0x564f47c28000);
  fixed(m, 0x7f4b8f828000, 3, RW);
  fixed(m, 0x7ffe6dd0c000, 33, RW, { name: '[stack]', growsDown: true });
  fixed(m, 0x7f00a3bbc000, 2, PROT_READ | PROT_EXEC, { shared: true });
  // Expected lines copied from a real Linux /proc/self/maps (name in column 74).
  const expected = [
    '55d4e94fb000-55d4e9500000 r-xp 00002000 fe:00 260131                     /usr/bin/cat',
    '55d4e9500000-55d4e9503000 r--p 00007000 fe:00 260131                     /usr/bin/cat',
    '564f47c07000-564f47c28000 rw-p 00000000 00:00 0                          [heap]',
    '7f00a3bbc000-7f00a3bbe000 r-xs 00000000 00:00 0 ',
    '7f4b8f828000-7f4b8f82b000 rw-p 00000000 00:00 0 ',
    '7ffe6dd0c000-7ffe6dd2d000 rw-p 00000000 00:00 0                          [stack]',
  ];
  assert.equal(m.mapsText(), expected.join('\n') + '\n');
  // Short addresses are padded to 8 hex digits.
  const small = mm().m;
  fixed(small, 0x400000, 1, PROT_READ, { name: '[vdso]' });
  assert.equal(small.mapsText(), '00400000-00401000 r--p 00000000 00:00 0' + ' '.repeat(34) + '[vdso]\n');
});

test('mapsText: device minors above 255 print in full, as MINOR() does', () => {
    const { m } = mm();
    const file = { path: '/lib/x.so', dev: makedev(0, 0x1a3), ino: 12n, offset: 0, readAt() {} };
    fixed(m, 0x400000, 1, PROT_READ, { file });
    assert.match(m.mapsText(), / 00:1a3 12 /);
  });

test('RLIMIT_AS: MAP_FIXED over an existing mapping only counts the growth', () => {
    const { m } = mm();
    m.asLimit = 4 * PAGE;
    const a = fixed(m, 0x400000, 4, PROT_NONE); // ld.so reserves the whole library...
    assertErrno(() => fixed(m, a + 4 * PAGE, 1), ENOMEM, 'growth past the limit fails');
    fixed(m, a, 2, PROT_READ); // ...then maps segments over the reservation
    assert.equal(m.virtualSize, 4 * PAGE);
  });

test('decUsers: the last user frees every page and releases the host address space', () => {
  const { m, as, base } = mm();
  anon(m, 0, 3);
  fixed(m, 0x400000, 2);
  m.incUsers(); // a CLONE_VM thread
  m.decUsers();
  assert.equal(as.released, false);
  assert.equal(mf.allocated - base, 5 * PAGE);
  m.decUsers();
  assert.equal(as.released, true);
  assert.equal(mf.allocated - base, 0);
  assert.equal(m.mappings.length, 0);
  assert.ok(MIN_USER_ADDRESS > 0);
});
