// Starting the gofer process (`tsvisor gofer`) with one end of a SOCK_SEQPACKET
// socketpair as its fd 3. Uses the addon's vfork+exec: Node's child_process would
// install a SIGCHLD handler that runs on every ptrace stop (DESIGN.md §5). The
// child gets its own mount and network namespaces and a reduced capability
// bounding set before exec, so all of Node's threads start in them; the gofer
// finishes confining itself once loaded (gofer/confine.ts).
import { fileURLToPath } from 'node:url';
import { CLONE_NEWNET, CLONE_NEWNS, SPAWN_CAPS, namespaceIds } from '../gofer/confine.js';
import { goferDiagnosis } from '../lisafs/client.js';
import { native } from '../native.js';
import type { Config } from './config.js';

export interface GoferOptions {
  root: string;
  readOnly: boolean;
  /** Top-level names of the root that do not exist in the sandbox. */
  deny: string[];
  /** Top-level names served as empty directories: mount points for the Sentry's own file systems. */
  mask: string[];
}

export interface GoferProcess {
  pid: number;
  /** The Sentry's end of the socket. */
  sentrySock: number;
  /**
   * Closes our end (the gofer exits) and reaps it. A gofer still starting up
   * (with directfs nothing waits for it) is killed rather than waited for: no
   * request is in flight once the Sentry is done, so it has nothing to finish.
   */
  stop(): void;
}

/** The script that runs the CLI (the bundle when bundled). */
export function cliScript(): string {
  return process.argv[1] ?? fileURLToPath(import.meta.url);
}

export function startGofer(config: Config, o: GoferOptions): GoferProcess {
  const n = native();
  const pair = n.socketpair();
  if (typeof pair === 'number') throw new Error(`socketpair: errno ${-pair}`);
  const [mine, theirs] = pair;
  const args = [process.execPath, cliScript(), 'gofer', '--root', o.root];
  if (o.readOnly) args.push('--ro');
  for (const d of o.deny) args.push('--deny', d);
  for (const m of o.mask) args.push('--mask', m);
  // Our namespace ids: the gofer pivots only if its own differ (unshare needs
  // privilege; unprivileged gofers get no namespaces, with a debug line).
  // TSVISOR_GOFER_CONFINE=0 turns confinement off, TSVISOR_GOFER_SECCOMP=log|eperm|off
  // relaxes the filter: for debugging (finding a missing syscall), never by default.
  const confine = process.env['TSVISOR_GOFER_CONFINE'] !== '0';
  if (confine) {
    const ns = namespaceIds();
    args.push('--confine', `${ns.mnt}:${ns.net}`);
    const seccomp = process.env['TSVISOR_GOFER_SECCOMP'];
    if (seccomp) args.push('--seccomp', seccomp);
  }
  if (config.debug) args.push('--debug');
  // The gofer logs next to the Sentry's log, with its own name (runsc's %COMMAND%).
  if (config.debugLog) args.push('--debug-log', `${config.debugLog}.gofer`);
  const pid = n.spawn(process.execPath, args, Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`),
    [-1, -1, 2, theirs], -1, 1, confine ? CLONE_NEWNS | CLONE_NEWNET : 0, confine ? SPAWN_CAPS : -1);
  n.close(theirs);
  if (pid < 0) {
    n.close(mine);
    throw new Error(`cannot start the gofer: errno ${-pid}`);
  }
  let stopped = false;
  let reaped = false;
  // The socket closes as the gofer exits; its status follows within moments.
  goferDiagnosis.set(mine, () => {
    const st = new Int32Array(1);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 500 && !reaped; i++) {
      if (n.waitpid(pid, 1 /* WNOHANG */, st) === pid) reaped = true;
      else Atomics.wait(nap, 0, 0, 1);
    }
    if (!reaped) return null;
    return describeDeath(pid, st[0]!);
  });
  return {
    pid,
    sentrySock: mine,
    stop(): void {
      if (stopped) return;
      stopped = true;
      goferDiagnosis.delete(mine);
      n.close(mine);
      if (reaped) return;
      const st = new Int32Array(1);
      if (n.waitpid(pid, 1 /* WNOHANG */, st) === 0) {
        n.kill(pid, 9 /* SIGKILL */);
        n.waitpid(pid, 0, st);
      }
    },
  };
}

/** A log line for a gofer that is gone (wait status `st`). */
export function describeDeath(pid: number, st: number): string {
  const sig = st & 0x7f;
  if (sig === 0) return `gofer ${pid} died: exited with status ${(st >> 8) & 0xff}`;
  if (sig === 31) return `gofer ${pid} died: killed by SIGSYS (seccomp: a host syscall outside its filter; --debug lists the filter)`;
  return `gofer ${pid} died: killed by signal ${sig}`;
}
