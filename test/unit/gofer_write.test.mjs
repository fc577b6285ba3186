// The gofer's write side, request by request, over both transports (the gofer
// process's lisafs socket and directfs in-process): new entries with the owner and
// exact mode asked for, removal, renames that handles follow, attributes, xattrs,
// and the containment rules (one checked name, no symlink followed, deny/mask, --ro).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../dist/tsc/native.js';
import { makeTree, TRANSPORTS } from './gofer_helpers.mjs';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000;
const S_IFCHR = 0o020000;
const O_RDWR = 2;
const AT_REMOVEDIR = 0x200;
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const UTIME_OMIT = (1 << 30) - 2;
const me = { uid: 0, gid: 0 };

const errno = (name) => (e) => {
  assert.equal(e?.name, name, `expected ${name}, got ${e}`);
  return true;
};

for (const [mode, start] of TRANSPORTS) {
  describe(`${mode}: gofer write side`, () => {
    let tree;
    let g;
    let c;
    let root;
    const host = (p) => join(tree.root, p);
    const walk1 = (dir, name) => {
      const r = c.walk(dir, [name]);
      assert.equal(r.errno, 0, `walk ${name}`);
      return r.entries[0].handle;
    };

    before(() => {
      tree = makeTree();
      writeFileSync(join(tree.root, 'secret'), 'hidden');
      g = start(['--root', tree.root, '--deny', 'secret', '--mask', 'proc']);
      c = g.client;
      root = c.attach();
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('create opens a new file with the owner and the exact mode asked for', () => {
      const r = c.create(root.handle, 'new.txt', O_RDWR, 0o640, { uid: 1234, gid: 2345 });
      assert.equal(native().pwrite(r.fd, Buffer.from('data'), 0), 4);
      native().close(r.fd);
      const st = statSync(host('new.txt'));
      assert.deepEqual([st.uid, st.gid, st.mode], [1234, 2345, S_IFREG | 0o640]);
      assert.deepEqual([r.stat.uid, r.stat.gid, r.stat.mode], [1234, 2345, S_IFREG | 0o640]);
      assert.equal(readFileSync(host('new.txt'), 'utf8'), 'data');
      assert.equal(c.stat(r.handle).size, 4);
      assert.throws(() => c.create(root.handle, 'new.txt', O_RDWR, 0o600, me), errno('EEXIST'));
      // The process umask does not apply: the Sentry already applied the task's.
      const d = c.mkdir(root.handle, 'opendir', 0o777, me);
      assert.equal(statSync(host('opendir')).mode, S_IFDIR | 0o777);
      assert.equal(d.stat.mode, S_IFDIR | 0o777);
    });

    test('names that could leave the directory are refused', () => {
      for (const [name, e] of [['..', 'EINVAL'], ['.', 'EINVAL'], ['a/b', 'EINVAL'], ['', 'ENOENT'], ['x'.repeat(256), 'ENAMETOOLONG']]) {
        assert.throws(() => c.create(root.handle, name, O_RDWR, 0o600, me), errno(e), name);
        assert.throws(() => c.mkdir(root.handle, name, 0o700, me), errno(e), name);
        assert.throws(() => c.symlink(root.handle, name, 'x', me), errno(e), name);
        assert.throws(() => c.unlink(root.handle, name, 0), errno(e), name);
        assert.throws(() => c.rename(root.handle, 'hello.txt', root.handle, name, 0), errno(e), name);
      }
      assert.ok(existsSync(host('hello.txt')));
    });

    test('nothing is made or changed through a symlink', () => {
      symlinkSync('/', host('toroot'));
      const l = walk1(root.handle, 'toroot');
      assert.throws(() => c.create(l, 'etc-x', O_RDWR, 0o600, me), errno('ENOTDIR'));
      assert.throws(() => c.mkdir(l, 'tmp-x', 0o700, me), errno('ENOTDIR'));
      assert.throws(() => c.unlink(l, 'etc', 0), errno('ENOTDIR'));
      assert.throws(() => c.rename(root.handle, 'hello.txt', l, 'x', 0), errno('ENOTDIR'));
      assert.deepEqual(c.walk(root.handle, ['toroot', 'etc']).errno, 40); // ELOOP
      // chmod of a symlink is refused by the host; chown changes the link itself.
      assert.throws(() => c.setattr(l, { mode: 0o600 }), errno('EOPNOTSUPP'));
      c.setattr(l, { uid: 7, gid: 8 });
      assert.equal(lstatSync(host('toroot')).uid, 7);
      assert.equal(statSync('/').uid, 0);
    });

    test('mkdir, mknod (FIFO, socket, regular; never devices), symlink, link', () => {
      const d = c.mkdir(root.handle, 'dir', 0o2750, { uid: 5, gid: 6 });
      assert.deepEqual([d.stat.mode, d.stat.uid, d.stat.gid], [S_IFDIR | 0o2750, 5, 6]);
      const f = c.mknod(d.handle, 'fifo', S_IFIFO | 0o600, me);
      assert.equal(lstatSync(host('dir/fifo')).mode, S_IFIFO | 0o600);
      assert.equal(f.stat.mode, S_IFIFO | 0o600);
      c.mknod(d.handle, 'sock', S_IFSOCK | 0o600, me);
      assert.ok(lstatSync(host('dir/sock')).isSocket());
      c.mknod(d.handle, 'reg', S_IFREG | 0o644, me);
      assert.ok(lstatSync(host('dir/reg')).isFile());
      assert.throws(() => c.mknod(d.handle, 'null', S_IFCHR | 0o666, me), errno('EPERM'));
      assert.ok(!existsSync(host('dir/null')));
      const s = c.symlink(d.handle, 'sl', '../hello.txt', { uid: 9, gid: 9 });
      assert.equal(readlinkSync(host('dir/sl')), '../hello.txt');
      assert.equal(c.readlink(s.handle), '../hello.txt');
      assert.equal(lstatSync(host('dir/sl')).uid, 9);
      const h = walk1(root.handle, 'hello.txt');
      assert.equal(c.link(d.handle, 'hard2', h).nlink, 3); // hello.txt, hard, dir/hard2
      assert.throws(() => c.link(d.handle, 'hard2', h), errno('EEXIST'));
      assert.throws(() => c.link(root.handle, 'dirlink', d.handle), errno('EPERM'));
    });

    test('unlink and rmdir report the victim; errnos are the host\'s', () => {
      const d = walk1(root.handle, 'dir');
      assert.throws(() => c.unlink(root.handle, 'dir', AT_REMOVEDIR), errno('ENOTEMPTY'));
      assert.throws(() => c.unlink(root.handle, 'dir', 0), errno('EISDIR'));
      assert.throws(() => c.unlink(d, 'reg', AT_REMOVEDIR), errno('ENOTDIR'));
      assert.throws(() => c.unlink(d, 'reg', 1), errno('EINVAL'));
      const v = c.unlink(d, 'hard2', 0);
      assert.equal(v.nlink, 3);
      assert.equal(statSync(host('hello.txt')).nlink, 2);
      assert.throws(() => c.unlink(d, 'hard2', 0), errno('ENOENT'));
      c.mkdir(d, 'empty', 0o700, me);
      assert.equal(c.unlink(d, 'empty', AT_REMOVEDIR).mode & S_IFMT, S_IFDIR);
      assert.ok(!existsSync(host('dir/empty')));
    });

    test('renames: handles follow the entries they name, directories included', () => {
      mkdirSync(host('src/inner'), { recursive: true });
      writeFileSync(host('src/inner/file'), 'inner');
      const walked = c.walk(root.handle, ['src', 'inner', 'file']);
      const [srcH, innerH, fileH] = walked.entries.map((e) => e.handle);
      c.rename(root.handle, 'src', root.handle, 'dst', 0);
      assert.ok(existsSync(host('dst/inner/file')));
      assert.equal(c.stat(fileH).size, 5);
      const { fd } = c.open(fileH, 0);
      native().close(fd);
      c.rename(innerH, 'file', srcH, 'moved', 0); // both handles name the renamed directories
      assert.equal(readFileSync(host('dst/moved'), 'utf8'), 'inner');
      assert.equal(c.stat(fileH).size, 5);
      writeFileSync(host('other'), 'other');
      assert.throws(() => c.rename(srcH, 'moved', root.handle, 'other', RENAME_NOREPLACE), errno('EEXIST'));
      c.rename(srcH, 'moved', root.handle, 'other', RENAME_EXCHANGE);
      assert.equal(readFileSync(host('other'), 'utf8'), 'inner');
      assert.equal(readFileSync(host('dst/moved'), 'utf8'), 'other');
      assert.equal(c.stat(fileH).ino, BigInt(statSync(host('other')).ino));
      assert.throws(() => c.rename(root.handle, 'dst', innerH, 'loop', 0), errno('EINVAL'));
      assert.throws(() => c.rename(root.handle, 'nothere', root.handle, 'x', 0), errno('ENOENT'));
      assert.throws(() => c.rename(root.handle, 'other', root.handle, 'x', 8), errno('EINVAL'));
    });

    test('setattr: owner, mode, size and times, in that order', () => {
      const h = walk1(root.handle, 'new.txt');
      c.setattr(h, { mode: 0o4755 });
      let st = c.setattr(h, { uid: 77, gid: 88, mode: 0o6711 });
      assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [77, 88, 0o6711]);
      st = c.setattr(h, { size: 2, atime: { sec: 1000, nsec: 5 }, mtime: { sec: 2000, nsec: 6 } });
      assert.equal(st.size, 2);
      assert.deepEqual([st.atime, st.mtime], [{ sec: 1000, nsec: 5 }, { sec: 2000, nsec: 6 }]);
      st = c.setattr(h, { atime: { sec: 0, nsec: UTIME_OMIT }, mtime: { sec: 3000, nsec: 0 } });
      assert.deepEqual([st.atime.sec, st.mtime.sec], [1000, 3000]);
      const hs = statSync(host('new.txt'));
      assert.deepEqual([hs.uid, hs.gid, hs.size, hs.mtimeMs], [77, 88, 2, 3000000]);
      const before = statSync(tree.root).mode;
      assert.throws(() => c.setattr(root.handle, { size: 0, mode: 0o700 }), errno('EISDIR'));
      assert.equal(statSync(tree.root).mode, before, 'nothing changes when one part is refused');
    });

    test('xattrs: user.* and trusted.* only', () => {
      const h = walk1(root.handle, 'new.txt');
      c.setxattr(h, 'user.k', Buffer.from('v'.repeat(3000)), 0); // host file systems cap values at a block or so
      assert.equal(c.getxattr(h, 'user.k').length, 3000);
      c.setxattr(h, 'trusted.t', Buffer.from('tt'), 0);
      assert.deepEqual(c.listxattr(h).sort(), ['trusted.t', 'user.k']);
      assert.throws(() => c.setxattr(h, 'user.k', Buffer.from('x'), 1), errno('EEXIST'));
      assert.throws(() => c.setxattr(h, 'security.x', Buffer.from('x'), 0), errno('EOPNOTSUPP'));
      assert.throws(() => c.getxattr(h, 'user.none'), errno('ENODATA'));
      c.removexattr(h, 'user.k');
      assert.deepEqual(c.listxattr(h), ['trusted.t']);
      const d = walk1(root.handle, 'dir');
      c.setxattr(d, 'user.d', Buffer.from('dir'), 0);
      assert.equal(Buffer.from(c.getxattr(d, 'user.d')).toString(), 'dir');
    });

    test('xattrs of a symlink are its own, never its (host) target\'s', () => {
      const outside = join(tree.root, '..', `${tree.root.split('/').pop()}-outside`);
      writeFileSync(outside, 'x');
      try {
        symlinkSync(outside, host('xlink'));
        const l = walk1(root.handle, 'xlink');
        c.setxattr(l, 'trusted.mine', Buffer.from('link'), 0);
        assert.deepEqual(c.listxattr(l), ['trusted.mine']);
        assert.throws(() => c.getxattr(l, 'user.x'), errno('ENODATA'));
        const h = c.walk(root.handle, ['hello.txt']).entries[0].handle;
        assert.deepEqual(c.listxattr(h), []);
        assert.equal(execFileSync('python3', ['-c', 'import os,sys; print(os.listxattr(sys.argv[1]))', outside], { encoding: 'utf8' }), '[]\n');
      } finally {
        rmSync(outside, { force: true });
      }
    });

    test('denied names cannot be made or removed; masked ones are mount points', () => {
      assert.throws(() => c.create(root.handle, 'secret', O_RDWR, 0o600, me), errno('EACCES'));
      assert.throws(() => c.unlink(root.handle, 'secret', 0), errno('ENOENT'));
      assert.throws(() => c.rename(root.handle, 'secret', root.handle, 'x', 0), errno('ENOENT'));
      assert.throws(() => c.rename(root.handle, 'other', root.handle, 'secret', 0), errno('EACCES'));
      assert.equal(readFileSync(host('secret'), 'utf8'), 'hidden');
      assert.throws(() => c.unlink(root.handle, 'proc', AT_REMOVEDIR), errno('EBUSY'));
      assert.throws(() => c.rename(root.handle, 'other', root.handle, 'proc', 0), errno('EBUSY'));
      assert.throws(() => c.rename(root.handle, 'proc', root.handle, 'x', 0), errno('EBUSY'));
      const p = walk1(root.handle, 'proc');
      assert.throws(() => c.mkdir(p, 'x', 0o700, me), errno('EACCES'));
      assert.throws(() => c.setattr(p, { mode: 0o700 }), errno('EPERM'));
      assert.ok(statSync(host('proc')).isDirectory());
    });
  });

  describe(`${mode}: gofer --ro write side`, () => {
    let tree;
    let g;
    let c;
    let root;

    before(() => {
      tree = makeTree();
      g = start(['--root', tree.root, '--ro']);
      c = g.client;
      root = c.attach();
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('every change is EROFS and the host is untouched', () => {
      const h = c.walk(root.handle, ['hello.txt']).entries[0].handle;
      const calls = [
        () => c.create(root.handle, 'x', O_RDWR, 0o600, me), () => c.mkdir(root.handle, 'x', 0o700, me),
        () => c.mknod(root.handle, 'x', S_IFIFO | 0o600, me), () => c.symlink(root.handle, 'x', 'y', me),
        () => c.link(root.handle, 'x', h), () => c.unlink(root.handle, 'hello.txt', 0),
        () => c.rename(root.handle, 'hello.txt', root.handle, 'x', 0), () => c.setattr(h, { mode: 0o600 }),
        () => c.setxattr(h, 'user.x', Buffer.from('x'), 0), () => c.removexattr(h, 'user.x'),
      ];
      for (const f of calls) assert.throws(f, errno('EROFS'));
      assert.ok(!existsSync(join(tree.root, 'x')));
      assert.deepEqual(c.listxattr(h), []);
    });
  });
}
