// procfs: the sandbox's /proc. Everything is generated from kernel state; nothing
// of the host shows through. /proc/kallsyms deliberately does not exist.
import { ENOENT } from '../../../abi/linux/errno.js';
import type { Kernel } from '../../kernel/kernel.js';
import { TaskState, type Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';
import { Dentry } from '../../vfs/dentry.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import type { DirEntry, Inode } from '../../vfs/inode.js';
import { cpuinfoText } from './cpuinfo.js';
import { GenFile, SynthDir, SynthSymlink, entriesOf } from './nodes.js';
import { ProcNetDir } from './net.js';
import { buildSysctl } from './sysctl.js';
import {
  cmdlineText, filesystemsText, loadavgText, meminfoText, statText, swapsText, uptimeText, versionText,
} from './system_files.js';
import { procLocksText } from '../../vfs/locks.js';
import { TaskDir, parseNumber, type ThreadDirs } from './task_dir.js';

const PROC_SUPER_MAGIC = 0x9fa0;

export class ProcFilesystem extends Filesystem implements ThreadDirs {
  readonly name = 'proc';
  readonly dev = anonDev();
  /** pid directories change under any cached dentry: always ask. */
  override revalidates = true;
  private readonly rootDentry: Dentry;
  private readonly processDirs = new WeakMap<ThreadGroup, TaskDir>();
  private readonly threadDirs = new WeakMap<Task, TaskDir>();

  constructor(readonly kernel: Kernel) {
    super();
    this.rootDentry = new Dentry('/', null, new ProcRoot(this));
  }

  root(): Dentry {
    return this.rootDentry;
  }

  override statfs(): StatFs {
    return { ...super.statfs(), type: PROC_SUPER_MAGIC };
  }

  processDir(tg: ThreadGroup): TaskDir {
    let d = this.processDirs.get(tg);
    if (!d) {
      d = new TaskDir(this, () => tg.leader, false, this);
      this.processDirs.set(tg, d);
    }
    return d;
  }

  threadDir(task: Task): TaskDir {
    let d = this.threadDirs.get(task);
    if (!d) {
      d = new TaskDir(this, () => task, true, this);
      this.threadDirs.set(task, d);
    }
    return d;
  }
}

/** /proc itself: static entries, self, thread-self, then one directory per process. */
class ProcRoot extends SynthDir {
  constructor(readonly procfs: ProcFilesystem) {
    super(procfs, 0o555);
    const k = procfs.kernel;
    const file = (name: string, gen: () => string): void => {
      this.add(name, new GenFile(procfs, gen));
    };
    file('cpuinfo', () => cpuinfoText(k.opts.cpus, k.opts.cpuinfo));
    file('meminfo', () => meminfoText(k));
    file('version', () => versionText(k));
    file('uptime', () => uptimeText(k));
    file('loadavg', () => loadavgText(k));
    file('stat', () => statText(k));
    file('filesystems', () => filesystemsText());
    file('cmdline', () => cmdlineText());
    file('swaps', () => swapsText());
    file('locks', () => procLocksText());
    this.add('mounts', new SynthSymlink(procfs, () => 'self/mounts'));
    this.add('net', new ProcNetDir(procfs));
    buildSysctl(procfs, k, this.dir('sys'));
    // Not in `children`, so that they list after the static entries like Linux.
    this.self = new SynthSymlink(procfs, (t) => {
      if (!t) throw ENOENT;
      return String(t.pid);
    });
    this.threadSelf = new SynthSymlink(procfs, (t) => {
      if (!t) throw ENOENT;
      return `${t.pid}/task/${t.tid}`;
    });
  }

  private readonly self: SynthSymlink;
  private readonly threadSelf: SynthSymlink;

  /** The task a numeric name refers to: a process, or any thread by its tid. */
  private pidDir(n: number): TaskDir | null {
    const k = this.procfs.kernel;
    const tg = k.threadGroups.get(n);
    if (tg && tg.leader.state !== TaskState.Dead) return this.procfs.processDir(tg);
    const t = k.tasks.get(n);
    if (t && t.state !== TaskState.Dead && t.state !== TaskState.Zombie) return this.procfs.threadDir(t);
    return null;
  }

  protected override lookupDynamic(name: string): Inode | null {
    if (name === 'self') return this.self;
    if (name === 'thread-self') return this.threadSelf;
    const n = parseNumber(name);
    return n > 0 ? this.pidDir(n) : null;
  }

  protected override readdirDynamic(): DirEntry[] {
    const k = this.procfs.kernel;
    const pids = [...k.threadGroups.keys()].sort((a, b) => a - b);
    const out: [string, Inode][] = [['self', this.self], ['thread-self', this.threadSelf]];
    for (const pid of pids) {
      const tg = k.threadGroups.get(pid)!;
      if (tg.leader.state !== TaskState.Dead) out.push([String(pid), this.procfs.processDir(tg)]);
    }
    return entriesOf(out);
  }
}

/** The launcher's entry point: a procfs for `kernel`'s PID namespace. */
export function newProcFilesystem(kernel: Kernel): ProcFilesystem {
  return new ProcFilesystem(kernel);
}
