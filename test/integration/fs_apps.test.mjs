// Acceptance tests of the file system layer with real programs (issue #5): sqlite3
// and git on a host volume (the host's own tools read the result), tar of a
// 2,000-file tree compared with native, and python3's file APIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { native, sandboxed } from '../lib/run.mjs';

function withDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-fsapps-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const has = (p) => existsSync(p);

test('sqlite3 on a host volume: 1,000 rows in a transaction, an index, integrity_check; the host reads them', { skip: !has('/usr/bin/sqlite3') && 'no sqlite3' }, () => {
  withDir((dir) => {
    let sql = 'create table t(a integer, b text);\nbegin;\n';
    for (let i = 1; i <= 1000; i++) sql += `insert into t values(${i}, 'row${i}');\n`;
    sql += 'commit;\ncreate index tb on t(b);\npragma integrity_check;\n';
    writeFileSync(join(dir, 'load.sql'), sql);
    const r = sandboxed(['/bin/sh', '-c', 'cd /data && sqlite3 t.db < load.sql'], { doFlags: ['--volume', `${dir}:/data`] });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
    const host = execFileSync('sqlite3', [join(dir, 't.db'), 'select count(*), sum(a) from t; pragma integrity_check;'],
      { encoding: 'utf8' });
    assert.equal(host, '1000|500500\nok\n');
  });
});

test('git init, add and commit on a host volume; the host sees the commit', { skip: !has('/usr/bin/git') && 'no git' }, () => {
  withDir((dir) => {
    const r = sandboxed(['/bin/sh', '-c', 'cd /repo && git init -q && git config user.email t@example.com && ' +
      'git config user.name T && echo hello > f.txt && mkdir d && echo x > d/y && git add . && ' +
      'git commit -qm "made in the sandbox" && git status --short | wc -l'], { doFlags: ['--volume', `${dir}:/repo`] });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0');
    const log = execFileSync('git', ['-C', dir, 'log', '--format=%s'], { encoding: 'utf8' });
    assert.equal(log, 'made in the sandbox\n');
    execFileSync('git', ['-C', dir, 'fsck', '--strict'], { stdio: 'pipe' });
    assert.equal(execFileSync('git', ['-C', dir, 'show', 'HEAD:d/y'], { encoding: 'utf8' }), 'x\n');
  });
});

test('tar of a 2,000-file tree and back: find, du -s and checksums match native', () => {
  withDir((dir) => {
    const src = join(dir, 'src');
    for (let d = 0; d < 40; d++) {
      mkdirSync(join(src, `d${d}`, 'sub'), { recursive: true });
      for (let f = 0; f < 50; f++) {
        const where = f % 2 ? join(src, `d${d}`, 'sub') : join(src, `d${d}`);
        writeFileSync(join(where, `f${f}`), `file ${d}/${f}\n`.repeat(1 + ((d * 50 + f) % 37)));
      }
    }
    // Each run packs the tree and unpacks it in its own directory, then describes the copy.
    const script = (out) => `set -e; mkdir -p ${out}; cd ${dir}; tar cf ${out}.tar src; cd ${out}; tar xf ${out}.tar; ` +
      `cd src; find . | sort | md5sum; find . -type f | wc -l; du -s --apparent-size .; ` +
      `find . -type f -print0 | sort -z | xargs -0 md5sum | md5sum`;
    const n = native(['/bin/sh', '-c', script(join(dir, 'native'))]);
    assert.equal(n.status, 0, n.stderr);
    const s = sandboxed(['/bin/sh', '-c', script(join(dir, 'sandbox'))], { doFlags: ['--volume', `${dir}:${dir}`] });
    assert.equal(s.status, 0, s.stderr);
    assert.equal(s.stdout, n.stdout);
    assert.match(n.stdout, /\n2000\n/);
  });
});

const PY = `
import fcntl, hashlib, mmap, os, shutil, tempfile
base = tempfile.mkdtemp()
src = os.path.join(base, 'src')
for i in range(20):
    os.makedirs(os.path.join(src, 'd%d' % (i % 4), 'e%d' % i), exist_ok=True)
    with open(os.path.join(src, 'd%d' % (i % 4), 'e%d' % i, 'f.txt'), 'w') as f:
        f.write('x' * (i * 100))
shutil.copytree(src, os.path.join(base, 'copy'))
walk = sorted((os.path.relpath(r, base), sorted(d), sorted(f)) for r, d, f in os.walk(os.path.join(base, 'copy')))
print(len(walk), hashlib.md5(repr(walk).encode()).hexdigest())
with tempfile.NamedTemporaryFile(dir=base, delete=False) as t:
    t.write(b'0' * 8192)
with open(t.name, 'r+b') as f:
    m = mmap.mmap(f.fileno(), 0)
    m[100:105] = b'hello'
    m.flush()
    m.close()
with open(t.name, 'rb') as f:
    print(f.read()[98:107])
fd = os.open(t.name, os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
pid = os.fork()
if pid == 0:
    fd2 = os.open(t.name, os.O_RDWR)
    try:
        fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os._exit(1)
    except BlockingIOError:
        os._exit(7)
print('child sees the lock', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7)
shutil.rmtree(base)
print('cleaned', not os.path.exists(base))
`;

test('python3: tempfile, shutil.copytree, os.walk, mmap of a file, flock between two processes', () => {
  const n = native(['/usr/bin/python3', '-c', PY]);
  assert.equal(n.status, 0, n.stderr);
  const s = sandboxed(['/usr/bin/python3', '-c', PY]);
  assert.equal(s.status, 0, s.stderr);
  assert.equal(s.stdout, n.stdout);
});
