// Assembles a Sentry (runsc/boot): the memory file, the ptrace platform, the kernel,
// the mount namespace (root over the gofer, /proc, /dev, /sys) and init.
import { EEXIST } from '../../abi/linux/errno.js';
import { S_IFDIR } from '../../abi/linux/stat.js';
import { DirectFileServer } from '../../gofer/direct.js';
import { dirFds } from '../../gofer/node.js';
import { LisafsClient } from '../../lisafs/client.js';
import type { FileServer } from '../../lisafs/file_server.js';
import { log } from '../../log.js';
import { native } from '../../native.js';
import { newDevFilesystem } from '../../sentry/fsimpl/dev/devfs.js';
import { newDevptsFilesystem } from '../../sentry/fsimpl/devpts/devpts.js';
import { newFilesystem } from '../../sentry/fsimpl/fstypes.js';
import { GoferFilesystem } from '../../sentry/fsimpl/gofer/filesystem.js';
import { importHostFd, type HostFdInfo, type TtyJobControl } from '../../sentry/fsimpl/host/host.js';
import { OverlayFilesystem } from '../../sentry/fsimpl/overlay/overlay.js';
import { newProcFilesystem } from '../../sentry/fsimpl/proc/procfs.js';
import { newSysFilesystem } from '../../sentry/fsimpl/sys/sysfs.js';
import { Credentials } from '../../sentry/kernel/credentials.js';
import { Kernel } from '../../sentry/kernel/kernel.js';
import { startInit } from '../../sentry/kernel/process.js';
import type { Task } from '../../sentry/kernel/task.js';
import { MemoryFile, PLATFORM_SCRATCH_OFFSET } from '../../sentry/pgalloc/memory_file.js';
import { PtracePlatform } from '../../sentry/platform/ptrace/ptrace.js';
import { installStrace } from '../../sentry/strace/strace.js';
import { linuxSyscallTable } from '../../sentry/syscalls/linux/table.js';
import type { Filesystem } from '../../sentry/vfs/filesystem.js';
import { FsContext } from '../../sentry/vfs/fs_context.js';
import { MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, Mount, MountNamespace, type VirtualDentry } from '../../sentry/vfs/mount.js';
import type { Config } from '../config.js';
import type { DonatedRoot } from '../directfs.js';
import { Vdso } from '../../sentry/loader/vdso.js';

export interface SentrySpec {
  config: Config;
  /** The Sentry's end of the gofer socket. */
  goferSock: number;
  /**
   * With config.directfs: the root directory the launcher opened for us (owned by
   * the Sentry from now on). Without one, files go through the gofer socket.
   */
  donatedRoot?: DonatedRoot;
  /**
   * Host directories (opened by the launcher) mounted at sandbox paths: `do --volume`.
   * With `goferSock`, a gofer process serves the volume (--directfs=false) and `dir`
   * only carried the launcher's check that it opens.
   */
  volumes?: { dest: string; dir: DonatedRoot; goferSock?: number }[];
  hostname: string;
  /** Program (path or name searched in PATH), argv and environment of init. */
  path: string;
  argv: string[];
  envp: string[];
  /** Working directory inside the sandbox ("/" if it does not exist there). */
  cwd: string;
  /** Descriptors 0, 1, 2 of init. */
  stdio: HostFdInfo[];
  /** A host tty fd for /dev/tty, or -1. */
  ttyFd: number;
  cpus: number;
  totalMemory: number;
  /** The host's /proc/cpuinfo text, read by the launcher (the Sentry opens no host path). */
  cpuinfo?: string;
  uid: number;
  gid: number;
}

export interface Sentry {
  kernel: Kernel;
  init: Task;
  /** The host terminal's foreground process group as the sandbox set it. */
  job: TtyJobControl;
}

function mountAt(ns: MountNamespace, root: VirtualDentry, fs: Filesystem, path: string, flags: number, source: string): void {
  const name = path.replace(/^\//, '');
  // The gofer serves /proc, /dev and /sys as empty directories (--mask), so the
  // mount points normally exist and nothing is created: the root stays exactly the
  // host's, and a read-only root (--overlay2=none) can take the mounts too.
  let d = root.dentry.lookup(name);
  if (d && !d.inode.isDir()) {
    log.warn(`mount point ${path} is not a directory; ${fs.name} not mounted`);
    return;
  }
  if (!d) {
    // Fallback for a root without the name (a --root tree lacking /proc): make it in
    // the writable layer, as runsc does for its mounts.
    try {
      root.dentry.inode.mkdir(name, { mode: S_IFDIR | 0o755, uid: 0, gid: 0 });
    } catch (e) {
      if (e !== EEXIST) {
        log.warn(`cannot create mount point ${path}: ${String(e)}; ${fs.name} not mounted`);
        return;
      }
    }
    d = root.dentry.lookup(name);
    if (!d) return;
  }
  ns.attach(new Mount(fs, fs.root(), flags, null, null, source), { mount: root.mount, dentry: d });
}

/** A sandbox the user's configuration cannot be built from (a bad mount point...). */
export class BootError extends Error {}

/**
 * A host directory served on its donated fd, attached at `dest` (made in the root's
 * writable layer when missing). Files there are the host's: no overlay.
 */
function mountVolume(ns: MountNamespace, root: VirtualDentry, dest: string, dir: DonatedRoot, shared: boolean, goferSock?: number): void {
  let server: FileServer;
  if (goferSock === undefined) server = DirectFileServer.fromDirFd(dir.fd, { readOnly: dir.readOnly, deny: [], mask: [] });
  else {
    native().close(dir.fd);
    server = new LisafsClient(goferSock);
  }
  let fs: GoferFilesystem;
  try {
    fs = new GoferFilesystem(server, { shared });
  } catch (e) {
    throw new BootError(`cannot serve the volume at ${dest}: ${String(e)}`);
  }
  let at: VirtualDentry = root;
  for (const name of dest.split('/').filter((n) => n !== '' && n !== '.')) {
    at = ns.topOf(at);
    let d = at.dentry.lookup(name);
    if (!d) {
      try {
        at.dentry.inode.mkdir(name, { mode: S_IFDIR | 0o755, uid: 0, gid: 0 });
      } catch (e) {
        if (e !== EEXIST) throw new BootError(`cannot create the mount point ${dest}: ${String(e)}`);
      }
      d = at.dentry.lookup(name);
      if (!d) throw new BootError(`cannot create the mount point ${dest}`);
    }
    if (!d.inode.isDir()) throw new BootError(`mount point ${dest} is not a directory`);
    at = { mount: at.mount, dentry: d };
  }
  ns.attach(new Mount(fs, fs.root(), dir.readOnly ? MS_RDONLY : 0, null, null, dest), at);
}

export function bootSentry(spec: SentrySpec): Sentry {
  const c = spec.config;
  const mf = new MemoryFile();
  const platform = new PtracePlatform(mf.fd, PLATFORM_SCRATCH_OFFSET);
  const vdso = Vdso.load(mf, platform.hostVdsoBase);
  const straceFilter = c.straceSyscalls.length > 0 ? new Set(c.straceSyscalls) : null;
  const kernel = new Kernel({
    platform,
    memoryFile: mf,
    syscalls: linuxSyscallTable,
    hostname: spec.hostname,
    strace: c.strace,
    straceSyscalls: straceFilter,
    cpus: spec.cpus,
    totalMemory: spec.totalMemory,
    ...(spec.cpuinfo ? { cpuinfo: spec.cpuinfo } : {}),
    ...(vdso ? { vdso } : {}),
  });
  if (c.strace) installStrace(straceFilter, (line) => log.raw(line));

  const gofer = new GoferFilesystem(fileServer(spec), { shared: c.fileAccess === 'shared' });
  let rootMount: Mount;
  if (c.overlay2 === 'none') {
    rootMount = new Mount(gofer, gofer.root(), gofer.readOnly ? MS_RDONLY : 0, null, null, '/');
  } else {
    const overlay = new OverlayFilesystem(gofer.root().inode);
    rootMount = new Mount(overlay, overlay.root(), 0, null, null, 'overlay');
  }
  const ns = new MountNamespace(rootMount);
  kernel.mntns = ns;
  const root = ns.rootVd();
  mountAt(ns, root, newProcFilesystem(kernel), '/proc', MS_NOSUID | MS_NODEV | MS_NOEXEC, 'proc');
  mountAt(ns, root, newDevFilesystem(kernel), '/dev', MS_NOSUID, 'none');
  mountAt(ns, root, newSysFilesystem(kernel), '/sys', MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 'sysfs');
  // POSIX message queues at /dev/mqueue (a directory devfs makes), as runsc mounts them.
  const devDentry = root.dentry.lookup('dev');
  if (devDentry) mountAt(ns, ns.topOf({ mount: root.mount, dentry: devDentry }), kernel.ipc.mqueue, '/mqueue', MS_NOSUID | MS_NODEV | MS_NOEXEC, 'mqueue');
  // Pseudo-terminals at /dev/pts (devfs's /dev/ptmx points into it), with the modes runsc and Docker use.
  if (devDentry) mountAt(ns, ns.topOf({ mount: root.mount, dentry: devDentry }), newDevptsFilesystem(kernel, 'gid=5,mode=620,ptmxmode=666'), '/pts', MS_NOSUID | MS_NOEXEC, 'devpts');

  // /dev/shm is a tmpfs of its own, as natively and in runsc (rename/link into it give EXDEV).
  if (devDentry) mountAt(ns, ns.topOf({ mount: root.mount, dentry: devDentry }), newFilesystem(kernel, 'tmpfs', 'mode=1777'), '/shm', MS_NOSUID | MS_NODEV, 'tmpfs');

  for (const v of spec.volumes ?? []) mountVolume(ns, root, v.dest, v.dir, c.fileAccess === 'shared', v.goferSock);

  const job: TtyJobControl = { foreground: 1, session: 1 };
  if (spec.ttyFd >= 0) {
    const ttyFd = spec.ttyFd;
    kernel.controllingTty = () => importHostFd({ fd: ttyFd, flags: 2, name: '/dev/tty', nonblocking: true, isTty: true }, job);
  }
  const files = spec.stdio.map((info) => importHostFd(info, job));
  const fsctx = new FsContext(ns, root, root);
  const init = startInit(kernel, {
    path: spec.path,
    searchPath: spec.path.includes('/') ? null : pathDirs(spec.envp),
    argv: spec.argv,
    envp: spec.envp,
    fs: fsctx,
    creds: spec.uid === 0 ? Credentials.root() : Credentials.user(spec.uid, spec.gid),
    files,
    cwd: spec.cwd,
  });
  return { kernel, init, job };
}

/** Directory fds the Sentry keeps open under directfs. */
const SENTRY_DIR_FDS = 1024;

/**
 * Who serves the root's host files: with directfs, the gofer's handlers in-process
 * on the donated root fd (no round trip, and nothing waits for the gofer process to
 * start); otherwise lisafs over the gofer socket.
 */
function fileServer(spec: SentrySpec): FileServer {
  const d = spec.donatedRoot;
  const sockOpts = `trans=fd,rfdno=${spec.goferSock},wfdno=${spec.goferSock}`;
  if (spec.config.directfs && d) {
    // Our fds also back every file the application has open: cache fewer directory
    // fds than a gofer process would (evicted ones are reopened by name when used).
    dirFds.limit = SENTRY_DIR_FDS;
    return DirectFileServer.fromDirFd(d.fd, { readOnly: d.readOnly, deny: d.deny, mask: d.mask }, sockOpts);
  }
  if (d) native().close(d.fd);
  return new LisafsClient(spec.goferSock);
}

/** PATH of the environment, or the default execvp uses. */
function pathDirs(envp: string[]): string[] {
  const p = envp.find((e) => e.startsWith('PATH='));
  const v = p ? p.slice(5) : '/usr/local/bin:/usr/bin:/bin';
  return v.split(':').map((d) => d || '.');
}
