// VFS operations (vfs/ops.ts) with Linux's errnos, permission checks
// (vfs/permissions.ts) and the descriptor table (vfs/fd_table.ts), over tmpfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accessAt, checkExec, linkAt, mkdirAt, mknodAt, openAt, renameAt, statAt, symlinkAt, unlinkAt,
} from '../../dist/tsc/sentry/vfs/ops.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, checkSticky, mayAccess } from '../../dist/tsc/sentry/vfs/permissions.js';
import { FdTable } from '../../dist/tsc/sentry/vfs/fd_table.js';
import { PathDescription } from '../../dist/tsc/sentry/vfs/file.js';
import { MS_NOEXEC, MS_RDONLY } from '../../dist/tsc/sentry/vfs/mount.js';
import { CAP_DAC_READ_SEARCH, Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import {
  EACCES, EBADF, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, EMFILE, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS,
  EXDEV,
} from '../../dist/tsc/abi/linux/errno.js';
import {
  O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_TMPFILE, O_TRUNC, O_WRONLY,
  RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT,
} from '../../dist/tsc/abi/linux/fcntl.js';
import { S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_ISGID } from '../../dist/tsc/abi/linux/stat.js';
import {
  AT_FDCWD, assertErrno, enc, errOf, listDir, lookup, makeWorld, mkdir, mountAt, open, readFile, readN, user,
  writeFile,
} from './vfs_helpers.mjs';

const stat = (t, p, follow = true) => statAt(t, AT_FDCWD, p, follow, false);
const unlink = (t, p) => unlinkAt(t, AT_FDCWD, p, false);
const rmdir = (t, p) => unlinkAt(t, AT_FDCWD, p, true);
const rename = (t, a, b, flags = 0) => renameAt(t, AT_FDCWD, a, AT_FDCWD, b, flags);
const symlink = (t, target, p) => symlinkAt(t, target, AT_FDCWD, p);
const link = (t, a, b) => linkAt(t, AT_FDCWD, a, AT_FDCWD, b, false, false);
const exists = (t, p) => errOf(() => stat(t, p, false)) === null;

/** A world with /tmp (1777) and /home/alice (0755, uid 1000). */
function world(opts) {
  const w = makeWorld(opts);
  const t = w.root;
  mkdir(t, '/tmp', 0o777);
  lookup(t, '/tmp').dentry.inode.setattr({ mode: 0o1777 });
  mkdir(t, '/home');
  mkdir(t, '/home/alice');
  lookup(t, '/home/alice').dentry.inode.setattr({ uid: 1000, gid: 1000 });
  return { w, t, alice: w.task(user(1000)), bob: w.task(user(1001)) };
}

// ---- openAt ----

test('O_CREAT makes a regular file with mode & ~umask, owned by fsuid/fsgid', () => {
  const { t, alice } = world();
  const f = open(alice, '/home/alice/new', O_WRONLY | O_CREAT, 0o777);
  f.decRef();
  const st = stat(t, '/home/alice/new');
  assert.equal(st.mode, S_IFREG | 0o755, 'umask 022');
  assert.equal(st.uid, 1000);
  assert.equal(st.gid, 1000);
  assert.equal(st.size, 0);
  alice.fs.umask = 0o077;
  open(alice, '/home/alice/private', O_WRONLY | O_CREAT, 0o666).decRef();
  assert.equal(stat(t, '/home/alice/private').mode & 0o7777, 0o600);
  // O_CREAT on an existing file opens it as it is.
  writeFile(t, '/home/alice/new', 'kept');
  const g = open(alice, '/home/alice/new', O_RDONLY | O_CREAT, 0o600);
  assert.equal(readFile(alice, '/home/alice/new'), 'kept');
  assert.equal(stat(t, '/home/alice/new').mode, S_IFREG | 0o755, 'mode untouched');
  g.decRef();
});

test('a setgid directory gives new files its group and new subdirectories its setgid bit', () => {
  const { t, alice } = world();
  mkdir(t, '/shared', 0o777);
  lookup(t, '/shared').dentry.inode.setattr({ mode: 0o2777, gid: 500 });
  open(alice, '/shared/f', O_WRONLY | O_CREAT, 0o644).decRef();
  mkdirAt(alice, AT_FDCWD, '/shared/d', 0o755);
  assert.equal(stat(t, '/shared/f').gid, 500);
  assert.equal(stat(t, '/shared/f').mode & S_ISGID, 0, 'files do not inherit the bit');
  assert.equal(stat(t, '/shared/d').gid, 500);
  assert.equal(stat(t, '/shared/d').mode & S_ISGID, S_ISGID);
});

test('O_EXCL: EEXIST for any existing name, symlinks (even dangling) included', () => {
  const { t } = world();
  writeFile(t, '/tmp/f', 'x');
  symlink(t, 'f', '/tmp/lf');
  symlink(t, 'nowhere', '/tmp/dangling');
  const CX = O_WRONLY | O_CREAT | O_EXCL;
  assertErrno(() => open(t, '/tmp/f', CX), EEXIST);
  assertErrno(() => open(t, '/tmp/lf', CX), EEXIST);
  assertErrno(() => open(t, '/tmp/dangling', CX), EEXIST, 'O_EXCL never follows');
  assert.equal(exists(t, '/tmp/nowhere'), false);
  assertErrno(() => open(t, '/tmp', CX), EEXIST);
  open(t, '/tmp/fresh', CX).decRef();
  assert.equal(exists(t, '/tmp/fresh'), true);
});

test('O_CREAT through a dangling symlink creates the target; through a live one opens it', () => {
  const { t } = world();
  mkdir(t, '/tmp/dir');
  symlink(t, 'dir/target', '/tmp/rel');
  symlink(t, '/tmp/dir/abs', '/tmp/absl');
  symlink(t, 'rel2', '/tmp/chain'); // chain -> rel2 -> dir/chained
  symlink(t, 'dir/chained', '/tmp/rel2');
  for (const [link, target] of [['/tmp/rel', '/tmp/dir/target'], ['/tmp/absl', '/tmp/dir/abs'], ['/tmp/chain', '/tmp/dir/chained']]) {
    const f = open(t, link, O_WRONLY | O_CREAT, 0o600);
    f.write(t, [enc('via ' + link)], -1);
    f.decRef();
    assert.equal(readFile(t, target), 'via ' + link);
    assert.ok(lookup(t, link, false).dentry.inode.isSymlink(), 'the link stays a link');
    assert.equal(stat(t, target).mode, S_IFREG | 0o600);
  }
  // A live link: opened, not replaced.
  const f = open(t, '/tmp/rel', O_RDWR | O_CREAT);
  assert.equal(f.vd.dentry.inode, lookup(t, '/tmp/dir/target').dentry.inode);
  f.decRef();
  // Into a missing directory: ENOENT.
  symlink(t, 'nodir/x', '/tmp/bad');
  assertErrno(() => open(t, '/tmp/bad', O_WRONLY | O_CREAT), ENOENT);
  // O_NOFOLLOW refuses the link.
  symlink(t, 'dir/nf', '/tmp/nf');
  assertErrno(() => open(t, '/tmp/nf', O_WRONLY | O_CREAT | O_NOFOLLOW), ELOOP);
  assert.equal(exists(t, '/tmp/dir/nf'), false);
  // A loop of links is ELOOP, not an endless walk.
  symlink(t, 'loop2', '/tmp/loop1');
  symlink(t, 'loop1', '/tmp/loop2');
  assertErrno(() => open(t, '/tmp/loop1', O_WRONLY | O_CREAT), ELOOP);
});

test('O_TRUNC empties a file and needs write permission even with O_RDONLY', () => {
  const { t, alice } = world();
  writeFile(t, '/tmp/f', 'content');
  open(t, '/tmp/f', O_WRONLY | O_TRUNC).decRef();
  assert.equal(stat(t, '/tmp/f').size, 0);
  writeFile(t, '/tmp/ro', 'keep', 0o644);
  assertErrno(() => open(alice, '/tmp/ro', O_RDONLY | O_TRUNC), EACCES);
  assert.equal(readFile(t, '/tmp/ro'), 'keep');
  // A newly created file is never "truncated" and never permission-checked.
  const f = open(alice, '/tmp/mine', O_RDWR | O_CREAT | O_TRUNC, 0);
  f.write(alice, [enc('ok')], -1);
  assert.equal(readN(f, alice, 10, 0).length, 2, 'the creator may use a mode-000 file it just made');
  f.decRef();
  assertErrno(() => open(alice, '/tmp/mine', O_RDONLY), EACCES, 'but not reopen it');
});

test('directories: EISDIR for writing or O_CREAT, ENOTDIR for O_DIRECTORY on a file', () => {
  const { t } = world();
  writeFile(t, '/tmp/f', '');
  mkdir(t, '/tmp/d');
  assertErrno(() => open(t, '/tmp/d', O_WRONLY), EISDIR);
  assertErrno(() => open(t, '/tmp/d', O_RDWR), EISDIR);
  assertErrno(() => open(t, '/tmp/d', O_RDONLY | O_CREAT), EISDIR);
  assertErrno(() => open(t, '/', O_RDONLY | O_CREAT), EISDIR);
  assertErrno(() => open(t, '/tmp/new/', O_WRONLY | O_CREAT), EISDIR, 'O_CREAT with a trailing slash');
  assert.equal(exists(t, '/tmp/new'), false);
  assertErrno(() => open(t, '/tmp/f', O_RDONLY | O_DIRECTORY), ENOTDIR);
  assertErrno(() => open(t, '/tmp/f/', O_RDONLY), ENOTDIR);
  const d = open(t, '/tmp/d', O_RDONLY | O_DIRECTORY);
  assert.ok(d.inode.isDir());
  d.decRef();
  assertErrno(() => open(t, '/tmp/missing', O_RDONLY), ENOENT);
  // O_TMPFILE names a directory: an unnamed file there (tmpfs has them), ENOTDIR for a file.
  assertErrno(() => open(t, '/tmp/f', O_RDWR | O_TMPFILE), ENOTDIR);
  const tmp = open(t, '/tmp/d', O_RDWR | O_TMPFILE);
  assert.equal(tmp.inode.nlink, 0);
  tmp.decRef();
});

test('O_NOFOLLOW: ELOOP on a final symlink, links earlier in the path are followed', () => {
  const { t } = world();
  mkdir(t, '/tmp/d');
  writeFile(t, '/tmp/d/f', 'x');
  symlink(t, 'd', '/tmp/ld');
  symlink(t, 'd/f', '/tmp/lf');
  assertErrno(() => open(t, '/tmp/lf', O_RDONLY | O_NOFOLLOW), ELOOP);
  const f = open(t, '/tmp/ld/f', O_RDONLY | O_NOFOLLOW);
  assert.equal(readN(f, t, 10).length, 1);
  f.decRef();
});

test('O_PATH: no permission needed, no I/O, and with O_NOFOLLOW it names the link itself', () => {
  const { t, alice } = world();
  writeFile(t, '/tmp/secret', 'x', 0o000);
  symlink(t, 'secret', '/tmp/ls');
  const p = open(alice, '/tmp/secret', O_PATH);
  assert.ok(p instanceof PathDescription);
  assertErrno(() => p.read(alice, [new Uint8Array(1)], -1), EBADF);
  assertErrno(() => p.write(alice, [new Uint8Array(1)], -1), EBADF);
  assertErrno(() => open(alice, '/tmp/secret', O_RDONLY), EACCES);
  const pl = open(alice, '/tmp/ls', O_PATH | O_NOFOLLOW);
  assert.ok(pl.inode.isSymlink());
  assertErrno(() => open(t, '/tmp/secret', O_PATH | O_DIRECTORY), ENOTDIR);
  const table = new FdTable();
  const fd = table.add(p, false, 10);
  assertErrno(() => table.getIO(fd), EBADF, 'read(2) on an O_PATH fd');
  assert.equal(table.get(fd), p, 'fstat(2) works');
});

test('open permissions: the file\'s bits for existing files, the directory\'s for new ones', () => {
  const { w, t, alice, bob } = world();
  writeFile(t, '/home/alice/f', 'a', 0o640);
  lookup(t, '/home/alice/f').dentry.inode.setattr({ uid: 1000, gid: 1000 });
  open(alice, '/home/alice/f', O_RDWR).decRef();
  assertErrno(() => open(bob, '/home/alice/f', O_RDONLY), EACCES);
  const groupie = w.task(user(1001, 1000));
  open(groupie, '/home/alice/f', O_RDONLY).decRef();
  assertErrno(() => open(groupie, '/home/alice/f', O_WRONLY), EACCES, 'group has r only');
  assertErrno(() => open(groupie, '/home/alice/f', O_RDWR | O_APPEND), EACCES);
  open(alice, '/home/alice/new', O_WRONLY | O_CREAT).decRef();
  assertErrno(() => open(bob, '/home/alice/bobs', O_WRONLY | O_CREAT), EACCES, 'no write permission on the directory');
  assert.equal(exists(t, '/home/alice/bobs'), false);
  // Existing file, O_CREAT without O_EXCL: only the file's permissions matter.
  writeFile(t, '/home/alice/pub', 'p');
  lookup(t, '/home/alice/pub').dentry.inode.setattr({ mode: 0o666 });
  open(bob, '/home/alice/pub', O_WRONLY | O_CREAT).decRef();
  // Root ignores the bits.
  writeFile(t, '/home/alice/none', 'n', 0o000);
  open(t, '/home/alice/none', O_RDWR).decRef();
});

test('EROFS: writes and creation on a read-only mount; reads still work', () => {
  const { w, t } = world();
  mkdir(t, '/ro');
  const fs = new TmpfsFilesystem({ mode: 0o755 });
  const m = mountAt(w, '/ro', fs);
  writeFile(t, '/ro/f', 'data');
  mkdir(t, '/ro/d');
  writeFile(t, '/ro/d/x', 'x');
  m.flags |= MS_RDONLY;
  assert.equal(readFile(t, '/ro/f'), 'data');
  assertErrno(() => open(t, '/ro/f', O_WRONLY), EROFS);
  assertErrno(() => open(t, '/ro/f', O_RDONLY | O_TRUNC), EROFS);
  assertErrno(() => open(t, '/ro/new', O_WRONLY | O_CREAT), EROFS);
  open(t, '/ro/f', O_RDONLY | O_CREAT).decRef(); // exists: nothing to create
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/ro/newdir', 0o755), EROFS);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/ro/d', 0o755), EEXIST, 'EEXIST wins over EROFS');
  assertErrno(() => unlink(t, '/ro/f'), EROFS);
  assertErrno(() => rmdir(t, '/ro/d/x'), ENOTDIR);
  assertErrno(() => unlink(t, '/ro/d/x'), EROFS);
  assertErrno(() => rename(t, '/ro/f', '/ro/g'), EROFS);
  assertErrno(() => symlink(t, 'f', '/ro/l'), EROFS);
  assertErrno(() => link(t, '/ro/f', '/ro/l'), EROFS);
  assertErrno(() => mknodAt(t, AT_FDCWD, '/ro/fifo', S_IFIFO | 0o644, 0n), EROFS);
  assertErrno(() => accessAt(t, AT_FDCWD, '/ro/f', 2, true, true, false), EROFS, 'access(W_OK)');
  accessAt(t, AT_FDCWD, '/ro/f', 4, true, true, false);
  assert.equal(readFile(t, '/ro/f'), 'data');
  assert.deepEqual(listDir(t, '/ro'), ['d', 'f']);
});

// ---- mkdir ----

test('mkdirAt: mode, parent nlink, and EEXIST/ENOENT/ENOTDIR/EACCES', () => {
  const { t, alice } = world();
  const nl = stat(t, '/tmp').nlink;
  mkdirAt(t, AT_FDCWD, '/tmp/d', 0o1777);
  assert.equal(stat(t, '/tmp/d').mode, S_IFDIR | 0o1755, 'sticky bit kept, umask applied');
  assert.equal(stat(t, '/tmp').nlink, nl + 1);
  mkdirAt(t, AT_FDCWD, '/tmp/slash/', 0o700);
  assert.equal(stat(t, '/tmp/slash').mode & S_IFMT, S_IFDIR, 'a trailing slash is fine for mkdir');
  writeFile(t, '/tmp/f', '');
  symlink(t, 'nowhere', '/tmp/dangling');
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/tmp/d', 0o755), EEXIST);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/tmp/f', 0o755), EEXIST);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/tmp/dangling', 0o755), EEXIST, 'a dangling symlink is not followed');
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/', 0o755), EEXIST);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/tmp/d/.', 0o755), EEXIST);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/tmp/missing/x', 0o755), ENOENT);
  assertErrno(() => mkdirAt(t, AT_FDCWD, '/tmp/f/x', 0o755), ENOTDIR);
  assertErrno(() => mkdirAt(alice, AT_FDCWD, '/home/x', 0o755), EACCES);
  mkdirAt(alice, AT_FDCWD, '/home/alice/x', 0o755);
  assert.equal(stat(t, '/home/alice/x').uid, 1000);
});

test('nothing can be created in a removed directory (cwd or dirfd)', () => {
  const { t } = world();
  mkdir(t, '/tmp/gone');
  const d = open(t, '/tmp/gone', O_RDONLY | O_DIRECTORY);
  const fd = t.fdTable.add(d, false, 100);
  d.decRef();
  rmdir(t, '/tmp/gone');
  assertErrno(() => mkdirAt(t, fd, 'x', 0o755), ENOENT);
  assertErrno(() => openAt(t, fd, 'y', { flags: O_WRONLY | O_CREAT, mode: 0o644 }), ENOENT);
  t.fs.cwd = d.vd;
  assertErrno(() => mkdirAt(t, AT_FDCWD, 'z', 0o755), ENOENT);
  assertErrno(() => d.iterateDir(t, () => true), ENOENT, 'getdents on a dead directory');
});

// ---- unlink / rmdir ----

test('unlinkAt and rmdir: errnos for the wrong kind of file', () => {
  const { t } = world();
  mkdir(t, '/tmp/d');
  mkdir(t, '/tmp/full');
  writeFile(t, '/tmp/full/x', '');
  writeFile(t, '/tmp/f', '');
  assertErrno(() => unlink(t, '/tmp/missing'), ENOENT);
  assertErrno(() => rmdir(t, '/tmp/missing'), ENOENT);
  assertErrno(() => unlink(t, '/tmp/d'), EISDIR);
  assertErrno(() => rmdir(t, '/tmp/f'), ENOTDIR);
  assertErrno(() => unlink(t, '/tmp/f/'), ENOTDIR);
  assertErrno(() => rmdir(t, '/tmp/full'), ENOTEMPTY);
  assertErrno(() => rmdir(t, '/tmp/d/.'), EINVAL);
  assertErrno(() => rmdir(t, '/tmp/d/..'), ENOTEMPTY);
  assertErrno(() => unlink(t, '/'), EISDIR);
  rmdir(t, '/tmp/d/');
  assert.equal(exists(t, '/tmp/d'), false);
  unlink(t, '/tmp/f');
  assert.equal(exists(t, '/tmp/f'), false);
});

test('unlink of a symlink removes the link, not its target', () => {
  const { t } = world();
  writeFile(t, '/tmp/target', 'still here');
  symlink(t, 'target', '/tmp/l');
  unlink(t, '/tmp/l');
  assert.equal(exists(t, '/tmp/l'), false);
  assert.equal(readFile(t, '/tmp/target'), 'still here');
});

test('rmdir of a mount point is EBUSY', () => {
  const { w, t } = world();
  mkdir(t, '/mnt');
  mountAt(w, '/mnt', new TmpfsFilesystem());
  assertErrno(() => rmdir(t, '/mnt'), EBUSY);
  assert.equal(exists(t, '/mnt'), true);
});

test('unlink of a file bind-mounted over (/etc/hosts-style) is EBUSY', () => {
    const { w, t } = world();
    mkdir(t, '/etc');
    writeFile(t, '/etc/hosts', 'image');
    writeFile(t, '/hosts.src', 'bound');
    mountAt(w, '/etc/hosts', w.rootFs, { rootDentry: lookup(t, '/hosts.src').dentry });
    assert.equal(readFile(t, '/etc/hosts'), 'bound');
    assertErrno(() => unlink(t, '/etc/hosts'), EBUSY);
    assert.deepEqual(listDir(t, '/etc'), ['hosts']);
  });

test('sticky directories: only the file owner, the directory owner or root may remove', () => {
  const { t, alice, bob } = world();
  writeFile(alice, '/tmp/alices', 'a', 0o666);
  writeFile(alice, '/tmp/alices2', 'a', 0o666);
  mkdir(alice, '/tmp/alicedir', 0o777);
  assertErrno(() => unlink(bob, '/tmp/alices'), EPERM);
  assertErrno(() => rename(bob, '/tmp/alices', '/tmp/bobs'), EPERM);
  assertErrno(() => rmdir(bob, '/tmp/alicedir'), EPERM);
  writeFile(bob, '/tmp/bobs', 'b');
  assertErrno(() => rename(bob, '/tmp/bobs', '/tmp/alices'), EPERM, 'replacing another user\'s file');
  unlink(alice, '/tmp/alices');
  unlink(t, '/tmp/alices2');
  // The owner of the sticky directory may remove anything in it.
  mkdir(t, '/tmp/bobsticky', 0o777);
  lookup(t, '/tmp/bobsticky').dentry.inode.setattr({ mode: 0o1777, uid: 1001 });
  writeFile(alice, '/tmp/bobsticky/a', 'a');
  unlink(bob, '/tmp/bobsticky/a');
  // Without the sticky bit, write permission on the directory is enough.
  mkdir(t, '/tmp/open', 0o777);
  lookup(t, '/tmp/open').dentry.inode.setattr({ mode: 0o777 });
  writeFile(alice, '/tmp/open/a', 'a');
  unlink(bob, '/tmp/open/a');
  // And without write permission on the directory it is EACCES (not EPERM).
  mkdir(t, '/tmp/closed', 0o755);
  writeFile(t, '/tmp/closed/x', 'x', 0o666);
  assertErrno(() => unlink(bob, '/tmp/closed/x'), EACCES);
});

// ---- rename ----

test('renameAt moves files and directories, replacing files and empty directories', () => {
  const { t } = world();
  writeFile(t, '/tmp/a', 'A');
  writeFile(t, '/tmp/b', 'B');
  const oldB = lookup(t, '/tmp/b').dentry.inode;
  rename(t, '/tmp/a', '/tmp/b');
  assert.equal(readFile(t, '/tmp/b'), 'A');
  assert.equal(exists(t, '/tmp/a'), false);
  assert.equal(oldB.nlink, 0, 'the replaced file lost its only link');
  mkdir(t, '/tmp/d1');
  writeFile(t, '/tmp/d1/in', 'in');
  mkdir(t, '/tmp/empty');
  rename(t, '/tmp/d1', '/tmp/empty');
  assert.equal(readFile(t, '/tmp/empty/in'), 'in');
  assert.equal(exists(t, '/tmp/d1'), false);
  mkdir(t, '/home/dst');
  rename(t, '/tmp/empty', '/home/dst/moved/');
  assert.equal(readFile(t, '/home/dst/moved/in'), 'in', 'across directories, with a trailing slash');
});

test('renameAt keeps open descriptions pointing at the moved file', () => {
  const { t } = world();
  mkdir(t, '/tmp/d');
  writeFile(t, '/tmp/d/f', 'f');
  const f = open(t, '/tmp/d/f', O_RDONLY);
  const d = open(t, '/tmp/d', O_RDONLY | O_DIRECTORY);
  rename(t, '/tmp/d', '/home/e');
  assert.equal(t.fs.pathOf(f.vd), '/home/e/f');
  assert.equal(t.fs.pathOf(d.vd), '/home/e');
  assert.equal(readN(f, t, 10).length, 1);
  const names = [];
  d.iterateDir(t, (e) => (names.push(e.name), true));
  assert.deepEqual(names.sort(), ['.', '..', 'f']);
  f.decRef();
  d.decRef();
});

test('renameAt errnos: ENOENT, EISDIR, ENOTDIR, ENOTEMPTY, EINVAL, EBUSY, EXDEV', () => {
  const { w, t } = world();
  mkdir(t, '/tmp/d');
  mkdir(t, '/tmp/d/sub');
  mkdir(t, '/tmp/full');
  writeFile(t, '/tmp/full/x', '');
  writeFile(t, '/tmp/f', 'f');
  assertErrno(() => rename(t, '/tmp/missing', '/tmp/x'), ENOENT);
  assertErrno(() => rename(t, '/tmp/f', '/tmp/nodir/x'), ENOENT);
  assertErrno(() => rename(t, '/tmp/f', '/tmp/d'), EISDIR, 'a file over a directory');
  assertErrno(() => rename(t, '/tmp/d', '/tmp/f'), ENOTDIR, 'a directory over a file');
  assertErrno(() => rename(t, '/tmp/f', '/tmp/g/'), ENOTDIR, 'a file with a trailing slash');
  assertErrno(() => rename(t, '/tmp/f/', '/tmp/g'), ENOTDIR);
  assertErrno(() => rename(t, '/tmp/d', '/tmp/full'), ENOTEMPTY);
  assertErrno(() => rename(t, '/tmp/d', '/tmp/d/sub/x'), EINVAL, 'a directory below itself');
  assertErrno(() => rename(t, '/tmp/d', '/tmp/d/x'), EINVAL);
  assertErrno(() => rename(t, '/tmp/d/.', '/tmp/x'), EBUSY);
  assertErrno(() => rename(t, '/tmp/f', '/tmp/d/..'), EBUSY);
  mkdir(t, '/mnt');
  mountAt(w, '/mnt', new TmpfsFilesystem());
  assertErrno(() => rename(t, '/tmp/f', '/mnt/f'), EXDEV);
  assertErrno(() => link(t, '/tmp/f', '/mnt/f'), EXDEV);
  assert.equal(readFile(t, '/tmp/f'), 'f');
  assert.deepEqual(listDir(t, '/tmp'), ['d', 'f', 'full']);
});

test('renameAt flags: RENAME_NOREPLACE, RENAME_EXCHANGE and invalid combinations', () => {
  const { t } = world();
  writeFile(t, '/tmp/a', 'A');
  writeFile(t, '/tmp/b', 'B');
  assertErrno(() => rename(t, '/tmp/a', '/tmp/b', RENAME_NOREPLACE), EEXIST);
  rename(t, '/tmp/a', '/tmp/c', RENAME_NOREPLACE);
  assertErrno(() => rename(t, '/tmp/c', '/tmp/none', RENAME_EXCHANGE), ENOENT);
  rename(t, '/tmp/c', '/tmp/b', RENAME_EXCHANGE);
  assert.equal(readFile(t, '/tmp/b'), 'A');
  assert.equal(readFile(t, '/tmp/c'), 'B');
  assertErrno(() => rename(t, '/tmp/b', '/tmp/c', RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
  assertErrno(() => rename(t, '/tmp/b', '/tmp/c', 0x40), EINVAL);
  assertErrno(() => rename(t, '/tmp/b', '/tmp/z', RENAME_WHITEOUT), EINVAL);
  // A file and a directory trade places.
  mkdir(t, '/tmp/dir');
  writeFile(t, '/tmp/dir/in', 'in');
  rename(t, '/tmp/b', '/tmp/dir', RENAME_EXCHANGE);
  assert.equal(readFile(t, '/tmp/b/in'), 'in');
  assert.equal(readFile(t, '/tmp/dir'), 'A');
});

test('renameAt over another name of the same inode does nothing', () => {
  const { t } = world();
  writeFile(t, '/tmp/a', 'A');
  link(t, '/tmp/a', '/tmp/b');
  rename(t, '/tmp/a', '/tmp/b');
  assert.equal(exists(t, '/tmp/a'), true, 'both names remain (rename(2): "do nothing")');
  assert.equal(stat(t, '/tmp/b').nlink, 2);
});

test('rename of a mount point (or over one) is EBUSY', () => {
    const { w, t } = world();
    mkdir(t, '/mnt');
    mkdir(t, '/other');
    mountAt(w, '/mnt', new TmpfsFilesystem());
    assertErrno(() => rename(t, '/mnt', '/mnt2'), EBUSY);
    assertErrno(() => rename(t, '/other', '/mnt'), EBUSY);
    assert.deepEqual(listDir(t, '/').filter((n) => n.startsWith('mnt')), ['mnt']);
  });

test('RENAME_EXCHANGE keeps open directories alive under their new names', () => {
    const { t } = world();
    mkdir(t, '/tmp/x');
    mkdir(t, '/tmp/y');
    const d = open(t, '/tmp/x', O_RDONLY | O_DIRECTORY);
    const fd = t.fdTable.add(d, false, 100);
    rename(t, '/tmp/x', '/tmp/y', RENAME_EXCHANGE);
    assert.equal(t.fs.pathOf(d.vd), '/tmp/y');
    mkdirAt(t, fd, 'sub', 0o755);
    assert.equal(stat(t, '/tmp/y/sub').mode & S_IFMT, S_IFDIR);
    d.iterateDir(t, () => true);
  });

// ---- link ----

test('linkAt: a second name for the same inode; EPERM for directories, EEXIST for taken names', () => {
  const { t } = world();
  writeFile(t, '/tmp/a', 'A');
  link(t, '/tmp/a', '/tmp/b');
  assert.equal(lookup(t, '/tmp/a').dentry.inode, lookup(t, '/tmp/b').dentry.inode);
  assert.equal(stat(t, '/tmp/a').nlink, 2);
  unlink(t, '/tmp/a');
  assert.equal(readFile(t, '/tmp/b'), 'A');
  assert.equal(stat(t, '/tmp/b').nlink, 1);
  mkdir(t, '/tmp/d');
  assertErrno(() => link(t, '/tmp/d', '/tmp/d2'), EPERM);
  writeFile(t, '/tmp/c', 'C');
  assertErrno(() => link(t, '/tmp/b', '/tmp/c'), EEXIST);
  assertErrno(() => link(t, '/tmp/none', '/tmp/x'), ENOENT);
  // A symlink is linked itself unless following was asked for.
  symlink(t, 'c', '/tmp/lc');
  link(t, '/tmp/lc', '/tmp/lc2');
  assert.ok(lookup(t, '/tmp/lc2', false).dentry.inode.isSymlink());
  linkAt(t, AT_FDCWD, '/tmp/lc', AT_FDCWD, '/tmp/c2', true, false);
  assert.equal(lookup(t, '/tmp/c2', false).dentry.inode, lookup(t, '/tmp/c').dentry.inode);
});

test('linkAt of an open but unlinked file is ENOENT (no resurrection)', () => {
    const { t } = world();
    const f = open(t, '/tmp/gone', O_RDWR | O_CREAT);
    const fd = t.fdTable.add(f, false, 100);
    unlink(t, '/tmp/gone');
    assertErrno(() => linkAt(t, fd, '', AT_FDCWD, '/tmp/back', false, true), ENOENT);
    assert.equal(exists(t, '/tmp/back'), false);
  });

// ---- permissions ----

/** A bare inode stand-in for the permission functions (mode, uid, gid, type). */
function node(mode, uid, gid) {
  return { mode, uid, gid, isDir: () => (mode & S_IFMT) === S_IFDIR };
}

test('permissions: exactly one class of bits applies (owner, else group, else other)', () => {
  const alice = user(1000, 100);
  const inGroup = user(2000, 100);
  const supp = user(2001, 7, [100]);
  const other = user(3000, 300);
  const f = node(S_IFREG | 0o640, 1000, 100);
  assert.equal(mayAccess(alice, f, MAY_READ | MAY_WRITE), true);
  assert.equal(mayAccess(alice, f, MAY_EXEC), false);
  assert.equal(mayAccess(inGroup, f, MAY_READ), true);
  assert.equal(mayAccess(supp, f, MAY_READ), true, 'supplementary groups count');
  assert.equal(mayAccess(inGroup, f, MAY_WRITE), false);
  assert.equal(mayAccess(other, f, MAY_READ), false);
  // The owner class wins even when it grants less than the group or others.
  const g = node(S_IFREG | 0o077, 1000, 100);
  assert.equal(mayAccess(alice, g, MAY_READ), false, 'owner with ---');
  assert.equal(mayAccess(inGroup, g, MAY_READ | MAY_WRITE | MAY_EXEC), true);
  const o = node(S_IFREG | 0o707, 1000, 100);
  assert.equal(mayAccess(inGroup, o, MAY_READ), false, 'group with --- although others have rwx');
  assert.equal(mayAccess(other, o, MAY_READ | MAY_WRITE | MAY_EXEC), true);
  // fsuid, not euid, is what counts.
  const c = user(5, 5);
  c.fsuid = 1000;
  assert.equal(mayAccess(c, f, MAY_WRITE), true);
});

test('permissions: root overrides everything except executing a file with no x bit', () => {
  const root = Credentials.root();
  assert.equal(mayAccess(root, node(S_IFREG | 0o000, 1000, 1000), MAY_READ | MAY_WRITE), true);
  assert.equal(mayAccess(root, node(S_IFREG | 0o000, 1000, 1000), MAY_EXEC), false);
  assert.equal(mayAccess(root, node(S_IFREG | 0o600, 1000, 1000), MAY_EXEC), false);
  assert.equal(mayAccess(root, node(S_IFREG | 0o001, 1000, 1000), MAY_EXEC), true, 'any one x bit is enough');
  assert.equal(mayAccess(root, node(S_IFREG | 0o010, 1000, 1000), MAY_READ | MAY_EXEC), true);
  assert.equal(mayAccess(root, node(S_IFDIR | 0o000, 1000, 1000), MAY_EXEC | MAY_WRITE), true, 'directories: search always');
  // CAP_DAC_READ_SEARCH alone: read files, read and search directories, nothing else.
  const rs = user(4000, 4000);
  rs.effective = 1n << BigInt(CAP_DAC_READ_SEARCH);
  assert.equal(mayAccess(rs, node(S_IFREG | 0o000, 1, 1), MAY_READ), true);
  assert.equal(mayAccess(rs, node(S_IFREG | 0o000, 1, 1), MAY_WRITE), false);
  assert.equal(mayAccess(rs, node(S_IFDIR | 0o000, 1, 1), MAY_READ | MAY_EXEC), true);
  assert.equal(mayAccess(rs, node(S_IFDIR | 0o000, 1, 1), MAY_WRITE | MAY_EXEC), false);
  // A root uid without capabilities is just an owner.
  const powerless = Credentials.root();
  powerless.effective = 0n;
  assert.equal(mayAccess(powerless, node(S_IFREG | 0o000, 1000, 1000), MAY_READ), false);
});

test('checkExec: regular files with an x bit on an exec-able mount', () => {
  const { w, t, alice } = world();
  writeFile(t, '/tmp/prog', '', 0o755);
  writeFile(t, '/tmp/data', '', 0o644);
  writeFile(t, '/tmp/ownerx', '', 0o700);
  checkExec(t, lookup(t, '/tmp/prog'));
  checkExec(alice, lookup(t, '/tmp/prog'));
  assertErrno(() => checkExec(t, lookup(t, '/tmp/data')), EACCES, 'root too');
  checkExec(t, lookup(t, '/tmp/ownerx'));
  assertErrno(() => checkExec(alice, lookup(t, '/tmp/ownerx')), EACCES);
  assertErrno(() => checkExec(t, lookup(t, '/tmp')), EACCES, 'a directory');
  mkdir(t, '/noexec');
  const m = mountAt(w, '/noexec', new TmpfsFilesystem({ mode: 0o755 }), { flags: MS_NOEXEC });
  writeFile(t, '/noexec/prog', '', 0o755);
  assertErrno(() => checkExec(t, lookup(t, '/noexec/prog')), EACCES);
  m.flags = 0;
  checkExec(t, lookup(t, '/noexec/prog'));
});

test('checkSticky: owner of the file, owner of the directory, or CAP_FOWNER', () => {
  const dir = node(S_IFDIR | 0o1777, 0, 0);
  const file = node(S_IFREG | 0o644, 1000, 1000);
  checkSticky(user(1000), dir, file);
  checkSticky(Credentials.root(), dir, file);
  assertErrno(() => checkSticky(user(1001), dir, file), EPERM);
  checkSticky(user(1001), node(S_IFDIR | 0o1777, 1001, 0), file);
  checkSticky(user(1001), node(S_IFDIR | 0o777, 0, 0), file);
});

test('accessAt: real ids unless AT_EACCESS, and EINVAL for unknown mode bits', () => {
  const { w, t } = world();
  writeFile(t, '/tmp/rootonly', '', 0o600);
  // A set-uid-root program run by uid 1000: effective root, real 1000.
  const c = Credentials.root();
  c.ruid = 1000;
  c.rgid = 1000;
  const suid = w.task(c);
  accessAt(suid, AT_FDCWD, '/tmp/rootonly', 4, true, true, false);
  assertErrno(() => accessAt(suid, AT_FDCWD, '/tmp/rootonly', 4, true, false, false), EACCES, 'the real uid may not');
  assertErrno(() => accessAt(t, AT_FDCWD, '/tmp/rootonly', 8, true, false, false), EINVAL);
  accessAt(t, AT_FDCWD, '/tmp/rootonly', 0, true, false, false);
  assertErrno(() => accessAt(t, AT_FDCWD, '/tmp/none', 0, true, false, false), ENOENT);
});

// ---- file descriptor table ----

/** A description that counts how often it was released. */
class Probe extends PathDescription {
  released = 0;
  constructor(flags = 0) {
    super({ mount: null, dentry: null }, flags);
  }
  release() {
    this.released++;
  }
}

/** A probe owned only by the table (the opener's reference dropped, as open(2) does). */
function install(table, { cloexec = false, limit = 1024, minFd = 0 } = {}) {
  const p = new Probe();
  const fd = table.add(p, cloexec, limit, minFd);
  p.decRef();
  return [fd, p];
}

test('FdTable.add: lowest free descriptor at or above minFd, EMFILE at the limit', () => {
  const table = new FdTable();
  const [a] = install(table);
  const [b] = install(table);
  const [c] = install(table);
  assert.deepEqual([a, b, c], [0, 1, 2]);
  table.remove(1);
  assert.equal(install(table)[0], 1, 'the hole is reused');
  assert.equal(install(table, { minFd: 10 })[0], 10, 'F_DUPFD-style minimum');
  assert.equal(install(table)[0], 3);
  const limited = new FdTable();
  install(limited, { limit: 2 });
  install(limited, { limit: 2 });
  const p = new Probe();
  assertErrno(() => limited.add(p, false, 2), EMFILE);
  assertErrno(() => limited.add(p, false, 5, 5), EMFILE, 'minFd at the limit');
  p.decRef();
  assert.equal(p.released, 1, 'a refused description is not kept');
  assert.equal(limited.count, 2);
});

test('FdTable.get/remove: EBADF for closed and negative descriptors; close drops the reference', () => {
  const table = new FdTable();
  const [fd, p] = install(table);
  assert.equal(table.get(fd), p);
  assertErrno(() => table.get(1), EBADF);
  assertErrno(() => table.get(-1), EBADF);
  assert.equal(table.getOrNull(5), null);
  assert.equal(table.remove(fd), p);
  assert.equal(p.released, 1);
  assertErrno(() => table.remove(fd), EBADF);
  assertErrno(() => table.getCloexec(fd), EBADF);
});

test('FdTable.setAt (dup2): replaces what was there and releases it; same file is a no-op', () => {
  const table = new FdTable();
  const [fd0, p0] = install(table);
  const [fd1, p1] = install(table);
  table.setAt(fd1, p0, true, 1024);
  assert.equal(table.get(fd1), p0);
  assert.equal(table.getCloexec(fd1), true);
  assert.equal(p1.released, 1, 'the old description lost its last reference');
  table.setAt(fd1, p0, false, 1024); // the same description again
  assert.equal(p0.released, 0);
  table.remove(fd0);
  assert.equal(p0.released, 0, 'still open as fd1');
  table.remove(fd1);
  assert.equal(p0.released, 1);
  assertErrno(() => table.setAt(1024, p0, false, 1024), EBADF, 'at the limit');
  assertErrno(() => table.setAt(-1, p0, false, 1024), EBADF);
  table.setAt(7, new Probe(), false, 1024);
  assert.equal(table.count, 1);
});

test('FdTable.removeRange: close_range with and without CLOSE_RANGE_CLOEXEC', () => {
  const table = new FdTable();
  const probes = [];
  for (let i = 0; i < 6; i++) probes.push(install(table)[1]);
  table.removeRange(1, 3, false);
  assert.deepEqual([...table.entries()].map(([fd]) => fd), [0, 4, 5]);
  assert.deepEqual(probes.map((p) => p.released), [0, 1, 1, 1, 0, 0]);
  table.removeRange(4, 2 ** 32 - 1, true);
  assert.deepEqual([...table.entries()].map(([fd]) => fd), [0, 4, 5], 'only marked');
  assert.equal(table.getCloexec(4), true);
  assert.equal(table.getCloexec(0), false);
  assertErrno(() => table.removeRange(3, 2, false), EINVAL);
  table.removeRange(0, 2 ** 32 - 1, false);
  assert.equal(table.count, 0);
  assert.ok(probes.every((p) => p.released === 1));
});

test('FdTable.closeOnExec closes exactly the FD_CLOEXEC descriptors', () => {
  const table = new FdTable();
  const [, keep] = install(table);
  const [, gone] = install(table, { cloexec: true });
  const [fd2, later] = install(table);
  table.setCloexec(fd2, true);
  table.closeOnExec();
  assert.deepEqual([...table.entries()].map(([fd]) => fd), [0]);
  assert.deepEqual([keep.released, gone.released, later.released], [0, 1, 1]);
});

test('FdTable.fork shares descriptions: the last close anywhere releases them', () => {
  const parent = new FdTable();
  const [fd, p] = install(parent, { cloexec: true });
  const child = parent.fork();
  assert.equal(child.get(fd), p, 'the same description, not a copy');
  assert.equal(child.getCloexec(fd), true);
  p.offset = 42;
  assert.equal(child.get(fd).offset, 42, 'a shared file position');
  install(child);
  assert.equal(parent.count, 1, 'separate tables afterwards');
  parent.remove(fd);
  assert.equal(p.released, 0);
  child.decUsers(); // the child's last user exits
  assert.equal(p.released, 1);
  assert.equal(child.count, 0);
});

test('FdTable shared by threads (CLONE_FILES): closed when the last user leaves', () => {
  const table = new FdTable();
  const [, p] = install(table);
  table.incUsers();
  table.decUsers();
  assert.equal(p.released, 0);
  table.decUsers();
  assert.equal(p.released, 1);
});
