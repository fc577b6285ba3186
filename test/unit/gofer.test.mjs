// The gofer process and the lisafs client, end to end over a real socketpair; the
// request-level suites also run against the in-process handlers (directfs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  fstatSync, lstatSync, mkdirSync, readdirSync, readFileSync, readSync, renameSync, statfsSync, statSync, unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { native } from '../../dist/tsc/native.js';
import { makeTree, runGofer, startGofer, TRANSPORTS } from './gofer_helpers.mjs';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_TRUNC = 0o1000;
const ENOENT = 2;
const ENOTDIR = 20;
const ELOOP = 40;

const errno = (name) => (e) => {
  assert.equal(e?.name, name, `expected ${name}, got ${e}`);
  return true;
};

const readAll = (fd) => {
  const buf = Buffer.alloc(1 << 16);
  const n = readSync(fd, buf, 0, buf.length, 0);
  return buf.toString('utf8', 0, n);
};

for (const [mode, start] of TRANSPORTS) {
  describe(`${mode}: gofer (read-write)`, () => {
    let tree;
    let g;
    let c;
    let root;

    before(() => {
      tree = makeTree();
      g = start(['--root', tree.root]);
      c = g.client;
      root = c.attach();
    });

    after(() => {
      assert.equal(g.stop(), 0, 'the gofer exits 0 when the Sentry closes the socket');
      tree.cleanup();
    });

    test('attach returns the root with its host inode number', () => {
      assert.equal(root.stat.ino, BigInt(statSync(tree.root).ino));
      assert.equal(root.stat.mode & S_IFMT, S_IFDIR);
      assert.equal(root.features, 0);
    });

    test('a deep walk is one round trip and reports host stats', () => {
      const before = c.requests;
      const r = c.walk(root.handle, ['a', 'b', 'c', 'file.txt']);
      assert.equal(c.requests - before, 1);
      assert.equal(r.errno, 0);
      assert.equal(r.entries.length, 4);
      const st = statSync(join(tree.root, 'a/b/c/file.txt'));
      const last = r.entries[3].stat;
      assert.equal(last.ino, BigInt(st.ino));
      assert.equal(last.size, st.size);
      assert.equal(last.mode, st.mode);
      assert.equal(last.mtime.sec, Math.floor(st.mtimeMs / 1000));
      assert.equal(r.entries[1].stat.ino, BigInt(statSync(join(tree.root, 'a/b')).ino));
      c.close(r.entries.map((e) => e.handle));
    });

    test('a walk stops at the first missing component and says how many were found', () => {
      const r = c.walk(root.handle, ['a', 'nope', 'x']);
      assert.equal(r.entries.length, 1);
      assert.equal(r.errno, ENOENT);
      const miss = c.walk(root.handle, ['nope']);
      assert.deepEqual(miss, { entries: [], errno: ENOENT });
    });

    test('a walk does not go through files or symlinks', () => {
      const f = c.walk(root.handle, ['hello.txt', 'x']);
      assert.equal(f.entries.length, 1);
      assert.equal(f.errno, ENOTDIR);
      const l = c.walk(root.handle, ['link', 'x']);
      assert.equal(l.entries.length, 1);
      assert.equal(l.errno, ELOOP);
      assert.equal(l.entries[0].stat.mode & S_IFMT, S_IFLNK);
    });

    test('walks longer than one message are split', () => {
      const names = [];
      for (let i = 0; i < 150; i++) names.push('a', 'b');
      const r = c.walk(root.handle, names);
      // a/b exists, a/b/a does not.
      assert.equal(r.entries.length, 2);
      assert.equal(r.errno, ENOENT);
    });

    test('names that could leave the root are refused', () => {
      assert.throws(() => c.walk(root.handle, ['..']), errno('EINVAL'));
      assert.throws(() => c.walk(root.handle, ['.']), errno('EINVAL'));
      assert.throws(() => c.walk(root.handle, ['a/b']), errno('EINVAL'));
      assert.throws(() => c.walk(root.handle, ['/']), errno('EINVAL'));
      assert.throws(() => c.walk(root.handle, ['etc\0/../..']), errno('EINVAL'));
      assert.throws(() => c.walk(root.handle, ['']), errno('ENOENT'));
      assert.throws(() => c.walk(root.handle, ['a', '..', '..']), errno('EINVAL'));
      assert.throws(() => c.walk(root.handle, ['x'.repeat(256)]), errno('ENAMETOOLONG'));
    });

    test('symlinks come back as text and are never followed by the gofer', () => {
      const r = c.walk(root.handle, ['link']);
      assert.equal(r.errno, 0);
      const h = r.entries[0].handle;
      assert.equal(r.entries[0].stat.mode & S_IFMT, S_IFLNK);
      assert.equal(r.entries[0].stat.ino, BigInt(lstatSync(join(tree.root, 'link')).ino));
      assert.equal(c.readlink(h), '/etc/passwd');
      assert.throws(() => c.open(h, O_RDONLY), errno('ELOOP'));
      const rel = c.walk(root.handle, ['rel']).entries[0].handle;
      assert.equal(c.readlink(rel), '../../../../../etc/passwd');
      assert.throws(() => c.readlink(root.handle), errno('EINVAL'));
      c.close([h, rel]);
    });

    test('open donates a working host fd', () => {
      const h = c.walk(root.handle, ['hello.txt']).entries[0].handle;
      const { fd, stat } = c.open(h, O_RDONLY);
      assert.ok(fd > 2);
      assert.equal(stat.size, 12);
      assert.equal(readAll(fd), 'hello world\n');
      assert.equal(fstatSync(fd).ino, statSync(join(tree.root, 'hello.txt')).ino);
      native().close(fd);
      c.close([h]);
    });

    test('directories open read-only for getdents', () => {
      const { fd } = c.open(root.handle, O_RDONLY);
      const n = native().getdents64(fd, new Uint8Array(4096));
      assert.ok(n > 0);
      native().close(fd);
      assert.throws(() => c.open(root.handle, O_WRONLY), errno('EISDIR'));
    });

    test('readdir lists entries with host inode numbers and types, without . and ..', () => {
      const ents = c.readdir(root.handle);
      const byName = new Map(ents.map((e) => [e.name, e]));
      assert.ok(!byName.has('.') && !byName.has('..'));
      assert.equal(byName.get('hello.txt').type, 8);
      assert.equal(byName.get('a').type, 4);
      assert.equal(byName.get('link').type, 10);
      assert.equal(byName.get('hello.txt').ino, BigInt(statSync(join(tree.root, 'hello.txt')).ino));
      assert.ok(byName.has('proc'), 'nothing is denied without --deny');
      const empty = c.walk(root.handle, ['empty']).entries[0].handle;
      assert.deepEqual(c.readdir(empty), []);
    });

    test('readdir of a large directory spans several messages and is complete', () => {
      const h = c.walk(root.handle, ['big']).entries[0].handle;
      const before = c.requests;
      const ents = c.readdir(h);
      if (mode === 'rpc') assert.ok(c.requests - before > 1, 'more than one READDIR message');
      assert.equal(ents.length, 3000);
      assert.equal(new Set(ents.map((e) => e.name)).size, 3000);
      // A second listing starts over.
      assert.equal(c.readdir(h).length, 3000);
      c.close([h]);
    });

    test('stat and statfs', () => {
      const s = c.stat(root.handle);
      assert.equal(s.ino, root.stat.ino);
      const fs = c.statfs(root.handle);
      const host = statfsSync(tree.root);
      assert.equal(fs.bsize, host.bsize);
      assert.equal(fs.type, host.type);
      assert.ok(fs.blocks > 0);
    });

    test('writes and truncation work on a read-write gofer', () => {
      const h = c.walk(root.handle, ['etc', 'passwd']).entries[1].handle;
      const { fd } = c.open(h, O_RDWR);
      native().pwrite(fd, Buffer.from('SANDBOX'), 0);
      native().close(fd);
      assert.equal(readFileSync(join(tree.root, 'etc/passwd'), 'utf8'), 'SANDBOX passwd\n');
      const st = c.setattr(h, { size: 3 });
      assert.equal(st.size, 3);
      assert.equal(readFileSync(join(tree.root, 'etc/passwd'), 'utf8'), 'SAN');
      const t = c.open(h, O_WRONLY | O_TRUNC);
      native().close(t.fd);
      assert.equal(statSync(join(tree.root, 'etc/passwd')).size, 0);
      assert.equal(c.setattr(h, { mode: 0o600 }).mode & 0o7777, 0o600);
      assert.equal(statSync(join(tree.root, 'etc/passwd')).mode & 0o7777, 0o600);
      assert.throws(() => c.setattr(root.handle, { size: 0 }), errno('EISDIR'));
    });

    test('a name replaced behind a handle is stale, and a FIFO never blocks the gofer', () => {
      writeFileSync(join(tree.root, 'victim'), 'v1');
      const h = c.walk(root.handle, ['victim']).entries[0].handle;
      writeFileSync(join(tree.root, 'victim.new'), 'v2');
      renameSync(join(tree.root, 'victim.new'), join(tree.root, 'victim'));
      assert.throws(() => c.open(h, O_RDONLY), errno('ESTALE'));
      unlinkSync(join(tree.root, 'victim'));
      execFileSync('mkfifo', [join(tree.root, 'victim')]);
      assert.throws(() => c.open(h, O_RDONLY), errno('ESTALE'));
      const fifo = c.walk(root.handle, ['victim']).entries[0];
      assert.equal(fifo.stat.mode & S_IFMT, 0o010000);
      assert.throws(() => c.open(fifo.handle, O_RDONLY), errno('ENXIO'));
      c.close([h, fifo.handle]);
    });

    test('closed handles are gone', () => {
      const h = c.walk(root.handle, ['a']).entries[0].handle;
      c.close([h]);
      assert.throws(() => c.stat(h), errno('EBADF'));
      assert.throws(() => c.walk(h, ['b']), errno('EBADF'));
      c.close([h]); // closing twice is harmless
      assert.throws(() => c.stat(123456789), errno('EBADF'));
    });

    test('a walked parent stays usable after its handle is closed (children keep it open)', () => {
      const r = c.walk(root.handle, ['a', 'b', 'c']);
      c.close([r.entries[0].handle, r.entries[1].handle]);
      const f = c.walk(r.entries[2].handle, ['file.txt']).entries[0].handle;
      const { fd } = c.open(f, O_RDONLY);
      assert.equal(readAll(fd), 'deep file\n');
      native().close(fd);
      c.close([r.entries[2].handle, f]);
    });
  });

  describe(`${mode}: gofer --ro --deny`, () => {
    let tree;
    let g;
    let c;
    let root;

    before(() => {
      tree = makeTree();
      g = start(['--root', tree.root, '--ro', '--deny', 'proc', '--deny', 'sys', '--deny=dev']);
      c = g.client;
      root = c.attach();
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('attach advertises read-only', () => {
      assert.equal(root.features & 1, 1);
    });

    test('writes and mutations are refused with EROFS', () => {
      const h = c.walk(root.handle, ['hello.txt']).entries[0].handle;
      assert.throws(() => c.open(h, O_WRONLY), errno('EROFS'));
      assert.throws(() => c.open(h, O_RDWR), errno('EROFS'));
      assert.throws(() => c.open(h, O_RDONLY | O_TRUNC), errno('EROFS'));
      assert.throws(() => c.setattr(h, { size: 0 }), errno('EROFS'));
      const { fd } = c.open(h, O_RDONLY);
      assert.equal(readAll(fd), 'hello world\n');
      native().close(fd);
      assert.equal(readFileSync(join(tree.root, 'hello.txt'), 'utf8'), 'hello world\n');
    });

    test('denied top-level names do not exist', () => {
      for (const name of ['proc', 'sys', 'dev']) {
        assert.deepEqual(c.walk(root.handle, [name]), { entries: [], errno: ENOENT });
      }
      const names = c.readdir(root.handle).map((e) => e.name);
      assert.ok(!names.includes('proc') && !names.includes('sys') && !names.includes('dev'));
      assert.ok(names.includes('hello.txt') && names.includes('a'));
    });

    test('--deny only hides names at the top of the root', () => {
      const r = c.walk(root.handle, ['a', 'proc', 'x']);
      assert.equal(r.errno, 0);
      assert.equal(r.entries.length, 3);
      const a = r.entries[0].handle;
      assert.ok(c.readdir(a).some((e) => e.name === 'proc'));
    });
  });

  describe(`${mode}: gofer --mask`, () => {
    let tree;
    let g;
    let c;
    let root;

    before(() => {
      tree = makeTree();
      writeFileSync(join(tree.root, 'proc/secret'), 'host data');
      mkdirSync(join(tree.root, 'proc/sub'));
      g = start(['--root', tree.root, '--ro', '--mask', 'proc', '--mask=sys', '--mask', 'hello.txt',
        '--mask', 'link', '--mask', 'nothere']);
      c = g.client;
      root = c.attach();
    });

    after(() => {
      assert.equal(g.stop(), 0);
      tree.cleanup();
    });

    test('a masked directory is there, with the host entry\'s attributes', () => {
      const r = c.walk(root.handle, ['proc']);
      assert.equal(r.errno, 0);
      const st = r.entries[0].stat;
      const host = lstatSync(join(tree.root, 'proc'));
      assert.equal(st.mode, host.mode);
      assert.equal(st.ino, BigInt(host.ino));
      assert.equal(st.uid, host.uid);
      assert.equal(st.gid, host.gid);
      assert.equal(st.nlink, host.nlink);
      assert.equal(st.mtime.sec, Math.floor(host.mtimeMs / 1000));
      assert.equal(st.mtime.nsec, Number(lstatSync(join(tree.root, 'proc'), { bigint: true }).mtimeNs % 1000000000n));
      assert.deepEqual(c.stat(r.entries[0].handle), st);
      c.close([r.entries[0].handle]);
    });

    test('nothing below a mask can be walked to, listed or opened', () => {
      const r = c.walk(root.handle, ['proc', 'secret']);
      assert.equal(r.entries.length, 1);
      assert.equal(r.errno, ENOENT);
      assert.deepEqual(c.walk(r.entries[0].handle, ['sub']), { entries: [], errno: ENOENT });
      assert.deepEqual(c.readdir(r.entries[0].handle), []);
      assert.throws(() => c.open(r.entries[0].handle, O_RDONLY), errno('EACCES'));
      assert.throws(() => c.readlink(r.entries[0].handle), errno('EINVAL'));
      assert.throws(() => c.walk(r.entries[0].handle, ['..']), errno('EINVAL'));
      c.close([r.entries[0].handle]);
    });

    test('the root lists masked names as directories', () => {
      const byName = new Map(c.readdir(root.handle).map((e) => [e.name, e]));
      for (const name of ['proc', 'sys', 'hello.txt', 'link']) assert.equal(byName.get(name).type, 4, name);
      assert.ok(!byName.has('nothere'));
      assert.equal(byName.get('a').type, 4);
      assert.equal(byName.get('etc').type, 4);
    });

    test('a masked file or symlink is an empty directory with its permissions; a missing name stays missing', () => {
      const f = c.walk(root.handle, ['hello.txt']).entries[0];
      const host = lstatSync(join(tree.root, 'hello.txt'));
      assert.equal(f.stat.mode, S_IFDIR | (host.mode & 0o7777));
      assert.equal(f.stat.size, host.size);
      assert.deepEqual(c.readdir(f.handle), []);
      assert.throws(() => c.open(f.handle, O_RDONLY), errno('EACCES'));
      const l = c.walk(root.handle, ['link']);
      assert.equal(l.errno, 0);
      assert.equal(l.entries[0].stat.mode & S_IFMT, S_IFDIR);
      assert.equal(l.entries[0].stat.ino, BigInt(lstatSync(join(tree.root, 'link')).ino), 'the link, not its target');
      assert.deepEqual(c.walk(l.entries[0].handle, ['passwd']), { entries: [], errno: ENOENT });
      assert.deepEqual(c.walk(root.handle, ['nothere']), { entries: [], errno: ENOENT });
      c.close([f.handle, l.entries[0].handle]);
    });

    test('masks apply only at the top of the root', () => {
      const r = c.walk(root.handle, ['a', 'proc', 'x']);
      assert.equal(r.errno, 0);
      assert.equal(r.entries.length, 3);
      c.close(r.entries.map((e) => e.handle));
    });
  });
}

describe('gofer command line', () => {
  test('a single file can be the root (bind-mounted files)', () => {
    const tree = makeTree();
    try {
      const g = startGofer(['--root', join(tree.root, 'hello.txt'), '--ro']);
      const root = g.client.attach();
      assert.equal(root.stat.mode & S_IFMT, S_IFREG);
      const { fd } = g.client.open(root.handle, O_RDONLY);
      assert.equal(readAll(fd), 'hello world\n');
      native().close(fd);
      assert.deepEqual(g.client.walk(root.handle, ['x']), { entries: [], errno: ENOTDIR });
      assert.equal(g.stop(), 0);
    } finally {
      tree.cleanup();
    }
  });

  test('a missing root or a bad flag exits 2', () => {
    assert.equal(runGofer(['--root', '/nonexistent/tsvisor-gofer']), 2);
    assert.equal(runGofer(['--bogus']), 2);
    assert.equal(runGofer(['--deny', '../x']), 2);
    assert.equal(runGofer(['--mask', 'a/b']), 2);
    assert.equal(runGofer(['--mask', '..']), 2);
    assert.equal(runGofer(['--mask=']), 2);
  });

  test('the gofer exits when the Sentry goes away without a word', () => {
    assert.equal(runGofer(['--root', '/']), 0);
  });
});

describe('gofer protocol robustness', () => {
  const raw = (c, bytes) => {
    const nat = native();
    assert.equal(nat.sendmsg(c.sock, bytes, null), bytes.length);
    const buf = Buffer.alloc(65536);
    const fds = new Int32Array(5);
    const n = nat.recvmsg(c.sock, buf, fds, 0);
    return { id: buf.readUInt16LE(0), errno: n >= 6 ? buf.readUInt32LE(2) : -1 };
  };
  const u16 = (...v) => Buffer.from(new Uint16Array(v).buffer);

  test('write-side ids under --ro, unknown ids and malformed requests get errnos', () => {
    const tree = makeTree();
    try {
      const ro = startGofer(['--root', tree.root, '--ro']);
      ro.client.attach();
      assert.deepEqual(raw(ro.client, u16(10)), { id: 0, errno: 30 }); // MKDIR under --ro: EROFS
      assert.deepEqual(raw(ro.client, u16(999)), { id: 0, errno: 38 }); // unknown: ENOSYS
      assert.deepEqual(raw(ro.client, u16(2, 1)), { id: 0, errno: 74 }); // truncated WALK: EBADMSG
      assert.equal(ro.stop(), 0);
      const rw = startGofer(['--root', tree.root]);
      assert.deepEqual(raw(rw.client, u16(10)), { id: 0, errno: 74 }); // MKDIR without its fields: EBADMSG
      assert.deepEqual(raw(rw.client, u16(17)), { id: 0, errno: 38 }); // reserved FSYNC: ENOSYS
      // The connection is still good after errors.
      assert.equal(rw.client.attach().stat.ino, BigInt(statSync(tree.root).ino));
      assert.equal(rw.stop(), 0);
    } finally {
      tree.cleanup();
    }
  });

  test('requests fail with EIO once the gofer is gone', () => {
    const g = startGofer(['--root', '/']);
    const root = g.client.attach();
    native().kill(g.pid, 9);
    native().waitpid(g.pid, 0, new Int32Array(1));
    assert.throws(() => g.client.stat(root.handle), errno('EIO'));
    assert.throws(() => g.client.walk(root.handle, ['etc']), errno('EIO'));
    g.client.shutdown();
  });
});

describe('gofer fd use', () => {
  test('only directories hold host fds, and at most --max-dir-fds of them', () => {
    const tree = makeTree();
    try {
      // 40 sibling directories with a file each, and one 30-deep chain.
      for (let i = 0; i < 40; i++) {
        mkdirSync(join(tree.root, `d${i}`));
        writeFileSync(join(tree.root, `d${i}`, 'f'), `file ${i}`);
      }
      const deep = Array.from({ length: 30 }, (_, i) => `n${i}`);
      mkdirSync(join(tree.root, ...deep), { recursive: true });
      writeFileSync(join(tree.root, ...deep, 'leaf'), 'leaf');
      const g = startGofer(['--root', tree.root, '--max-dir-fds', '8']);
      const c = g.client;
      const root = c.attach();
      const fdCount = () => readdirSync(`/proc/${g.pid}/fd`).length;
      const base = fdCount();
      // 3000 files walked: no fd each.
      const big = c.walk(root.handle, ['big']).entries[0].handle;
      const files = c.readdir(big).map((e) => c.walk(big, [e.name]).entries[0].handle);
      assert.equal(files.length, 3000);
      assert.ok(fdCount() - base <= 9, `fds grew by ${fdCount() - base}`);
      const dirs = [];
      for (let i = 0; i < 40; i++) dirs.push(c.walk(root.handle, [`d${i}`]).entries[0].handle);
      const chain = c.walk(root.handle, [...deep, 'leaf']);
      assert.equal(chain.entries.length, 31);
      assert.ok(fdCount() - base <= 9, `fds grew by ${fdCount() - base}`);
      // Evicted directories reopen by name, transparently.
      for (let i = 0; i < 40; i++) {
        const f = c.walk(dirs[i], ['f']).entries[0].handle;
        const { fd } = c.open(f, O_RDONLY);
        assert.equal(readAll(fd), `file ${i}`);
        native().close(fd);
        assert.equal(c.readdir(dirs[i]).length, 1);
        assert.equal(c.stat(dirs[i]).ino, BigInt(statSync(join(tree.root, `d${i}`)).ino));
      }
      const { fd } = c.open(chain.entries[30].handle, O_RDONLY);
      assert.equal(readAll(fd), 'leaf');
      native().close(fd);
      assert.ok(fdCount() - base <= 9, `fds grew by ${fdCount() - base}`);
      // A directory replaced on the host while its fd was evicted is stale, not silently another one.
      renameSync(join(tree.root, 'd0'), join(tree.root, 'd0.old'));
      mkdirSync(join(tree.root, 'd0'));
      for (let i = 1; i < 40; i++) c.stat(dirs[i]); // push d0 out of the cache
      assert.deepEqual(c.walk(dirs[0], ['f']), { entries: [], errno: 116 /* ESTALE */ });
      assert.throws(() => c.stat(dirs[0]), errno('ESTALE'));
      c.close([...files, ...dirs, big]);
      assert.equal(g.stop(), 0);
    } finally {
      tree.cleanup();
    }
  });
});

describe('gofer signals', () => {
  test('terminal signals do not take the gofer down before the Sentry', async () => {
    const g = startGofer(['--root', '/']);
    const root = g.client.attach();
    // Give Node time to install its handlers (the attach reply proves the loop runs).
    native().kill(g.pid, 2 /* SIGINT */);
    native().kill(g.pid, 1 /* SIGHUP */);
    assert.equal(g.client.stat(root.handle).ino, root.stat.ino);
    assert.equal(g.stop(), 0);
  });
});
