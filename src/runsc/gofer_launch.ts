// Starting the gofer process (`tsvisor gofer`) with one end of a SOCK_SEQPACKET
// socketpair as its fd 3. Uses the addon's vfork+exec: Node's child_process would
// install a SIGCHLD handler that runs on every ptrace stop (DESIGN.md §5).
import { fileURLToPath } from 'node:url';
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
  if (config.debug) args.push('--debug');
  // The gofer logs next to the Sentry's log, with its own name (runsc's %COMMAND%).
  if (config.debugLog) args.push('--debug-log', `${config.debugLog}.gofer`);
  const pid = n.spawn(process.execPath, args, Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`),
    [-1, -1, 2, theirs], -1, 1);
  n.close(theirs);
  if (pid < 0) {
    n.close(mine);
    throw new Error(`cannot start the gofer: errno ${-pid}`);
  }
  let stopped = false;
  return {
    pid,
    sentrySock: mine,
    stop(): void {
      if (stopped) return;
      stopped = true;
      n.close(mine);
      const st = new Int32Array(1);
      if (n.waitpid(pid, 1 /* WNOHANG */, st) === 0) {
        n.kill(pid, 9 /* SIGKILL */);
        n.waitpid(pid, 0, st);
      }
    },
  };
}
