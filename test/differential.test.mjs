// Differential C tests: every test/c/*.c program, in every libc variant, must print the
// same stdout and exit with the same status natively and under `bin/tsvisor do`.
// See test/c/README.md.  Subset: TSVISOR_CTEST=pipe,mmap  Variants: TSVISOR_CTEST_VARIANTS=glibc
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as diff from './lib/differential.mjs';

const programs = diff.listPrograms();
const variants = diff.selectedVariants();
const unavailable = diff.sandboxUnavailableReason();

describe('differential C tests (native vs tsvisor)', { concurrency: diff.JOBS }, () => {
  if (!variants.length) {
    it('build the C test programs', (t) => t.skip('no C compiler (gcc) found'));
    return;
  }
  for (const prog of programs) {
    for (const variant of diff.programVariants(prog, variants)) {
      // build (<= 2 min) + native run + sandboxed run
      const timeout = 120000 + 2 * (prog.directives.timeoutMs || diff.TIMEOUT_MS) + 10000;
      const todo = prog.directives.todo ?? undefined;
      it(`${prog.name} [${variant.name}]`, { timeout, todo }, async (t) => {
        if (unavailable) {
          t.skip(unavailable);
          return;
        }
        const r = await diff.runCase(prog, variant);
        assert.ok(r.ok, r.message);
      });
    }
  }
});
