// The gofer process confines itself (issue 8 item 3, DESIGN.md §2): checked from
// the host while a sandbox runs with --directfs=false (all file I/O through the
// gofer): its own mount and network namespaces, a root that holds only the served
// tree, seccomp mode 2, no_new_privs, a few capabilities. Then escape attempts
// from inside through the gofer: a directory swapped for a symlink to the outside
// during walks, hard links to outside files, /proc/self/root/.., and connect() to
// a unix socket outside the root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync,
  symlinkSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxed, TSVISOR } from '../lib/run.mjs';

const BUSYBOX = '/bin/busybox';
const skip = (!existsSync(BUSYBOX) && 'busybox-static not installed') || (process.getuid() !== 0 && 'needs root (namespaces)');

let dir;
let rootfs;
let connectBin = null;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tsvisor-gofer-confine-'));
  rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'etc', 'sub', 'race/real']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  writeFileSync(join(rootfs, 'sub/f'), 'inside\n');
  writeFileSync(join(rootfs, 'race/real/secret'), 'inside\n');
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside/secret'), 'OUTSIDE\n');
  writeFileSync(join(dir, 'secret.txt'), 'OUTSIDE\n');
  // connect(2) needs a program: a static one, so the root needs no libc.
  const src = join(dir, 'connect.c');
  writeFileSync(src, `#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    struct sockaddr_un a = {AF_UNIX};
    strncpy(a.sun_path, argv[i], sizeof a.sun_path - 1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("%s: %s\\n", argv[i], r == 0 ? "connected" : strerrorname_np(errno));
  }
  return 0;
}
`);
  const out = join(rootfs, 'bin/connect');
  if (spawnSync('gcc', ['-static', '-O1', '-o', out, src]).status === 0) connectBin = out;
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const FLAGS = { global: ['--directfs=false'] };
const doFlags = () => ['--root', rootfs, '--force-overlay=false', '--cwd', '/'];

/** The gofer: the child of `tsvisor do` (pid `parent`) whose command line says gofer. */
function goferOf(parent) {
  return gofersOf(parent)[0] ?? -1;
}

/** Every gofer of `tsvisor do` (pid `parent`): the root's, then one per volume with --directfs=false. */
function gofersOf(parent) {
  const found = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes('gofer')) found.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * `busybox sh -c script` in a sandbox served by gofer processes (--directfs=false),
 * in shared mode (host-side changes are seen), with a volume at /mnt/v.
 */
function startSandbox(script) {
  const vol = join(dir, 'vol');
  mkdirSync(vol, { recursive: true });
  writeFileSync(join(vol, 'v'), 'volume\n');
  const p = spawn(TSVISOR, ['--directfs=false', '--file-access=shared', 'do', ...doFlags(), '--volume', `${vol}:/mnt/v`,
    '--', '/bin/busybox', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { p, out: '', err: '', closed: null };
  p.stdout.on('data', (d) => (run.out += d));
  p.stderr.on('data', (d) => (run.err += d));
  run.closed = new Promise((resolve) => p.on('close', resolve));
  return run;
}

const field = (status, name) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];

test('the gofer runs in its own namespaces, pivoted into the served tree, with seccomp and few capabilities', { skip }, async () => {
  const ready = join(rootfs, 'ready');
  const go = join(rootfs, 'go');
  rmSync(ready, { force: true });
  rmSync(go, { force: true });
  // The workload itself goes through the gofer: it reads a file and writes one.
  const script = 'cat /sub/f /mnt/v/v > /ready.tmp; mv /ready.tmp /ready; while [ ! -e /go ]; do sleep 0.02; done; echo finished';
  // shared: the sandbox must see /go appear on the host.
  const run = startSandbox(script);
  const p = run.p;
  try {
    for (let i = 0; i < 500 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readFileSync(ready, 'utf8'), 'inside\nvolume\n', run.err);
    const gofers = gofersOf(p.pid);
    const volPid = gofers.find((g) => existsSync(`/proc/${g}/root/root/v`)) ?? -1;
    const pid = gofers.find((g) => g !== volPid) ?? -1;
    assert.ok(pid > 0 && volPid > 0, 'gofer processes found');
    // The volume's gofer holds the volume alone, confined the same way.
    assert.deepEqual(readdirSync(`/proc/${volPid}/root`), ['root']);
    assert.deepEqual(readdirSync(`/proc/${volPid}/root/root`), ['v']);
    assert.equal(field(readFileSync(`/proc/${volPid}/status`, 'utf8'), 'Seccomp'), '2');
    assert.notEqual(readlinkSync(`/proc/${volPid}/ns/mnt`), readlinkSync(`/proc/${pid}/ns/mnt`));
    for (const ns of ['mnt', 'net']) {
      assert.notEqual(readlinkSync(`/proc/${pid}/ns/${ns}`), readlinkSync(`/proc/self/ns/${ns}`), `own ${ns} namespace`);
    }
    // An empty network namespace: only a loopback device, and it is down.
    const devs = readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0].trim());
    assert.deepEqual(devs, ['lo']);
    assert.equal(readFileSync(`/proc/${pid}/net/route`, 'utf8').trim().split('\n').length, 1, 'no routes');
    // Its root holds the served tree and nothing else of the host.
    const r = `/proc/${pid}/root`;
    assert.deepEqual(readdirSync(r), ['root']);
    assert.equal(readFileSync(`${r}/root/sub/f`, 'utf8'), 'inside\n');
    assert.ok(existsSync(`${r}/root/bin/busybox`));
    for (const host of [join(dir, 'secret.txt'), join(dir, 'outside/secret'), '/etc/passwd', TSVISOR]) {
      assert.ok(!existsSync(r + host) && !existsSync(`${r}/root${host}`), `${host} invisible to the gofer`);
    }
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.equal(field(status, 'Seccomp'), '2');
    assert.equal(field(status, 'NoNewPrivs'), '1');
    // chown, dac_override, dac_read_search, fowner, fsetid, and for a writable tree sys_admin (trusted.* xattrs).
    for (const set of ['CapEff', 'CapPrm', 'CapBnd']) assert.equal(field(status, set), '000000000020001f', set);
    assert.equal(field(status, 'CapInh'), '0000000000000000');
    assert.equal(field(status, 'CapAmb'), '0000000000000000');
    // Every thread is filtered; none has more than the spawn set (+setpcap, sys_admin).
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const ts = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      assert.equal(field(ts, 'Seccomp'), '2', `thread ${t} filtered`);
      assert.equal(BigInt(`0x${field(ts, 'CapBnd')}`) & ~0x20011fn, 0n, `thread ${t} bounding set`);
    }
  } finally {
    writeFileSync(go, '');
    await run.closed;
  }
  assert.equal(run.out, 'finished\n', run.err);
});

test('serving the host root (runsc do): the host /proc, /sys and /dev mounts are not in the gofer', { skip }, async () => {
  const p = spawn(TSVISOR, ['--directfs=false', 'do', '--', '/bin/busybox', 'sh', '-c', 'echo up; read x'],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const closed = new Promise((resolve) => p.on('close', resolve));
  try {
    await new Promise((resolve) => p.stdout.on('data', (d) => String(d).includes('up') && resolve()));
    const pid = goferOf(p.pid);
    assert.ok(pid > 0, 'gofer process found');
    const r = `/proc/${pid}/root/root`;
    assert.ok(existsSync(`${r}/etc/passwd`), 'the served tree is the host root');
    assert.deepEqual(readdirSync(`${r}/proc`), [], 'the host procfs is not there');
    // A read-only tree: no sys_admin.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.equal(field(status, 'CapEff'), '000000000000001f');
    assert.equal(field(status, 'Seccomp'), '2');
    const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').trim().split('\n')
      .map((l) => ({ at: l.split(' ')[4], type: l.split(' - ')[1].split(' ')[0] }));
    assert.deepEqual(mounts.slice(0, 2).map((m) => m.at), ['/', '/root']);
    for (const m of mounts) {
      assert.ok(!['proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2'].includes(m.type), `no ${m.type} mount (${m.at})`);
      assert.ok(!/^\/root\/(proc|sys|dev)(\/|$)/.test(m.at), `nothing mounted at ${m.at}`);
    }
  } finally {
    p.stdin.end('\n');
    await closed;
  }
  assert.equal(err, '');
});

test('a directory swapped for a symlink to the outside during walks never leads out', { skip }, async () => {
  // Host side: `race/d` flips between a real directory and a symlink to the
  // outside directory (renameat2 RENAME_EXCHANGE, atomic) while the sandbox walks
  // through it: the gofer's walk opens one component at a time with O_NOFOLLOW.
  const race = join(rootfs, 'race');
  rmSync(race, { force: true, recursive: true });
  mkdirSync(join(race, 'd'), { recursive: true });
  writeFileSync(join(race, 'd/secret'), 'inside\n');
  symlinkSync(join(dir, 'outside'), join(race, 'l'));
  const racer = spawn('python3', ['-c', `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
race = sys.argv[1].encode()
d, l, stop = race + b'/d', race + b'/l', race + b'/stop'
end = time.time() + 8
while time.time() < end and not os.path.exists(stop):
    if libc.renameat2(-100, d, -100, l, 2) != 0: sys.exit(1)
`, race], { stdio: 'ignore' });
  try {
    const script = 'n=0; while [ $n -lt 300 ]; do cat /race/d/secret 2>/dev/null; ls /race/d/ 2>/dev/null; n=$((n+1)); done; echo end';
    const r = startSandbox(script);
    assert.equal(await r.closed, 0, r.err);
    assert.match(r.out, /end\n$/);
    assert.doesNotMatch(r.out, /OUTSIDE/);
    assert.match(r.out, /inside/, 'the walk did reach the real directory');
  } finally {
    writeFileSync(join(race, 'stop'), '');
    await new Promise((resolve) => (racer.exitCode !== null ? resolve() : racer.on('close', resolve)));
    rmSync(join(race, 'stop'), { force: true });
  }
});

test('no hard link to a file outside the root; /proc/self/root/.. stays inside', { skip }, () => {
  const out = join(dir, 'outside/secret');
  symlinkSync(out, join(rootfs, 'abs-link'));
  const nlink = statSync(out).nlink;
  try {
    const script = [
      `ln ${out} /hl1 2>/dev/null || echo hl1 refused`,
      'ln -L /abs-link /hl2 2>/dev/null || echo hl2 refused',
      `ln /proc/self/root/../..${out} /hl3 2>/dev/null || echo hl3 refused`,
      'ln /proc/self/status /hl4 2>/dev/null || echo hl4 refused',
      'cd /proc/self/root/../../..; pwd; ls',
      `cat /proc/self/root/..${out} /proc/1/root/../..${join(dir, 'secret.txt')} 2>/dev/null || echo cat refused`,
    ].join('; ');
    const r = sandboxed(['/bin/busybox', 'sh', '-c', script], { ...FLAGS, doFlags: doFlags() });
    const top = readdirSync(rootfs).sort().join('\n');
    assert.equal(r.stdout, `hl1 refused\nhl2 refused\nhl3 refused\nhl4 refused\n/\n${top}\ncat refused\n`, r.stderr);
    for (const n of ['hl1', 'hl2', 'hl3', 'hl4']) assert.ok(!existsSync(join(rootfs, n)));
    assert.equal(statSync(out).nlink, nlink);
  } finally {
    rmSync(join(rootfs, 'abs-link'));
  }
});

test('connect() to a unix socket outside the root fails', { skip: skip || (!connectBin && 'no static gcc') }, async () => {
  const path = join(dir, 'host.sock');
  let accepted = 0;
  const server = createServer((c) => {
    accepted++;
    c.destroy();
  });
  await new Promise((resolve) => server.listen(path, resolve));
  symlinkSync(path, join(rootfs, 'sock-link'));
  try {
    const r = await new Promise((resolve) => {
      const p = spawn(TSVISOR, ['--directfs=false', 'do', ...doFlags(), '--', '/bin/connect', path, '/sock-link',
        `/proc/self/root/../..${path}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (status) => resolve({ status, out, err }));
    });
    assert.equal(r.status, 0, r.err);
    if (process.env.TSVISOR_TEST_VERBOSE) console.log(r.out);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 3, r.out);
    for (const l of lines) assert.doesNotMatch(l, /connected/);
    assert.equal(accepted, 0);
  } finally {
    rmSync(join(rootfs, 'sock-link'));
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a gofer killed by SIGSYS (what a seccomp violation does) is reported, and files fail with EIO', { skip }, async () => {
  writeFileSync(join(rootfs, 'sub/g'), 'later\n');
  const script = 'cat /sub/f; read x; cat /sub/g || echo failed; echo done';
  const p = spawn(TSVISOR, ['--directfs=false', 'do', ...doFlags(), '--', '/bin/busybox', 'sh', '-c', script],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const closed = new Promise((resolve) => p.on('close', resolve));
  await new Promise((resolve) => p.stdout.on('data', (d) => {
    out += d;
    if (out.includes('inside\n')) resolve();
  }));
  const pid = goferOf(p.pid);
  assert.ok(pid > 0, 'gofer process found');
  process.kill(pid, 'SIGSYS');
  p.stdin.end('go\n');
  const code = await closed;
  assert.equal(out, 'inside\nfailed\ndone\n', err);
  assert.equal(code, 0);
  assert.match(err, /gofer \d+ died: killed by SIGSYS \(seccomp/);
  assert.match(err, /Input\/output error/);
});
