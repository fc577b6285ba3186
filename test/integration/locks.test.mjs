// Acceptance tests for file locks and inotify (issue #5): python3's fcntl.flock and
// fcntl.lockf between two processes, and inotify through ctypes, compared with native runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCode, native, sandboxed } from '../lib/run.mjs';

function sameAsNative(argv) {
  const n = native(argv);
  const s = sandboxed(argv);
  assert.equal(n.status, 0, `native run failed: ${n.stderr}`);
  assert.equal(s.stdout, n.stdout, `stderr: ${s.stderr}`);
  assert.equal(exitCode(s), exitCode(n));
}

const FLOCK = `
import errno, fcntl, os, shutil, tempfile
d = tempfile.mkdtemp()
p = os.path.join(d, 'f')
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    f2 = os.open(p, os.O_RDWR)
    try:
        fcntl.flock(f2, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print('child: locked?!', flush=True)
    except BlockingIOError as e:
        print('child: busy', errno.errorcode[e.errno], flush=True)
    os.write(w, b'x')
    fcntl.flock(f2, fcntl.LOCK_EX)
    os.write(f2, b'child was here')
    try:
        fcntl.lockf(f2, fcntl.LOCK_EX | fcntl.LOCK_NB, 4, 0)
        print('child: lockf?!', flush=True)
    except OSError as e:
        print('child: lockf', errno.errorcode[e.errno], flush=True)
    os._exit(0)
os.read(r, 1)
fcntl.lockf(fd, fcntl.LOCK_EX, 4, 0)
print('parent: unlocking', flush=True)
fcntl.flock(fd, fcntl.LOCK_UN)
_, st = os.waitpid(pid, 0)
print('child status', st)
print(open(p).read())
shutil.rmtree(d)
`;

test('python3: fcntl.flock and fcntl.lockf between two processes', () => {
  sameAsNative(['/usr/bin/python3', '-c', FLOCK]);
});

const INOTIFY = `
import ctypes, os, shutil, struct, tempfile
libc = ctypes.CDLL(None, use_errno=True)
d = tempfile.mkdtemp()
fd = libc.inotify_init1(os.O_NONBLOCK)
wd = libc.inotify_add_watch(fd, d.encode(), 0xfff)
open(os.path.join(d, 'a.txt'), 'w').write('hi')
os.rename(os.path.join(d, 'a.txt'), os.path.join(d, 'b.txt'))
os.unlink(os.path.join(d, 'b.txt'))
buf = os.read(fd, 4096)
cookies = {}
off = 0
while off < len(buf):
    w, mask, cookie, n = struct.unpack_from('iIII', buf, off)
    name = buf[off + 16:off + 16 + n].rstrip(b'\\0').decode()
    c = cookies.setdefault(cookie, len(cookies)) if cookie else ''
    print(w == wd, hex(mask), name, c)
    off += 16 + n
shutil.rmtree(d)
`;

test('python3: inotify through ctypes sees create, write, close, rename, unlink', () => {
  sameAsNative(['/usr/bin/python3', '-c', INOTIFY]);
});
