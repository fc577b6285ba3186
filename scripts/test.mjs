// `npm test`: rebuilds the TypeScript (cheap, and tests must never run stale code),
// then runs every test file with node's test runner.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), 'ts'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const dirs = ['test/unit', 'test/integration', 'test'];
const files = [];
for (const d of dirs) {
  const abs = join(root, d);
  if (!existsSync(abs)) continue;
  for (const f of readdirSync(abs).sort()) if (f.endsWith('.test.mjs')) files.push(join(d, f));
}
// Extra arguments select files by substring: `npm test -- procfs do`.
const want = process.argv.slice(2);
const selected = want.length ? files.filter((f) => want.some((w) => f.includes(w))) : files;
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...selected], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
