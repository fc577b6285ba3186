// Pipes and FIFOs (fsimpl/pipe/pipe.ts): PIPE_BUF atomicity, EOF and EPIPE,
// readiness, F_SETPIPE_SZ, wake-ups, and fifo(7)'s open rules through the VFS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PIPE_SIZE, PIPE_BUF, PIPE_MAX_SIZE, Pipe, newPipe } from '../../dist/tsc/sentry/fsimpl/pipe/pipe.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, WouldBlock } from '../../dist/tsc/sentry/kernel/waiter.js';
import { mknodAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { EAGAIN, EBUSY, EINVAL, ENXIO, EPERM, EPIPE, ESPIPE } from '../../dist/tsc/abi/linux/errno.js';
import { O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from '../../dist/tsc/abi/linux/fcntl.js';
import { S_IFIFO } from '../../dist/tsc/abi/linux/stat.js';
import { AT_FDCWD, assertErrno, dec, enc, errOf, makeWorld, open, readN } from './vfs_helpers.mjs';

const ALL = EVENT_IN | EVENT_OUT;
const bytes = (n, v = 1) => new Uint8Array(n).fill(v);

/** A pipe's two ends; the task argument of read/write is unused by pipes. */
function pipe() {
  const [r, w] = newPipe(O_NONBLOCK);
  return { r, w, p: r.pipe };
}
const write = (w, data) => w.write(null, [data], -1);
const read = (r, n) => readN(r, null, n);

test('bytes come out in order, across writes and in pieces', () => {
  const { r, w } = pipe();
  assert.equal(write(w, enc('hello ')), 6);
  assert.equal(w.write(null, [enc('wor'), enc('ld')], -1), 5, 'gathered');
  assert.equal(dec(read(r, 3)), 'hel');
  const a = new Uint8Array(4);
  const b = new Uint8Array(10);
  assert.equal(r.read(null, [a, b], -1), 8, 'scattered');
  assert.equal(dec(a) + dec(b.subarray(0, 4)), 'lo world');
  assert.equal(r.pipe.size, 0);
  assert.equal(r.read(null, [], -1), 0, 'a zero-length read is 0 even when empty');
  assert.equal(w.write(null, [], -1), 0);
});

test('PIPE_BUF: a write of at most 4096 bytes is all or nothing; larger writes may be partial', () => {
  const { r, w, p } = pipe();
  assert.equal(p.capacity, DEFAULT_PIPE_SIZE);
  write(w, bytes(DEFAULT_PIPE_SIZE - 4095));
  assert.equal(p.free, 4095);
  assertErrno(() => write(w, bytes(PIPE_BUF)), EAGAIN, '4096 bytes into 4095 free');
  assert.equal(p.size, DEFAULT_PIPE_SIZE - 4095, 'nothing was written');
  const big = new Uint8Array(5000).map((_, i) => i & 0xff);
  const n = write(w, big);
  assert.ok(n > 0 && n < 5000, `a 5000-byte write is partial (wrote ${n})`);
  assert.equal(p.size, DEFAULT_PIPE_SIZE - 4095 + n);
  // The part written is the beginning of the buffer, after what was there.
  read(r, DEFAULT_PIPE_SIZE - 4095);
  assert.deepEqual(read(r, 5000), big.subarray(0, n));
  // A full pipe takes nothing.
  write(w, bytes(DEFAULT_PIPE_SIZE));
  assertErrno(() => write(w, bytes(1)), EAGAIN);
  assertErrno(() => write(w, bytes(5000)), EAGAIN);
  // Small writes fit exactly.
  read(r, 4096);
  assert.equal(write(w, bytes(4096)), 4096);
});

test('empty pipe: EAGAIN while a writer exists, then EOF after the last writer closes', () => {
  const { r, w, p } = pipe();
  assertErrno(() => read(r, 10), EAGAIN);
  write(w, enc('tail'));
  w.incRef(); // a dup of the write end: one more reference to the same description
  w.decRef();
  assert.equal(p.writers, 1, 'descriptions count, not descriptors');
  w.decRef();
  assert.equal(p.writers, 0);
  assert.equal(dec(read(r, 10)), 'tail', 'buffered data first');
  assert.equal(read(r, 10).length, 0, 'then EOF');
  assert.equal(read(r, 10).length, 0);
});

test('EPIPE when no reader is left (SIGPIPE is the syscall layer\'s job)', () => {
  const { r, w } = pipe();
  write(w, enc('x'));
  r.decRef();
  assertErrno(() => write(w, enc('y')), EPIPE);
  assertErrno(() => write(w, bytes(100000)), EPIPE);
});

test('readiness: IN with data, OUT with room, HUP without writers, ERR without readers', () => {
  const { r, w, p } = pipe();
  assert.equal(r.readiness(ALL), 0);
  assert.equal(w.readiness(ALL), EVENT_OUT);
  write(w, enc('x'));
  assert.equal(r.readiness(ALL), EVENT_IN);
  assert.equal(r.readiness(EVENT_OUT), 0, 'only asked-for events (HUP/ERR aside)');
  write(w, bytes(p.free));
  assert.equal(w.readiness(ALL), 0, 'full');
  read(r, 1);
  assert.equal(w.readiness(ALL), 0, 'one free byte is no room for an atomic write');
  read(r, 4095);
  assert.equal(w.readiness(ALL), EVENT_OUT, 'a free page is');
  w.decRef();
  assert.equal(r.readiness(ALL), EVENT_IN | EVENT_HUP);
  assert.equal(r.readiness(0), EVENT_HUP, 'HUP is reported even when not asked for');
  read(r, DEFAULT_PIPE_SIZE);
  assert.equal(r.readiness(ALL), EVENT_HUP);
  const q = pipe();
  q.r.decRef();
  assert.equal(q.w.readiness(0), EVENT_ERR);
  assert.equal(q.w.readiness(ALL), EVENT_OUT | EVENT_ERR);
});

test('POLLOUT means a PIPE_BUF write will not fail: not reported with less than 4096 bytes free', () => {
    const { w, p } = pipe();
    write(w, bytes(p.capacity - 100));
    assertErrno(() => write(w, bytes(PIPE_BUF)), EAGAIN, 'a PIPE_BUF write does not fit');
    assert.equal(w.readiness(EVENT_OUT), 0, 'so poll must not say writable');
  });

test('waiters are woken: readers on write, writers when a read makes room, everyone on close', () => {
  const { r, w, p } = pipe();
  const seen = [];
  const unreg = p.queue.register((ev) => seen.push(ev), EVENT_IN | EVENT_OUT | EVENT_HUP);
  write(w, enc('x'));
  assert.deepEqual(seen, [EVENT_IN]);
  read(r, 1);
  // Linux's pipe_read wakes writers only if the pipe was full (nobody can be waiting otherwise).
  assert.deepEqual(seen, [EVENT_IN], 'a read from a pipe with room wakes no writer');
  write(w, bytes(DEFAULT_PIPE_SIZE - 1));
  seen.length = 0;
  read(r, PIPE_BUF);
  assert.deepEqual(seen, [EVENT_OUT], 'a read that leaves PIPE_BUF free wakes writers');
  seen.length = 0;
  w.decRef();
  assert.ok(seen.length === 1 && seen[0] & EVENT_HUP, 'the last writer closing wakes readers with HUP');
  unreg();
  assert.equal(p.queue.size, 0);
  assert.equal(r.waitQueue, p.queue, 'descriptions wait on the pipe\'s queue');
});

test('F_SETPIPE_SZ: rounded up to a power-of-two number of pages, at least one page', () => {
  const p = new Pipe();
  assert.equal(p.setCapacity(0, false), 4096);
  assert.equal(p.setCapacity(1, false), 4096);
  assert.equal(p.setCapacity(4096, false), 4096);
  assert.equal(p.setCapacity(4097, false), 8192);
  assert.equal(p.setCapacity(3 * 4096, false), 16384);
  assert.equal(p.setCapacity(100000, false), 131072);
  assert.equal(p.setCapacity(PIPE_MAX_SIZE, false), PIPE_MAX_SIZE);
  assert.equal(p.capacity, PIPE_MAX_SIZE);
  assertErrno(() => p.setCapacity(PIPE_MAX_SIZE + 1, false), EPERM, 'above pipe-max-size without CAP_SYS_RESOURCE');
  assert.equal(p.capacity, PIPE_MAX_SIZE, 'unchanged');
  assert.equal(p.setCapacity(PIPE_MAX_SIZE + 1, true), 2 * PIPE_MAX_SIZE);
});

test('F_SETPIPE_SZ: EBUSY when shrinking below the buffered bytes; growing makes room', () => {
  const { r, w, p } = pipe();
  write(w, bytes(10000));
  assertErrno(() => p.setCapacity(8192, false), EBUSY);
  assert.equal(p.capacity, DEFAULT_PIPE_SIZE);
  assert.equal(p.setCapacity(16384, false), 16384);
  assert.equal(p.free, 16384 - 10000);
  read(r, 10000);
  assert.equal(p.setCapacity(4096, false), 4096);
  assert.equal(write(w, bytes(9000)), 4096, 'a large write fills the smaller pipe');
  assertErrno(() => write(w, bytes(1)), EAGAIN);
  assert.equal(p.setCapacity(1 << 20, false), 1 << 20);
  assert.equal(write(w, bytes(500000)), 500000);
});

test('F_SETPIPE_SZ above 2^31 bytes is EINVAL, as round_pipe_size gives 0', () => {
    const p = new Pipe();
    assertErrno(() => p.setCapacity(2 ** 32 - 1, true), EINVAL);
    assertErrno(() => p.setCapacity(-1, false), EINVAL);
    assert.equal(p.capacity, DEFAULT_PIPE_SIZE);
  });

test('anonymous pipes: not seekable, "pipe:[ino]" in /proc, S_IFIFO in fstat', () => {
  const { r, w } = pipe();
  assert.equal(r.positional, false);
  assertErrno(() => r.seek(0, 0), ESPIPE);
  assert.equal(r.linkName(null), `pipe:[${r.inode.ino}]`);
  assert.equal(r.stat().mode & 0o170000, S_IFIFO);
  assert.equal(r.inode, w.inode, 'both ends share one inode');
  const other = pipe();
  assert.notEqual(other.r.inode.ino, r.inode.ino);
  assert.equal(r.readable, true);
  assert.equal(r.writable, false);
  assert.equal(w.writable, true);
  assert.equal(w.readable, false);
});

// ---- FIFOs ----

function fifo() {
  const world = makeWorld();
  const t = world.root;
  mknodAt(t, AT_FDCWD, '/fifo', S_IFIFO | 0o666, 0n);
  return { t, inode: world.rootFs.root().inode.lookup('fifo') };
}

test('FIFO: O_RDONLY with no writer must wait (WouldBlock on the pipe\'s queue, for EVENT_IN)', () => {
  const { t, inode } = fifo();
  const e = errOf(() => open(t, '/fifo', O_RDONLY));
  assert.ok(e instanceof WouldBlock, `got ${e}`);
  assert.equal(e.queue, inode.pipe.queue);
  assert.equal(e.mask & EVENT_IN, EVENT_IN);
  assert.equal(inode.pipe.readers, 0, 'a waiting opener is not a reader yet');
  // The wait ends when a writer arrives; the retried open then succeeds.
  let woken = 0;
  const unreg = e.queue.register(() => woken++, e.mask);
  const w = open(t, '/fifo', O_RDWR);
  assert.ok(woken > 0, 'the writer\'s open wakes the waiting reader');
  unreg();
  const r = open(t, '/fifo', O_RDONLY);
  w.write(t, [enc('hi')], -1);
  assert.equal(dec(readN(r, t, 10)), 'hi');
  r.decRef();
  w.decRef();
});

test('FIFO: a blocking writer does not wait for a reader that is itself waiting in open (cat f & echo > f)', () => {
    const { t } = fifo();
    const e = errOf(() => open(t, '/fifo', O_RDONLY));
    assert.ok(e instanceof WouldBlock, 'the reader waits for a writer');
    let woken = 0;
    e.queue.register(() => woken++, e.mask);
    const w = errOf(() => open(t, '/fifo', O_WRONLY).decRef());
    assert.equal(w, null, 'Linux: the writer finds the waiting reader (readers was counted before it slept)');
    assert.ok(woken > 0);
  });

test('FIFO: O_RDONLY|O_NONBLOCK opens at once and reads EOF without a writer', () => {
  const { t, inode } = fifo();
  const r = open(t, '/fifo', O_RDONLY | O_NONBLOCK);
  assert.equal(inode.pipe.readers, 1);
  assert.equal(readN(r, t, 10).length, 0);
  r.decRef();
  assert.equal(inode.pipe.readers, 0);
});

test('FIFO: O_WRONLY|O_NONBLOCK with no reader is ENXIO; blocking O_WRONLY waits for EVENT_OUT', () => {
  const { t, inode } = fifo();
  assertErrno(() => open(t, '/fifo', O_WRONLY | O_NONBLOCK), ENXIO);
  const e = errOf(() => open(t, '/fifo', O_WRONLY));
  assert.ok(e instanceof WouldBlock);
  assert.equal(e.queue, inode.pipe.queue);
  assert.equal(e.mask & EVENT_OUT, EVENT_OUT);
  assert.equal(inode.pipe.writers, 0);
  const r = open(t, '/fifo', O_RDONLY | O_NONBLOCK);
  const w = open(t, '/fifo', O_WRONLY | O_NONBLOCK);
  assert.equal(inode.pipe.writers, 1);
  w.decRef();
  r.decRef();
});

test('FIFO: O_RDWR never waits and counts as both a reader and a writer', () => {
  const { t, inode } = fifo();
  const rw = open(t, '/fifo', O_RDWR);
  assert.equal(inode.pipe.readers, 1);
  assert.equal(inode.pipe.writers, 1);
  rw.write(t, [enc('loop')], -1);
  assert.equal(dec(readN(rw, t, 10)), 'loop');
  // With it open, other openers do not wait either.
  const r = open(t, '/fifo', O_RDONLY);
  const w = open(t, '/fifo', O_WRONLY | O_NONBLOCK);
  for (const f of [r, w, rw]) f.decRef();
  assert.equal(inode.pipe.readers, 0);
  assert.equal(inode.pipe.writers, 0);
});

test('FIFO: an O_RDWR descriptor polls writable too', () => {
    const { t } = fifo();
    const rw = open(t, '/fifo', O_RDWR);
    assert.equal(rw.readiness(EVENT_OUT), EVENT_OUT);
    rw.decRef();
  });

test('FIFO: a non-blocking reader that never saw a writer gets no POLLHUP', () => {
    const { t } = fifo();
    const r = open(t, '/fifo', O_RDONLY | O_NONBLOCK);
    assert.equal(r.readiness(EVENT_IN), 0, 'poll would otherwise spin on HUP');
    r.decRef();
  });

test('FIFO: a blocking reader waits for a new writer even while another reader is open', () => {
    const { t } = fifo();
    const r1 = open(t, '/fifo', O_RDONLY | O_NONBLOCK);
    const w = open(t, '/fifo', O_WRONLY | O_NONBLOCK);
    const r2 = open(t, '/fifo', O_RDONLY); // a writer is there: no wait
    w.decRef();
    const e = errOf(() => open(t, '/fifo', O_RDONLY));
    r1.decRef();
    r2.decRef();
    assert.ok(e instanceof WouldBlock, 'no writer now: fifo_open waits');
  });
