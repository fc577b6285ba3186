// Confinement of the gofer process (DESIGN.md §2, issue 8 item 3), in three steps:
//
// 1. At spawn (gofer_launch.ts, in the vfork child): its own mount and network
//    namespaces, mount propagation private, and a capability bounding set limited
//    to SPAWN_CAPS, so every Node thread starts in them.
// 2. enterRoot(), once Node and every module are loaded: the served root is bound
//    (recursively: its submounts are part of what it serves, as with runsc) into
//    a fresh tmpfs that becomes the root (pivot_root, old root detached). From then
//    on `..` and absolute symlinks end inside, whatever a path check misses.
// 3. lockDown(), after the server has opened its root: capabilities down to
//    goferCaps() on every thread, no_new_privs, and a seccomp allowlist.
import { mkdirSync, openSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { SYSCALL_NAMES } from '../abi/linux/syscalls.js';
import { configureLog, log } from '../log.js';
import { native } from '../native.js';
import { GOFER_ARG_RULES, GOFER_ENOSYS, GOFER_SYSCALLS } from './seccomp_policy.js';

export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWNET = 0x40000000;

// capabilities(7)
const CAP_CHOWN = 0;
const CAP_DAC_OVERRIDE = 1;
const CAP_DAC_READ_SEARCH = 2;
const CAP_FOWNER = 3;
const CAP_FSETID = 4;
const CAP_SETPCAP = 8;
const CAP_SYS_ADMIN = 21;

const bit = (c: number): number => 2 ** c;
/** What the gofer keeps to serve files with their owners and modes as the Sentry asks (no devices: mknod refuses them). */
export const GOFER_CAPS = bit(CAP_CHOWN) + bit(CAP_DAC_OVERRIDE) + bit(CAP_DAC_READ_SEARCH) + bit(CAP_FOWNER) + bit(CAP_FSETID);
/**
 * A tree the sandbox may change also keeps CAP_SYS_ADMIN: the host lets only it
 * set and see trusted.* xattrs, which the sandbox's root may use. The seccomp
 * filter denies every other use of it (mount, namespaces, bpf, most ioctls...).
 */
export const goferCaps = (readOnly: boolean): number => GOFER_CAPS + (readOnly ? 0 : bit(CAP_SYS_ADMIN));
/** The bounding set at spawn: what enterRoot() needs (mounts) and lockDown() needs (dropping the bounding set). */
export const SPAWN_CAPS = GOFER_CAPS + bit(CAP_SETPCAP) + bit(CAP_SYS_ADMIN);
const capNames = (readOnly: boolean): string =>
  ['chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', ...(readOnly ? [] : ['sys_admin (trusted.* xattrs)'])].join(', ');

// mount(2)
const MS_RDONLY = 0x1;
const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_NOEXEC = 0x8;
const MS_REMOUNT = 0x20;
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MNT_DETACH = 2;

/** Where the served root is bound in the gofer's own root. */
export const CONFINED_ROOT = '/root';

/** The namespace ids (inode numbers) of this process, to tell whether step 1 happened. */
export function namespaceIds(): { mnt: number; net: number } {
  return { mnt: statSync('/proc/self/ns/mnt').ino, net: statSync('/proc/self/ns/net').ino };
}

export interface ConfineOptions {
  /** The launcher's namespace ids: ours must differ for the namespaces to be our own. */
  parentNs: { mnt: number; net: number };
  /** Host path of the served root (latin1 byte string). */
  root: string;
  readOnly: boolean;
  /** Top-level names not served (--deny, --mask): mounts there are detached. */
  hidden: string[];
  /** The log file (--debug-log), reopened as an fd since its path is gone after the pivot. */
  logFile: string | null;
}

export class ConfineError extends Error {}

const sys = (what: string, r: number): void => {
  if (r < 0) throw new ConfineError(`${what}: errno ${-r}`);
};

/**
 * Step 2: pivot_root into a tmpfs holding only the served root. Returns the path
 * the server opens as its root, or null when the namespaces of step 1 are missing
 * (not privileged: rootless runs go on unconfined, as runsc --rootless gofers do
 * without their own namespaces). Throws a ConfineError when a step fails half-way.
 */
export function enterRoot(o: ConfineOptions): string | null {
  const own = namespaceIds();
  if (own.mnt === o.parentNs.mnt) {
    const msg = 'no mount namespace of its own (unshare not permitted): serving without pivot_root';
    if (process.geteuid?.() === 0) log.warn(msg);
    else log.debug(msg);
    return null;
  }
  if (own.net === o.parentNs.net) log.debug('no network namespace of its own (unshare not permitted)');
  if (o.logFile !== null) configureLog({ file: openSync(o.logFile, 'a') });
  const nat = native();
  const src = Buffer.from(realpathSync(Buffer.from(o.root, 'latin1'), { encoding: 'buffer' })).toString('latin1');
  // The new root is made on /proc, which every Linux host has: its own procfs is
  // not needed once the namespaces are made (and must not be reachable after).
  if (src === '/proc' || src.startsWith('/proc/')) throw new ConfineError('cannot serve a root under /proc');
  const isDir = statSync(Buffer.from(src, 'latin1')).isDirectory();
  sys('mount tmpfs', nat.mount('tsvisor-gofer', '/proc', 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, 'mode=0755,size=16k,nr_inodes=16'));
  const at = '/proc' + CONFINED_ROOT;
  if (isDir) mkdirSync(at, 0o755);
  else writeFileSync(at, '', { mode: 0o644 });
  sys(`bind ${src}`, nat.mount(src, at, null, MS_BIND | MS_REC, null));
  // Host mounts under names the Sentry never sees (its own /proc, /sys, /dev go
  // there) are detached: the host's procfs would lead to every host process's root.
  // Mounts stack (the tmpfs just made on /proc sits on the host's procfs, and the
  // recursive bind copied both), so each name is detached until none is left.
  if (isDir) {
    for (const name of o.hidden) {
      for (let i = 0; ; i++) {
        const r = nat.umount2(`${at}/${name}`, MNT_DETACH);
        if (r === 0 && i < 64) continue;
        if (r < 0 && -r !== 22 /* EINVAL: not a mount point */ && -r !== 2 /* ENOENT */) sys(`detach ${name}`, r);
        break;
      }
    }
  }
  if (o.readOnly) sys('remount read-only', nat.mount(null, at, null, MS_REMOUNT | MS_BIND | MS_RDONLY, null));
  // pivot_root(".", "."), then detach the old root stacked on the new one (pivot_root(2)).
  process.chdir('/proc');
  sys('pivot_root', nat.pivotRoot('.', '.'));
  sys('detach the old root', nat.umount2('.', MNT_DETACH));
  process.chdir('/');
  sys('remount the root read-only', nat.mount(null, '/', null, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null));
  log.debug(`pivot_root done: serving ${src} as ${CONFINED_ROOT}${o.readOnly ? ' (read-only bind)' : ''}`);
  return CONFINED_ROOT;
}

/** Drops every thread but this one to goferCaps(); call before enterRoot (it lists threads in /proc). */
export function dropOtherThreadsCaps(readOnly: boolean): void {
  const r = native().dropCaps(goferCaps(readOnly), 1);
  if (typeof r === 'number') throw new ConfineError(`capabilities of other threads: errno ${-r}`);
  const [sent, done, err] = r;
  // Node's inspector thread blocks every signal; it keeps SPAWN_CAPS (bounded at
  // spawn) and only ever waits on a semaphore; seccomp (all threads) still binds it.
  if (done < sent) log.debug(`${sent - done} of ${sent} threads block signals and keep the spawn capability set`);
  if (err < 0 && err !== -1 /* EPERM: not privileged */) throw new ConfineError(`capabilities of other threads: errno ${-err}`);
}

export type SeccompMode = 'kill' | 'log' | 'eperm' | 'off';
const SECCOMP_ACTION: Record<Exclude<SeccompMode, 'off'>, number> = { kill: 0, log: 1, eperm: 2 };

/** Step 3: goferCaps() and no_new_privs for this thread, then the seccomp filter for all. */
export function lockDown(readOnly: boolean, seccomp: SeccompMode): void {
  const nat = native();
  const r = nat.dropCaps(goferCaps(readOnly), 0);
  if (typeof r === 'number' || (r[2] < 0 && r[2] !== -1)) {
    throw new ConfineError(`capabilities: errno ${typeof r === 'number' ? -r : -r[2]}`);
  }
  log.debug(`capabilities (at most): ${capNames(readOnly)}; no_new_privs`);
  if (seccomp === 'off') return;
  const nrs = Int32Array.from(GOFER_SYSCALLS.map(syscallNumber));
  const rules = Int32Array.from(GOFER_ARG_RULES.flatMap((r) => [syscallNumber(r.name), r.arg, r.values.length, ...r.values]));
  const nosys = Int32Array.from(GOFER_ENOSYS.map(syscallNumber));
  // Like runsc's --debug, the filter goes to the log, rule by rule.
  log.debug(`seccomp filter: ${nrs.length + GOFER_ARG_RULES.length} syscalls allowed, ${seccomp} otherwise: ` +
    [...GOFER_SYSCALLS, ...GOFER_ARG_RULES.map((r) => `${r.name}(arg${r.arg} in ${r.values.map((v) => '0x' + v.toString(16)).join('|')})`),
      ...GOFER_ENOSYS.map((n) => `${n}=ENOSYS`)].join(' '));
  const e = nat.seccompInstall(nrs, SECCOMP_ACTION[seccomp], rules, nosys);
  if (e < 0) throw new ConfineError(`seccomp: errno ${-e}`);
  if (e > 0) throw new ConfineError(`seccomp: thread ${e} could not be synchronised`);
}

function syscallNumber(name: string): number {
  const nr = SYSCALL_NAMES.indexOf(name);
  if (nr < 0) throw new Error(`unknown syscall ${name}`);
  return nr;
}
