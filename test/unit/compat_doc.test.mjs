// docs/compatibility.md is generated from the syscall table: it must match it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../lib/run.mjs';

test('docs/compatibility.md is up to date with the syscall table', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/gen-compat-doc.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `stale: run node scripts/gen-compat-doc.mjs\n${r.stdout}${r.stderr}`);
});

test('tsvisor syscalls prints every implemented syscall with its support level', () => {
  const r = spawnSync(join(ROOT, 'bin/tsvisor'), ['syscalls', '--format=json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  const byName = new Map(rows.map((x) => [x.name, x]));
  assert.equal(byName.get('read').support, 'full');
  assert.equal(byName.get('rseq').support, 'unimplemented');
  assert.match(byName.get('futex').note, /PI/);
});
