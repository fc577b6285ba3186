// SysV semaphores and message queues, and the mqueue file system, at the kernel
// level (kernel/ipc, fsimpl/mqueue): what the single-process C tests cannot show —
// other users' permissions, sleepers woken in order, SEM_UNDO at exit, hand-off to
// sleeping receivers. Blocking is driven by hand: a returned Block is "parked" by
// making it the task's block and watching its queues, as the scheduler would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Block } from '../../dist/tsc/sentry/kernel/block.js';
import { E2BIG, EACCES, EAGAIN, EIDRM, EINVAL, EMFILE, ENOSPC, EPERM } from '../../dist/tsc/abi/linux/errno.js';
import { IPC_CREAT, IPC_NOWAIT, IPC_PRIVATE } from '../../dist/tsc/sentry/kernel/ipc/ipc.js';
import { SEM_UNDO } from '../../dist/tsc/sentry/kernel/ipc/sem.js';
import { semExit } from '../../dist/tsc/sentry/kernel/ipc/namespace.js';
import { TaskState } from '../../dist/tsc/sentry/kernel/task.js';
import { assertErrno, makeWorld, user } from './vfs_helpers.mjs';

/** Parks b for t; returns a function telling whether a queue of b fired since. */
function park(t, b) {
  assert.ok(b instanceof Block, 'expected the call to block');
  t.block = b;
  t.state = TaskState.Blocked;
  let fired = false;
  for (const w of b.waits) w.queue.register(() => (fired = true), w.mask);
  return () => fired;
}

/** What the scheduler does after a wake-up: runs retry once. */
function resume(t, b) {
  t.block = null;
  t.state = TaskState.InSentry;
  return b.retry();
}

const msg = (type, text) => ({ type: BigInt(type), data: new Uint8Array(Buffer.from(text)) });
const perm = (uid, gid, mode) => ({ uid, gid, mode });

test('semaphores: other users need permission bits; only owners may remove', () => {
  const w = makeWorld();
  const sem = w.kernel.ipc.sem;
  const root = w.root;
  const alice = w.task(user(1000, 1000));
  const id = sem.get(root, 0x1234, 1, IPC_CREAT | 0o600);
  assert.equal(sem.get(alice, 0x1234, 0, 0), id, 'asking for no access is allowed');
  assertErrno(() => sem.get(alice, 0x1234, 0, 0o400), EACCES);
  assertErrno(() => sem.getVal(alice, id, 0), EACCES);
  assertErrno(() => sem.op(alice, id, [{ num: 0, op: 1, flg: 0 }], null), EACCES);
  assertErrno(() => sem.remove(alice, id), EPERM);
  assertErrno(() => sem.set(alice, id, perm(1000, 1000, 0o600)), EPERM);
  sem.set(root, id, perm(0, 1000, 0o660));
  assert.equal(sem.op(alice, id, [{ num: 0, op: 1, flg: 0 }], null), 0, 'group write');
  sem.set(root, id, perm(1000, 0, 0o600));
  assert.equal(sem.getVal(alice, id, 0), 1, 'owner now');
  sem.remove(alice, id);
});

test('semaphores: sleepers complete in order, on their behalf, and count in GETNCNT', () => {
  const w = makeWorld();
  const sem = w.kernel.ipc.sem;
  const [a, b, c] = [w.task(), w.task(), w.task()];
  const id = sem.get(a, IPC_PRIVATE, 1, 0o600);
  const ba = sem.op(a, id, [{ num: 0, op: -1, flg: 0 }], null);
  const firedA = park(a, ba);
  const bb = sem.op(b, id, [{ num: 0, op: -2, flg: 0 }], null);
  const firedB = park(b, bb);
  assert.equal(sem.count(c, id, 0, false), 2);
  assert.equal(sem.op(c, id, [{ num: 0, op: 1, flg: 0 }], null), 0);
  assert.ok(firedA() && !firedB(), 'the first sleeper got the unit');
  assert.equal(sem.getVal(c, id, 0), 0, 'already taken by the sleeper');
  assert.equal(resume(a, ba), 0);
  assert.equal(sem.count(c, id, 0, false), 1);
  sem.setVal(c, id, 0, 5);
  assert.ok(firedB());
  assert.equal(sem.getVal(c, id, 0), 3);
  assert.equal(resume(b, bb), 0);
});

test('semaphores: a wait for zero wakes when the value reaches zero; IPC_RMID gives EIDRM', () => {
  const w = makeWorld();
  const sem = w.kernel.ipc.sem;
  const [a, b] = [w.task(), w.task()];
  const id = sem.get(a, IPC_PRIVATE, 2, 0o600);
  sem.setVal(a, id, 0, 1);
  const bz = sem.op(b, id, [{ num: 0, op: 0, flg: 0 }], null);
  const firedZ = park(b, bz);
  assert.equal(sem.count(a, id, 0, true), 1, 'GETZCNT');
  assert.equal(sem.op(a, id, [{ num: 0, op: -1, flg: 0 }], null), 0);
  assert.ok(firedZ());
  assert.equal(resume(b, bz), 0);
  const bd = sem.op(b, id, [{ num: 1, op: -1, flg: 0 }], null);
  const firedD = park(b, bd);
  sem.remove(a, id);
  assert.ok(firedD());
  assertErrno(() => resume(b, bd), EIDRM);
});

test('semaphores: an interrupted or dead sleeper takes nothing', () => {
  const w = makeWorld();
  const sem = w.kernel.ipc.sem;
  const [a, b, c] = [w.task(), w.task(), w.task()];
  const id = sem.get(a, IPC_PRIVATE, 1, 0o600);
  const ba = sem.op(a, id, [{ num: 0, op: -1, flg: 0 }], null);
  park(a, ba);
  ba.onInterrupt();
  a.block = null;
  const bb = sem.op(b, id, [{ num: 0, op: -1, flg: 0 }], null);
  park(b, bb);
  b.block = null; // killed: the scheduler forgot its wait
  assert.equal(sem.count(c, id, 0, false), 0);
  sem.op(c, id, [{ num: 0, op: 1, flg: 0 }], null);
  assert.equal(sem.getVal(c, id, 0), 1, 'nobody consumed the unit');
});

test('semaphores: SEM_UNDO adjustments are applied when the process exits, clamped', () => {
  const w = makeWorld();
  const sem = w.kernel.ipc.sem;
  const [a, b, c] = [w.task(), w.task(), w.task()];
  const id = sem.get(a, IPC_PRIVATE, 2, 0o600);
  sem.op(a, id, [{ num: 0, op: 3, flg: SEM_UNDO }, { num: 1, op: 2, flg: SEM_UNDO }], null);
  sem.op(a, id, [{ num: 0, op: -3, flg: 0 }], null);
  sem.op(a, id, [{ num: 0, op: 2, flg: SEM_UNDO }], null); // net adj[0] = -5
  sem.setVal(c, id, 0, 7);
  // b waits for 8: the exit's adjustment must wake it.
  const bb = sem.op(b, id, [{ num: 1, op: 0, flg: 0 }, { num: 0, op: -7, flg: 0 }], null);
  assert.ok(bb instanceof Block, 'semaphore 1 is 2 (not zero)');
  const fired = park(b, bb);
  semExit(a.tg);
  assert.equal(sem.getVal(c, id, 1), 0, 'adj[1] = -2 applied');
  assert.ok(fired(), 'the exit completed the sleeper');
  assert.equal(resume(b, bb), 0);
  assert.equal(sem.getVal(c, id, 0), 0, 'SETVAL had cleared adj[0]; the sleeper took 7');
  semExit(a.tg); // a second call is harmless
  assert.equal(sem.getVal(c, id, 0), 0);
});

test('message queues: a sleeping receiver gets a matching message directly; E2BIG skips to the next', () => {
  const w = makeWorld();
  const mq = w.kernel.ipc.msg;
  const [a, b, c] = [w.task(), w.task(), w.task()];
  const id = mq.get(a, IPC_PRIVATE, 0o600);
  const got = [];
  const fill = (m) => (got.push(Buffer.from(m.data).toString()), m.data.length);
  const small = mq.receive(a, id, 2, 0n, 0, fill);
  const firedSmall = park(a, small);
  const typed = mq.receive(b, id, 100, 7n, 0, fill);
  const firedTyped = park(b, typed);
  assert.equal(mq.send(c, id, msg(3, 'three'), 0), 0);
  assert.ok(firedSmall() && !firedTyped(), 'the small receiver was told E2BIG');
  assertErrno(() => resume(a, small), E2BIG);
  assert.equal(mq.stat(c, id, false, true).messages.length, 1, 'nobody else wanted it');
  assert.equal(mq.send(c, id, msg(7, 'seven'), 0), 0);
  assert.ok(firedTyped());
  assert.equal(resume(b, typed), 5);
  assert.deepEqual(got, ['seven']);
  assert.equal(mq.stat(c, id, false, true).messages.length, 1, 'handed over, never queued');
  const waiting = mq.receive(a, id, 100, 9n, 0, fill);
  const firedW = park(a, waiting);
  mq.remove(c, id);
  assert.ok(firedW());
  assertErrno(() => resume(a, waiting), EIDRM);
});

test('message queues: senders wait for room; permissions', () => {
  const w = makeWorld();
  const mq = w.kernel.ipc.msg;
  const [a, b] = [w.task(), w.task()];
  const alice = w.task(user(1000));
  const id = mq.get(a, 0x77, IPC_CREAT | 0o640);
  assertErrno(() => mq.send(alice, id, msg(1, 'x'), 0), EACCES);
  assertErrno(() => mq.receive(alice, id, 10, 0n, IPC_NOWAIT, () => 0), EACCES);
  const q = mq.stat(a, id, false, true);
  assertErrno(() => mq.set(alice, id, perm(0, 0, 0o666), 10), EPERM);
  mq.set(a, id, perm(1000, 0, 0o640), 1 << 20);
  assert.equal(q.qbytes, 1 << 20, 'root may go above msgmnb');
  assertErrno(() => mq.set(alice, id, perm(1000, 0, 0o640), 1 << 20), EPERM);
  mq.set(alice, id, perm(0, 0, 0o640), 10);
  assert.equal(mq.send(a, id, msg(1, '123456789'), 0), 0);
  assertErrno(() => mq.send(a, id, msg(1, 'ab'), IPC_NOWAIT), EAGAIN);
  const bs = mq.send(b, id, msg(1, 'ab'), 0);
  const fired = park(b, bs);
  assert.equal(mq.receive(a, id, 100, 0n, 0, (m) => m.data.length), 9);
  assert.ok(fired());
  assert.equal(resume(b, bs), 0);
  assert.equal(q.messages.length, 1);
  mq.remove(a, id);
});

test('mqueue file system: limits for unprivileged creators', () => {
  const w = makeWorld();
  const fs = w.kernel.ipc.mqueue;
  const alice = w.task(user(1000));
  const opts = { mode: 0o100600, uid: 1000, gid: 1000 };
  assertErrno(() => fs.createQueue('big', opts, { maxmsg: 11, msgsize: 16 }, alice), EINVAL);
  assertErrno(() => fs.createQueue('big', opts, { maxmsg: 10, msgsize: 8193 }, alice), EINVAL);
  assert.ok(fs.createQueue('ok', opts, { maxmsg: 10, msgsize: 8192 }, alice));
  assert.ok(fs.createQueue('root', { ...opts, uid: 0 }, { maxmsg: 100, msgsize: 1000 }, w.root), 'root may exceed msg_max');
  assertErrno(() => fs.createQueue('huge', { ...opts, uid: 0 }, { maxmsg: 1000, msgsize: 100000 }, w.root), EMFILE);
  const saved = fs.limits.queuesMax;
  fs.limits.queuesMax = fs.queuesCount;
  assertErrno(() => fs.createQueue('more', opts, null, alice), ENOSPC);
  assert.ok(fs.createQueue('more', { ...opts, uid: 0 }, null, w.root), 'CAP_SYS_RESOURCE passes');
  fs.limits.queuesMax = saved;
  fs.dir.unlink('ok');
  assert.equal(fs.dir.lookup('ok'), null);
});
