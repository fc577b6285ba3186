// The Sentry's gofer file system through the VFS classes, against a real gofer
// process (lisafs RPC) and against the same handlers in-process (directfs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoferFilesystem, V9FS_MAGIC } from '../../dist/tsc/sentry/fsimpl/gofer/filesystem.js';
import { GoferFileDescription } from '../../dist/tsc/sentry/fsimpl/gofer/file.js';
import { DirectoryDescription } from '../../dist/tsc/sentry/vfs/file.js';
import { OverlayFilesystem } from '../../dist/tsc/sentry/fsimpl/overlay/overlay.js';
import { Mount, MountNamespace } from '../../dist/tsc/sentry/vfs/mount.js';
import { FsContext } from '../../dist/tsc/sentry/vfs/fs_context.js';
import { resolvePath } from '../../dist/tsc/sentry/vfs/path.js';
import { Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { makeTree, TRANSPORTS } from './gofer_helpers.mjs';

const O_RDONLY = 0;
const O_RDWR = 2;
const O_PATH = 0o10000000;
const SEEK_END = 2;
const noTask = null; // the gofer fs never looks at the task

const errno = (name) => (e) => {
  assert.equal(e?.name, name, `expected ${name}, got ${e}`);
  return true;
};

function vfsOver(fs) {
  const mount = new Mount(fs, fs.root(), 0);
  const mntns = new MountNamespace(mount);
  const rootVd = mntns.rootVd();
  const ctx = { task: noTask, fs: new FsContext(mntns, rootVd, rootVd), creds: Credentials.root() };
  const resolve = (path, follow = true) => resolvePath(ctx, rootVd, path, { follow });
  return { mount, rootVd, resolve };
}

function readDesc(fd, max = 4096, off = -1) {
  const buf = new Uint8Array(max);
  const n = fd.read(noTask, [buf], off);
  return Buffer.from(buf.subarray(0, n)).toString('latin1');
}

for (const [mode, start] of TRANSPORTS) {
  describe(`${mode}: GoferFilesystem (exclusive, read-only gofer)`, () => {
    let tree;
    let g;
    let fs;
    let v;

    before(() => {
      tree = makeTree();
      g = start(['--root', tree.root, '--ro', '--deny', 'proc']);
      fs = new GoferFilesystem(g.client);
      v = vfsOver(fs);
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('identity: 9p, own device, host inode numbers and attributes', () => {
      assert.equal(fs.name, '9p');
      assert.equal(fs.readOnly, true);
      const st = fs.root().inode.stat();
      const host = statSync(tree.root);
      assert.equal(st.dev, fs.dev);
      assert.equal(st.ino, BigInt(host.ino));
      assert.equal(st.mode, host.mode);
      assert.equal(st.uid, host.uid);
      const f = v.resolve('/a/b/c/file.txt').dentry.inode.stat();
      const hf = statSync(join(tree.root, 'a/b/c/file.txt'));
      assert.equal(f.ino, BigInt(hf.ino));
      assert.equal(f.size, hf.size);
      assert.equal(f.blocks, hf.blocks);
      assert.equal(f.mtime.sec, Math.floor(hf.mtimeMs / 1000));
      assert.equal(f.nlink, 1);
    });

    test('statfs comes from the host through the gofer', () => {
      const s = fs.statfs();
      assert.equal(s.type, V9FS_MAGIC);
      assert.equal(s.bsize, statSync(tree.root).blksize);
      assert.ok(s.blocks > 0);
    });

    test('lookups are cached: one round trip per component, misses included', () => {
      const root = fs.root();
      const before = g.client.requests;
      assert.equal(root.lookup('no-such-name'), null);
      assert.equal(root.lookup('no-such-name'), null);
      assert.equal(g.client.requests - before, 1, 'a negative lookup is remembered');
      const d1 = root.lookup('hello.txt');
      const d2 = root.lookup('hello.txt');
      assert.equal(d1, d2);
      assert.equal(g.client.requests - before, 2);
      assert.equal(root.lookup('proc'), null, '--deny hides proc');
    });

    test('hard links share one inode', () => {
      const a = v.resolve('/hello.txt').dentry.inode;
      const b = v.resolve('/hard').dentry.inode;
      assert.equal(a, b);
      assert.equal(a.nlink, 2);
    });

    test('a batched walk resolves a deep path in one round trip', () => {
      const dir = fs.root().lookup('etc').inode;
      const before = g.client.requests;
      assert.equal(fs.root().inode.prefetch(['empty']), 1);
      assert.equal(dir.prefetch(['passwd', 'nope']), 1);
      assert.equal(g.client.requests - before, 2);
      assert.equal(v.resolve('/etc/passwd').dentry.inode.size(), 15);
      assert.equal(v.resolve('/empty').dentry.inode.isDir(), true);
      assert.equal(g.client.requests - before, 2, 'lookups after prefetch cost nothing');
    });

    test('open and read through the donated fd; lseek; pread', () => {
      const vd = v.resolve('/a/b/c/file.txt');
      const fd = vd.dentry.inode.open(noTask, vd, O_RDONLY);
      assert.ok(fd instanceof GoferFileDescription);
      const before = g.client.requests;
      assert.equal(readDesc(fd, 4), 'deep');
      assert.equal(readDesc(fd), ' file\n');
      assert.equal(readDesc(fd), '');
      assert.equal(readDesc(fd, 100, 5), 'file\n');
      assert.equal(g.client.requests, before, 'reads do not talk to the gofer');
      assert.equal(fd.seek(-3, SEEK_END), 7);
      assert.equal(readDesc(fd), 'le\n');
      // Scatter read across two views.
      const a = new Uint8Array(3);
      const b = new Uint8Array(20);
      assert.equal(fd.read(noTask, [a, b], 0), 10);
      assert.equal(Buffer.from(a).toString() + Buffer.from(b.subarray(0, 7)).toString(), 'deep file\n');
      fd.decRef();
    });

    test('symlinks resolve inside the sandbox, never to the host target', () => {
      const link = v.resolve('/link', false).dentry.inode;
      assert.equal(link.isSymlink(), true);
      assert.equal(link.readlink(), '/etc/passwd');
      for (const p of ['/link', '/rel']) {
        const vd = v.resolve(p);
        const fd = vd.dentry.inode.open(noTask, vd, O_RDONLY);
        assert.equal(readDesc(fd), 'sandbox passwd\n');
        fd.decRef();
      }
      assert.throws(() => link.open(noTask, v.resolve('/link', false), O_RDONLY), errno('ELOOP'));
    });

    test('directories list through the generic DirectoryDescription', () => {
      const vd = v.resolve('/a');
      const d = vd.dentry.inode.open(noTask, vd, O_RDONLY);
      assert.ok(d instanceof DirectoryDescription);
      const names = [];
      d.iterateDir(noTask, (e) => {
        names.push(e.name);
        return true;
      });
      assert.deepEqual(names.sort(), ['.', '..', 'b', 'proc']);
      const top = fs.root().inode.readdir();
      const hello = top.find((e) => e.name === 'hello.txt');
      assert.equal(hello.ino, BigInt(statSync(join(tree.root, 'hello.txt')).ino));
      assert.equal(hello.type, 8);
      assert.ok(!top.some((e) => e.name === 'proc'));
      assert.equal(v.resolve('/big').dentry.inode.readdir().length, 3000);
    });

    test('O_PATH opens need no host fd', () => {
      const vd = v.resolve('/hello.txt');
      const before = g.client.requests;
      const p = vd.dentry.inode.open(noTask, vd, O_PATH);
      assert.equal(g.client.requests, before);
      assert.throws(() => p.read(noTask, [new Uint8Array(4)], -1), errno('EBADF'));
    });

    test('mmap mappings read file pages, zero past EOF, and outlive the descriptor', () => {
      const vd = v.resolve('/hello.txt');
      const fd = vd.dentry.inode.open(noTask, vd, O_RDONLY);
      const m = fd.mapping();
      assert.equal(m.name, undefined, 'named by its path (the caller knows it)');
      assert.equal(fd.stat().ino, BigInt(statSync(join(tree.root, 'hello.txt')).ino));
      fd.decRef(); // ld.so closes right after mmap
      const page = new Uint8Array(4096).fill(0xaa);
      m.readAt(page, 0);
      assert.equal(Buffer.from(page.subarray(0, 12)).toString(), 'hello world\n');
      assert.ok(page.subarray(12).every((x) => x === 0));
      const tail = new Uint8Array(8);
      m.readAt(tail, 6);
      assert.equal(Buffer.from(tail.subarray(0, 6)).toString(), 'world\n');
    });

    test('copy-up reads through dataReader', () => {
      const r = v.resolve('/etc/passwd').dentry.inode.dataReader();
      const buf = new Uint8Array(64);
      const n = r.readAt(buf, 0);
      assert.equal(Buffer.from(buf.subarray(0, n)).toString(), 'sandbox passwd\n');
      assert.equal(r.readAt(buf, n), 0);
      r.close();
    });

    test('write opens are refused by a read-only gofer', () => {
      const vd = v.resolve('/hello.txt');
      assert.throws(() => vd.dentry.inode.open(noTask, vd, O_RDWR), errno('EROFS'));
      assert.throws(() => vd.dentry.inode.setattr({ size: 0 }), errno('EROFS'));
    });
  });

  describe(`${mode}: GoferFilesystem (read-write gofer)`, () => {
    let tree;
    let g;
    let fs;
    let v;

    before(() => {
      tree = makeTree();
      g = start(['--root', tree.root]);
      fs = new GoferFilesystem(g.client);
      v = vfsOver(fs);
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('writes go to the host file and update the cached size', () => {
      const vd = v.resolve('/hello.txt');
      const inode = vd.dentry.inode;
      const fd = inode.open(noTask, vd, O_RDWR | 0o2000 /* O_APPEND */);
      assert.equal(fd.write(noTask, [Buffer.from('more\n')], -1), 5);
      assert.equal(inode.size(), 17);
      assert.equal(inode.stat().size, 17);
      assert.equal(readFileSync(join(tree.root, 'hello.txt'), 'utf8'), 'hello world\nmore\n');
      fd.truncate(5);
      assert.equal(inode.size(), 5);
      assert.equal(readFileSync(join(tree.root, 'hello.txt'), 'utf8'), 'hello');
      fd.fsync();
      fd.decRef();
      inode.setattr({ size: 0 }); // what open(O_TRUNC) does
      assert.equal(inode.size(), 0);
      assert.equal(statSync(join(tree.root, 'hello.txt')).size, 0);
    });

    test('create, unlink and rename keep the name cache right, negative entries included', () => {
      const root = v.rootVd;
      const dir = root.dentry.inode;
      const owner = { uid: 0, gid: 0 };
      assert.equal(root.dentry.lookup('made'), null); // remembered as missing
      const before = g.client.requests;
      const made = dir.create('made', { mode: 0o600, ...owner });
      root.dentry.add('made', made);
      // open(O_CREAT) is one round trip: the create's fd serves the open that follows.
      const fd = made.open(noTask, { mount: v.mount, dentry: root.dentry.cached('made') }, O_RDWR);
      assert.equal(g.client.requests - before, 1);
      assert.equal(fd.write(noTask, [Buffer.from('abc')], -1), 3);
      fd.decRef();
      assert.equal(readFileSync(join(tree.root, 'made'), 'utf8'), 'abc');
      assert.equal(v.resolve('/made').dentry.inode, made);
      dir.rename('made', dir, 'renamed', 0);
      root.dentry.move('made', root.dentry, 'renamed');
      assert.equal(root.dentry.lookup('made'), null);
      assert.equal(v.resolve('/renamed').dentry.inode, made);
      assert.equal(made.stat().size, 3);
      const d = dir.mkdir('sub', { mode: 0o755, ...owner });
      root.dentry.add('sub', d);
      assert.equal(dir.stat().nlink, statSync(tree.root).nlink, 'the directory is stat-ed again after a change');
      dir.link('hard3', made);
      root.dentry.add('hard3', made);
      assert.equal(made.nlink, 2);
      dir.unlink('renamed');
      root.dentry.drop('renamed');
      assert.equal(made.nlink, 1);
      const reqs = g.client.requests;
      assert.equal(root.dentry.lookup('renamed'), null);
      assert.equal(g.client.requests, reqs, 'the unlinked name is known missing without asking');
      assert.throws(() => dir.unlink('renamed'), errno('ENOENT'));
      assert.throws(() => dir.rmdir('sub2'), errno('ENOENT'));
      dir.rmdir('sub');
      root.dentry.drop('sub');
      assert.equal(readFileSync(join(tree.root, 'hard3'), 'utf8'), 'abc');
      assert.equal(statSync(join(tree.root, 'sub'), { throwIfNoEntry: false }), undefined);
    });
  });

  describe(`${mode}: GoferFilesystem (shared file access)`, () => {
    let tree;
    let g;
    let fs;

    before(() => {
      tree = makeTree();
      g = start(['--root', tree.root, '--ro']);
      fs = new GoferFilesystem(g.client, { shared: true });
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('changes made on the host are seen on revalidation and lookup', () => {
      assert.equal(fs.revalidates, true);
      const root = fs.root();
      assert.equal(root.lookup('later'), null);
      writeFileSync(join(tree.root, 'later'), 'abc');
      const d = root.lookup('later');
      assert.ok(d);
      assert.equal(d.inode.size(), 3);
      writeFileSync(join(tree.root, 'later'), 'abcdef');
      d.inode.revalidate();
      assert.equal(d.inode.size(), 6);
      assert.equal(root.lookup('later').inode, d.inode, 'the same host file keeps its inode');
    });

    test('a file renamed on the host stays openable under its new name', () => {
      const root = fs.root();
      const d = root.lookup('hello.txt');
      renameSync(join(tree.root, 'hello.txt'), join(tree.root, 'renamed.txt'));
      assert.equal(root.lookup('hello.txt'), null);
      const r = root.lookup('renamed.txt');
      assert.equal(r.inode, d.inode);
      const vd = { mount: new Mount(fs, fs.root(), 0), dentry: r };
      const fd = r.inode.open(noTask, vd, O_RDONLY);
      assert.equal(readDesc(fd), 'hello world\n');
      fd.decRef();
    });
  });

  describe(`${mode}: GoferFilesystem under an overlay (tsvisor do: host root read-only, writes in memory)`, () => {
    test('writes copy up through dataReader and never reach the host', () => {
      const tree = makeTree();
      const g = start(['--root', tree.root, '--ro']);
      try {
        const gfs = new GoferFilesystem(g.client);
        const v = vfsOver(new OverlayFilesystem(gfs.root().inode));
        const vd = v.resolve('/a/b/c/file.txt');
        const fd = vd.dentry.inode.open(noTask, vd, O_RDWR);
        assert.equal(fd.write(noTask, [Buffer.from('DEEP')], -1), 4);
        assert.equal(readDesc(fd, 100, 0), 'DEEP file\n');
        fd.decRef();
        assert.equal(readFileSync(join(tree.root, 'a/b/c/file.txt'), 'utf8'), 'deep file\n');
        assert.equal(vd.dentry.inode.stat().ino, BigInt(statSync(join(tree.root, 'a/b/c/file.txt')).ino));
      } finally {
        assert.equal(g.stop(), 0);
        tree.cleanup();
      }
    });
  });
}
