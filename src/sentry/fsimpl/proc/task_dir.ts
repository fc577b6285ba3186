// /proc/<pid>/ and /proc/<pid>/task/<tid>/ directories (fs/proc/base.c tgid_base_stuff
// and tid_base_stuff), with the fd/, fdinfo/ and task/ subdirectories.
import { EINVAL, ENOENT } from '../../../abi/linux/errno.js';
import { S_IFLNK } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import type { DirEntry, Inode } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { mountinfoText, mountsText } from './mounts.js';
import { MemInode, smapsRollupText, smapsText } from './task_mem.js';
import { GenFile, MagicLink, SynthDir, SynthSymlink, entriesOf, type OwnerFn } from './nodes.js';
import {
  auxvBytes, checkReadTask, cmdlineBytes, commText, environBytes, fdinfoText, hasMm, limitsText, mapsText,
  statText, statmText, statusText, writeComm,
} from './task_files.js';

/** Where the per-thread directories are cached (the ProcFilesystem). */
export interface ThreadDirs {
  threadDir(task: Task): TaskDir;
}

/** Parses a decimal pid/fd the way name_to_int does: digits only, no leading zero. */
export function parseNumber(name: string): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(name)) return -1;
  const n = Number(name);
  return n <= 0x7fffffff ? n : -1;
}

/** Linux's initial namespace inode numbers (include/linux/proc_ns.h). */
const NS_INO: Record<string, number> = {
  ipc: 0xefffffff, uts: 0xeffffffe, user: 0xeffffffd, pid: 0xeffffffc, cgroup: 0xeffffffb, time: 0xeffffffa,
  net: 0xf0000000,
};

/** oom_score_adj per process (no kernel state uses it yet; it only has to round-trip). */
const oomScoreAdj = new WeakMap<ThreadGroup, number>();

/**
 * A process or thread directory. `target` names the task shown: the thread group's
 * current leader for /proc/<pid>, one thread for task/<tid>.
 */
export class TaskDir extends SynthDir {
  constructor(
    fs: Filesystem,
    readonly target: () => Task,
    /** True for /proc/<pid>/task/<tid>: per-thread stat, no task/ subdirectory. */
    readonly isThread: boolean,
    dirs: ThreadDirs,
  ) {
    super(fs, 0o555);
    const owner: OwnerFn = () => {
      const c = target().creds;
      return { uid: c.euid, gid: c.egid };
    };
    this.ownedBy(owner);
    const file = (gen: (t: Task) => string | Uint8Array, perm = 0o444): GenFile =>
      new GenFile(fs, (t) => gen(t), { perm }).ownedBy(owner);
    const link = (where: (task: Task) => VirtualDentry | null): MagicLink =>
      new MagicLink(fs, (t) => {
        const task = target();
        checkReadTask(t, task);
        if (!hasMm(task)) throw ENOENT;
        const vd = where(task);
        if (!vd) throw ENOENT;
        return vd;
      }).ownedBy(owner);

    if (!isThread) this.add('task', new ThreadsDir(fs, () => target().tg, dirs).ownedBy(owner));
    this.add('fd', new FdDir(fs, target).ownedBy(owner));
    this.add('fdinfo', new FdInfoDir(fs, target).ownedBy(owner));
    this.add('environ', file((t) => environBytes(t, target()), 0o400));
    this.add('auxv', file((t) => auxvBytes(t, target()), 0o400));
    this.add('status', file(() => statusText(target())));
    this.add('limits', file(() => limitsText(target())));
    this.add('comm', new GenFile(fs, () => commText(target()), {
      perm: 0o644,
      write: (t, data) => writeComm(t, target(), data),
    }).ownedBy(owner));
    this.add('cmdline', file(() => cmdlineBytes(target())));
    this.add('stat', file((t) => statText(t, target(), !isThread)));
    this.add('statm', file(() => statmText(target())));
    this.add('maps', file((t) => mapsText(t, target())));
    this.add('smaps', file((t) => smapsText(t, target())));
    this.add('smaps_rollup', file((t) => smapsRollupText(t, target())));
    this.add('mem', new MemInode(fs, target).ownedBy(owner));
    // One user namespace (the initial one, identity-mapped) and no audit session.
    const idMap = '         0          0 4294967295\n';
    this.add('uid_map', file(() => idMap));
    this.add('gid_map', file(() => idMap));
    this.add('setgroups', file(() => 'allow\n'));
    this.add('loginuid', file(() => '4294967295'));
    this.add('sessionid', file(() => '4294967295'));
    this.add('wchan', file(() => '0'));
    this.add('personality', file(() => '00000000\n', 0o400));
    this.add('coredump_filter', file(() => '00000033\n', 0o644));
    const ns = this.dir('ns', 0o511);
    ns.ownedBy(owner);
    for (const kind of ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user',
      'uts']) {
      // Only mount namespaces can differ (CLONE_NEWNS); the rest are the sandbox's initial ones.
      const ino = (): number => kind === 'mnt' ? target().fs.mntns.ino : NS_INO[kind.replace(/_for_children$/, '')]!;
      ns.add(kind, new SynthSymlink(fs, () => `${kind.replace(/_for_children$/, '')}:[${ino()}]`).ownedBy(owner));
    }
    this.add('cwd', link((task) => task.fs.cwd));
    this.add('root', link((task) => task.fs.root));
    this.add('exe', link((task) => task.mm.exeVd));
    this.add('mounts', file(() => mountsText(target())));
    this.add('mountinfo', file(() => mountinfoText(target())));
    this.add('cgroup', file(() => '0::/\n'));
    this.add('oom_score', file(() => '0\n'));
    this.add('oom_score_adj', new GenFile(fs, () => `${oomScoreAdj.get(target().tg) ?? 0}\n`, {
      perm: 0o644,
      write: (t, data) => {
        const text = Buffer.from(data).toString('latin1').trim();
        if (!/^-?[0-9]+$/.test(text)) throw EINVAL;
        const v = Number(text);
        if (v < -1000 || v > 1000) throw EINVAL;
        oomScoreAdj.set(target().tg, v);
        return data.length;
      },
    }).ownedBy(owner));
  }
}

/** /proc/<pid>/task/: one directory per live thread. */
export class ThreadsDir extends SynthDir {
  constructor(
    fs: Filesystem,
    readonly tg: () => ThreadGroup,
    private readonly dirs: ThreadDirs,
  ) {
    super(fs, 0o555);
  }

  private threads(): Task[] {
    const g = this.tg();
    const list = [...g.tasks];
    // A zombie leader stays listed while the group lives on (Linux keeps its tid).
    if (!g.tasks.has(g.leader) && g.alive) list.push(g.leader);
    return list.sort((a, b) => a.tid - b.tid);
  }

  protected override lookupDynamic(name: string): Inode | null {
    const tid = parseNumber(name);
    if (tid < 0) return null;
    const task = this.threads().find((t) => t.tid === tid);
    return task ? this.dirs.threadDir(task) : null;
  }

  protected override readdirDynamic(): DirEntry[] {
    return entriesOf(this.threads().map((t) => [String(t.tid), this.dirs.threadDir(t)] as [string, Inode]));
  }
}

/** /proc/<pid>/fd/N: a magic link to the open file; its mode shows the access mode. */
class FdLink extends MagicLink {
  constructor(fs: Filesystem, task: () => Task, fd: number) {
    const fileOf = (t: Task) => {
      const target = task();
      checkReadTask(t, target);
      const f = hasMm(target) ? target.fdTable.getOrNull(fd) : null;
      if (!f) throw ENOENT;
      return f;
    };
    super(fs, (t) => fileOf(t).vd, (t) => fileOf(t).linkName(t), 0o700);
  }

  /** tid_fd_update_inode: r-x for readable, -wx for writable descriptors. */
  setAccess(readable: boolean, writable: boolean): void {
    this.mode = S_IFLNK | (readable ? 0o500 : 0) | (writable ? 0o300 : 0);
  }
}

/** /proc/<pid>/fd/: the task's open descriptors. */
export class FdDir extends SynthDir {
  private readonly links = new Map<number, FdLink>();

  constructor(
    fs: Filesystem,
    readonly task: () => Task,
  ) {
    super(fs, 0o500);
  }

  private linkFor(fd: number): FdLink | null {
    const t = this.task();
    const f = hasMm(t) ? t.fdTable.getOrNull(fd) : null;
    if (!f) {
      this.links.delete(fd);
      return null;
    }
    let l = this.links.get(fd);
    if (!l) {
      l = new FdLink(this.fs, this.task, fd).ownedBy(this.owner);
      this.links.set(fd, l);
    }
    l.setAccess(f.readable, f.writable);
    return l;
  }

  protected override lookupDynamic(name: string): Inode | null {
    const fd = parseNumber(name);
    return fd < 0 ? null : this.linkFor(fd);
  }

  protected override readdirDynamic(): DirEntry[] {
    const t = this.task();
    if (!hasMm(t)) return [];
    const out: [string, Inode][] = [];
    for (const [fd] of t.fdTable.entries()) {
      const l = this.linkFor(fd);
      if (l) out.push([String(fd), l]);
    }
    return entriesOf(out);
  }
}

/** /proc/<pid>/fdinfo/: position, flags and mount of each descriptor. */
export class FdInfoDir extends SynthDir {
  private readonly files = new Map<number, GenFile>();

  constructor(
    fs: Filesystem,
    readonly task: () => Task,
  ) {
    super(fs, 0o500);
  }

  private fileFor(fd: number): GenFile | null {
    const t = this.task();
    if (!hasMm(t) || !t.fdTable.getOrNull(fd)) {
      this.files.delete(fd);
      return null;
    }
    let f = this.files.get(fd);
    if (!f) {
      f = new GenFile(this.fs, (caller) => {
        const target = this.task();
        checkReadTask(caller, target);
        const file = hasMm(target) ? target.fdTable.getOrNull(fd) : null;
        if (!file) throw ENOENT;
        return fdinfoText(file, target.fdTable.getCloexec(fd));
      }, { perm: 0o444 }).ownedBy(this.owner);
      this.files.set(fd, f);
    }
    return f;
  }

  protected override lookupDynamic(name: string): Inode | null {
    const fd = parseNumber(name);
    return fd < 0 ? null : this.fileFor(fd);
  }

  protected override readdirDynamic(): DirEntry[] {
    const t = this.task();
    if (!hasMm(t)) return [];
    const out: [string, Inode][] = [];
    for (const [fd] of t.fdTable.entries()) {
      const f = this.fileFor(fd);
      if (f) out.push([String(fd), f]);
    }
    return entriesOf(out);
  }
}
