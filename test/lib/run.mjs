// Helpers for tests that run programs natively and under `tsvisor do`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TSVISOR = join(ROOT, 'bin', 'tsvisor');

/** Runs argv natively. */
export function native(argv, opts = {}) {
  return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000, ...opts });
}

/** Runs argv under `tsvisor [globalFlags] do [doFlags] -- argv`. */
export function sandboxed(argv, { global = [], doFlags = [], ...opts } = {}) {
  return spawnSync(TSVISOR, [...global, 'do', ...doFlags, '--', ...argv],
    { encoding: 'utf8', timeout: 60_000, ...opts });
}

/** The exit code a shell would report (128+N for death by signal N). */
export function exitCode(r) {
  if (r.signal) return 128 + ({ SIGSEGV: 11, SIGABRT: 6, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 }[r.signal] ?? 0);
  return r.status;
}
