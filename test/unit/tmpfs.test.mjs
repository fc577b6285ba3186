// tmpfs (fsimpl/tmpfs/tmpfs.ts) through the VFS: file data, sizes and the size
// limit, directory link counts, hard links, unlink while open, rename variants and
// FIFOs made with mknod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkAt, mkdirAt, mknodAt, renameAt, statAt, symlinkAt, unlinkAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { FifoInode, PipeDescription } from '../../dist/tsc/sentry/fsimpl/pipe/pipe.js';
import { EINVAL, ENOSPC, ENOTEMPTY, EOPNOTSUPP, EPERM } from '../../dist/tsc/abi/linux/errno.js';
import {
  O_APPEND, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, RENAME_EXCHANGE, SEEK_END, SEEK_SET,
} from '../../dist/tsc/abi/linux/fcntl.js';
import { DT_DIR, DT_FIFO, DT_LNK, DT_REG, S_IFDIR, S_IFIFO, S_IFMT } from '../../dist/tsc/abi/linux/stat.js';
import {
  AT_FDCWD, assertErrno, dec, enc, errOf, listDir, lookup, makeWorld, mkdir, open, readAllFrom, readFile, readN,
  writeFile,
} from './vfs_helpers.mjs';

const stat = (t, p) => statAt(t, AT_FDCWD, p, false, false);
const nlink = (t, p) => stat(t, p).nlink;
const rename = (t, a, b, flags = 0) => renameAt(t, AT_FDCWD, a, AT_FDCWD, b, flags);
const unlink = (t, p) => unlinkAt(t, AT_FDCWD, p, false);
const rmdir = (t, p) => unlinkAt(t, AT_FDCWD, p, true);

function world(opts = {}) {
  const w = makeWorld({ rootFs: new TmpfsFilesystem({ mode: 0o755, ...opts }) });
  return { w, t: w.root, fs: w.rootFs };
}

test('files grow on write, zero-filling any gap, and report their size', () => {
  const { t } = world();
  const f = open(t, '/f', O_RDWR | O_CREAT);
  assert.equal(f.write(t, [enc('abc')], -1), 3);
  assert.equal(f.write(t, [enc('XY')], 10), 2, 'pwrite past the end');
  assert.equal(f.stat().size, 12);
  assert.deepEqual([...readN(f, t, 100, 0)], [97, 98, 99, 0, 0, 0, 0, 0, 0, 0, 88, 89]);
  assert.equal(f.offset, 3, 'pwrite does not move the position');
  // Scatter/gather: one write from several buffers, one read into several.
  f.write(t, [enc('12'), enc(''), enc('345')], 0);
  const a = new Uint8Array(4);
  const b = new Uint8Array(4);
  assert.equal(f.read(t, [a, b], 0), 8);
  assert.equal(dec(a) + dec(b), '12345\0\0\0');
  assert.equal(readN(f, t, 10, 12).length, 0, 'EOF at the size');
  assert.equal(readN(f, t, 10, 1000).length, 0, 'and beyond it');
  // Big writes keep every byte.
  const big = new Uint8Array(300000).map((_, i) => i % 251);
  f.write(t, [big], 5);
  const back = readN(f, t, 300005, 0);
  assert.deepEqual(back.subarray(5), big);
  assert.equal(f.stat().size, 300005);
  assert.equal(f.stat().blocks, Math.ceil(300005 / 512));
  f.decRef();
});

test('truncation shrinks and grows; bytes cut off come back as zeros', () => {
  const { t } = world();
  writeFile(t, '/f', 'abcdefgh');
  const f = open(t, '/f', O_RDWR);
  f.truncate(3);
  assert.equal(f.stat().size, 3);
  assert.equal(readAllFrom(f, t), 'abc');
  f.truncate(8);
  assert.equal(readAllFrom(f, t), 'abc\0\0\0\0\0', 'no stale data reappears');
  f.truncate(0);
  assert.equal(f.stat().size, 0);
  f.write(t, [enc('z')], 4);
  assert.equal(readAllFrom(f, t), '\0\0\0\0z');
  assertErrno(() => f.truncate(-1), EINVAL);
  f.decRef();
  // O_TRUNC through open.
  open(t, '/f', O_WRONLY | O_TRUNC).decRef();
  assert.equal(stat(t, '/f').size, 0);
});

test('O_APPEND writes at the end whatever the position; lseek SEEK_END uses the size', () => {
  const { t } = world();
  writeFile(t, '/log', 'one\n');
  const f = open(t, '/log', O_WRONLY | O_APPEND);
  f.seek(0, SEEK_SET);
  f.write(t, [enc('two\n')], -1);
  f.write(t, [enc('three\n')], 0); // pwrite with O_APPEND appends too (Linux)
  assert.equal(readFile(t, '/log'), 'one\ntwo\nthree\n');
  assert.equal(f.seek(-2, SEEK_END), 12);
  f.decRef();
});

test('writes update mtime and ctime; reads do not change the data', () => {
  const { t } = world();
  writeFile(t, '/f', 'x');
  const inode = lookup(t, '/f').dentry.inode;
  inode.setattr({ mtime: { sec: 1, nsec: 0 }, ctime: { sec: 1, nsec: 0 } });
  const f = open(t, '/f', O_RDWR);
  readN(f, t, 1);
  assert.equal(stat(t, '/f').mtime.sec, 1);
  f.write(t, [enc('y')], 0);
  assert.ok(stat(t, '/f').mtime.sec > 1);
  assert.ok(stat(t, '/f').ctime.sec > 1);
  f.decRef();
});

test('directory nlink: 2 + number of subdirectories, as they come and go', () => {
  const { t } = world();
  assert.equal(nlink(t, '/'), 2);
  mkdir(t, '/a');
  mkdir(t, '/b');
  writeFile(t, '/file', '');
  assert.equal(nlink(t, '/'), 4, 'files do not count');
  assert.equal(nlink(t, '/a'), 2);
  mkdir(t, '/a/x');
  mkdir(t, '/a/y');
  assert.equal(nlink(t, '/a'), 4);
  rmdir(t, '/a/y');
  assert.equal(nlink(t, '/a'), 3);
  // Moving a directory moves its ".." link.
  rename(t, '/a/x', '/b/x');
  assert.equal(nlink(t, '/a'), 2);
  assert.equal(nlink(t, '/b'), 3);
  // Replacing an empty directory: the target's parent keeps its count.
  mkdir(t, '/a/x');
  rename(t, '/b/x', '/a/x');
  assert.equal(nlink(t, '/a'), 3);
  assert.equal(nlink(t, '/b'), 2);
  // Renaming within one directory changes nothing.
  rename(t, '/a/x', '/a/z');
  assert.equal(nlink(t, '/a'), 3);
  // Exchanging a directory with a file across parents.
  writeFile(t, '/b/f', '');
  rename(t, '/a/z', '/b/f', RENAME_EXCHANGE);
  assert.equal(nlink(t, '/a'), 2);
  assert.equal(nlink(t, '/b'), 3);
  assert.equal(stat(t, '/b/f').mode & S_IFMT, S_IFDIR);
  // Exchanging two directories across parents: counts stay.
  mkdir(t, '/a/d');
  rename(t, '/a/d', '/b/f', RENAME_EXCHANGE);
  assert.equal(nlink(t, '/a'), 3);
  assert.equal(nlink(t, '/b'), 3);
  const removed = lookup(t, '/a/d').dentry.inode;
  rmdir(t, '/a/d');
  assert.equal(removed.nlink, 0, 'a removed directory has no links');
});

test('hard links share the inode and its data; the data lives until the last name goes', () => {
  const { t } = world();
  writeFile(t, '/a', 'shared');
  const ctime0 = { sec: 5, nsec: 0 };
  lookup(t, '/a').dentry.inode.setattr({ ctime: ctime0 });
  linkAt(t, AT_FDCWD, '/a', AT_FDCWD, '/b', false, false);
  assert.equal(stat(t, '/a').ino, stat(t, '/b').ino);
  assert.equal(nlink(t, '/a'), 2);
  assert.ok(stat(t, '/a').ctime.sec > 5, 'link changes ctime');
  writeFile(t, '/b', 'changed via b');
  assert.equal(readFile(t, '/a'), 'changed via b');
  unlink(t, '/a');
  assert.equal(nlink(t, '/b'), 1);
  assert.equal(readFile(t, '/b'), 'changed via b');
  assert.deepEqual(listDir(t, '/'), ['b']);
});

test('unlink while open: the data stays readable and charged until the last close', () => {
  const { t, fs } = world({ maxBytes: 1 << 20 });
  const total = fs.statfs().bfree;
  const f1 = open(t, '/f', O_RDWR | O_CREAT);
  f1.write(t, [new Uint8Array(8192).fill(7)], -1);
  const f2 = open(t, '/f', O_RDONLY);
  assert.equal(fs.statfs().bfree, total - 2);
  unlink(t, '/f');
  assert.deepEqual(listDir(t, '/'), []);
  assert.equal(f1.stat().nlink, 0);
  assert.equal(readN(f2, t, 8192, 0).length, 8192);
  f1.write(t, [enc('more')], 8192);
  assert.equal(f2.stat().size, 8196, 'writes through one, seen through the other');
  f1.decRef();
  assert.equal(fs.statfs().bfree, total - 3, 'one description is still open');
  assert.equal(readN(f2, t, 4, 8192).length, 4);
  f2.decRef();
  assert.equal(fs.statfs().bfree, total, 'freed at the last close');
  // Not unlinked: closing keeps the data.
  writeFile(t, '/kept', 'kept');
  assert.equal(readFile(t, '/kept'), 'kept');
});

test('rename over a file or an empty directory replaces it; a non-empty one is ENOTEMPTY', () => {
  const { t, fs } = world({ maxBytes: 1 << 20 });
  const total = fs.statfs().bfree;
  writeFile(t, '/old', 'x'.repeat(4096));
  writeFile(t, '/new', 'new');
  const victim = open(t, '/old', O_RDONLY);
  rename(t, '/new', '/old');
  assert.equal(readFile(t, '/old'), 'new');
  assert.equal(readN(victim, t, 10).length, 10, 'the replaced file stays readable while open');
  victim.decRef();
  assert.equal(fs.statfs().bfree, total - 1, 'and is freed when closed');
  mkdir(t, '/d1');
  writeFile(t, '/d1/f', '1');
  mkdir(t, '/d2');
  rename(t, '/d1', '/d2');
  assert.equal(readFile(t, '/d2/f'), '1');
  mkdir(t, '/d3');
  assertErrno(() => rename(t, '/d3', '/d2'), ENOTEMPTY);
  // Directly on the inode, too (the VFS checks nothing about emptiness).
  const root = fs.root().inode;
  assertErrno(() => root.rename('d3', root, 'd2', 0), ENOTEMPTY);
});

test('RENAME_EXCHANGE swaps two names atomically', () => {
  const { t } = world();
  mkdir(t, '/p');
  mkdir(t, '/q');
  writeFile(t, '/p/a', 'A');
  writeFile(t, '/q/b', 'B');
  const ia = stat(t, '/p/a').ino;
  const ib = stat(t, '/q/b').ino;
  rename(t, '/p/a', '/q/b', RENAME_EXCHANGE);
  assert.equal(stat(t, '/p/a').ino, ib);
  assert.equal(stat(t, '/q/b').ino, ia);
  assert.equal(readFile(t, '/p/a'), 'B');
  assert.equal(readFile(t, '/q/b'), 'A');
  assert.deepEqual(listDir(t, '/p'), ['a']);
  assert.deepEqual(listDir(t, '/q'), ['b']);
});

test('the size limit: writes past it are ENOSPC; truncating and unlinking give space back', () => {
  const { t, fs } = world({ maxBytes: 16384 });
  assert.equal(fs.statfs().blocks, 4);
  const f = open(t, '/f', O_RDWR | O_CREAT);
  assert.equal(f.write(t, [new Uint8Array(16384)], -1), 16384);
  assert.equal(fs.statfs().bfree, 0);
  assertErrno(() => f.write(t, [enc('x')], -1), ENOSPC);
  assert.equal(f.stat().size, 16384, 'a failed write changes nothing');
  const g = open(t, '/g', O_RDWR | O_CREAT);
  assertErrno(() => g.write(t, [enc('x')], -1), ENOSPC, 'the limit is per file system');
  f.truncate(8192);
  assert.equal(g.write(t, [new Uint8Array(8192)], -1), 8192);
  assertErrno(() => f.write(t, [enc('x')], 8192), ENOSPC);
  f.write(t, [enc('overwrite')], 0); // in place: no new space
  f.decRef();
  unlink(t, '/f');
  assert.equal(g.write(t, [new Uint8Array(8192)], -1), 8192);
  g.decRef();
  assert.equal(fs.statfs().bfree, 0);
});

test('a write that crosses the size limit is short, not ENOSPC', () => {
    const { t } = world({ maxBytes: 8192 });
    const f = open(t, '/f', O_RDWR | O_CREAT);
    const n = f.write(t, [new Uint8Array(10000).fill(1)], -1);
    assert.equal(n, 8192);
    assert.equal(f.stat().size, 8192);
    f.decRef();
  });

test('ftruncate beyond the size limit succeeds: tmpfs files are sparse', () => {
    const { t, fs } = world({ maxBytes: 8192 });
    const f = open(t, '/f', O_RDWR | O_CREAT);
    f.truncate(1 << 20);
    assert.equal(f.stat().size, 1 << 20);
    assert.equal(fs.statfs().bfree, 2, 'holes use no space');
    f.decRef();
  });

test('FIFOs made with mknod: one pipe shared by every open of the node', () => {
  const { t } = world();
  mknodAt(t, AT_FDCWD, '/fifo', S_IFIFO | 0o640, 0n);
  const st = stat(t, '/fifo');
  assert.equal(st.mode, S_IFIFO | 0o640);
  assert.equal(st.size, 0);
  assert.ok(lookup(t, '/fifo').dentry.inode instanceof FifoInode);
  const r = open(t, '/fifo', O_RDONLY | O_NONBLOCK);
  const w = open(t, '/fifo', O_WRONLY | O_NONBLOCK);
  assert.ok(r instanceof PipeDescription);
  w.write(t, [enc('through the fifo')], -1);
  assert.equal(dec(readN(r, t, 100)), 'through the fifo');
  const rw = open(t, '/fifo', O_RDWR);
  rw.write(t, [enc('again')], -1);
  assert.equal(dec(readN(r, t, 100)), 'again');
  assert.equal(r.positional, false, 'pread on a FIFO is ESPIPE');
  for (const f of [r, w, rw]) f.decRef();
  // A regular file and a FIFO side by side in the listing, with their types.
  writeFile(t, '/reg', '');
  symlinkAt(t, 'reg', AT_FDCWD, '/link');
  mkdirAt(t, AT_FDCWD, '/dir', 0o755);
  const types = {};
  const d = open(t, '/', O_RDONLY);
  d.iterateDir(t, (e) => ((types[e.name] = e.type), true));
  d.decRef();
  assert.deepEqual(types, { '.': DT_DIR, '..': DT_DIR, fifo: DT_FIFO, reg: DT_REG, link: DT_LNK, dir: DT_DIR });
});

test('mknod without a device table: regular files work, device nodes are EINVAL', () => {
  const { t } = world();
  mknodAt(t, AT_FDCWD, '/plain', 0o600, 0n);
  assert.equal(stat(t, '/plain').mode, 0o100600);
  assertErrno(() => mknodAt(t, AT_FDCWD, '/chr', 0o020600, 0x103n), EINVAL);
  assert.equal(errOf(() => stat(t, '/chr')) !== null, true, 'nothing was created');
});

test('symlinks: size is the target length; directory mtime moves on create/remove', () => {
  const { t } = world();
  symlinkAt(t, 'some/target', AT_FDCWD, '/l');
  assert.equal(stat(t, '/l').size, 11);
  assert.equal(lookup(t, '/l', false).dentry.inode.readlink(), 'some/target');
  mkdir(t, '/d');
  const d = lookup(t, '/d').dentry.inode;
  d.setattr({ mtime: { sec: 1, nsec: 0 } });
  writeFile(t, '/d/f', '');
  assert.ok(stat(t, '/d').mtime.sec > 1, 'create');
  d.setattr({ mtime: { sec: 1, nsec: 0 } });
  unlink(t, '/d/f');
  assert.ok(stat(t, '/d').mtime.sec > 1, 'unlink');
});

test('readdir positions: a directory read in two parts, then rewound', () => {
  const { t } = world();
  for (const n of ['a', 'b', 'c', 'd']) writeFile(t, '/' + n, '');
  const d = open(t, '/', O_RDONLY);
  const first = [];
  d.iterateDir(t, (e) => (first.length < 3 ? (first.push(e.name), true) : false));
  const rest = [];
  d.iterateDir(t, (e) => (rest.push(e.name), true));
  assert.deepEqual([...first, ...rest].sort(), ['.', '..', 'a', 'b', 'c', 'd']);
  assert.equal(first.length, 3);
  d.seek(0, SEEK_SET);
  const again = [];
  d.iterateDir(t, (e) => (again.push(e.name), true));
  assert.equal(again.length, 6);
  d.decRef();
});

test('fallocate: sizes, KEEP_SIZE, holes, and the size limit', () => {
  const { t, fs } = world({ maxBytes: 16384 });
  const f = open(t, '/f', O_RDWR | O_CREAT);
  f.allocate(0, 0, 8192);
  assert.equal(f.stat().size, 8192);
  f.allocate(1 /* KEEP_SIZE */, 8192, 4096);
  assert.equal(f.stat().size, 8192);
  assertErrno(() => f.allocate(0, 0, 32768), ENOSPC, 'more than the file system can hold');
  assert.equal(f.stat().size, 8192, 'a failed allocation changes nothing');
  assertErrno(() => f.allocate(0x10 /* ZERO_RANGE */, 0, 10), EOPNOTSUPP, 'shmem has no ZERO_RANGE');
  f.write(t, [new Uint8Array(8192).fill(7)], 0);
  assert.equal(fs.statfs().bfree, 2);
  f.allocate(3 /* PUNCH_HOLE|KEEP_SIZE */, 4096, 4096);
  assert.equal(fs.statfs().bfree, 3, 'a hole at the end gives the space back');
  f.allocate(3, 0, 10);
  assert.deepEqual([...readN(f, t, 12, 0)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7]);
  assert.equal(f.stat().size, 8192);
  f.decRef();
});

test('seals on tmpfs files: writes, truncation and allocation are refused as mm/memfd.c does', () => {
  const { t } = world();
  const f = open(t, '/f', O_RDWR | O_CREAT);
  f.write(t, [enc('0123456789')], 0);
  const inode = f.file;
  assert.equal(inode.seals, 1, 'F_SEAL_SEAL: plain tmpfs files cannot be sealed');
  inode.seals = 2 | 4; // SHRINK | GROW
  assertErrno(() => f.truncate(5), EPERM);
  assertErrno(() => f.truncate(20), EPERM);
  assertErrno(() => f.write(t, [enc('x')], 10), EPERM);
  assertErrno(() => f.allocate(0, 0, 20), EPERM);
  assert.equal(f.write(t, [enc('ab')], 0), 2, 'inside the size is fine');
  inode.seals |= 8; // WRITE
  assertErrno(() => f.write(t, [enc('x')], 0), EPERM);
  assertErrno(() => f.allocate(3, 0, 4), EPERM, 'punching a hole writes');
  assert.equal(f.mapping().writeSealed, true);
  assert.equal(dec(readN(f, t, 10, 0)), 'ab23456789');
  f.decRef();
});
