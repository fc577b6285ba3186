// Shared fixtures for the gofer tests: a real gofer process on a socketpair, or the
// same handlers in-process on a donated root fd (directfs).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '../../dist/tsc/native.js';
import { LisafsClient } from '../../dist/tsc/lisafs/client.js';
import { DirectFileServer } from '../../dist/tsc/gofer/direct.js';
import { parseGoferArgs } from '../../dist/tsc/runsc/cmd/gofer.js';

const AT_FDCWD = -100;
const O_PATH = 0o10000000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;

export const goferEntry = fileURLToPath(new URL('../../dist/tsc/gofer/main.js', import.meta.url));

/** Starts `node gofer/main.js args` with fd 3 = one end of a socketpair; returns the client side. */
export function startGofer(args) {
  const nat = native();
  const pair = nat.socketpair();
  if (typeof pair === 'number') throw new Error(`socketpair: ${pair}`);
  const [mine, theirs] = pair;
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  const pid = nat.spawn(process.execPath, [process.execPath, goferEntry, ...args], env, [0, 1, 2, theirs], -1, 0);
  nat.close(theirs);
  if (pid < 0) throw new Error(`spawn: ${pid}`);
  const client = new LisafsClient(mine);
  return {
    client,
    pid,
    /** Closes our end and returns the gofer's exit status. */
    stop() {
      client.shutdown();
      return waitExit(pid);
    },
  };
}

/**
 * directfs: the gofer's handlers in this process, over a root fd opened the way the
 * launcher opens it. Takes the gofer's command-line flags; same shape as startGofer.
 */
export function startDirect(args) {
  const cfg = parseGoferArgs(args);
  if (typeof cfg === 'string') throw new Error(cfg);
  const fd = native().openat(AT_FDCWD, cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) throw new Error(`open ${cfg.root}: ${fd}`);
  const client = DirectFileServer.fromDirFd(fd, cfg);
  return {
    client,
    pid: -1,
    stop() {
      client.shutdown();
      return 0;
    },
  };
}

/** Both ways of serving files, for tests that must hold for each. */
export const TRANSPORTS = [
  ['rpc', startGofer],
  ['directfs', startDirect],
];

export function waitExit(pid) {
  const st = new Int32Array(1);
  const r = native().waitpid(pid, 0, st);
  if (r < 0) throw new Error(`waitpid: ${r}`);
  const s = st[0];
  return (s & 0x7f) === 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
}

/** Runs the gofer with args and no peer interaction; returns its exit code. */
export function runGofer(args) {
  const g = startGofer(args);
  return g.stop();
}

/** A temp tree:
 *  hello.txt, hard (hard link to hello.txt), a/b/c/file.txt, a/proc/x, link -> /etc/passwd,
 *  rel -> ../../../../../etc/passwd, etc/passwd ("sandbox passwd"), proc/, sys/, dev/,
 *  big/ with 3000 entries, empty/ */
export function makeTree() {
  const root = mkdtempSync(join(tmpdir(), 'tsvisor-gofer-'));
  writeFileSync(join(root, 'hello.txt'), 'hello world\n');
  linkSync(join(root, 'hello.txt'), join(root, 'hard'));
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  writeFileSync(join(root, 'a/b/c/file.txt'), 'deep file\n');
  mkdirSync(join(root, 'a/proc'));
  writeFileSync(join(root, 'a/proc/x'), 'x');
  symlinkSync('/etc/passwd', join(root, 'link'));
  symlinkSync('../../../../../etc/passwd', join(root, 'rel'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'sandbox passwd\n');
  for (const d of ['proc', 'sys', 'dev', 'empty', 'big']) mkdirSync(join(root, d));
  for (let i = 0; i < 3000; i++) writeFileSync(join(root, 'big', `entry-with-a-longish-name-${i}`), '');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
