// `tsvisor gofer`: serves a host directory to one Sentry over lisafs.
//
//   tsvisor gofer [--root DIR] [--ro] [--deny NAME]... [--mask NAME]... [--fd N]
//                 [--max-dir-fds N] [--confine MNTNS:NETNS] [--seccomp kill|log|eperm|off]
//                 [--debug] [--debug-log FILE] [--log-format text|json]
//
// --deny NAME: the top-level NAME of the root does not exist for the Sentry.
// --mask NAME: the top-level NAME is served as an empty directory with the host
// entry's attributes (a mount point for the Sentry's own /proc, /sys, /dev).
//
// --confine MNTNS:NETNS: the launcher made our namespaces at spawn (its own ids
// given, to tell); pivot_root into the root, drop capabilities, install seccomp
// (gofer/confine.ts). --seccomp: what a syscall outside the allowlist gets.
//
// fd 3 (or --fd) is the gofer's end of an AF_UNIX SOCK_SEQPACKET socketpair; the
// Sentry holds the other end. Exits 0 when the Sentry closes it, 1 on a socket
// error, 2 on bad usage or a root that cannot be opened.
import { SysError } from '../../abi/linux/errno.js';
import { ConfineError, dropOtherThreadsCaps, enterRoot, lockDown, type SeccompMode } from '../../gofer/confine.js';
import { dirFds } from '../../gofer/node.js';
import { GoferServer, type GoferConfig } from '../../gofer/server.js';
import { validTopName } from '../../gofer/service.js';
import { setXattrViaProc } from '../../gofer/write_ops.js';
import { configureLog, log } from '../../log.js';

const USAGE =
  'usage: tsvisor gofer [--root DIR] [--ro] [--deny NAME]... [--mask NAME]... [--fd N] [--max-dir-fds N] ' +
  '[--confine MNTNS:NETNS] [--seccomp kill|log|eperm|off] [--debug] [--debug-log FILE]';

/** Command-line strings are UTF-8 text; the gofer works on byte strings (latin1, one char per byte). */
const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export interface GoferArgs extends GoferConfig {
  deny: string[];
  mask: string[];
  fd: number;
  /** Directory fds kept open at once (least recently used are reopened by name). */
  maxDirFds: number;
  /** The launcher's namespace ids when it asked for confinement. */
  confine: { mnt: number; net: number } | null;
  seccomp: SeccompMode;
  logFile: string | null;
}

/** Parses gofer flags; returns an error message for bad usage. */
export function parseGoferArgs(args: string[]): GoferArgs | string {
  const out: GoferArgs = { root: '/', readOnly: false, deny: [], mask: [], fd: 3, maxDirFds: 4096,
    confine: null, seccomp: 'kill', logFile: null };
  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    let val: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      val = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const value = (): string => {
      if (val !== undefined) return val;
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      switch (a) {
        case '--root':
          out.root = bytes(value());
          if (out.root === '') return '--root must not be empty';
          break;
        case '--ro':
          out.readOnly = val === undefined || val === 'true';
          break;
        case '--deny':
        case '--mask': {
          const name = bytes(value());
          if (!validTopName(name)) return `bad ${a} name: ${name}`;
          (a === '--deny' ? out.deny : out.mask).push(name);
          break;
        }
        case '--fd': {
          const n = Number(value());
          if (!Number.isInteger(n) || n < 0) return '--fd needs a file descriptor number';
          out.fd = n;
          break;
        }
        case '--max-dir-fds': {
          const n = Number(value());
          if (!Number.isInteger(n) || n < 8) return '--max-dir-fds needs a number of at least 8';
          out.maxDirFds = n;
          break;
        }
        case '--confine': {
          const m = /^(\d+):(\d+)$/.exec(value());
          if (!m) return '--confine needs MNTNS:NETNS (namespace inode numbers)';
          out.confine = { mnt: Number(m[1]), net: Number(m[2]) };
          break;
        }
        case '--seccomp': {
          const v = value();
          if (v !== 'kill' && v !== 'log' && v !== 'eperm' && v !== 'off') return `bad --seccomp: ${v}`;
          out.seccomp = v;
          break;
        }
        case '--debug':
          configureLog({ debug: val === undefined || val === 'true' });
          break;
        case '--debug-log':
          out.logFile = value();
          configureLog({ file: out.logFile });
          break;
        case '--log-format': {
          const f = value();
          if (f !== 'text' && f !== 'json') return `bad --log-format: ${f}`;
          configureLog({ format: f });
          break;
        }
        default:
          return `unknown gofer argument: ${args[i]}`;
      }
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
  return out;
}

export function goferMain(args: string[]): number {
  configureLog({ tag: 'gofer' });
  const parsed = parseGoferArgs(args);
  if (typeof parsed === 'string') {
    log.warn(parsed);
    log.raw(USAGE);
    return 2;
  }
  dirFds.limit = parsed.maxDirFds;
  // Ctrl-C and hang-ups reach the whole process group: the gofer must outlive the
  // Sentry's shutdown, and exits when the Sentry closes the socket.
  for (const sig of ['SIGINT', 'SIGHUP'] as const) process.on(sig, () => {});
  const shown = Buffer.from(parsed.root, 'latin1').toString();
  let root = parsed.root;
  let confined = false;
  if (parsed.confine) {
    try {
      dropOtherThreadsCaps(parsed.readOnly);
      const inside = enterRoot({ parentNs: parsed.confine, root: parsed.root, readOnly: parsed.readOnly,
        hidden: [...parsed.deny, ...parsed.mask], logFile: parsed.logFile });
      if (inside !== null) {
        root = inside;
        confined = true;
        setXattrViaProc(false); // no /proc in here
      }
    } catch (e) {
      log.warn(`cannot confine the gofer serving ${shown}: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
  }
  let server: GoferServer;
  try {
    server = new GoferServer({ ...parsed, root });
  } catch (e) {
    const why = e instanceof SysError ? e.toString() : String(e);
    log.warn(`cannot serve ${shown}: ${why}`);
    return 2;
  }
  if (parsed.confine) {
    try {
      lockDown(parsed.readOnly, parsed.seccomp);
    } catch (e) {
      log.warn(`cannot confine the gofer serving ${shown}: ${e instanceof ConfineError ? e.message : String(e)}`);
      return 2;
    }
  }
  log.info(
    `serving ${shown}${confined ? ' (confined)' : ''}${parsed.readOnly ? ' read-only' : ''}` +
      (parsed.deny.length ? `, hiding ${parsed.deny.join(', ')}` : '') +
      (parsed.mask.length ? `, masking ${parsed.mask.join(', ')}` : '') + ` on fd ${parsed.fd}`,
  );
  const code = server.serve(parsed.fd);
  // Nothing is left to do on the way out: a confined gofer must not go on to the
  // CLI's exit path (it would write its code cache, a path that means nothing here).
  if (parsed.confine) process.exit(code);
  return code;
}
