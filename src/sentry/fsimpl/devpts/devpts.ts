// devpts (fs/devpts/inode.c): the file system of pty slaves. `ptmx` (c 5:2) makes
// a new pty pair on open and gives its master; the slave appears as N (c 136:N)
// until the master closes, and N is reused once both ends are closed. Each mount
// is its own instance (Linux >= 4.7). The Sentry mounts one at /dev/pts; /dev/ptmx
// (a symlink to pts/ptmx, or a 5:2 node made by mknod) opens that one's ptmx.
import { EINVAL, ENOENT, ENOSPC, ENXIO } from '../../../abi/linux/errno.js';
import { O_CLOEXEC } from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import { S_IFCHR, S_IFDIR, dtypeOf, makedev } from '../../../abi/linux/stat.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { Dentry } from '../../vfs/dentry.js';
import { DirectoryDescription, type FileDescription } from '../../vfs/file.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import { Inode, nowTimespec, type DirEntry } from '../../vfs/inode.js';
import { Mount, type VirtualDentry } from '../../vfs/mount.js';
import { registerCharDevice } from '../dev/devices.js';
import { controllingTerminal, hasHostTerminal } from './ctty.js';
import { MasterFile, SlaveFile, openSlave } from './files.js';
import { Pty, UNIX98_PTY_SLAVE_MAJOR } from './pty.js';

export const DEVPTS_SUPER_MAGIC = 0x1cd1;
export const PTMX_MAJOR = 5;
export const PTMX_MINOR = 2;
/** /proc/sys/kernel/pty/max: ptys of all instances together (each holds up to ~130 KiB of buffers). */
const PTY_MAX = 4096;
const ptyCount = new WeakMap<Kernel, number>();

export interface DevptsOptions {
  /** Owner forced on new slaves (uid=, gid=); null: the opener's fsuid/fsgid. */
  uid: number | null;
  gid: number | null;
  /** Permissions of new slaves (mode=, default 0600) and of ptmx (ptmxmode=, default 0000). */
  mode: number;
  ptmxmode: number;
  max: number;
}

/** Parses devpts mount options (parse_mount_options); unknown ones are EINVAL. */
export function parseDevptsOptions(data: string): DevptsOptions {
  const o: DevptsOptions = { uid: null, gid: null, mode: 0o600, ptmxmode: 0, max: PTY_MAX };
  for (const item of data.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? '' : item.slice(eq + 1);
    const num = (re: RegExp, radix: number): number => {
      if (!re.test(val)) throw EINVAL;
      return parseInt(val, radix);
    };
    switch (key) {
      case 'uid':
        o.uid = num(/^\d+$/, 10);
        break;
      case 'gid':
        o.gid = num(/^\d+$/, 10);
        break;
      case 'mode':
        o.mode = num(/^[0-7]+$/, 8) & 0o777;
        break;
      case 'ptmxmode':
        o.ptmxmode = num(/^[0-7]+$/, 8) & 0o777;
        break;
      case 'max':
        o.max = Math.min(num(/^\d+$/, 10), PTY_MAX);
        break;
      case 'newinstance':
        break; // every mount is a new instance already
      default:
        throw EINVAL;
    }
  }
  return o;
}

export class DevptsFilesystem extends Filesystem {
  readonly name = 'devpts';
  readonly dev = anonDev();
  private readonly rootDentry: Dentry;
  /** For ptys opened through a ptmx node outside this file system's mounts. */
  private readonly internal: Mount;
  readonly ptmx: PtmxInode;
  readonly slaves = new Map<number, SlaveInode>();
  private readonly ptys = new Map<number, Pty>();

  constructor(
    readonly kernel: Kernel,
    readonly opts: DevptsOptions,
  ) {
    super();
    // Slaves come and go without path operations: always ask the directory.
    this.revalidates = true;
    const root = new DevptsRoot(this);
    this.rootDentry = new Dentry('/', null, root);
    this.internal = new Mount(this, this.rootDentry, 0, null, null, 'devpts');
    this.ptmx = new PtmxInode(this);
  }

  root(): Dentry {
    return this.rootDentry;
  }

  override statfs(): StatFs {
    return { ...super.statfs(), type: DEVPTS_SUPER_MAGIC };
  }

  override mountOptions(): string {
    const o = this.opts;
    const parts: string[] = [];
    if (o.uid !== null) parts.push(`uid=${o.uid}`);
    if (o.gid !== null) parts.push(`gid=${o.gid}`);
    parts.push(`mode=${o.mode.toString(8).padStart(3, '0')}`, `ptmxmode=${o.ptmxmode.toString(8).padStart(3, '0')}`);
    if (o.max < PTY_MAX) parts.push(`max=${o.max}`);
    return parts.join(',');
  }

  private touch(): void {
    const dir = this.rootDentry.inode;
    dir.mtime = dir.ctime = nowTimespec();
  }

  /** ptmx_open: a new pair; its slave node appears at once (locked until unlockpt). */
  openMaster(t: Task, vd: VirtualDentry, flags: number): MasterFile {
    let index = 0;
    while (this.ptys.has(index)) index++;
    const total = ptyCount.get(this.kernel) ?? 0;
    if (index >= this.opts.max || total >= PTY_MAX) throw ENOSPC;
    ptyCount.set(this.kernel, total + 1);
    const pty = new Pty(
      this.kernel,
      index,
      (p) => {
        this.ptys.delete(p.index);
        ptyCount.set(this.kernel, (ptyCount.get(this.kernel) ?? 1) - 1);
      },
      (p) => {
        this.slaves.delete(p.index);
        this.rootDentry.drop(String(p.index));
        this.touch();
      },
    );
    this.ptys.set(index, pty);
    const c = t.creds;
    this.slaves.set(index, new SlaveInode(this, pty, this.opts.uid ?? c.fsuid, this.opts.gid ?? c.fsgid));
    this.touch();
    return new MasterFile(vd, flags, pty, (task, p, f) => this.openPeer(task, vd, p, f));
  }

  /** TIOCGPTPEER: the slave of this master, opened without a path lookup. */
  private openPeer(t: Task, masterVd: VirtualDentry, pty: Pty, flags: number): number {
    const mount = masterVd.mount.fs === this ? masterVd.mount : this.internal;
    const d = this.rootDentry.lookup(String(pty.index));
    if (!d) throw ENOENT;
    const file = openSlave(t, { mount, dentry: d }, flags, pty);
    try {
      return t.fdTable.add(file, (flags & O_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
    } finally {
      file.decRef();
    }
  }
}

class DevptsRoot extends Inode {
  constructor(readonly fs: DevptsFilesystem) {
    super(1n, S_IFDIR | 0o755);
  }

  override lookup(name: string): Inode | null {
    if (name === 'ptmx') return this.fs.ptmx;
    if (!/^(0|[1-9]\d*)$/.test(name)) return null;
    return this.fs.slaves.get(Number(name)) ?? null;
  }

  override readdir(): DirEntry[] {
    const out: DirEntry[] = [{ name: 'ptmx', ino: this.fs.ptmx.ino, type: dtypeOf(this.fs.ptmx.mode) }];
    const slaves = [...this.fs.slaves.values()].sort((a, b) => a.pty.index - b.pty.index);
    for (const s of slaves) out.push({ name: String(s.pty.index), ino: s.ino, type: dtypeOf(s.mode) });
    return out;
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new DirectoryDescription(vd, flags);
  }
}

class PtmxInode extends Inode {
  constructor(readonly fs: DevptsFilesystem) {
    super(2n, S_IFCHR | fs.opts.ptmxmode);
    this.rdev = makedev(PTMX_MAJOR, PTMX_MINOR);
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return this.fs.openMaster(t, vd, flags);
  }
}

class SlaveInode extends Inode {
  constructor(
    readonly fs: DevptsFilesystem,
    readonly pty: Pty,
    uid: number,
    gid: number,
  ) {
    super(BigInt(pty.index + 3), S_IFCHR | fs.opts.mode, uid, gid);
    this.rdev = makedev(UNIX98_PTY_SLAVE_MAJOR, pty.index);
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return openSlave(t, vd, flags, this.pty);
  }
}

/** The instance /dev/ptmx device nodes open (the Sentry's /dev/pts). */
const defaults = new WeakMap<Kernel, DevptsFilesystem>();

/** mount -t devpts, and the Sentry's own /dev/pts (the first instance of a kernel). */
export function newDevptsFilesystem(k: Kernel, data: string): DevptsFilesystem {
  const fs = new DevptsFilesystem(k, parseDevptsOptions(data));
  if (!defaults.has(k)) defaults.set(k, fs);
  return fs;
}

/**
 * /dev/tty when the caller's controlling terminal is a pty: a slave description
 * of it on the /dev/tty node. Null when it is the host terminal; ENXIO for a
 * process without a terminal.
 */
export function openControllingPty(t: Task, vd: VirtualDentry, flags: number): FileDescription | null {
  const tty = controllingTerminal(t);
  if (tty instanceof Pty && !tty.hungUp) return new SlaveFile(vd, flags, tty);
  if (!hasHostTerminal(t)) throw ENXIO;
  return null;
}

// A ptmx node made with mknod(2) opens the Sentry's devpts instance.
registerCharDevice(PTMX_MAJOR, PTMX_MINOR, {
  open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    const fs = defaults.get(t.kernel);
    if (!fs) throw ENOENT;
    return fs.openMaster(t, vd, flags);
  },
});
