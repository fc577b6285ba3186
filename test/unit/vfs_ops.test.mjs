// VFS operations (vfs/ops.ts) with Linux's errnos, permission checks
// (vfs/permissions.ts) and the descriptor table (vfs/fd_table.ts), over tmpfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accessAt, checkExec, linkAt, mkdirAt, mknodAt, renameAt, statAt, symlinkAt, unlinkAt,
} from '../../dist/tsc/sentry/vfs/ops.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, checkSticky, mayAccess } from '../../dist/tsc/sentry/vfs/permissions.js';
import { FdTable } from '../../dist/tsc/sentry/vfs/fd_table.js';
import { PathDescription } from '../../dist/tsc/sentry/vfs/file.js';
import { MS_NOEXEC, MS_RDONLY } from '../../dist/tsc/sentry/vfs/mount.js';
import { CAP_DAC_READ_SEARCH, Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import {
  EACCES, EBADF, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, EMFILE, ENOENT, ENOTDIR, ENOTEMPTY, EOPNOTSUPP, EPERM, EROFS,
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
  assertErrno(() => open(t, '/tmp/f', O_RDWR | O_TMPFILE), EOPNOTSUPP);
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

test('open permissions: read and write bits of the file, EROFS for writes on a read-only mount', () => {
  const { w, t, alice, bob } = world();
  writeFile(t, '/home/alice/f', 'a', 0o640);
  lookup(t, '/home/alice/f').dentry.inode.setattr({ uid: 1000, gid: 1000 });
  open(alice, '/home/alice/f', O_RDWR).decRef();
  assertErrno(() => open(bob, '/home/alice/f', O_RDONLY), EACCES);
  assertErrno(() => open(alice, '/home/alice/x', O_WRONLY | O_CREAT), EACCES, 'alice cannot create in /home/alice? she owns it');
});
