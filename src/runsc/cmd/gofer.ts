// `tsvisor gofer`: serves a host directory to one Sentry over lisafs.
//
//   tsvisor gofer [--root DIR] [--ro] [--deny NAME]... [--mask NAME]... [--fd N]
//                 [--max-dir-fds N] [--debug] [--debug-log FILE] [--log-format text|json]
//
// --deny NAME: the top-level NAME of the root does not exist for the Sentry.
// --mask NAME: the top-level NAME is served as an empty directory with the host
// entry's attributes (a mount point for the Sentry's own /proc, /sys, /dev).
//
// fd 3 (or --fd) is the gofer's end of an AF_UNIX SOCK_SEQPACKET socketpair; the
// Sentry holds the other end. Exits 0 when the Sentry closes it, 1 on a socket
// error, 2 on bad usage or a root that cannot be opened.
import { SysError } from '../../abi/linux/errno.js';
import { dirFds } from '../../gofer/node.js';
import { GoferServer, type GoferConfig } from '../../gofer/server.js';
import { validTopName } from '../../gofer/service.js';
import { configureLog, log } from '../../log.js';

const USAGE =
  'usage: tsvisor gofer [--root DIR] [--ro] [--deny NAME]... [--mask NAME]... [--fd N] [--max-dir-fds N] ' +
  '[--debug] [--debug-log FILE]';

/** Command-line strings are UTF-8 text; the gofer works on byte strings (latin1, one char per byte). */
const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export interface GoferArgs extends GoferConfig {
  deny: string[];
  mask: string[];
  fd: number;
  /** Directory fds kept open at once (least recently used are reopened by name). */
  maxDirFds: number;
}

/** Parses gofer flags; returns an error message for bad usage. */
export function parseGoferArgs(args: string[]): GoferArgs | string {
  const out: GoferArgs = { root: '/', readOnly: false, deny: [], mask: [], fd: 3, maxDirFds: 4096 };
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
        case '--debug':
          configureLog({ debug: val === undefined || val === 'true' });
          break;
        case '--debug-log':
          configureLog({ file: value() });
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
  let server: GoferServer;
  try {
    server = new GoferServer(parsed);
  } catch (e) {
    const why = e instanceof SysError ? e.toString() : String(e);
    log.warn(`cannot serve ${Buffer.from(parsed.root, 'latin1').toString()}: ${why}`);
    return 2;
  }
  // Ctrl-C and hang-ups reach the whole process group: the gofer must outlive the
  // Sentry's shutdown, and exits when the Sentry closes the socket.
  for (const sig of ['SIGINT', 'SIGHUP'] as const) process.on(sig, () => {});
  log.info(
    `serving ${Buffer.from(parsed.root, 'latin1').toString()}${parsed.readOnly ? ' read-only' : ''}` +
      (parsed.deny.length ? `, hiding ${parsed.deny.join(', ')}` : '') +
      (parsed.mask.length ? `, masking ${parsed.mask.join(', ')}` : '') + ` on fd ${parsed.fd}`,
  );
  return server.serve(parsed.fd);
}
