// runsc's global configuration flags, parsed with runsc's names and meanings
// (runsc/config/flags.go): `--flag=value`, `--flag value`, `-flag`, booleans
// as `--flag`, `--flag=true|false`.

export type Network = 'sandbox' | 'host' | 'none';
export type Overlay = 'none' | 'root:memory' | 'root:self' | 'all:memory';

export interface Config {
  root: string;
  debug: boolean;
  debugLog: string;
  log: string;
  logFormat: 'text' | 'json';
  debugLogFormat: 'text' | 'json';
  strace: boolean;
  straceSyscalls: string[];
  platform: string;
  network: Network;
  fileAccess: 'exclusive' | 'shared';
  overlay2: Overlay;
  directfs: boolean;
  rootless: boolean;
  ignoreCgroups: boolean;
  cpuNumFromQuota: boolean;
  totalMemory: number;
  systemdCgroup: boolean;
}

export function defaultConfig(): Config {
  return {
    root: '/var/run/tsvisor',
    debug: false,
    debugLog: '',
    log: '',
    logFormat: 'text',
    debugLogFormat: 'text',
    strace: false,
    straceSyscalls: [],
    platform: 'ptrace',
    network: 'sandbox',
    fileAccess: 'exclusive',
    overlay2: 'root:memory',
    directfs: true,
    rootless: false,
    ignoreCgroups: false,
    cpuNumFromQuota: false,
    totalMemory: 0,
    systemdCgroup: false,
  };
}

export class UsageError extends Error {}

type Setter = (c: Config, v: string) => void;

interface FlagSpec {
  bool: boolean;
  set: Setter;
  help: string;
}

function oneOf<T extends string>(name: string, allowed: readonly T[], v: string): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`invalid value "${v}" for flag --${name}: want one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function parseBool(name: string, v: string): boolean {
  if (v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UsageError(`invalid boolean value "${v}" for flag --${name}`);
}

/** Sizes like 512M, 2G, 1048576. */
export function parseSize(name: string, v: string): number {
  const m = /^(\d+)([kKmMgGtT]?)[bB]?$/.exec(v);
  if (!m) throw new UsageError(`invalid size "${v}" for flag --${name}`);
  const mult: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  return Number(m[1]) * mult[m[2]!.toLowerCase()]!;
}

export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  root: { bool: false, set: (c, v) => (c.root = v), help: 'root directory for storage of container state' },
  debug: { bool: true, set: (c, v) => (c.debug = parseBool('debug', v)), help: 'enable debug logging' },
  'debug-log': { bool: false, set: (c, v) => (c.debugLog = v), help: 'additional location for logs; %ID% is replaced by the container id' },
  log: { bool: false, set: (c, v) => (c.log = v), help: 'file path where internal debug information is written' },
  'log-format': { bool: false, set: (c, v) => (c.logFormat = oneOf('log-format', ['text', 'json'] as const, v)), help: 'log format: text or json' },
  'debug-log-format': { bool: false, set: (c, v) => (c.debugLogFormat = oneOf('debug-log-format', ['text', 'json'] as const, v)), help: 'debug log format: text or json' },
  strace: { bool: true, set: (c, v) => (c.strace = parseBool('strace', v)), help: 'enable strace of application syscalls' },
  'strace-syscalls': { bool: false, set: (c, v) => (c.straceSyscalls = v.split(',').filter(Boolean)), help: 'comma-separated list of syscalls to trace (all when empty)' },
  platform: { bool: false, set: (c, v) => (c.platform = oneOf('platform', ['ptrace'] as const, v)), help: 'platform: ptrace (systrap later)' },
  network: { bool: false, set: (c, v) => (c.network = oneOf('network', ['sandbox', 'host', 'none'] as const, v)), help: 'networking: sandbox, host or none' },
  'file-access': { bool: false, set: (c, v) => (c.fileAccess = oneOf('file-access', ['exclusive', 'shared'] as const, v)), help: 'file access: exclusive or shared' },
  overlay2: { bool: false, set: (c, v) => (c.overlay2 = oneOf('overlay2', ['none', 'root:memory', 'root:self', 'all:memory'] as const, v)), help: 'overlay: none, root:memory, root:self, all:memory' },
  directfs: { bool: true, set: (c, v) => (c.directfs = parseBool('directfs', v)), help: 'let the Sentry use directory fds from the gofer' },
  rootless: { bool: true, set: (c, v) => (c.rootless = parseBool('rootless', v)), help: 'run without root using user namespaces' },
  'ignore-cgroups': { bool: true, set: (c, v) => (c.ignoreCgroups = parseBool('ignore-cgroups', v)), help: 'do not configure cgroups' },
  'cpu-num-from-quota': { bool: true, set: (c, v) => (c.cpuNumFromQuota = parseBool('cpu-num-from-quota', v)), help: 'set the number of CPUs from the CPU quota' },
  'total-memory': { bool: false, set: (c, v) => (c.totalMemory = parseSize('total-memory', v)), help: 'memory the sandbox reports (e.g. 2G)' },
  'systemd-cgroup': { bool: true, set: (c, v) => (c.systemdCgroup = parseBool('systemd-cgroup', v)), help: 'use systemd for cgroups' },
};

export interface ParsedArgs {
  config: Config;
  /** Subcommand and its arguments. */
  rest: string[];
}

/**
 * Parses global flags up to the first non-flag argument (the subcommand).
 * `flags` may extend the set (subcommand flags use the same parser).
 */
export function parseFlags<T>(args: string[], specs: Record<string, { bool: boolean; set: (c: T, v: string) => void }>,
  target: T, stopAtPositional = true): string[] {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (stopAtPositional) break;
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown flag: ${a.split('=')[0]}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (spec.bool) value = '';
    else {
      if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: --${name}`);
      value = args[++i]!;
    }
    spec.set(target, value);
  }
  return args.slice(i);
}

export function parseGlobal(args: string[]): ParsedArgs {
  const config = defaultConfig();
  const rest = parseFlags(args, GLOBAL_FLAGS, config);
  return { config, rest };
}
