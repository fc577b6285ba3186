// Host files written from the sandbox through the gofer: a `do --volume` (served
// in-process with directfs, or by a gofer process with --directfs=false) and the
// writable host root (--force-overlay=false) must leave on the host exactly what the commands made —
// contents, modes, owners, renames, links, symlinks — while the memory overlay
// (the default) and --overlay2=none leave the host untouched. Escapes through
// symlinks stay inside the served tree. --file-access=shared sees host changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxed, TSVISOR } from '../lib/run.mjs';

const BUSYBOX = '/bin/busybox';
const hasBusybox = existsSync(BUSYBOX);

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-gofer-write-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

// Runs in the sandbox with $V the directory to change.
const SCRIPT = `
set -e
cd "$V"
chmod 755 .
echo new > b
mkdir -p d/e
ln -s b s
ln b h
mv a d/a2
mkfifo f
chmod 640 b
chown 1000:2000 b
touch -d @1000000000 d/a2
printf 'xyz' > t && truncate -s 1 t
mv d/e d/e2
echo one > x1; echo two > x2
python3 -c 'import ctypes,os; l=ctypes.CDLL(None); assert l.renameat2(-100, b"x1", -100, b"x2", 2) == 0'
mkdir gone && rmdir gone
echo gone > rm1 && rm rm1
chmod 777 d
setpriv --reuid=1234 --regid=2345 --clear-groups sh -c 'echo mine > d/mine'
python3 -c 'import os; os.setxattr("b", "user.tag", b"sandbox")'
echo ok
`;

function checkHost(v) {
  assert.equal(readFileSync(join(v, 'b'), 'utf8'), 'new\n');
  const b = statSync(join(v, 'b'));
  assert.deepEqual([b.mode & 0o7777, b.uid, b.gid, b.nlink], [0o640, 1000, 2000, 2]);
  assert.equal(statSync(join(v, 'h')).ino, b.ino);
  assert.ok(statSync(join(v, 'd/e2')).isDirectory());
  assert.ok(!existsSync(join(v, 'd/e')));
  assert.equal(readlinkSync(join(v, 's')), 'b');
  assert.ok(!existsSync(join(v, 'a')));
  assert.equal(readFileSync(join(v, 'd/a2'), 'utf8'), 'old\n');
  assert.equal(statSync(join(v, 'd/a2')).mtimeMs, 1e12);
  assert.ok(lstatSync(join(v, 'f')).isFIFO());
  assert.equal(readFileSync(join(v, 't'), 'utf8'), 'x');
  assert.deepEqual([readFileSync(join(v, 'x1'), 'utf8'), readFileSync(join(v, 'x2'), 'utf8')], ['two\n', 'one\n']);
  assert.ok(!existsSync(join(v, 'gone')) && !existsSync(join(v, 'rm1')));
  const mine = statSync(join(v, 'd/mine'));
  assert.deepEqual([mine.uid, mine.gid, mine.mode & 0o777], [1234, 2345, 0o644]);
  const files = statSync(join(v, 'd/a2'));
  assert.equal(files.uid, 0);
}

for (const directfs of ['true', 'false']) {
  test(`--directfs=${directfs} do --volume: changes in the sandbox land on the host as made`, () => {
    const s = scratch();
    try {
      writeFileSync(join(s.dir, 'a'), 'old\n');
      const r = sandboxed(['/bin/sh', '-c', SCRIPT], {
        global: [`--directfs=${directfs}`], doFlags: ['--volume', `${s.dir}:/mnt/v`], env: { ...process.env, V: '/mnt/v' },
      });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'ok\n');
      checkHost(s.dir);
      const m = sandboxed(['/bin/cat', '/proc/mounts'], { global: [`--directfs=${directfs}`], doFlags: ['--volume', `${s.dir}:/mnt/v:ro`] });
      assert.match(m.stdout, directfs === 'true' ? /^\S+ \/mnt\/v 9p ro,.*directfs/m : /^\S+ \/mnt\/v 9p ro,trans=fd/m);
    } finally {
      s.done();
    }
  });
}

test('--directfs=false --force-overlay=false: the same through the gofer process', () => {
  const s = scratch();
  try {
    writeFileSync(join(s.dir, 'a'), 'old\n');
    const r = sandboxed(['/bin/sh', '-c', SCRIPT], { global: ['--directfs=false'], doFlags: ['--force-overlay=false'], env: { ...process.env, V: s.dir } });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'ok\n');
    checkHost(s.dir);
  } finally {
    s.done();
  }
});

test('the memory overlay (default) and --overlay2=none leave the host untouched', () => {
  const s = scratch();
  try {
    writeFileSync(join(s.dir, 'a'), 'old\n');
    // The overlay's upper layer (tmpfs) stores no xattrs yet.
    const script = SCRIPT.replace(/^python3 -c 'import os; os.setxattr.*$/m, '');
    const r = sandboxed(['/bin/sh', '-c', script], { env: { ...process.env, V: s.dir } });
    assert.equal(r.stdout, 'ok\n', r.stderr);
    const none = sandboxed(['/bin/sh', '-c', 'cd "$V"; echo x > b; mkdir d; rm a; mv a c'], { global: ['--overlay2=none'], env: { ...process.env, V: s.dir } });
    assert.match(none.stderr, /Read-only file system/);
    assert.deepEqual(readFileSync(join(s.dir, 'a'), 'utf8'), 'old\n');
    assert.deepEqual(statSync(s.dir).nlink, 2);
    assert.equal(statSync(s.dir).mode & 0o777, 0o700);
    assert.ok(!existsSync(join(s.dir, 'b')) && !existsSync(join(s.dir, 'd')));
  } finally {
    s.done();
  }
});

for (const directfs of ['true', 'false']) {
  test(`--directfs=${directfs}: symlinks out of a writable root lead back into it`, { skip: !hasBusybox && 'busybox-static not installed' }, () => {
    const s = scratch();
    try {
      const rootfs = join(s.dir, 'rootfs');
      mkdirSync(join(rootfs, 'bin'), { recursive: true });
      for (const d of ['proc', 'dev', 'sys', 'etc']) mkdirSync(join(rootfs, d));
      copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
      const hostPasswd = statSync('/etc/passwd');
      const script = [
        'ln -s / link', 'ln -s ../../.. up', 'ln -s /etc/passwd pw',
        'echo a > link/escaped1', 'echo b > link/../escaped2', 'mkdir up/escaped3', 'echo c > link/etc/escaped4',
        'ln pw hl', 'mv link/.. x 2>/dev/null || echo no-rename',
        'cd link/../..; echo d > escaped5', 'echo done',
      ].join('; ');
      const r = sandboxed(['/bin/busybox', 'sh', '-c', script], {
        global: [`--directfs=${directfs}`], doFlags: ['--root', rootfs, '--force-overlay=false', '--cwd', '/'],
      });
      assert.equal(r.stdout, 'no-rename\ndone\n', r.stderr);
      assert.ok(lstatSync(join(rootfs, 'hl')).isSymbolicLink(), 'a hard link to the symlink itself');
      for (const f of ['escaped1', 'escaped2', 'escaped3', 'etc/escaped4', 'escaped5']) {
        assert.ok(existsSync(join(rootfs, f)), `${f} inside the root`);
        assert.ok(!existsSync(join(s.dir, f)), `${f} not next to the root`);
        assert.ok(!existsSync(join('/', f)), `${f} not in the host's /`);
      }
      assert.equal(statSync('/etc/passwd').nlink, hostPasswd.nlink);
      assert.equal(statSync('/etc/passwd').mtimeMs, hostPasswd.mtimeMs);
    } finally {
      s.done();
    }
  });
}

for (const directfs of ['true', 'false']) test(`--directfs=${directfs} do --volume: symlinks to / and .. in a volume never lead out of it on the host`, () => {
  const s = scratch();
  try {
    const vol = join(s.dir, 'vol');
    mkdirSync(vol);
    const tag = `tsvisor-escape-${process.pid}`;
    const script = [
      'cd /mnt/v', 'ln -s / link', 'ln -s .. up', 'ln -s ../.. upup',
      `echo a > link/etc/${tag}`, `echo b > link/../${tag}`, `mkdir up/${tag}`, `echo c > upup/${tag}-2`,
      `echo d > /mnt/v/link/tmp/${tag}-3`, 'echo done',
    ].join('; ');
    const r = sandboxed(['/bin/sh', '-c', script], { global: [`--directfs=${directfs}`], doFlags: ['--volume', `${vol}:/mnt/v`] });
    assert.equal(r.stdout, 'done\n', r.stderr);
    // What the links reach is the sandbox's own root (the memory overlay), never the host's.
    for (const p of [`/etc/${tag}`, `/${tag}`, join(s.dir, tag), `/${tag}-2`, join(tmpdir(), `${tag}-3`)]) {
      assert.ok(!existsSync(p), `${p} must not exist on the host`);
    }
    assert.deepEqual(['link', 'up', 'upup'].map((n) => readlinkSync(join(vol, n))), ['/', '..', '../..']);
  } finally {
    s.done();
  }
});

/** Runs `script` in the sandbox while `whenReady` changes the host, once the sandbox says it is ready. */
function runWhile(args, readyFile, whenReady) {
  return new Promise((resolve) => {
    const p = spawn(TSVISOR, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const poll = setInterval(() => {
      if (existsSync(readyFile)) {
        clearInterval(poll);
        whenReady();
      }
    }, 20);
    p.on('close', (status) => {
      clearInterval(poll);
      resolve({ status, out, err });
    });
  });
}

test('--file-access=shared: host changes are seen while the sandbox runs', async () => {
  const s = scratch();
  try {
    writeFileSync(join(s.dir, 'f'), 'v1');
    const script = 'cat /mnt/v/f; echo; stat -c %s /mnt/v/f; ls /mnt/v; touch /mnt/v/ready; ' +
      'i=0; while [ ! -e /mnt/v/later ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; ' +
      'cat /mnt/v/later; stat -c %s /mnt/v/f; cat /mnt/v/f; echo; ls /mnt/v; test -e /mnt/v/gone || echo gone-is-gone';
    writeFileSync(join(s.dir, 'gone'), '');
    const r = await runWhile(['--file-access=shared', 'do', '--volume', `${s.dir}:/mnt/v`, '--', '/bin/sh', '-c', script],
      join(s.dir, 'ready'), () => {
        writeFileSync(join(s.dir, 'f'), 'version2');
        rmSync(join(s.dir, 'gone'));
        writeFileSync(join(s.dir, 'later'), 'seen\n');
      });
    assert.equal(r.err, '');
    assert.equal(r.out, 'v1\n2\nf\ngone\nseen\n8\nversion2\nf\nlater\nready\ngone-is-gone\n');
  } finally {
    s.done();
  }
});
