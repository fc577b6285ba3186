// sysfs: a minimal, read-only /sys describing the sandbox (its CPUs, an empty
// cgroup mount point, THP policy). Nothing of the host's devices shows through.
import type { Kernel } from '../../kernel/kernel.js';
import { Dentry } from '../../vfs/dentry.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import { cpuList } from '../proc/format.js';
import { GenFile, SynthDir } from '../proc/nodes.js';

const SYSFS_MAGIC = 0x62656572;

export class SysFilesystem extends Filesystem {
  readonly name = 'sysfs';
  readonly dev = anonDev();
  private readonly rootDentry: Dentry;

  constructor(readonly kernel: Kernel) {
    super();
    const root = new SynthDir(this, 0o555);
    this.rootDentry = new Dentry('/', null, root);
    this.populate(root);
  }

  root(): Dentry {
    return this.rootDentry;
  }

  override statfs(): StatFs {
    return { ...super.statfs(), type: SYSFS_MAGIC };
  }

  private populate(root: SynthDir): void {
    const file = (dir: SynthDir, name: string, text: () => string): void => {
      // kernfs refuses write opens of read-only attributes with EACCES, even for root.
      dir.add(name, new GenFile(this, () => `${text()}\n`, { perm: 0o444, strictMode: true }));
    };
    // Linux's top-level directories, so that probes for them find a (mostly empty) tree.
    for (const d of ['block', 'bus', 'class', 'dev', 'devices', 'firmware', 'fs', 'kernel', 'module']) root.dir(d);

    const cpus = Math.max(1, this.kernel.opts.cpus);
    const cpu = root.dir('devices').dir('system').dir('cpu');
    for (const f of ['online', 'possible', 'present']) file(cpu, f, () => cpuList(cpus));
    file(cpu, 'kernel_max', () => '8191'); // NR_CPUS - 1 of a distribution kernel
    for (let i = 0; i < cpus; i++) cpu.dir(`cpu${i}`);

    // Mount point for cgroup file systems; empty until one is mounted on it.
    root.dir('fs').dir('cgroup');

    const thp = root.dir('kernel').dir('mm').dir('transparent_hugepage');
    file(thp, 'enabled', () => 'always [madvise] never');
    file(thp, 'defrag', () => 'always defer defer+madvise [madvise] never');
    file(thp, 'hpage_pmd_size', () => '2097152');
  }
}

/** The launcher's entry point: a /sys for one sandbox (mount it read-only). */
export function newSysFilesystem(kernel: Kernel): SysFilesystem {
  return new SysFilesystem(kernel);
}
