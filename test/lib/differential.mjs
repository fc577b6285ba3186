// Differential C test harness: build test/c/*.c, run each program natively and
// under `bin/tsvisor do`, compare stdout and exit status.
//
// Library (used by test/differential.test.mjs) and CLI:
//   node test/lib/differential.mjs                 differential run (needs bin/tsvisor)
//   node test/lib/differential.mjs --native-check  run every variant natively twice; outputs
//                                                  must agree across runs and variants
//   node test/lib/differential.mjs --build         only build
//   node test/lib/differential.mjs --list          list programs, variants, directives
//   ... [names...]                                 subset (same as TSVISOR_CTEST)
//
// Environment:
//   TSVISOR_CTEST=pipe,mmap        programs whose name equals or starts with one of these
//   TSVISOR_CTEST_VARIANTS=glibc   variants to use (glibc, glibc-static, musl-static, musl)
//   TSVISOR_CTEST_TIMEOUT=30       seconds per program run
//   TSVISOR_CTEST_JOBS=2           programs run (and built) in parallel
//   TSVISOR_CTEST_FLAGS="--strace" extra tsvisor flags, placed before `do`
//   TSVISOR_BIN=/path/to/tsvisor   sandbox binary (default: bin/tsvisor)
//
// Directives: `// key: value` lines in the leading comment block of a C file.
//   expect-sandbox: FILE  the sandboxed stdout must equal test/c/FILE instead of the native
//                         stdout (for outputs that differ on purpose, e.g. uname -r)
//   skip-native           never run natively (only with expect-sandbox)
//   expect-exit: N        expected exit status (default 0), natively and sandboxed;
//                         death by signal N counts as 128+N
//   compare-stderr        also compare stderr
//   timeout: SECONDS      per-run timeout for this program
//   variants: a,b         build/run only these variants

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const C_DIR = path.join(REPO, 'test', 'c');
export const BIN_DIR = path.join(C_DIR, 'bin');
export const COMMON_H = path.join(C_DIR, 'common.h');
export const TSVISOR = process.env.TSVISOR_BIN || path.join(REPO, 'bin', 'tsvisor');
export const TIMEOUT_MS = Math.round((Number(process.env.TSVISOR_CTEST_TIMEOUT) || 30) * 1000);
export const JOBS = Math.max(1, Number(process.env.TSVISOR_CTEST_JOBS) || 2);
export const CFLAGS = ['-O1', '-Wall', '-Werror'];
/**
 * The environment every test program gets, natively and sandboxed (tsvisor passes its
 * environment on): a minimal one, plus TSVISOR_* settings meant for tsvisor itself.
 */
export const TEST_ENV = {
  ...Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => k.startsWith('TSVISOR_') && !k.startsWith('TSVISOR_CTEST'))),
  PATH: process.env.PATH || '/usr/bin:/bin',
  LC_ALL: 'C',
  TSVISOR_CTEST_ENV: 'hello',
};
const MAX_OUTPUT = 8 << 20;

// ---------------------------------------------------------------- utilities

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** A counting semaphore: at most n functions run at once. */
export class Limiter {
  constructor(n) {
    this.n = n;
    this.active = 0;
    this.waiting = [];
  }
  async run(fn) {
    while (this.active >= this.n) await new Promise((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      const next = this.waiting.shift();
      if (next) next();
    }
  }
}
const runLimiter = new Limiter(JOBS);
const buildLimiter = new Limiter(JOBS);

// ---------------------------------------------------------------- variants

/** All variants this machine can build: glibc dynamic, glibc static, musl static. */
export function allVariants() {
  const v = [];
  if (which('gcc')) {
    v.push({ name: 'glibc', cc: 'gcc', flags: [] });
    v.push({ name: 'glibc-static', cc: 'gcc', flags: ['-static'] });
  }
  if (which('musl-gcc')) {
    v.push({ name: 'musl-static', cc: 'musl-gcc', flags: ['-static'] });
    // Dynamic musl: PT_INTERP is musl's own loader (/lib/ld-musl-x86_64.so.1).
    if (fs.existsSync('/lib/ld-musl-x86_64.so.1')) v.push({ name: 'musl', cc: 'musl-gcc', flags: [] });
  }
  return v;
}

/** Variants selected by TSVISOR_CTEST_VARIANTS (default: all available). */
export function selectedVariants(spec = process.env.TSVISOR_CTEST_VARIANTS) {
  const all = allVariants();
  if (!spec) return all;
  const want = spec.split(',').map((s) => s.trim()).filter(Boolean);
  return all.filter((v) => want.includes(v.name));
}

// ---------------------------------------------------------------- programs

/** Parse `// key: value` directives from the leading comment block. */
export function parseDirectives(source) {
  const d = { expectSandbox: null, skipNative: false, expectExit: 0, compareStderr: false,
              timeoutMs: null, variants: null, todo: null, tsvisorFlags: [], doFlags: [], description: '' };
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('//')) break;
    const body = line.slice(2).trim();
    const m = /^(expect-sandbox|skip-native|expect-exit|compare-stderr|timeout|variants|todo|tsvisor-flags|do-flags)\s*(?::\s*(.*))?$/.exec(body);
    if (!m) {
      if (!d.description) d.description = body;
      continue;
    }
    const [, key, value = ''] = m;
    switch (key) {
      case 'expect-sandbox': d.expectSandbox = value.trim(); break;
      case 'skip-native': d.skipNative = true; break;
      case 'expect-exit': d.expectExit = Number.parseInt(value, 10); break;
      case 'compare-stderr': d.compareStderr = true; break;
      case 'timeout': d.timeoutMs = Math.round(Number(value) * 1000); break;
      case 'variants': d.variants = value.split(',').map((s) => s.trim()).filter(Boolean); break;
      // A known gap with the issue that closes it: reported as TODO, not as a failure.
      case 'todo': d.todo = value.trim() || 'known gap'; break;
      // Global tsvisor flags for this program's sandboxed run (e.g. --overlay2=none).
      case 'tsvisor-flags': d.tsvisorFlags = value.split(/\s+/).filter(Boolean); break;
      // Flags of `do` itself, e.g. --force-overlay=false so file changes reach the host through the gofer.
      case 'do-flags': d.doFlags = value.split(/\s+/).filter(Boolean); break;
    }
  }
  if (Number.isNaN(d.expectExit)) throw new Error('bad expect-exit directive');
  if (d.skipNative && !d.expectSandbox) throw new Error('skip-native needs expect-sandbox');
  return d;
}

/** Filter: comma-separated names; a program matches if its name equals or starts with one. */
export function matchesFilter(name, filter) {
  if (!filter || (Array.isArray(filter) && filter.length === 0)) return true;
  const items = (Array.isArray(filter) ? filter : filter.split(',')).map((s) => s.trim()).filter(Boolean);
  return items.length === 0 || items.some((f) => name === f || name.startsWith(f));
}

/** The test programs (test/c/*.c), optionally filtered (default: TSVISOR_CTEST). */
export function listPrograms(filter = process.env.TSVISOR_CTEST) {
  return fs.readdirSync(C_DIR)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => {
      const src = path.join(C_DIR, f);
      const name = f.slice(0, -2);
      try {
        return { name, src, directives: parseDirectives(fs.readFileSync(src, 'utf8')) };
      } catch (e) {
        throw new Error(`${path.relative(REPO, src)}: ${e.message}`);
      }
    })
    .filter((p) => matchesFilter(p.name, filter));
}

export function programVariants(prog, variants = selectedVariants()) {
  const only = prog.directives.variants;
  return only ? variants.filter((v) => only.includes(v.name)) : variants;
}

// ---------------------------------------------------------------- building

const building = new Map();

export function binaryPath(prog, variant) {
  return path.join(BIN_DIR, `${prog.name}.${variant.name}`);
}

/** Build one (program, variant) unless the binary is newer than its inputs. Returns its path. */
export function build(prog, variant) {
  const bin = binaryPath(prog, variant);
  if (!building.has(bin)) {
    building.set(bin, buildLimiter.run(() => doBuild(prog, variant, bin)).finally(() => building.delete(bin)));
  }
  return building.get(bin);
}

async function doBuild(prog, variant, bin) {
  // A program may #include another test's .c (the same test under other flags): that counts too.
  const includes = [...fs.readFileSync(prog.src, 'utf8').matchAll(/^#include "([\w.-]+\.c)"/gm)].map((m) => path.join(C_DIR, m[1]));
  const newest = Math.max(mtime(prog.src), mtime(COMMON_H), mtime(fileURLToPath(import.meta.url)), ...includes.map(mtime));
  if (mtime(bin) >= newest) return bin;
  fs.mkdirSync(BIN_DIR, { recursive: true });
  const tmp = `${bin}.tmp${process.pid}`;
  const args = [...CFLAGS, ...variant.flags, '-o', tmp, prog.src];
  const r = await runProcess([variant.cc, ...args], { timeoutMs: 120000, cwd: C_DIR, env: process.env,
                                                       limiter: null, wrap: false });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`build failed: ${variant.cc} ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  }
  fs.renameSync(tmp, bin);
  return bin;
}

// ---------------------------------------------------------------- running

// Every run goes through a tiny exec wrapper that closes all fds above 2 first, so
// that fds leaked into this Node process (by a CI runner, a terminal multiplexer...)
// do not show up in native runs: tests may look at fd numbers.
const FDCLEAN_SRC = `#define _GNU_SOURCE
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv)
{
	if (argc < 2)
		return 127;
	if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
	execv(argv[1], argv + 1);
	return 127;
}
`;
export const FDCLEAN = path.join(BIN_DIR, '.fdclean');
let fdcleanReady = null;

/** Build the fd-closing exec wrapper (once). */
export function ensureFdclean() {
  if (!fdcleanReady) {
    fdcleanReady = (async () => {
      const src = `${FDCLEAN}.c`;
      fs.mkdirSync(BIN_DIR, { recursive: true });
      if (mtime(FDCLEAN) >= mtime(fileURLToPath(import.meta.url)) && fs.existsSync(src) &&
          fs.readFileSync(src, 'utf8') === FDCLEAN_SRC) return FDCLEAN;
      fs.writeFileSync(src, FDCLEAN_SRC);
      const tmp = `${FDCLEAN}.tmp${process.pid}`;
      const r = await runProcess(['gcc', '-O1', '-o', tmp, src], { timeoutMs: 120000, cwd: BIN_DIR, env: process.env,
                                                                   limiter: null, wrap: false });
      if (r.status !== 0) throw new Error(`building ${FDCLEAN} failed:\n${r.stderr}`);
      fs.renameSync(tmp, FDCLEAN);
      return FDCLEAN;
    })();
    fdcleanReady.catch(() => { fdcleanReady = null; });
  }
  return fdcleanReady;
}

/**
 * Run argv with stdin=/dev/null, stdout/stderr captured, no other fds (unless wrap is
 * false), in its own process group (killed as a group on timeout). status is the exit
 * code, or 128+N for death by signal N.
 */
export async function runProcess(argv, { timeoutMs = TIMEOUT_MS, cwd = os.tmpdir(), env = TEST_ENV,
                                         limiter = runLimiter, wrap = true } = {}) {
  if (wrap) argv = [await ensureFdclean(), ...argv];
  const go = () => new Promise((resolve) => {
    const started = Date.now();
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      resolve({ stdout: '', stderr: String(e), status: 127, signal: null, timedOut: false, ms: 0, spawnError: e });
      return;
    }
    const out = [], err = [];
    let outLen = 0, errLen = 0;
    child.stdout.on('data', (b) => { if (outLen < MAX_OUTPUT) { out.push(b); outLen += b.length; } });
    child.stderr.on('data', (b) => { if (errLen < MAX_OUTPUT) { err.push(b); errLen += b.length; } });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, timeoutMs);
    let spawnError = null;
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let status = code;
      if (status === null) status = 128 + (os.constants.signals[signal] ?? 0);
      if (spawnError) status = 127;
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (spawnError ? String(spawnError) : ''),
        status, signal, timedOut, ms: Date.now() - started, spawnError,
      });
    });
  });
  return limiter ? limiter.run(go) : go();
}

function tsvisorArgv(progFlags = [], doFlags = []) {
  const flags = [...(process.env.TSVISOR_CTEST_FLAGS || '').split(/\s+/).filter(Boolean), ...progFlags];
  let head = [TSVISOR];
  try {
    fs.accessSync(TSVISOR, fs.constants.X_OK);
  } catch {
    head = [process.execPath, TSVISOR];   // not executable: run it with node
  }
  return [...head, ...flags, 'do', ...doFlags, '--'];
}

export function runNative(bin, prog) {
  return runProcess([bin], { timeoutMs: prog.directives.timeoutMs || TIMEOUT_MS });
}

export function runSandboxed(bin, prog) {
  return runProcess([...tsvisorArgv(prog.directives.tsvisorFlags, prog.directives.doFlags), bin], { timeoutMs: prog.directives.timeoutMs || TIMEOUT_MS });
}

/** Why differential runs cannot happen here, or null if they can. */
export function sandboxUnavailableReason() {
  if (!which('gcc')) return 'gcc not found: cannot build the C test programs';
  if (!fs.existsSync(TSVISOR)) {
    const rel = path.relative(REPO, TSVISOR);
    const shown = rel && !rel.startsWith('..') ? rel : TSVISOR;
    return `${shown} does not exist yet: differential tests need \`tsvisor do\``;
  }
  return null;
}

// ---------------------------------------------------------------- comparing

function splitLines(s) {
  const lines = s.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Index of the first differing line of two outputs, or -1 if equal. */
export function firstDifference(a, b) {
  const x = splitLines(a), y = splitLines(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return a === b ? -1 : n;   // differ only in a trailing newline
}

/** A unified diff of two texts (LCS based, 3 lines of context), at most maxLines lines. */
export function unifiedDiff(a, b, labelA, labelB, maxLines = 60) {
  const x = splitLines(a), y = splitLines(b);
  // Trim the common prefix/suffix so the LCS table stays small.
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const xs = x.slice(pre, x.length - suf), ys = y.slice(pre, y.length - suf);
  const ops = [];   // [' '|'-'|'+', line, xIndex, yIndex]
  for (let i = 0; i < pre; i++) ops.push([' ', x[i], i, i]);
  if (xs.length * ys.length <= 4e6) {
    const n = xs.length, m = ys.length;
    const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        L[i][j] = xs[i] === ys[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) { ops.push([' ', xs[i], pre + i, pre + j]); i++; j++; }
      else if (i < n && (j >= m || L[i + 1][j] >= L[i][j + 1])) { ops.push(['-', xs[i], pre + i, pre + j]); i++; }
      else { ops.push(['+', ys[j], pre + i, pre + j]); j++; }
    }
  } else {
    for (let i = 0; i < xs.length; i++) ops.push(['-', xs[i], pre + i, pre]);
    for (let j = 0; j < ys.length; j++) ops.push(['+', ys[j], pre + xs.length, pre + j]);
  }
  for (let k = 0; k < suf; k++) ops.push([' ', x[x.length - suf + k], x.length - suf + k, y.length - suf + k]);

  // Group changes into hunks with 3 lines of context.
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  const changed = ops.map((o) => o[0] !== ' ');
  let k = 0;
  while (k < ops.length) {
    if (!changed[k]) { k++; continue; }
    let start = Math.max(0, k - 3), end = k;
    for (;;) {
      while (end < ops.length && changed[end]) end++;
      let next = end;
      while (next < ops.length && !changed[next] && next - end < 7) next++;
      if (next < ops.length && changed[next] && next - end < 7) { end = next; continue; }
      end = Math.min(ops.length, end + 3);
      break;
    }
    const hunk = ops.slice(start, end);
    const xStart = hunk[0][2] + 1, yStart = hunk[0][3] + 1;
    const xLen = hunk.filter((o) => o[0] !== '+').length, yLen = hunk.filter((o) => o[0] !== '-').length;
    out.push(`@@ -${xStart},${xLen} +${yStart},${yLen} @@`);
    for (const o of hunk) out.push(`${o[0]}${o[1]}`);
    k = end;
  }
  if (out.length > maxLines) {
    const extra = out.length - maxLines;
    out.length = maxLines;
    out.push(`... (${extra} more diff lines)`);
  }
  return out.join('\n');
}

function tail(s, n = 2000) {
  return s.length > n ? `...${s.slice(-n)}` : s;
}

/**
 * Compare an actual run with the expectation. Returns null when they agree, else a
 * message naming the program, the variant and the first differing line.
 */
export function compareRuns({ prog, variant, expected, actual, expectedLabel, actualLabel, compareStderr }) {
  const problems = [];
  const title = `${prog.name} [${variant.name}]`;
  if (actual.timedOut) problems.push(`${actualLabel} run timed out after ${actual.ms} ms`);
  if (expected.status !== actual.status) {
    problems.push(`exit status: ${expectedLabel} ${expected.status}, ${actualLabel} ${actual.status}`);
  }
  const streams = [['stdout', expected.stdout, actual.stdout]];
  if (compareStderr) streams.push(['stderr', expected.stderr, actual.stderr]);
  for (const [what, e, a] of streams) {
    const i = firstDifference(e, a);
    if (i < 0) continue;
    const el = splitLines(e)[i], al = splitLines(a)[i];
    problems.push(`${what} differs at line ${i + 1}:\n` +
      `  ${expectedLabel}: ${el === undefined ? '(end of output)' : JSON.stringify(el)}\n` +
      `  ${actualLabel}: ${al === undefined ? '(end of output)' : JSON.stringify(al)}\n` +
      unifiedDiff(e, a, `${title} ${what} (${expectedLabel})`, `${title} ${what} (${actualLabel})`));
  }
  if (!problems.length) return null;
  let msg = `differential mismatch: ${title} (${path.relative(REPO, binaryPath(prog, variant))})\n` + problems.join('\n');
  if (!compareStderr && actual.stderr.trim()) msg += `\n${actualLabel} stderr:\n${tail(actual.stderr)}`;
  return msg;
}

/**
 * Build and run one (program, variant): natively (or the expected file) against tsvisor.
 * Returns { ok, message, native, sandboxed }.
 */
export async function runCase(prog, variant) {
  const d = prog.directives;
  const bin = await build(prog, variant);
  let expected, expectedLabel, native = null;
  if (d.expectSandbox) {
    const file = path.join(C_DIR, d.expectSandbox);
    expected = { stdout: fs.readFileSync(file, 'utf8'), stderr: '', status: d.expectExit };
    expectedLabel = `expected (${d.expectSandbox})`;
  } else {
    native = await runNative(bin, prog);
    if (native.timedOut || native.status !== d.expectExit) {
      return {
        ok: false, native,
        message: `${prog.name} [${variant.name}]: the native run itself is wrong (test bug or host ` +
          `problem): exit status ${native.status}${native.timedOut ? ' (timed out)' : ''}, expected ` +
          `${d.expectExit}\nstdout:\n${tail(native.stdout)}\nstderr:\n${tail(native.stderr)}`,
      };
    }
    expected = native;
    expectedLabel = 'native';
  }
  const sandboxed = await runSandboxed(bin, prog);
  const message = compareRuns({ prog, variant, expected, actual: sandboxed, expectedLabel,
                                actualLabel: 'tsvisor', compareStderr: d.compareStderr });
  return { ok: message === null, message, native, sandboxed };
}

/**
 * Requirement check for the suite itself: every variant run natively twice must give
 * the same stdout and status, the status must be the expected one, and all variants of a
 * program must agree.  Returns a list of problems (empty = good).
 */
export async function nativeCheck(progs = listPrograms(), variants = selectedVariants(), log = () => {}) {
  const problems = [];
  await Promise.all(progs.map(async (prog) => {
    if (prog.directives.skipNative) { log(`skip ${prog.name} (skip-native)`); return; }
    const vs = programVariants(prog, variants);
    const results = [];
    for (const v of vs) {
      let bin;
      try {
        bin = await build(prog, v);
      } catch (e) {
        problems.push(e.message);
        continue;
      }
      const r1 = await runNative(bin, prog), r2 = await runNative(bin, prog);
      const where = `${prog.name} [${v.name}]`;
      if (r1.status !== prog.directives.expectExit || r1.timedOut) {
        problems.push(`${where}: exit status ${r1.status}${r1.timedOut ? ' (timed out)' : ''}, expected ` +
          `${prog.directives.expectExit}\n${tail(r1.stdout)}${tail(r1.stderr)}`);
      }
      const m = compareRuns({ prog, variant: v, expected: r1, actual: r2, expectedLabel: 'run 1',
                              actualLabel: 'run 2', compareStderr: prog.directives.compareStderr });
      if (m) problems.push(`${where}: not deterministic\n${m}`);
      results.push([v, r1]);
      log(`${where}: ${r1.status === prog.directives.expectExit && !m ? 'ok' : 'PROBLEM'} (${r1.ms} ms)`);
    }
    for (const [v, r] of results.slice(1)) {
      const m = compareRuns({ prog, variant: v, expected: results[0][1], actual: r,
                              expectedLabel: results[0][0].name, actualLabel: v.name,
                              compareStderr: prog.directives.compareStderr });
      if (m) problems.push(`${prog.name}: variants ${results[0][0].name} and ${v.name} disagree\n${m}`);
    }
  }));
  return problems;
}

// ---------------------------------------------------------------- CLI

async function main(args) {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const names = args.filter((a) => !a.startsWith('--'));
  const progs = listPrograms(names.length ? names : process.env.TSVISOR_CTEST);
  const variants = selectedVariants();
  if (!variants.length) {
    console.error('no compiler found (gcc / musl-gcc)');
    return 2;
  }
  if (flags.has('--list')) {
    for (const p of progs) {
      const d = p.directives;
      const extra = [d.expectSandbox && `expect-sandbox: ${d.expectSandbox}`, d.skipNative && 'skip-native',
        d.expectExit && `expect-exit: ${d.expectExit}`, d.compareStderr && 'compare-stderr'].filter(Boolean);
      console.log(`${p.name.padEnd(18)} ${programVariants(p, variants).map((v) => v.name).join(',')}` +
        `${extra.length ? `  [${extra.join('; ')}]` : ''}\n${''.padEnd(19)}${d.description}`);
    }
    return 0;
  }
  if (flags.has('--build')) {
    let bad = 0;
    await Promise.all(progs.flatMap((p) => programVariants(p, variants).map((v) =>
      build(p, v).then((b) => console.log(`built ${path.relative(REPO, b)}`),
                       (e) => { bad++; console.error(e.message); }))));
    return bad ? 1 : 0;
  }
  if (flags.has('--native-check')) {
    const problems = await nativeCheck(progs, variants, (s) => console.log(s));
    for (const p of problems) console.error(`\n${p}`);
    console.log(`\n${progs.length} programs x ${variants.length} variants: ` +
      `${problems.length ? `${problems.length} problem(s)` : 'all deterministic and in agreement'}`);
    return problems.length ? 1 : 0;
  }
  const why = sandboxUnavailableReason();
  if (why) {
    console.error(`cannot run differential tests: ${why}`);
    return 2;
  }
  let failed = 0, total = 0;
  await Promise.all(progs.flatMap((p) => programVariants(p, variants).map(async (v) => {
    total++;
    try {
      const r = await runCase(p, v);
      if (r.ok) console.log(`ok   ${p.name} [${v.name}]`);
      else { failed++; console.log(`FAIL ${p.name} [${v.name}]\n${r.message}\n`); }
    } catch (e) {
      failed++;
      console.log(`FAIL ${p.name} [${v.name}]\n${e.message}\n`);
    }
  })));
  console.log(`\n${total - failed}/${total} passed`);
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; },
                                   (e) => { console.error(e); process.exitCode = 2; });
}
