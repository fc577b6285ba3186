// `tsvisor do [flags] [--] CMD [ARGS...]`: runs a host command in a sandbox whose
// root is the host root served read-only by a gofer, under a writable in-memory
// overlay (runsc do). The CLI process becomes the Sentry; the gofer is a separate
// process started first so its start-up overlaps ours.
import { availableParallelism, hostname as hostHostname, totalmem } from 'node:os';
import { fstatSync, readFileSync, readlinkSync } from 'node:fs';
import { native } from '../../native.js';
import { configureLog, log } from '../../log.js';
import { ExecError } from '../../sentry/loader/loader.js';
import { ENOENT } from '../../abi/linux/errno.js';
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_RDWR } from '../../abi/linux/fcntl.js';
import type { HostFdInfo, TtyJobControl } from '../../sentry/fsimpl/host/host.js';
import { BootError, bootSentry } from '../boot/sentry.js';
import type { Kernel } from '../../sentry/kernel/kernel.js';
import { sendToGroup } from '../../sentry/kernel/signals.js';
import { SI_KERNEL, SI_USER } from '../../sentry/kernel/signal_queue.js';
import { UsageError, parseFlags, type Config } from '../config.js';
import { donateRoot } from '../directfs.js';
import { startGofer, type GoferOptions } from '../gofer_launch.js';

interface DoOptions {
  cwd: string;
  forceOverlay: boolean;
  quiet: boolean;
  root: string;
  hostname: string;
  ip: string;
  /** --volume SRC:DST[:ro] */
  volumes: { src: string; dest: string; readOnly: boolean }[];
}

/** SRC:DST or SRC:DST:ro|rw, both absolute. */
function parseVolume(v: string): { src: string; dest: string; readOnly: boolean } {
  const parts = v.split(':');
  const mode = parts.length === 3 ? parts[2] : 'rw';
  if (parts.length < 2 || parts.length > 3 || !parts[0]!.startsWith('/') || !parts[1]!.startsWith('/') ||
    (mode !== 'ro' && mode !== 'rw')) {
    throw new UsageError(`do: bad --volume ${JSON.stringify(v)}: want /host/dir:/sandbox/dir[:ro]`);
  }
  return { src: parts[0]!, dest: parts[1]!, readOnly: mode === 'ro' };
}

const DO_FLAGS = {
  cwd: { bool: false, set: (o: DoOptions, v: string) => (o.cwd = v) },
  'force-overlay': { bool: true, set: (o: DoOptions, v: string) => (o.forceOverlay = v !== 'false' && v !== '0') },
  quiet: { bool: true, set: (o: DoOptions, v: string) => (o.quiet = v !== 'false' && v !== '0') },
  root: { bool: false, set: (o: DoOptions, v: string) => (o.root = v) },
  hostname: { bool: false, set: (o: DoOptions, v: string) => (o.hostname = v) },
  ip: { bool: false, set: (o: DoOptions, v: string) => (o.ip = v) },
  volume: { bool: false, set: (o: DoOptions, v: string) => o.volumes.push(parseVolume(v)) },
};

export const DO_USAGE = `usage: tsvisor [global flags] do [flags] [--] <cmd> [args...]

Runs a command in a sandbox: the host root is mounted read-only with a writable
in-memory overlay on top (disable with --force-overlay=false).
  --cwd DIR            working directory in the sandbox (default: the current one)
  --root DIR           host directory to use as the sandbox root (default /)
  --hostname NAME      hostname inside the sandbox (default: the host's)
  --force-overlay      use the memory overlay (default true)
  --quiet              no tsvisor messages on stdout
  --ip ADDR            sandbox IPv4 address (used with --network=sandbox)
  --volume SRC:DST[:ro]  bind a host directory into the sandbox (repeatable)`;

/** Stdio for the sandbox: pipes and ttys are reopened so O_NONBLOCK stays private to us. */
function importStdio(fd: number): HostFdInfo {
  const n = native();
  let name = `host:[${fd}]`;
  try {
    name = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // closed or unnamed
  }
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    // Closed stdio: give the app /dev/null-like EOF via a fresh /dev/null.
    const nul = n.openat(-100, '/dev/null', fd === 0 ? O_RDONLY : 1, 0);
    return { fd: nul, flags: fd === 0 ? O_RDONLY : 1, name: '/dev/null', nonblocking: false, isTty: false };
  }
  const flags = n.fcntl(fd, 3 /* F_GETFL */, 0);
  const acc = flags < 0 ? O_RDWR : flags & O_ACCMODE;
  const tty = n.isatty(fd) === 1;
  if (st.isFIFO() || st.isCharacterDevice()) {
    const re = n.openat(-100, `/proc/self/fd/${fd}`, acc | O_NONBLOCK | 0o400000 /* O_NOCTTY */, 0);
    if (re >= 0) return { fd: re, flags: acc, name, nonblocking: true, isTty: tty };
  }
  const dup = n.dup3(fd, -1, 0);
  return { fd: dup < 0 ? fd : dup, flags: acc, name, nonblocking: false, isTty: tty };
}

/** The host's CPU description for /proc/cpuinfo (the launcher reads it, not the Sentry). */
function hostCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * Signals the user sends to `tsvisor do` go into the sandbox: terminal ones (Ctrl-C,
 * Ctrl-\\, Ctrl-Z, window size) to its foreground process group, as the tty driver
 * would; SIGTERM and SIGHUP to init, as runsc forwards them.
 */
function forwardSignals(kernel: Kernel, job: TtyJobControl): void {
  const toGroup = (sig: number, pgid: number): void => {
    let any = false;
    for (const tg of kernel.threadGroups.values()) {
      if (tg.alive && tg.pgid === pgid) {
        sendToGroup(tg, { signo: sig, code: SI_KERNEL });
        any = true;
      }
    }
    if (!any && kernel.init?.alive) sendToGroup(kernel.init, { signo: sig, code: SI_KERNEL });
  };
  const nums: Record<string, number> = { SIGINT: 2, SIGQUIT: 3, SIGTSTP: 20, SIGWINCH: 28, SIGTERM: 15, SIGHUP: 1 };
  for (const name of ['SIGINT', 'SIGQUIT', 'SIGTSTP', 'SIGWINCH'] as const) {
    process.on(name, () => toGroup(nums[name]!, job.foreground));
  }
  for (const name of ['SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => {
      if (kernel.init?.alive) sendToGroup(kernel.init, { signo: nums[name]!, code: SI_USER });
    });
  }
}

export async function doMain(config: Config, args: string[]): Promise<number> {
  const opts: DoOptions = { cwd: process.cwd(), forceOverlay: true, quiet: false, root: '/', hostname: hostHostname(), ip: '',
    volumes: [] };
  const rest = parseFlags(args, DO_FLAGS, opts);
  if (rest.length === 0) throw new UsageError('do: missing command\n' + DO_USAGE);
  // `do` has no container id; like runsc do, make one up for %ID% in log paths.
  const id = `do-${process.pid}`;
  config.debugLog = config.debugLog.replace(/%ID%/g, id);
  config.log = config.log.replace(/%ID%/g, id);
  configureLog({ debug: config.debug, file: config.debugLog || config.log || null,
    format: config.debugLog ? config.debugLogFormat : config.logFormat, tag: 'sentry' });

  // Start the gofer before anything else: its Node start-up overlaps ours. The
  // names the Sentry mounts its own file systems on are masked: they stay as
  // (empty) directories, so no mount point has to be created in the root.
  const goferOpts: GoferOptions = { root: opts.root, readOnly: opts.forceOverlay, deny: [], mask: ['proc', 'sys', 'dev'] };
  const gofer = startGofer(config, goferOpts);
  if (!opts.forceOverlay) config.overlay2 = 'none';
  // directfs: the Sentry serves the root itself on an fd we open now, so the first
  // exec does not wait for the gofer's start-up.
  let donatedRoot;
  if (config.directfs) {
    try {
      donatedRoot = donateRoot(goferOpts);
    } catch (e) {
      gofer.stop();
      process.stderr.write(`tsvisor: cannot open the root ${JSON.stringify(opts.root)}: ${String(e)}\n`);
      return 125;
    }
  }

  const volumes = [];
  for (const v of opts.volumes) {
    try {
      const o = { root: v.src, readOnly: v.readOnly, deny: [], mask: [] };
      const dir = donateRoot(o);
      // Without directfs each volume gets a gofer process; it exits when the Sentry's end of its socket closes.
      volumes.push({ dest: v.dest, dir, ...(config.directfs ? {} : { goferSock: startGofer(config, o).sentrySock }) });
    } catch (e) {
      gofer.stop();
      process.stderr.write(`tsvisor: cannot open the volume ${JSON.stringify(v.src)}: ${String(e)}\n`);
      return 125;
    }
  }

  const stdio = [0, 1, 2].map(importStdio);
  const ttyIdx = stdio.findIndex((s) => s.isTty);
  const ttyFd = ttyIdx >= 0 ? native().dup3(stdio[ttyIdx]!.fd, -1, 0) : -1;
  const envp = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  const cpus = availableParallelism();
  let sentry;
  try {
    sentry = bootSentry({
      config,
      goferSock: gofer.sentrySock,
      donatedRoot,
      volumes,
      hostname: opts.hostname,
      path: rest[0]!,
      argv: rest,
      envp,
      cwd: opts.cwd,
      stdio,
      ttyFd,
      cpus,
      totalMemory: config.totalMemory || totalmem(),
      cpuinfo: hostCpuinfo(),
      uid: 0,
      gid: 0,
    });
  } catch (e) {
    gofer.stop();
    if (e instanceof BootError) {
      process.stderr.write(`tsvisor: ${e.message}\n`);
      return 125;
    }
    if (e instanceof ExecError) {
      process.stderr.write(`tsvisor: cannot run ${JSON.stringify(rest[0])}: ${e.reason}\n`);
      return e.cause === ENOENT ? 127 : 126;
    }
    throw e;
  }
  const { kernel, job } = sentry;
  forwardSignals(kernel, job);
  const status = await kernel.exited;
  gofer.stop();
  if ((status & 0x7f) === 0) return (status >> 8) & 0xff;
  log.debug(`init killed by signal ${status & 0x7f}`);
  return 128 + (status & 0x7f);
}
