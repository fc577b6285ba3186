// Path resolution (vfs/path.ts) and mount namespaces (vfs/mount.ts) over tmpfs:
// symlinks and their limit, "..", trailing slashes, openat2's RESOLVE_* flags,
// name and path length limits, search permission, stacked and bind mounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV, resolveParent, resolvePath,
} from '../../dist/tsc/sentry/vfs/path.js';
import { symlinkAt, unlinkAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV } from '../../dist/tsc/abi/linux/errno.js';
import {
  AT_FDCWD, assertErrno, lookup, makeWorld, mkdir, mountAt, readFile, user, writeFile,
} from './vfs_helpers.mjs';

const symlink = (t, target, path) => symlinkAt(t, target, AT_FDCWD, path);

/** Resolves `path` from the directory vd `start` (like a dirfd). */
function from(t, start, path, opts = {}) {
  return resolvePath(t.walkCtx, start, path, { follow: true, ...opts });
}

function sameVd(a, b, msg) {
  assert.equal(a.mount, b.mount, `${msg ?? ''} (mount)`);
  assert.equal(a.dentry.inode, b.dentry.inode, `${msg ?? ''} (inode)`);
}

/** /a/b/file, /a/f, /top. */
function tree() {
  const w = makeWorld();
  const t = w.root;
  mkdir(t, '/a');
  mkdir(t, '/a/b');
  writeFile(t, '/a/b/file', 'deep');
  writeFile(t, '/a/f', 'af');
  writeFile(t, '/top', 'top');
  return { w, t };
}

test('absolute and relative paths, "." and repeated slashes', () => {
  const { w, t } = tree();
  const file = lookup(t, '/a/b/file');
  assert.equal(file.mount, w.rootMount);
  sameVd(lookup(t, '//a///b/./file'), file);
  sameVd(lookup(t, 'a/b/file'), file, 'relative to the cwd (/)');
  const a = lookup(t, '/a');
  sameVd(from(t, a, 'b/file'), file, 'relative to a directory');
  sameVd(from(t, a, './b/../b/file'), file);
  sameVd(lookup(t, '/'), w.mntns.rootVd());
  assertErrno(() => lookup(t, '/a/missing'), ENOENT);
  assertErrno(() => lookup(t, '/a/missing/x'), ENOENT);
  assertErrno(() => lookup(t, ''), ENOENT, 'the empty path');
});

test('".." at the root stays at the root', () => {
  const { w, t } = tree();
  const root = w.mntns.rootVd();
  sameVd(lookup(t, '/..'), root);
  sameVd(lookup(t, '/../../..'), root);
  sameVd(lookup(t, '/../a/../../top'), lookup(t, '/top'));
  sameVd(lookup(t, '..'), root, 'relative ".." from a cwd at /');
});

test('".." of a directory is its parent; of a file it is ENOTDIR', () => {
  const { t } = tree();
  sameVd(lookup(t, '/a/b/..'), lookup(t, '/a'));
  sameVd(lookup(t, '/a/b/../..'), lookup(t, '/'));
  assertErrno(() => lookup(t, '/a/f/..'), ENOTDIR);
  assertErrno(() => lookup(t, '/a/f/.'), ENOTDIR);
  assertErrno(() => lookup(t, '/a/f/x'), ENOTDIR);
});

test('".." crosses a mount root back into the parent mount', () => {
  const { w, t } = tree();
  mkdir(t, '/mnt');
  const sub = new TmpfsFilesystem();
  const m = mountAt(w, '/mnt', sub);
  mkdir(t, '/mnt/inner');
  const inner = lookup(t, '/mnt/inner');
  assert.equal(inner.mount, m, 'the walk enters the mount');
  assert.equal(inner.dentry.inode, sub.root().inode.lookup('inner'));
  const up = lookup(t, '/mnt/..');
  sameVd(up, w.mntns.rootVd(), '"/mnt/.." is / of the root mount');
  sameVd(lookup(t, '/mnt/inner/../..'), w.mntns.rootVd());
  sameVd(from(t, inner, '../../top'), lookup(t, '/top'));
  sameVd(lookup(t, '/mnt/../mnt'), { mount: m, dentry: sub.root() }, 'and back down into the mount');
});

test('symlinks: relative targets resolve from the link\'s directory, absolute ones from the root', () => {
  const { t } = tree();
  symlink(t, 'b/file', '/a/rel');
  symlink(t, '/a/b', '/abs');
  symlink(t, '../f', '/a/b/up');
  assert.equal(readFile(t, '/a/rel'), 'deep');
  assert.equal(readFile(t, '/abs/file'), 'deep', 'a symlink in the middle of a path is followed');
  assert.equal(readFile(t, '/abs/up'), 'af', 'relative to the link\'s directory, not to the path walked');
  const link = lookup(t, '/a/rel', false);
  assert.ok(link.dentry.inode.isSymlink(), 'follow=false returns the link itself');
  assert.ok(lookup(t, '/a/rel', true).dentry.inode.isRegular());
  assertErrno(() => lookup(t, '/a/b/up/x'), ENOTDIR, 'a link to a file used as a directory');
  symlink(t, 'nowhere', '/dangling');
  assertErrno(() => lookup(t, '/dangling'), ENOENT);
  assert.ok(lookup(t, '/dangling', false).dentry.inode.isSymlink());
});

test('a chain of 40 symlinks resolves; the 41st link is ELOOP', () => {
  const { t } = tree();
  // l0 -> top, l1 -> l0, ..., lN -> l(N-1): resolving lN follows N+1 links.
  symlink(t, 'top', '/l0');
  for (let i = 1; i <= 40; i++) symlink(t, `l${i - 1}`, `/l${i}`);
  assert.equal(readFile(t, '/l39'), 'top', '40 links');
  assertErrno(() => lookup(t, '/l40'), ELOOP, '41 links');
  // The count is per lookup, across all components.
  mkdir(t, '/d');
  symlink(t, 'd', '/m0');
  for (let i = 1; i <= 19; i++) symlink(t, `m${i - 1}`, `/m${i}`);
  writeFile(t, '/d/x', 'dx');
  assert.equal(readFile(t, '/m19/x'), 'dx', '20 links');
  symlink(t, '/l18', '/d/y'); // 1 + 19 links
  symlink(t, '/l19', '/d/z'); // 1 + 20 links
  assert.equal(readFile(t, '/m19/y'), 'top', '20 + 20 links');
  assertErrno(() => lookup(t, '/m19/z'), ELOOP, '20 + 21 links');
});

test('symlink loops are ELOOP', () => {
  const { t } = tree();
  symlink(t, 'self', '/self');
  symlink(t, 'pong', '/ping');
  symlink(t, 'ping', '/pong');
  assertErrno(() => lookup(t, '/self'), ELOOP);
  assertErrno(() => lookup(t, '/ping/x'), ELOOP);
  assert.ok(lookup(t, '/self', false).dentry.inode.isSymlink(), 'not followed: no loop');
});

test('trailing slashes: directories only, and they force following a final symlink', () => {
  const { t } = tree();
  symlink(t, 'a', '/ldir');
  symlink(t, 'top', '/lfile');
  sameVd(lookup(t, '/a/'), lookup(t, '/a'));
  sameVd(lookup(t, '/a//'), lookup(t, '/a'));
  assertErrno(() => lookup(t, '/top/'), ENOTDIR);
  assertErrno(() => lookup(t, '/top//'), ENOTDIR);
  assertErrno(() => lookup(t, '/missing/'), ENOENT);
  sameVd(lookup(t, '/ldir/', false), lookup(t, '/a'), 'follow=false is overridden by the slash');
  assertErrno(() => lookup(t, '/lfile/', false), ENOTDIR);
  // O_DIRECTORY's "must be a directory" without a slash.
  assertErrno(() => resolvePath(t.walkCtx, t.fs.root, '/top', { follow: true, directory: true }), ENOTDIR);
  assertErrno(() => resolvePath(t.walkCtx, t.fs.root, '/lfile', { follow: true, directory: true }), ENOTDIR);
});

test('NAME_MAX: a 255-byte component is looked up, a 256-byte one is ENAMETOOLONG', () => {
  const { t } = tree();
  const n255 = 'n'.repeat(255);
  writeFile(t, `/a/${n255}`, 'long');
  assert.equal(readFile(t, `/a/${n255}`), 'long');
  assertErrno(() => lookup(t, `/a/${'n'.repeat(256)}`), ENAMETOOLONG);
  assertErrno(() => lookup(t, `/a/${'n'.repeat(256)}/x`), ENAMETOOLONG, 'in the middle too');
  assertErrno(() => resolveParent(t.walkCtx, t.fs.root, `/a/${'n'.repeat(256)}`), ENAMETOOLONG, 'as the last component of a parent lookup');
});

test('PATH_MAX: a 4095-byte path resolves, a 4096-byte path is ENAMETOOLONG', () => {
  const { w, t } = tree();
  const p4095 = '/' + './'.repeat(2047);
  assert.equal(p4095.length, 4095);
  sameVd(lookup(t, p4095), w.mntns.rootVd());
  assertErrno(() => lookup(t, p4095 + '.'), ENAMETOOLONG);
  assertErrno(() => lookup(t, '/' + 'a/'.repeat(3000)), ENAMETOOLONG);
});

test('EACCES: walking through a directory needs search (x) permission', () => {
  const { w, t } = tree();
  mkdir(t, '/priv', 0o700);
  writeFile(t, '/priv/f', 'secret');
  mkdir(t, '/readonly', 0o744); // others: r-- (can list, cannot search)
  writeFile(t, '/readonly/f', 'r');
  mkdir(t, '/xonly', 0o711); // others: --x
  writeFile(t, '/xonly/f', 'x');
  const u = w.task(user(1000));
  assertErrno(() => lookup(u, '/priv/f'), EACCES);
  assertErrno(() => lookup(u, '/priv/missing'), EACCES, 'EACCES before ENOENT');
  assertErrno(() => lookup(u, '/readonly/f'), EACCES);
  assert.ok(lookup(u, '/xonly/f').dentry.inode.isRegular(), 'x without r is enough to traverse');
  assert.ok(lookup(u, '/priv').dentry.inode.isDir(), 'the directory itself is reachable');
  // Root (CAP_DAC_OVERRIDE) walks anywhere.
  assert.ok(lookup(t, '/priv/f').dentry.inode.isRegular());
  // Group search bit for a member of the directory's group.
  mkdir(t, '/grp', 0o710);
  lookup(t, '/grp').dentry.inode.gid = 50;
  writeFile(t, '/grp/f', 'g');
  assert.ok(lookup(w.task(user(1001, 50)), '/grp/f'));
  assert.ok(lookup(w.task(user(1002, 7, [50])), '/grp/f'), 'supplementary group');
  assertErrno(() => lookup(w.task(user(1003, 7)), '/grp/f'), EACCES);
});

test('"dir/.." and "dir/." need search permission on dir, as Linux checks it for every component', () => {
  const { w, t } = tree();
  mkdir(t, '/nox', 0o744);
  const u = w.task(user(1000));
  assertErrno(() => lookup(u, '/nox/..'), EACCES);
  assertErrno(() => lookup(u, '/nox/.'), EACCES);
  assert.ok(lookup(u, '/nox').dentry.inode.isDir(), 'the directory itself is fine');
  assert.ok(lookup(u, '/nox/').dentry.inode.isDir(), 'a trailing slash is no lookup in it');
  u.fs.cwd = lookup(t, '/nox');
  assertErrno(() => lookup(u, '..'), EACCES, 'from a cwd without search permission');
});

test('RESOLVE_BENEATH: nothing may leave the starting directory', () => {
  const { t } = tree();
  const a = lookup(t, '/a');
  const R = { resolve: RESOLVE_BENEATH };
  sameVd(from(t, a, 'b/file', R), lookup(t, '/a/b/file'));
  sameVd(from(t, a, 'b/..', R), a, '".." back to the start is fine');
  sameVd(from(t, a, 'b/../b/file', R), lookup(t, '/a/b/file'));
  assertErrno(() => from(t, a, '..', R), EXDEV);
  assertErrno(() => from(t, a, 'b/../../a/f', R), EXDEV);
  assertErrno(() => from(t, a, '/a/f', R), EXDEV, 'absolute paths');
  symlink(t, '/a/f', '/a/abs');
  symlink(t, '../top', '/a/esc');
  symlink(t, 'b/file', '/a/inside');
  assertErrno(() => from(t, a, 'abs', R), EXDEV, 'an absolute symlink');
  assertErrno(() => from(t, a, 'esc', R), EXDEV, 'a symlink climbing out');
  sameVd(from(t, a, 'inside', R), lookup(t, '/a/b/file'), 'a symlink staying inside');
  // Without the flag the same paths work.
  sameVd(from(t, a, 'esc'), lookup(t, '/top'));
});

test('RESOLVE_IN_ROOT: the starting directory acts as the root for "/", ".." and symlinks', () => {
  const { t } = tree();
  const a = lookup(t, '/a');
  const R = { resolve: RESOLVE_IN_ROOT };
  sameVd(from(t, a, '/f', R), lookup(t, '/a/f'), '"/" is the start');
  sameVd(from(t, a, '../../f', R), lookup(t, '/a/f'), '".." stops at the start');
  sameVd(from(t, a, '/b/../../b/file', R), lookup(t, '/a/b/file'));
  symlink(t, '/f', '/a/absl');
  symlink(t, '../../../f', '/a/b/upl');
  sameVd(from(t, a, 'absl', R), lookup(t, '/a/f'), 'an absolute symlink target is resolved inside');
  sameVd(from(t, a, 'b/upl', R), lookup(t, '/a/f'));
  assertErrno(() => from(t, a, '/top', R), ENOENT, '/top outside is invisible');
  const pn = resolveParent(t.walkCtx, a, '/b/new', RESOLVE_IN_ROOT);
  sameVd(pn.parent, lookup(t, '/a/b'));
  assert.equal(pn.name, 'new');
});

test('RESOLVE_NO_SYMLINKS: any symlink on the way is ELOOP', () => {
  const { t } = tree();
  symlink(t, 'a', '/la');
  symlink(t, 'top', '/lt');
  const R = { resolve: RESOLVE_NO_SYMLINKS };
  const root = t.fs.root;
  assertErrno(() => from(t, root, 'la/f', R), ELOOP, 'in the middle');
  assertErrno(() => from(t, root, 'lt', R), ELOOP, 'at the end');
  assert.ok(from(t, root, 'lt', { ...R, follow: false }).dentry.inode.isSymlink(), 'not followed: allowed');
  sameVd(from(t, root, 'a/b/file', R), lookup(t, '/a/b/file'));
});

test('RESOLVE_NO_XDEV: crossing a mount in either direction is EXDEV', () => {
  const { w, t } = tree();
  mkdir(t, '/mnt');
  mountAt(w, '/mnt', new TmpfsFilesystem());
  mkdir(t, '/mnt/d');
  const R = { resolve: RESOLVE_NO_XDEV };
  const root = t.fs.root;
  assertErrno(() => from(t, root, 'mnt/d', R), EXDEV, 'down into a mount');
  assertErrno(() => from(t, root, 'mnt', R), EXDEV, 'the mount point itself');
  const inMnt = lookup(t, '/mnt/d');
  assertErrno(() => from(t, inMnt, '../..', R), EXDEV, 'up out of a mount');
  assert.ok(from(t, inMnt, '..', R).dentry.inode.isDir(), 'moving inside the mount is fine');
  sameVd(from(t, root, 'a/b/file', R), lookup(t, '/a/b/file'));
});

test('resolveParent: parent directory and last name, without following the last component', () => {
  const { t } = tree();
  symlink(t, 'a', '/la');
  symlink(t, 'top', '/a/b/lt');
  let pn = resolveParent(t.walkCtx, t.fs.root, '/la/b/lt');
  sameVd(pn.parent, lookup(t, '/a/b'), 'symlinks before the last component are followed');
  assert.equal(pn.name, 'lt');
  assert.equal(pn.trailingSlash, false);
  pn = resolveParent(t.walkCtx, t.fs.root, '/a/newdir//');
  assert.equal(pn.name, 'newdir');
  assert.equal(pn.trailingSlash, true);
  pn = resolveParent(t.walkCtx, t.fs.root, '/');
  assert.equal(pn.name, '', '"/" has no last name');
  pn = resolveParent(t.walkCtx, t.fs.root, '/a/b/..');
  assert.equal(pn.name, '');
  sameVd(pn.parent, lookup(t, '/a'), '".." names the parent itself');
  pn = resolveParent(t.walkCtx, lookup(t, '/a'), 'x');
  sameVd(pn.parent, lookup(t, '/a'), 'a bare name is relative to the start');
  assertErrno(() => resolveParent(t.walkCtx, t.fs.root, '/missing/x'), ENOENT);
  assertErrno(() => resolveParent(t.walkCtx, t.fs.root, '/top/x'), ENOTDIR);
  assertErrno(() => resolveParent(t.walkCtx, t.fs.root, ''), ENOENT);
});

test('stacked mounts: the last one attached is seen; detaching reveals the one below', () => {
  const { w, t } = tree();
  mkdir(t, '/mnt');
  writeFile(t, '/mnt/under', 'root fs');
  const fs1 = new TmpfsFilesystem();
  const fs2 = new TmpfsFilesystem();
  const m1 = mountAt(w, '/mnt', fs1);
  writeFile(t, '/mnt/one', '1');
  const m2 = mountAt(w, '/mnt', fs2);
  writeFile(t, '/mnt/two', '2');
  assert.equal(m2.parent, m1, 'attached on top of the first mount');
  assert.equal(m2.mountpoint, fs1.root());
  const top = lookup(t, '/mnt');
  assert.equal(top.mount, m2);
  assert.equal(top.dentry, fs2.root());
  sameVd(w.mntns.topOf({ mount: w.rootMount, dentry: w.rootFs.root().cached('mnt') }), top);
  assert.equal(w.mntns.pathOf(top), '/mnt');
  assert.equal(w.mntns.pathOf(lookup(t, '/mnt/two')), '/mnt/two');
  assertErrno(() => lookup(t, '/mnt/one'), ENOENT, 'hidden by the top mount');
  sameVd(lookup(t, '/mnt/..'), w.mntns.rootVd(), '".." from the top of a stack goes to the parent of the mount point');
  w.mntns.detach(m2);
  assert.equal(readFile(t, '/mnt/one'), '1');
  assertErrno(() => lookup(t, '/mnt/two'), ENOENT);
  w.mntns.detach(m1);
  assert.equal(readFile(t, '/mnt/under'), 'root fs');
});

test('a bind mount of a subdirectory shows that subtree, and ".." leaves through the mount point', () => {
  const { w, t } = tree();
  mkdir(t, '/bind');
  const src = lookup(t, '/a/b');
  const bm = mountAt(w, '/bind', w.rootFs, { rootDentry: src.dentry });
  const viaBind = lookup(t, '/bind/file');
  assert.equal(viaBind.mount, bm);
  assert.equal(viaBind.dentry.inode, lookup(t, '/a/b/file').dentry.inode, 'the same inode under two paths');
  assert.equal(w.mntns.pathOf(viaBind), '/bind/file');
  assert.equal(w.mntns.pathOf(lookup(t, '/a/b/file')), '/a/b/file');
  sameVd(lookup(t, '/bind/..'), w.mntns.rootVd(), 'not /a: ".." of a bind root is the mount point\'s parent');
  // A write through one path is visible through the other.
  writeFile(t, '/bind/new', 'via bind');
  assert.equal(readFile(t, '/a/b/new'), 'via bind');
});

test('pathOf: relative to a chroot, and "(deleted)" for removed files', () => {
  const { w, t } = tree();
  const a = lookup(t, '/a');
  const file = lookup(t, '/a/b/file');
  assert.equal(w.mntns.pathOf(file, a), '/b/file', 'as seen from a root at /a');
  assert.equal(w.mntns.pathOf(a, a), '/');
  t.fs.root = a;
  t.fs.cwd = a;
  assert.equal(t.fs.pathOf(file), '/b/file');
  sameVd(lookup(t, '/../../f'), lookup(t, 'f'), 'a chrooted walk cannot climb above its root');
  t.fs.root = w.mntns.rootVd();
  unlinkAt(t, AT_FDCWD, '/a/b/file', false);
  assert.equal(t.fs.pathOf(file), '/a/b/file (deleted)');
});

test('a bind mount is not recursive: mounts below its source stay behind', () => {
  const { w, t } = tree();
  mkdir(t, '/a/b/m');
  const fs = new TmpfsFilesystem();
  const inner = mountAt(w, '/a/b/m', fs);
  writeFile(t, '/a/b/m/x', 'x');
  const x = lookup(t, '/a/b/m/x');
  assert.equal(x.mount, inner);
  assert.equal(w.mntns.pathOf(x), '/a/b/m/x');
  mkdir(t, '/bind');
  const bm = mountAt(w, '/bind', w.rootFs, { rootDentry: lookup(t, '/a').dentry });
  const m = lookup(t, '/bind/b/m');
  assert.equal(m.mount, bm, 'the plain directory under the mount point');
  assertErrno(() => lookup(t, '/bind/b/m/x'), ENOENT);
  assert.equal(w.mntns.hasChildren(w.rootMount), true);
  assert.equal(w.mntns.hasChildren(bm), false);
});
