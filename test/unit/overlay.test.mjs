// The overlay (fsimpl/overlay/overlay.ts) with a tmpfs as the lower layer too, so
// no gofer is needed: fall-through reads, copy-up, whiteouts, opaque directories,
// merged readdir, rename and link rules, and a root that stays un-copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayFilesystem } from '../../dist/tsc/sentry/fsimpl/overlay/overlay.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { linkAt, mkdirAt, readlinkAt, renameAt, statAt, symlinkAt, unlinkAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { EACCES, EEXIST, ENOENT, ENOTEMPTY, EXDEV } from '../../dist/tsc/abi/linux/errno.js';
import { O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, RENAME_EXCHANGE } from '../../dist/tsc/abi/linux/fcntl.js';
import {
  AT_FDCWD, assertErrno, enc, errOf, listDir, lookup, makeWorld, mkdir, open, readAllFrom, readFile, user, writeFile,
} from './vfs_helpers.mjs';

const stat = (t, p, follow = false) => statAt(t, AT_FDCWD, p, follow, false);
const unlink = (t, p) => unlinkAt(t, AT_FDCWD, p, false);
const rmdir = (t, p) => unlinkAt(t, AT_FDCWD, p, true);
const rename = (t, a, b, flags = 0) => renameAt(t, AT_FDCWD, a, AT_FDCWD, b, flags);
const exists = (t, p) => errOf(() => stat(t, p)) === null;

const T1000 = { sec: 1000, nsec: 5 };
const T2000 = { sec: 2000, nsec: 7 };

/**
 * Lower layer (a tmpfs, filled through its own VFS view):
 *   /etc/conf "lower conf" (0640, uid 123, gid 456, mtime 1000)
 *   /etc/other "other"
 *   /dir/l1 "l1", /dir/sub/deep "deep"
 *   /bin/sh -> busybox, /bin/busybox "bb" (04755)
 *   /top "top"
 * and an overlay mounted as the root of a second namespace.
 */
function layers() {
  const lowerFs = new TmpfsFilesystem({ mode: 0o755 });
  const lw = makeWorld({ rootFs: lowerFs });
  const l = lw.root;
  mkdir(l, '/etc');
  writeFile(l, '/etc/conf', 'lower conf', 0o640);
  lookup(l, '/etc/conf').dentry.inode.setattr({ uid: 123, gid: 456, mode: 0o640, atime: T1000, mtime: T1000, ctime: T1000 });
  writeFile(l, '/etc/other', 'other');
  mkdir(l, '/dir');
  writeFile(l, '/dir/l1', 'l1');
  mkdir(l, '/dir/sub');
  writeFile(l, '/dir/sub/deep', 'deep');
  lookup(l, '/dir').dentry.inode.setattr({ mode: 0o750, uid: 7, gid: 8, mtime: T2000 });
  mkdir(l, '/bin');
  writeFile(l, '/bin/busybox', 'bb');
  lookup(l, '/bin/busybox').dentry.inode.setattr({ mode: 0o4755 });
  symlinkAt(l, 'busybox', AT_FDCWD, '/bin/sh');
  writeFile(l, '/top', 'top');
  lowerFs.root().inode.setattr({ mtime: T1000 });
  const ovl = new OverlayFilesystem(lowerFs.root().inode);
  const w = makeWorld({ rootFs: ovl });
  return { l, lowerFs, ovl, w, t: w.root };
}

/** stat without the fields that are the overlay's own (st_dev). */
function core(st) {
  const { dev, ...rest } = st;
  return rest;
}

test('reads fall through to the lower layer; stat shows the lower inode on the overlay device', () => {
  const { l, ovl, t } = layers();
  assert.equal(readFile(t, '/etc/conf'), 'lower conf');
  assert.equal(readFile(t, '/dir/sub/deep'), 'deep');
  assert.equal(readFile(t, '/bin/sh'), 'bb', 'through a lower symlink');
  assert.equal(readlinkAt(t, AT_FDCWD, '/bin/sh', false), 'busybox');
  const st = stat(t, '/etc/conf');
  assert.deepEqual(core(st), core(stat(l, '/etc/conf')));
  assert.equal(st.dev, ovl.dev);
  assert.notEqual(st.dev, stat(l, '/etc/conf').dev);
  assert.deepEqual(listDir(t, '/etc'), ['conf', 'other']);
  assertErrno(() => stat(t, '/etc/none'), ENOENT);
  // Reading copied nothing up.
  assert.equal(ovl.upper.root().inode.children.size, 0);
});

test('copy-up on open for writing: the lower file stays intact; mode, owner and times are copied', () => {
  const { l, ovl, t } = layers();
  const before = stat(t, '/etc/conf');
  const f = open(t, '/etc/conf', O_RDWR);
  const up = ovl.upper.root().inode.lookup('etc')?.lookup('conf');
  assert.ok(up, 'the file (and its parent) now exist in the upper layer');
  const after = stat(t, '/etc/conf');
  assert.equal(after.mode, before.mode);
  assert.equal(after.uid, 123);
  assert.equal(after.gid, 456);
  assert.deepEqual(after.mtime, T1000, 'mtime survives the copy');
  assert.deepEqual(after.atime, T1000);
  assert.equal(after.ino, before.ino, 'the inode number is kept across copy-up');
  assert.equal(after.size, before.size);
  assert.equal(readAllFrom(f, t), 'lower conf', 'data copied');
  f.write(t, [enc('UPPER')], 0);
  f.decRef();
  assert.equal(readFile(t, '/etc/conf'), 'UPPER conf');
  assert.equal(readFile(l, '/etc/conf'), 'lower conf', 'lower untouched');
  assert.deepEqual(stat(l, '/etc/conf').mtime, T1000);
  // The copied-up parent directory keeps the lower directory's attributes too.
  const g = open(t, '/dir/l1', O_WRONLY);
  g.decRef();
  const dirSt = stat(t, '/dir');
  assert.equal(dirSt.mode & 0o7777, 0o750);
  assert.equal(dirSt.uid, 7);
  assert.equal(dirSt.gid, 8);
  assert.equal(stat(t, '/bin/busybox').mode & 0o7777, 0o4755);
  open(t, '/bin/busybox', O_WRONLY).decRef();
  assert.equal(stat(t, '/bin/busybox').mode & 0o7777, 0o4755, 'set-id bits are copied too');
});

test('O_TRUNC and chmod copy up first; the lower file is unchanged', () => {
  const { l, t } = layers();
  open(t, '/etc/other', O_WRONLY | O_TRUNC).decRef();
  assert.equal(readFile(t, '/etc/other'), '');
  assert.equal(readFile(l, '/etc/other'), 'other');
  lookup(t, '/etc/conf').dentry.inode.setattr({ mode: 0o600 });
  assert.equal(stat(t, '/etc/conf').mode & 0o7777, 0o600);
  assert.equal(stat(l, '/etc/conf').mode & 0o7777, 0o640);
  assert.equal(readFile(t, '/etc/conf'), 'lower conf');
});

test('a read-only descriptor opened before copy-up sees later writes (Linux >= 4.19)', () => {
    const { t } = layers();
    const r = open(t, '/etc/other', O_RDONLY);
    const w = open(t, '/etc/other', O_WRONLY);
    w.write(t, [enc('OTHER')], 0);
    w.decRef();
    assert.equal(readAllFrom(r, t), 'OTHER');
    r.decRef();
  });

test('unlink of a lower file leaves a whiteout: gone from lookup and readdir; recreating works', () => {
  const { l, t } = layers();
  unlink(t, '/etc/conf');
  assertErrno(() => stat(t, '/etc/conf'), ENOENT);
  assertErrno(() => open(t, '/etc/conf', O_RDONLY), ENOENT);
  assert.deepEqual(listDir(t, '/etc'), ['other']);
  assert.equal(readFile(l, '/etc/conf'), 'lower conf', 'the lower layer is never modified');
  assertErrno(() => unlink(t, '/etc/conf'), ENOENT);
  const f = open(t, '/etc/conf', O_WRONLY | O_CREAT, 0o600);
  f.write(t, [enc('fresh')], -1);
  f.decRef();
  assert.equal(readFile(t, '/etc/conf'), 'fresh');
  assert.equal(stat(t, '/etc/conf').mode & 0o7777, 0o600);
  assert.equal(stat(t, '/etc/conf').uid, 0, 'a new file, not the lower one');
  assert.deepEqual(listDir(t, '/etc'), ['conf', 'other']);
});

test('removing a file recreated over a whiteout keeps the lower file hidden', () => {
    const { t } = layers();
    unlink(t, '/etc/conf');
    writeFile(t, '/etc/conf', 'fresh');
    unlink(t, '/etc/conf');
    assertErrno(() => stat(t, '/etc/conf'), ENOENT, 'rm; echo > f; rm f');
    // The same through rename: an upper file moved over a lower one, then removed.
    writeFile(t, '/etc/tmp', 'new other');
    rename(t, '/etc/tmp', '/etc/other');
    assert.equal(readFile(t, '/etc/other'), 'new other');
    unlink(t, '/etc/other');
    assertErrno(() => stat(t, '/etc/other'), ENOENT, 'mv tmp f; rm f');
    assert.deepEqual(listDir(t, '/etc'), []);
  });

test('a directory created over a deleted lower directory is opaque', () => {
  const { l, t } = layers();
  unlink(t, '/dir/sub/deep');
  rmdir(t, '/dir/sub');
  assertErrno(() => stat(t, '/dir/sub'), ENOENT);
  mkdirAt(t, AT_FDCWD, '/dir/sub', 0o700);
  assert.deepEqual(listDir(t, '/dir/sub'), [], 'lower children invisible');
  assertErrno(() => stat(t, '/dir/sub/deep'), ENOENT);
  writeFile(t, '/dir/sub/deep', 'new deep');
  assert.equal(readFile(t, '/dir/sub/deep'), 'new deep');
  assert.equal(readFile(l, '/dir/sub/deep'), 'deep');
  assert.equal(stat(t, '/dir/sub').mode & 0o7777, 0o700);
  assert.deepEqual(listDir(t, '/dir'), ['l1', 'sub']);
});

test('rmdir: lower directories must look empty through the overlay', () => {
  const { t } = layers();
  assertErrno(() => rmdir(t, '/dir/sub'), ENOTEMPTY);
  unlink(t, '/dir/sub/deep');
  rmdir(t, '/dir/sub');
  assert.deepEqual(listDir(t, '/dir'), ['l1']);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/dir/l1', 0o755), EEXIST, 'a lower name is taken');
});

test('readdir merges both layers without duplicates, in nested directories too', () => {
  const { t } = layers();
  writeFile(t, '/new', 'n');
  open(t, '/top', O_WRONLY).decRef(); // copied up: now in both layers
  mkdir(t, '/dir/u1');
  writeFile(t, '/dir/l1', 'changed'); // copy-up of a lower file in a lower dir
  assert.deepEqual(listDir(t, '/'), ['bin', 'dir', 'etc', 'new', 'top']);
  assert.deepEqual(listDir(t, '/dir'), ['l1', 'sub', 'u1']);
  const d = open(t, '/dir', O_RDONLY);
  const inos = {};
  d.iterateDir(t, (e) => ((inos[e.name] = e.ino), true));
  d.decRef();
  assert.equal(inos.l1, stat(t, '/dir/l1').ino, 'getdents inode numbers match stat');
  assert.equal(inos.sub, stat(t, '/dir/sub').ino);
  assert.equal(inos.u1, stat(t, '/dir/u1').ino);
});

test('rename of a lower file copies it up and whites out the old name', () => {
  const { l, t } = layers();
  rename(t, '/etc/conf', '/etc/conf.bak');
  assert.equal(readFile(t, '/etc/conf.bak'), 'lower conf');
  assert.equal(stat(t, '/etc/conf.bak').uid, 123);
  assertErrno(() => stat(t, '/etc/conf'), ENOENT);
  assert.deepEqual(listDir(t, '/etc'), ['conf.bak', 'other']);
  // Over another lower file, across directories.
  rename(t, '/etc/other', '/dir/l1');
  assert.equal(readFile(t, '/dir/l1'), 'other');
  assert.deepEqual(listDir(t, '/etc'), ['conf.bak']);
  assert.deepEqual(listDir(t, '/dir'), ['l1', 'sub']);
  assert.equal(readFile(l, '/etc/conf'), 'lower conf');
  assert.equal(readFile(l, '/dir/l1'), 'l1');
});

test('rename of a lower directory is EXDEV; upper-only directories move freely', () => {
  const { t } = layers();
  assertErrno(() => rename(t, '/dir', '/dir2'), EXDEV);
  assertErrno(() => rename(t, '/dir/sub', '/sub'), EXDEV);
  assert.deepEqual(listDir(t, '/dir'), ['l1', 'sub']);
  mkdir(t, '/mine');
  writeFile(t, '/mine/f', 'f');
  rename(t, '/mine', '/dir/mine');
  assert.equal(readFile(t, '/dir/mine/f'), 'f');
  assertErrno(() => stat(t, '/mine'), ENOENT);
});

test('a hard link to a lower file copies it up; both names share one inode', () => {
  const { l, t } = layers();
  linkAt(t, AT_FDCWD, '/etc/conf', AT_FDCWD, '/etc/conf.link', false, false);
  const a = stat(t, '/etc/conf');
  const b = stat(t, '/etc/conf.link');
  assert.equal(a.ino, b.ino);
  assert.equal(a.nlink, 2);
  assert.equal(b.nlink, 2);
  assert.equal(lookup(t, '/etc/conf').dentry.inode, lookup(t, '/etc/conf.link').dentry.inode);
  writeFile(t, '/etc/conf.link', 'via link');
  assert.equal(readFile(t, '/etc/conf'), 'via link');
  assert.equal(readFile(l, '/etc/conf'), 'lower conf');
  assert.equal(stat(l, '/etc/conf').nlink, 1);
  unlink(t, '/etc/conf');
  assert.equal(readFile(t, '/etc/conf.link'), 'via link');
  assert.equal(stat(t, '/etc/conf.link').nlink, 1);
  assertErrno(() => stat(t, '/etc/conf'), ENOENT, 'the lower file stays whited out');
});

test('the root stays un-copied (stat equals the lower root) until something changes it', () => {
  const { l, ovl, t } = layers();
  const lowerRoot = stat(l, '/');
  assert.deepEqual(core(stat(t, '/')), core(lowerRoot));
  readFile(t, '/etc/conf');
  open(t, '/top', O_RDONLY).decRef();
  listDir(t, '/');
  assert.deepEqual(core(stat(t, '/')), core(lowerRoot), 'reads change nothing');
  assert.deepEqual(stat(t, '/').mtime, T1000);
  writeFile(t, '/created', 'c');
  const after = stat(t, '/');
  assert.equal(after.ino, lowerRoot.ino, 'the root keeps its inode number');
  assert.equal(after.mode, lowerRoot.mode);
  assert.equal(after.uid, lowerRoot.uid);
  assert.ok(after.mtime.sec > T1000.sec, 'the upper root changed');
  assert.equal(lookup(t, '/').dentry.inode.upper, ovl.upper.root().inode);
  assert.deepEqual(core(stat(l, '/')), core(lowerRoot), 'lower root untouched');
});

test('permissions come from the lower file until copy-up, then from the copy', () => {
  const { w, t } = layers();
  const other = w.task(user(999));
  assertErrno(() => open(other, '/dir/l1', O_RDONLY), EACCES, '/dir is 0750 for uid 7');
  const owner = w.task(user(7, 8));
  assert.equal(readFile(owner, '/dir/l1'), 'l1');
  lookup(t, '/dir').dentry.inode.setattr({ mode: 0o755 });
  assert.equal(readFile(other, '/dir/l1'), 'l1');
});

test('files created in the overlay get inode numbers no lower file has',
  () => {
    const { l, t } = layers();
    writeFile(t, '/n1', '1');
    writeFile(t, '/n2', '2');
    mkdir(t, '/n3');
    const lowerInos = new Set();
    const walk = (p) => {
      lowerInos.add(stat(l, p).ino);
      if (stat(l, p).mode & 0o040000) for (const n of listDir(l, p)) walk(p === '/' ? '/' + n : `${p}/${n}`);
    };
    walk('/');
    for (const p of ['/n1', '/n2', '/n3']) assert.ok(!lowerInos.has(stat(t, p).ino), `${p} has ino ${stat(t, p).ino}`);
  });

test('RENAME_EXCHANGE works on the overlay as on Linux overlayfs', () => {
    const { t } = layers();
    writeFile(t, '/a', 'A');
    writeFile(t, '/b', 'B');
    rename(t, '/a', '/b', RENAME_EXCHANGE);
    assert.equal(readFile(t, '/a'), 'B');
    assert.equal(readFile(t, '/b'), 'A');
  });

test('symlinks and FIFOs created in the overlay live in the upper layer', () => {
  const { l, ovl, t } = layers();
  symlinkAt(t, '/etc/other', AT_FDCWD, '/bin/ln');
  assert.equal(readFile(t, '/bin/ln'), 'other');
  assert.equal(readlinkAt(t, AT_FDCWD, '/bin/ln', false), '/etc/other');
  assertErrno(() => stat(l, '/bin/ln'), ENOENT);
  assert.ok(ovl.upper.root().inode.lookup('bin').lookup('ln').isSymlink());
  assert.deepEqual(listDir(t, '/bin'), ['busybox', 'ln', 'sh']);
});
