// directfs: the gofer's handlers running in the Sentry's process on a donated root
// fd. The request-level rules shared with the gofer process are also run in
// gofer.test.mjs and gofer_fs.test.mjs for both transports; this file covers what
// matters most once the Sentry does the *at() calls itself: nothing outside the
// root is ever reached, masks, read-only refusal, fd hygiene, and the VFS on top.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { native } from '../../dist/tsc/native.js';
import { dirFds } from '../../dist/tsc/gofer/node.js';
import { DirectFileServer } from '../../dist/tsc/gofer/direct.js';
import { GoferFilesystem } from '../../dist/tsc/sentry/fsimpl/gofer/filesystem.js';
import { OverlayFilesystem } from '../../dist/tsc/sentry/fsimpl/overlay/overlay.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { Mount, MountNamespace } from '../../dist/tsc/sentry/vfs/mount.js';
import { FsContext } from '../../dist/tsc/sentry/vfs/fs_context.js';
import { resolvePath } from '../../dist/tsc/sentry/vfs/path.js';
import { Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { donateRoot } from '../../dist/tsc/runsc/directfs.js';
import { makeTree, startDirect } from './gofer_helpers.mjs';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_TRUNC = 0o1000;
const ENOENT = 2;
const ENOTDIR = 20;
const ELOOP = 40;
const ESTALE = 116;

const errno = (name) => (e) => {
  assert.equal(e?.name, name, `expected ${name}, got ${e}`);
  return true;
};

const fdCount = () => readdirSync('/proc/self/fd').length;

describe('directfs: the in-process server stays inside its root', () => {
  let tree;
  let g;
  let c;
  let root;

  before(() => {
    tree = makeTree();
    symlinkSync('/etc', join(tree.root, 'out'));
    symlinkSync('../../../../../../..', join(tree.root, 'up'));
    g = startDirect(['--root', tree.root, '--ro']);
    c = g.client;
    root = c.attach();
  });

  after(() => {
    g.stop();
    tree.cleanup();
  });

  test('names that could leave the root, or are not one component, are refused', () => {
    for (const bad of ['..', '.', '/', 'a/b', '/etc', 'etc/', 'x\0y']) {
      assert.throws(() => c.walk(root.handle, [bad]), errno('EINVAL'), JSON.stringify(bad));
    }
    assert.throws(() => c.walk(root.handle, ['']), errno('ENOENT'));
    assert.throws(() => c.walk(root.handle, ['x'.repeat(256)]), errno('ENAMETOOLONG'));
    // Checked before anything is walked: no handle is left behind by a refused walk.
    const before = g.client.service.handleCount;
    assert.throws(() => c.walk(root.handle, ['a', 'b', '..', '..', '..']), errno('EINVAL'));
    assert.equal(g.client.service.handleCount, before);
  });

  test('a symlink pointing outside the root is text, never followed', () => {
    const r = c.walk(root.handle, ['out']);
    assert.equal(r.errno, 0);
    const h = r.entries[0].handle;
    assert.equal(r.entries[0].stat.mode & S_IFMT, S_IFLNK);
    assert.equal(r.entries[0].stat.ino, BigInt(lstatSync(join(tree.root, 'out')).ino));
    assert.equal(c.readlink(h), '/etc');
    assert.throws(() => c.open(h, O_RDONLY), errno('ELOOP'));
    assert.deepEqual(c.readdir(root.handle).find((e) => e.name === 'out')?.type, 10);
    // Walking through it stops at the link.
    const through = c.walk(root.handle, ['out', 'passwd']);
    assert.equal(through.entries.length, 1);
    assert.equal(through.errno, ELOOP);
    const up = c.walk(root.handle, ['up', 'etc', 'passwd']);
    assert.equal(up.entries.length, 1);
    assert.equal(up.errno, ELOOP);
    assert.equal(c.readlink(up.entries[0].handle), '../../../../../../..');
    c.close([h, through.entries[0].handle, up.entries[0].handle]);
  });

  test('a walked directory swapped for a symlink is stale, not followed', () => {
    const saved = dirFds.limit;
    dirFds.limit = 8;
    try {
      mkdirSync(join(tree.root, 'victim'));
      writeFileSync(join(tree.root, 'victim', 'passwd'), 'inside');
      const v = c.walk(root.handle, ['victim']).entries[0].handle;
      renameSync(join(tree.root, 'victim'), join(tree.root, 'victim.old'));
      symlinkSync('/etc', join(tree.root, 'victim'));
      // Push the directory's fd out of the cache so it must be reopened by name.
      const others = [];
      for (let i = 0; i < 12; i++) {
        mkdirSync(join(tree.root, `filler${i}`));
        others.push(c.walk(root.handle, [`filler${i}`]).entries[0].handle);
      }
      const r = c.walk(v, ['passwd']);
      // Reopening by name with O_NOFOLLOW|O_DIRECTORY fails on the link (ENOTDIR).
      assert.equal(r.entries.length, 0, 'nothing found through the link');
      assert.ok([ENOTDIR, ELOOP, ESTALE].includes(r.errno), `errno ${r.errno}`);
      assert.throws(() => c.stat(v), (e) => ['ENOTDIR', 'ELOOP', 'ESTALE'].includes(e?.name));
      c.close([v, ...others]);
    } finally {
      dirFds.limit = saved;
    }
  });

  test('a file swapped behind its handle is stale; the host target is never opened', () => {
    writeFileSync(join(tree.root, 'swap'), 'inside');
    const h = c.walk(root.handle, ['swap']).entries[0].handle;
    rmSync(join(tree.root, 'swap'));
    symlinkSync('/etc/passwd', join(tree.root, 'swap'));
    assert.throws(() => c.open(h, O_RDONLY), (e) => e?.name === 'ELOOP' || e?.name === 'ESTALE');
    c.close([h]);
  });

  test('a read-only server refuses writes and truncation; the host file is unchanged', () => {
    const h = c.walk(root.handle, ['hello.txt']).entries[0].handle;
    assert.throws(() => c.open(h, O_WRONLY), errno('EROFS'));
    assert.throws(() => c.open(h, O_RDWR), errno('EROFS'));
    assert.throws(() => c.open(h, O_RDONLY | O_TRUNC), errno('EROFS'));
    assert.throws(() => c.setattr(h, { size: 0 }), errno('EROFS'));
    assert.equal(c.attach().features & 1, 1);
    assert.equal(readFileSync(join(tree.root, 'hello.txt'), 'utf8'), 'hello world\n');
    c.close([h]);
  });

  test('opening files costs no fd beyond the one returned, and closing handles releases them', () => {
    const base = fdCount();
    for (let i = 0; i < 200; i++) {
      const r = c.walk(root.handle, ['a', 'b', 'c', 'file.txt']);
      const { fd } = c.open(r.entries[3].handle, O_RDONLY);
      assert.equal(native().pread(fd, new Uint8Array(4), 0), 4);
      native().close(fd);
      c.close(r.entries.map((e) => e.handle));
    }
    assert.ok(fdCount() <= base + 3, `fds grew by ${fdCount() - base}`);
  });
});

describe('directfs: masks in-process', () => {
  let tree;
  let g;
  let c;
  let root;

  before(() => {
    tree = makeTree();
    writeFileSync(join(tree.root, 'proc/secret'), 'host data');
    g = startDirect(['--root', tree.root, '--ro', '--mask', 'proc', '--mask', 'sys', '--mask', 'dev']);
    c = g.client;
    root = c.attach();
  });

  after(() => {
    g.stop();
    tree.cleanup();
  });

  test('a masked name is an empty directory with the host entry\'s attributes', () => {
    for (const name of ['proc', 'sys', 'dev']) {
      const e = c.walk(root.handle, [name]).entries[0];
      const host = lstatSync(join(tree.root, name));
      assert.equal(e.stat.mode, host.mode);
      assert.equal(e.stat.nlink, host.nlink);
      assert.equal(e.stat.uid, host.uid);
      assert.equal(e.stat.ino, BigInt(host.ino));
      assert.equal(e.stat.mtime.sec, Math.floor(host.mtimeMs / 1000));
      assert.deepEqual(c.readdir(e.handle), []);
      c.close([e.handle]);
    }
    assert.deepEqual(c.walk(root.handle, ['proc', 'secret']).errno, ENOENT);
  });

  test('through the VFS: a mount point for the Sentry\'s own file systems without copy-up', () => {
    const gfs = new GoferFilesystem(c);
    const overlay = new OverlayFilesystem(gfs.root().inode);
    const mntns = new MountNamespace(new Mount(overlay, overlay.root(), 0));
    const rootVd = mntns.rootVd();
    const d = rootVd.dentry.lookup('proc');
    assert.ok(d && d.inode.isDir());
    assert.deepEqual(d.inode.readdir(), []);
    assert.equal(d.inode.lookup('secret'), null);
    const tmp = new TmpfsFilesystem({ name: 'tmpfs' });
    mntns.attach(new Mount(tmp, tmp.root(), 0), { mount: rootVd.mount, dentry: d });
    tmp.root().inode.create('mine', { mode: 0o100644, uid: 0, gid: 0 });
    const ctx = { task: null, fs: new FsContext(mntns, rootVd, rootVd), creds: Credentials.root() };
    assert.equal(resolvePath(ctx, rootVd, '/proc/mine', { follow: true }).dentry.inode.fs, tmp);
    // The root was not copied up: it still shows the host directory's attributes.
    const st = rootVd.dentry.inode.stat();
    const host = statSync(tree.root);
    assert.equal(st.nlink, host.nlink);
    assert.equal(st.mtime.sec, Math.floor(host.mtimeMs / 1000));
    assert.equal(rootVd.dentry.inode.upper, null);
  });

  test('mount options say directfs', () => {
    assert.match(new GoferFilesystem(c).mountOptions(), /(^|,)directfs(,|$)/);
  });
});

describe('directfs: the launcher\'s root fd', () => {
  test('donateRoot opens a directory O_PATH; the server owns and checks it', () => {
    const tree = makeTree();
    try {
      const d = donateRoot({ root: tree.root, readOnly: true, deny: [], mask: ['proc'] });
      const flags = native().fcntl(d.fd, 3 /* F_GETFL */, 0);
      assert.equal(flags & 0o10000000, 0o10000000, 'O_PATH');
      assert.equal(native().fcntl(d.fd, 1 /* F_GETFD */, 0) & 1, 1, 'close-on-exec');
      const s = DirectFileServer.fromDirFd(d.fd, d);
      assert.equal(s.attach().stat.ino, BigInt(statSync(tree.root).ino));
      s.shutdown();
      assert.equal(native().fcntl(d.fd, 1, 0), -9, 'the root fd is closed with the server');
      assert.throws(() => donateRoot({ root: join(tree.root, 'hello.txt'), readOnly: true, deny: [], mask: [] }),
        errno('ENOTDIR'));
      assert.throws(() => donateRoot({ root: join(tree.root, 'missing'), readOnly: true, deny: [], mask: [] }),
        errno('ENOENT'));
    } finally {
      tree.cleanup();
    }
  });

  test('a non-directory fd is refused (and closed)', () => {
    const tree = makeTree();
    try {
      const fd = native().openat(-100, join(tree.root, 'hello.txt'), O_RDONLY, 0);
      assert.ok(fd >= 0);
      assert.throws(() => DirectFileServer.fromDirFd(fd, { readOnly: true, deny: [], mask: [] }), errno('ENOTDIR'));
      assert.equal(native().fcntl(fd, 1, 0), -9);
    } finally {
      tree.cleanup();
    }
  });

  test('bad deny or mask names are refused', () => {
    const fd = native().openat(-100, '/', 0o10000000 | 0o200000, 0);
    assert.throws(() => DirectFileServer.fromDirFd(fd, { readOnly: true, deny: [], mask: ['a/b'] }), errno('EINVAL'));
    assert.equal(native().fcntl(fd, 1, 0), -9);
  });
});
