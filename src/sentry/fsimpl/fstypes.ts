// File system types mount(2) can create (Linux's register_filesystem list), and
// their option strings.
import { EINVAL, ENODEV } from '../../abi/linux/errno.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Filesystem } from '../vfs/filesystem.js';
import { newDevptsFilesystem } from './devpts/devpts.js';
import { newProcFilesystem } from './proc/procfs.js';
import { newSysFilesystem } from './sys/sysfs.js';
import { TmpfsFilesystem } from './tmpfs/tmpfs.js';

/** A new instance of `type` for mount(2), or the shared one (mqueue). Throws ENODEV for unknown types. */
export function newFilesystem(k: Kernel, type: string, data: string): Filesystem {
  switch (type) {
    case 'tmpfs':
    case 'ramfs':
      return newTmpfs(k, type, data);
    case 'proc':
      return newProcFilesystem(k);
    case 'sysfs':
      return newSysFilesystem(k);
    case 'mqueue':
      return k.ipc.mqueue;
    case 'devpts':
      return newDevptsFilesystem(k, data);
    default:
      throw ENODEV;
  }
}

/** tmpfs options (mm/shmem.c): size, nr_blocks, nr_inodes, mode, uid, gid; others EINVAL. */
function newTmpfs(k: Kernel, type: string, data: string): TmpfsFilesystem {
  const opts: { name: string; maxBytes?: number; mode?: number; uid?: number; gid?: number } = { name: type };
  const shown: string[] = [];
  for (const item of data.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? '' : item.slice(eq + 1);
    switch (key) {
      case 'size':
        opts.maxBytes = parseSize(val, k.opts.totalMemory);
        shown.push(`size=${Math.ceil(opts.maxBytes / 1024)}k`);
        break;
      case 'nr_blocks':
        opts.maxBytes = parseSize(val, Infinity) * 4096;
        shown.push(`size=${Math.ceil(opts.maxBytes / 1024)}k`);
        break;
      case 'nr_inodes':
        parseSize(val, Infinity);
        shown.push(`nr_inodes=${val}`);
        break;
      case 'mode':
        if (!/^[0-7]{1,4}$/.test(val)) throw EINVAL;
        opts.mode = parseInt(val, 8) & 0o7777;
        shown.push(`mode=${opts.mode.toString(8).padStart(3, '0')}`);
        break;
      case 'uid':
      case 'gid': {
        if (!/^\d+$/.test(val)) throw EINVAL;
        opts[key] = Number(val);
        shown.push(`${key}=${val}`);
        break;
      }
      case 'huge':
      case 'mpol':
      case 'inode32':
      case 'inode64':
        break; // accepted, no effect here
      default:
        if (type === 'ramfs') break; // ramfs ignores what it does not know
        throw EINVAL;
    }
  }
  const fs = new TmpfsFilesystem(opts);
  fs.options = shown.join(',');
  return fs;
}

/** "1024", "64k", "2m", "1g", "50%" (of total memory) → bytes. */
function parseSize(s: string, total: number): number {
  const m = /^(\d+)([kKmMgGtT%]?)$/.exec(s);
  if (!m) throw EINVAL;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === '%') {
    if (!Number.isFinite(total)) throw EINVAL;
    return Math.ceil((total * n) / 100 / 4096) * 4096;
  }
  const mul = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return n * mul;
}
