// Credential transitions (kernel/cred_ops.ts), exec credentials (kernel/exec_creds.ts) and the
// seccomp classic-BPF engine (kernel/bpf.ts) as pure functions; test/c/creds*.c, capabilities.c and
// seccomp*.c check the same against Linux through the syscalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../dist/tsc/sentry/kernel/cred_ops.js';
import { ALL_CAPS, CAP_FS_SET, CAP_SETUID, Credentials, SECBIT_KEEP_CAPS } from '../../dist/tsc/sentry/kernel/credentials.js';
import { execCreds } from '../../dist/tsc/sentry/kernel/exec_creds.js';
import { compileSeccompProgram, runBpf } from '../../dist/tsc/sentry/kernel/bpf.js';
import { EINVAL, EPERM } from '../../dist/tsc/abi/linux/errno.js';
import { MS_NOSUID } from '../../dist/tsc/sentry/vfs/mount.js';

const bit = (c) => 1n << BigInt(c);

test('setresuid away from every root uid drops capabilities unless keepcaps', () => {
  const root = Credentials.root();
  const user = ops.setresuid(root, 1000, 1000, 1000);
  assert.equal(user.permitted, 0n);
  assert.equal(user.effective, 0n);
  const keep = ops.setresuid(ops.setKeepCaps(root, true), 1000, 1000, 1000);
  assert.equal(keep.permitted, ALL_CAPS);
  assert.equal(keep.effective, 0n, 'euid left 0: effective cleared even with keepcaps');
  assert.equal(keep.securebits & SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS);
  // the original is never mutated
  assert.equal(root.euid, 0);
  assert.equal(root.effective, ALL_CAPS);
});

test('saved uid 0 lets an unprivileged task get root back; effective follows', () => {
  const saved = ops.setresuid(Credentials.root(), 1000, 1000, 0);
  assert.equal(saved.effective, 0n);
  assert.throws(() => ops.setuid(saved, 2000), (e) => e === EPERM);
  const back = ops.setuid(saved, 0);
  assert.deepEqual([back.ruid, back.euid, back.suid], [1000, 0, 0]);
  assert.equal(back.effective, ALL_CAPS);
  assert.throws(() => ops.setuid(back, ops.NO_ID), (e) => e === EINVAL);
});

test('setfsuid moves the file-system capabilities only, and never fails', () => {
  const root = Credentials.root();
  const fs = ops.setfsuid(root, 1000);
  assert.equal(fs.effective, ALL_CAPS & ~CAP_FS_SET);
  assert.equal(ops.setfsuid(fs, 0).effective, ALL_CAPS);
  assert.equal(ops.setfsuid(root, ops.NO_ID), null);
  assert.equal(ops.setfsuid(Credentials.user(5, 5), 6), null);
});

test('setreuid: the saved uid follows euid when ruid is set or euid moves off ruid', () => {
  const c = ops.setreuid(Credentials.root(), ops.NO_ID, 1000);
  assert.deepEqual([c.ruid, c.euid, c.suid], [0, 1000, 1000]);
  const d = ops.setreuid(Credentials.user(1000, 1000), ops.NO_ID, 1000);
  assert.equal(d.suid, 1000);
});

test('capset: permitted never grows, effective within permitted, inheritable bounded', () => {
  const c = ops.capset(Credentials.root(), bit(CAP_SETUID), bit(CAP_SETUID), 0n);
  assert.throws(() => ops.capset(c, bit(0), bit(CAP_SETUID), 0n), (e) => e === EPERM);
  assert.throws(() => ops.capset(c, 0n, bit(0) | bit(CAP_SETUID), 0n), (e) => e === EPERM);
  assert.throws(() => ops.capset(c, 0n, bit(CAP_SETUID), bit(0)), (e) => e === EPERM, 'no CAP_SETPCAP');
  const amb = ops.setAmbient(ops.capset(Credentials.root(), ALL_CAPS, ALL_CAPS, bit(5)), 5, true);
  assert.equal(ops.capset(amb, ALL_CAPS, ALL_CAPS, 0n).ambient, 0n, 'ambient needs inheritable');
});

test('setgroups sorts and needs CAP_SETGID', () => {
  assert.deepEqual(ops.setgroups(Credentials.root(), [30, 10, 20]).groups, [10, 20, 30]);
  assert.throws(() => ops.setgroups(Credentials.user(1, 1), []), (e) => e === EPERM);
});

function execOf(creds, inode, flags = 0, noNewPrivs = false) {
  const t = { creds, noNewPrivs };
  return execCreds(t, { mount: { flags }, dentry: { inode } });
}

test('exec: set-uid root file, nosuid mounts and no_new_privs', () => {
  const user = Credentials.user(1000, 1000);
  const file = { mode: 0o104755, uid: 0, gid: 0 };
  const r = execOf(user, file);
  assert.deepEqual([r.creds.ruid, r.creds.euid, r.creds.suid], [1000, 0, 0]);
  assert.equal(r.creds.permitted, ALL_CAPS);
  assert.equal(r.secure, true);
  const nosuid = execOf(user, file, MS_NOSUID);
  assert.equal(nosuid.creds.euid, 1000);
  assert.equal(nosuid.secure, false);
  const nnp = execOf(user, file, 0, true);
  assert.equal(nnp.creds.euid, 1000);
  assert.equal(nnp.creds.permitted, 0n);
  const plain = execOf(Credentials.root(), { mode: 0o100755, uid: 0, gid: 0 });
  assert.equal(plain.secure, false);
  assert.equal(plain.creds.effective, ALL_CAPS);
});

/** Assembles [code, jt, jf, k] tuples into struct sock_filter bytes. */
function prog(...insns) {
  const b = new Uint8Array(insns.length * 8);
  const dv = new DataView(b.buffer);
  insns.forEach(([code, jt, jf, k], i) => {
    dv.setUint16(i * 8, code, true);
    dv.setUint8(i * 8 + 2, jt);
    dv.setUint8(i * 8 + 3, jf);
    dv.setUint32(i * 8 + 4, k >>> 0, true);
  });
  return compileSeccompProgram(b, 64);
}

test('classic BPF: arithmetic, division by a zero X, masked shifts, JSET, RET A', () => {
  const input = new Uint32Array(16);
  input[0] = 39;
  // A = nr; X = 0; A /= X -> program returns 0
  assert.equal(runBpf(prog([0x20, 0, 0, 0], [0x01, 0, 0, 0], [0x3c, 0, 0, 0], [0x16, 0, 0, 0]), input), 0);
  // A = 1; X = 33; A <<= X (shift by 33 & 31 = 1) -> 2
  assert.equal(runBpf(prog([0x00, 0, 0, 1], [0x01, 0, 0, 33], [0x6c, 0, 0, 0], [0x16, 0, 0, 0]), input), 2);
  // A = nr; A = -A -> 2^32 - 39
  assert.equal(runBpf(prog([0x20, 0, 0, 0], [0x84, 0, 0, 0], [0x16, 0, 0, 0]), input), 2 ** 32 - 39);
  // JSET 0x4 on 39 (0b100111) -> true branch
  assert.equal(runBpf(prog([0x20, 0, 0, 0], [0x45, 0, 1, 4], [0x06, 0, 0, 7], [0x06, 0, 0, 8]), input), 7);
  // LD len is the size of seccomp_data
  assert.equal(runBpf(prog([0x80, 0, 0, 0], [0x16, 0, 0, 0]), input), 64);
  assert.throws(() => prog([0x94, 0, 0, 3], [0x06, 0, 0, 0]), (e) => e === EINVAL, 'MOD is not for seccomp');
  assert.throws(() => prog([0x02, 0, 0, 0], [0x15, 1, 0, 0], [0x60, 0, 0, 1], [0x06, 0, 0, 0]),
    (e) => e === EINVAL, 'a path reads M[1] unwritten');
});
