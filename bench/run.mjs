// Benchmarks with side-by-side ratios (DESIGN.md §6): each one runs natively,
// under tsvisor and, when installed, under Debian's runsc (real gVisor, ptrace) in
// the same run. Medians of several repetitions; the VM is noisy, so read ratios.
//   node bench/run.mjs [--quick]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, 'out');
mkdirSync(out, { recursive: true });
const quick = process.argv.includes('--quick');
const reps = quick ? 3 : 5;
const tsvisor = join(root, 'bin', 'tsvisor');
const runsc = ['/usr/bin/runsc', '/usr/local/bin/runsc'].find(existsSync) ?? null;

function build(name) {
  const src = join(here, 'c', `${name}.c`);
  const bin = join(out, name);
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync('gcc', ['-O2', '-static', '-pthread', '-o', bin, src]);
  }
  return bin;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function runners() {
  const r = [['native', (argv) => argv]];
  r.push(['tsvisor', (argv, doFlags = []) => [tsvisor, 'do', ...doFlags, '--', ...argv]]);
  if (runsc) r.push(['runsc', (argv, doFlags = []) => [runsc, '--platform=ptrace', '--network=none', 'do', ...doFlags, ...argv]]);
  return r;
}

/** Runs a program printing one number; returns the median per runner. `doFlags` go to `do` in the sandboxes. */
function measure(argv, doFlags = [], n = reps) {
  return measureLines(argv, doFlags, 1, n)[0];
}

/** The same for a program printing `lines` numbers, one a line: one result per line. */
function measureLines(argv, doFlags, lines, n = reps) {
  const res = Array.from({ length: lines }, () => ({}));
  for (const [name, wrap] of runners()) {
    const vals = Array.from({ length: lines }, () => []);
    let failed = null;
    for (let i = 0; i < n && !failed; i++) {
      const cmd = wrap(argv, doFlags);
      const p = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 600_000 });
      const vs = (p.stdout ?? '').trim().split('\n').slice(-lines).map(Number.parseFloat);
      if (p.status !== 0 || vs.length !== lines || vs.some(Number.isNaN)) failed = `failed: ${p.error?.message ?? (p.stderr ?? '').trim().split('\n').pop()}`;
      else vs.forEach((v, k) => vals[k].push(v));
    }
    res.forEach((r, k) => { r[name] = failed ?? median(vals[k]); });
  }
  return res;
}

/** A directory on the host with `n` files of `size(i)` bytes, spread over subdirectories of `per` (made once). */
function tree(name, n, per, size) {
  const dir = join(out, name);
  const done = `${dir}.complete`;
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < n; i++) {
    const sub = per ? join(dir, `d${Math.floor(i / per)}`) : dir;
    if (i % (per || n) === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}`), Buffer.alloc(size(i), 97 + (i % 26)));
  }
  writeFileSync(done, '');
  return dir;
}

/** Wall time of a whole command, ms. */
function wall(argv) {
  const res = {};
  for (const [name, wrap] of runners()) {
    const vals = [];
    for (let i = 0; i < reps + 2; i++) {
      const cmd = wrap(argv);
      const t0 = performance.now();
      const p = spawnSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
      if (p.status !== 0) break;
      vals.push(performance.now() - t0);
    }
    res[name] = vals.length ? median(vals) : 'failed';
  }
  return res;
}

const fmt = (v, unit) => (typeof v === 'number' ? `${v.toFixed(1)} ${unit}` : v);

function report(title, unit, res, lowerIsBetter = true) {
  const line = [`${title}:`];
  for (const [name, v] of Object.entries(res)) line.push(`${name} ${fmt(v, unit)}`);
  const t = res.tsvisor;
  if (typeof t === 'number' && typeof res.native === 'number') {
    line.push(`tsvisor/native ${(lowerIsBetter ? t / res.native : res.native / t).toFixed(1)}x`);
  }
  if (typeof t === 'number' && typeof res.runsc === 'number') {
    line.push(`runsc/tsvisor ${(lowerIsBetter ? res.runsc / t : t / res.runsc).toFixed(1)}x`);
  }
  console.log(line.join('  '));
  return { title, unit, ...res };
}

const data = [];
const file = join(out, 'read-me-4k');
writeFileSync(file, Buffer.alloc(65536, 'r'));
data.push(report('getpid round trip', 'ns', measure([build('getpid'), quick ? '50000' : '200000'])));
data.push(report('clock_gettime (vDSO)', 'ns', measure([build('clock'), quick ? '200000' : '2000000'])));
data.push(report('open+read 4KiB+close', 'ns', measure([build('openread'), file, quick ? '2000' : '10000'])));
// Files made on the host through the gofer (no overlay): one round trip for O_CREAT with directfs.
mkdirSync(join(out, 'create'), { recursive: true });
data.push(report('create+write 100B+close of a host file', 'µs',
  measure([build('createfile'), join(out, 'create'), quick ? '500' : '2000'], ['--force-overlay=false'])));
// VFS: stat of a path the sandbox has cached; a 10,000-entry host directory read with getdents64.
data.push(report('stat of a cached path', 'µs', measure([build('statpath'), '/usr/bin/python3', quick ? '20000' : '100000'])));
const bigDir = tree('dir10k', 10000, 0, () => 0);
data.push(report('readdir of 10,000 entries', 'ms', measure([build('readdir'), bigDir, quick ? '5' : '20', '10000'])));
// A host file through the gofer (no overlay), 1 MiB chunks: 1 GiB unless --quick.
const seqDir = join(out, 'seqio-data');
mkdirSync(seqDir, { recursive: true });
const mib = quick ? '256' : '1024';
const [seqW, seqR] = measureLines([build('seqio'), join(seqDir, 'f'), mib], ['--force-overlay=false'], 2, 3);
data.push(report(`sequential write of a ${mib} MiB host file`, 'GB/s', seqW, false));
data.push(report(`sequential read of a ${mib} MiB host file`, 'GB/s', seqR, false));
// tar cf of a 2,000-file host tree (1-4 KiB files in 40 directories) into /tmp, run from inside
// the sandbox (no start-up in the number).
const tarTree = tree('tar2k', 2000, 50, (i) => 1024 + (i % 4) * 1024);
const tarOut = join(tmpdir(), `tsvisor-bench-${process.pid}.tar`);
const tarRes = measure([build('forkexec'), quick ? '2' : '5', '/usr/bin/tar', 'cf', tarOut, '-C', tarTree, '.']);
for (const k of Object.keys(tarRes)) if (typeof tarRes[k] === 'number') tarRes[k] /= 1000;
rmSync(tarOut, { force: true });
data.push(report('tar cf of a 2,000-file tree', 'ms', tarRes));
data.push(report('/dev/null 64KiB writes', 'MB/s', measure([build('devnull'), quick ? '256' : '1024']), false));
// In-kernel copies of a 64 MiB file in /tmp (the sandbox's memory overlay; the host's /tmp natively).
data.push(report('copy_file_range 64MiB', 'MB/s', measure([build('copyfile'), 'cfr', '/tmp', '64', quick ? '2' : '4']), false));
data.push(report('sendfile file->file 64MiB', 'MB/s',
  measure([build('copyfile'), 'sendfile', '/tmp', '64', quick ? '2' : '4']), false));
data.push(report('/bin/true wall time', 'ms', wall(['/bin/true'])));
data.push(report('fork+exit+wait', 'µs', measure([build('fork'), quick ? '200' : '1000'])));
data.push(report('fork+execve(/bin/true)+wait', 'µs', measure([build('forkexec'), quick ? '50' : '200'])));
data.push(report('pipe ping-pong round trip', 'µs', measure([build('pipepong'), quick ? '2000' : '10000'])));
data.push(report('unix socketpair ping-pong round trip', 'µs', measure([build('unixpong'), quick ? '2000' : '10000'])));
data.push(report('futex ping-pong round trip', 'µs', measure([build('futexpong'), quick ? '2000' : '10000'])));
data.push(report('pthread create+join', 'µs', measure([build('pthread'), quick ? '200' : '1000'])));
data.push(report('python3 -c pass wall time', 'ms', wall(['/usr/bin/python3', '-c', 'pass'])));
// The same without sandbox start-up: fork+exec of python3 from inside a running sandbox.
data.push(report('python3 -c pass in a running sandbox', 'µs',
  measure([build('forkexec'), quick ? '10' : '30', '/usr/bin/python3', '-c', 'pass'])));
writeFileSync(join(out, 'results.json'), JSON.stringify({ date: new Date().toISOString(), data }, null, 2));
