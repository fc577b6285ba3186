// Builds everything `npm install` must produce: the N-API addon (node-gyp against
// the system Node headers), the static stub, and the TypeScript (tsc then a bundle).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
const only = process.argv[2];

function nodeGyp() {
  const candidates = [
    join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/share/nodejs/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('node-gyp not found (it ships with npm)');
  return found;
}

function buildNative() {
  const nodedir = existsSync('/usr/include/node/node_api.h') ? '/usr' : dirname(dirname(process.execPath));
  run(process.execPath, [nodeGyp(), 'rebuild', `--nodedir=${nodedir}`], { cwd: join(root, 'native') });
  mkdirSync(join(root, 'build'), { recursive: true });
  const stub = join(root, 'build/tsvisor-stub');
  run('gcc', ['-nostdlib', '-static', '-Wl,-Ttext=0x7fff00001000', '-Wl,--build-id=none',
    '-Wl,-z,noexecstack', '-o', stub, join(root, 'native/stub/stub.S')]);
  // The platform hard-codes the stub's layout: check it.
  const nm = execFileSync('nm', [stub], { encoding: 'utf8' });
  if (!/^00007fff00001001 T stub_syscall$/m.test(nm) || !/^00007fff00001010 T stub_batch$/m.test(nm)) {
    throw new Error(`stub layout changed:\n${nm}`);
  }
  buildVdso();
}

/** The sandbox's vDSO (native/vdso): one R+X segment, no relocations (the loader maps it as is). */
function buildVdso() {
  const dir = join(root, 'native/vdso');
  const out = join(root, 'build/vdso.so');
  run('gcc', ['-shared', '-nostdlib', '-fPIC', '-O2', '-fno-stack-protector', '-fcf-protection=none',
    '-fno-asynchronous-unwind-tables', '-Wl,--hash-style=both', '-Wl,-soname=linux-vdso.so.1',
    `-Wl,--version-script=${join(dir, 'vdso.lds')}`, `-Wl,-T,${join(dir, 'vdso.ld')}`, '-Wl,--build-id=none',
    '-Wl,-z,max-page-size=4096', '-Wl,-z,noexecstack', '-o', out, join(dir, 'vdso.c')]);
  const rel = execFileSync('readelf', ['-r', out], { encoding: 'utf8' });
  if (!/There are no relocations/.test(rel)) throw new Error(`vdso.so must not need relocations:\n${rel}`);
}

async function buildTs() {
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root]);
  await bundle();
}

/** The bundle alone (no type check): `node scripts/build.mjs bundle` for quick iteration. */
async function bundle() {
  // One bundle for start-up speed: Node loads one file instead of a module graph.
  const esbuild = await import('esbuild');
  // CommonJS so bin/tsvisor can compile it through vm.Script with a V8 code cache
  // (Node 20 has no compile cache for ES modules; compiling costs ~12 ms per start).
  await esbuild.build({
    entryPoints: [join(root, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: join(root, 'dist/tsvisor.cjs'),
    define: { 'import.meta.url': '__tsvisorUrl' },
    banner: { js: 'var __tsvisorUrl = require("url").pathToFileURL(__filename).href;' },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // A stale code cache would be rejected anyway; drop it so the next run writes a fresh one.
  rmSync(join(root, 'dist/tsvisor.cache'), { force: true });
}

if (!only || only === 'native') buildNative();
if (only === 'vdso') buildVdso();
if (!only || only === 'ts') await buildTs();
if (only === 'bundle') await bundle();
