// Acceptance tests of `tsvisor do` (issue #3): identity, real programs compared
// with native runs, exit statuses, bad input, and a host that stays unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCode, native, sandboxed, TSVISOR } from '../lib/run.mjs';
import { spawnSync } from 'node:child_process';

const BUSYBOX = '/bin/busybox';
const hasBusybox = existsSync(BUSYBOX);

test('uname -r prints 4.4.0 and uname -a the gVisor-style version', { skip: !hasBusybox && 'busybox-static not installed' }, () => {
  const r = sandboxed([BUSYBOX, 'uname', '-r']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '4.4.0\n');
  const a = sandboxed([BUSYBOX, 'uname', '-a']);
  assert.match(a.stdout, /^Linux \S+ 4\.4\.0 #1 SMP Sun Jan 10 15:06:54 PST 2016 x86_64/);
  const m = sandboxed(['/bin/uname', '-m']);
  assert.equal(m.stdout, 'x86_64\n');
});

test('dmesg prints the boot log', { skip: !hasBusybox && 'busybox-static not installed' }, () => {
  const r = sandboxed([BUSYBOX, 'dmesg']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.replace(/^\[[ \d.]+\] /, ''));
  assert.equal(lines[0], 'Starting tsvisor...');
  assert.equal(lines[lines.length - 1], 'Ready!');
  assert.ok(lines.length >= 4, 'a few lines between');
});

test('/proc/kallsyms does not exist', { skip: !hasBusybox && 'busybox-static not installed' }, () => {
  const r = sandboxed([BUSYBOX, 'cat', '/proc/kallsyms']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /No such file or directory/);
});

test('hostname is configurable', () => {
  const r = sandboxed(['/bin/hostname'], { doFlags: ['--hostname', 'sandbox-test'] });
  assert.equal(r.stdout, 'sandbox-test\n', r.stderr);
});

const SAME_AS_NATIVE = [
  ['/bin/echo', 'hello'],
  ['/bin/ls', '-la', '/etc'],
  ['/bin/cat', '/etc/os-release'],
  ['/usr/bin/python3', '-c', 'import sys, json; print(json.dumps(sys.argv))', 'a', 'b'],
  ['/usr/bin/perl', '-e', 'print 6*7'],
  ['/bin/sh', '-c', 'exit 3'],
  ['/bin/sh', '-c', 'echo $((6*7)); read x < /etc/hostname; echo ok'],
];

for (const argv of SAME_AS_NATIVE) {
  test(`same output as native: ${argv.join(' ')}`, () => {
    const n = native(argv);
    const s = sandboxed(argv);
    assert.equal(s.stdout, n.stdout, `stderr: ${s.stderr}`);
    assert.equal(s.status, n.status);
  });
}

test('death by signal propagates like a shell (128+N)', () => {
  // `kill -SEGV $$` in dash: default action, core.
  const r = sandboxed(['/bin/sh', '-c', 'kill -SEGV $$']);
  assert.equal(exitCode(r), 139, r.stderr);
});

test('stdin is the caller\'s', () => {
  const r = sandboxed(['/bin/cat'], { input: 'from stdin\n' });
  assert.equal(r.stdout, 'from stdin\n', r.stderr);
});

test('--strace prints syscalls with decoded arguments, one line each', () => {
  const r = sandboxed(['/bin/true'], { global: ['--strace'] });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /openat\(AT_FDCWD, "[^"]*libc\.so\.6", O_RDONLY\|O_CLOEXEC\) = \d+/);
  assert.match(r.stderr, /exit_group\(0\) = \?/);
});

test('--version and help', () => {
  const v = spawnSync(TSVISOR, ['--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^tsvisor version \d+\.\d+\.\d+/);
  const h = spawnSync(TSVISOR, ['help'], { encoding: 'utf8' });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: tsvisor/);
  assert.match(h.stdout, /--strace/);
});

test('writes inside the sandbox never reach the host', () => {
  const before = readFileSync('/etc/hostname', 'utf8');
  const mtime = statSync('/etc/hostname').mtimeMs;
  const script = [
    "open('/etc/hostname', 'w').write('changed\\n')",
    "print(open('/etc/hostname').read(), end='')",
    "open('/etc/tsvisor-test-file', 'w').write('new')",
    "os.remove('/etc/passwd')",
    "print(os.path.exists('/etc/passwd'), os.path.exists('/etc/tsvisor-test-file'))",
  ].join('; ');
  const r = sandboxed(['/usr/bin/python3', '-c', `import os; ${script}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'changed\nFalse True\n');
  assert.equal(readFileSync('/etc/hostname', 'utf8'), before);
  assert.equal(statSync('/etc/hostname').mtimeMs, mtime);
  assert.ok(!existsSync('/etc/tsvisor-test-file'));
  assert.ok(existsSync('/etc/passwd'));
});

test('EROFS on the read-only root without the overlay', () => {
  const r = sandboxed(['/bin/sh', '-c', 'echo x > /etc/tsvisor-erofs'], { global: ['--overlay2=none'] });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Read-only file system/);
  assert.ok(!existsSync('/etc/tsvisor-erofs'));
});

test.describe('bad input: one clear line, non-zero exit, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-bad-'));
  const notElf = join(dir, 'not-elf');
  writeFileSync(notElf, 'just some text\n');
  chmodSync(notElf, 0o755);
  const otherArch = join(dir, 'other-arch');
  const elf = readFileSync('/bin/true');
  const patched = Buffer.from(elf);
  patched.writeUInt16LE(183, 18); // EM_AARCH64
  writeFileSync(otherArch, patched);
  chmodSync(otherArch, 0o755);
  const truncated = join(dir, 'truncated');
  writeFileSync(truncated, elf.subarray(0, 40));
  chmodSync(truncated, 0o755);
  const noExec = join(dir, 'no-exec');
  copyFileSync('/bin/true', noExec);
  chmodSync(noExec, 0o644);
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    ['missing program', ['/nonexistent/program'], 127, /cannot run "\/nonexistent\/program": no such file or directory/],
    ['missing in PATH', ['no-such-command-tsvisor'], 127, /no such file or directory/],
    ['a directory', ['/etc'], 126, /is a directory/],
    ['a non-ELF file without #!', [notElf], 126, /exec format error \(not an ELF binary or #! script\)/],
    ['an ELF for another architecture', [otherArch], 126, /exec format error \(ELF for another architecture/],
    ['a truncated ELF', [truncated], 126, /exec format error \(truncated ELF header\)/],
    ['a file without exec permission', [noExec], 126, /permission denied/],
  ];
  for (const [name, argv, code, re] of cases) {
    test(name, () => {
      const r = sandboxed(argv);
      assert.equal(r.status, code, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
  test('an unknown flag', () => {
    const r = spawnSync(TSVISOR, ['--no-such-flag', 'do', '/bin/true'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown flag: --no-such-flag/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
  test('an unknown command', () => {
    const r = spawnSync(TSVISOR, ['frobnicate'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command: frobnicate/);
  });
  test('a missing command after do', () => {
    const r = spawnSync(TSVISOR, ['do'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /do: missing command/);
  });
});

test('--volume binds a host directory; :ro is read-only; bad volumes are clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-vol-'));
  try {
    writeFileSync(join(dir, 'hello'), 'from the host\n');
    const r = sandboxed(['/bin/sh', '-c', 'cat /mnt/vol/hello; grep " /mnt/vol " /proc/mounts | cut -d" " -f2,4'],
      { doFlags: ['--volume', `${dir}:/mnt/vol`] });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'from the host\n/mnt/vol rw,directfs\n');
    const ro = sandboxed(['/bin/sh', '-c', 'echo x > /mnt/ro/new'], { doFlags: ['--volume', `${dir}:/mnt/ro:ro`] });
    assert.notEqual(ro.status, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(existsSync(join(dir, 'new')), false);
    const bad = sandboxed(['/bin/true'], { doFlags: ['--volume', 'relative:/x'] });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad --volume/);
    const missing = sandboxed(['/bin/true'], { doFlags: ['--volume', `${dir}/nonexistent:/x`] });
    assert.equal(missing.status, 125);
    assert.match(missing.stderr, /cannot open the volume .*ENOENT/);
    const notDir = sandboxed(['/bin/true'], { doFlags: ['--volume', `${dir}:/etc/passwd`] });
    assert.equal(notDir.status, 125);
    assert.match(notDir.stderr, /not a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
