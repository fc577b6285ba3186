// Writes docs/compatibility.md from the built syscall table, grouped by support
// level with counts. Run after `tsc` (npm run build):
//   node scripts/gen-compat-doc.mjs [--check] [OUT]
// --check exits 1 when the file on disk is stale instead of rewriting it (for CI).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const out = args.find((a) => !a.startsWith('--')) ?? join(root, 'docs/compatibility.md');

async function load(rel) {
  const file = join(root, 'dist/tsc', rel);
  if (!existsSync(file)) {
    process.stderr.write(`gen-compat-doc: ${file} is missing; build first (npx tsc -p .)\n`);
    process.exit(1);
  }
  return import(pathToFileURL(file).href);
}

const tableMod = await load('sentry/syscalls/linux/table.js');
const { compatibilityMarkdown } = await load('runsc/cmd/syscalls.js');
const table = tableMod.linuxSyscallTable;
if (!Array.isArray(table)) {
  process.stderr.write('gen-compat-doc: table.js does not export linuxSyscallTable as an array\n');
  process.exit(1);
}

const text = compatibilityMarkdown(table);
if (check) {
  const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (old !== text) {
    process.stderr.write(`gen-compat-doc: ${out} is out of date; run node scripts/gen-compat-doc.mjs\n`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out}\n`);
}
