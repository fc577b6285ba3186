// A mounted file system instance (Linux's super_block).
import { makedev } from '../../abi/linux/stat.js';
import type { StatFs } from '../../abi/linux/statfs.js';
import type { Dentry } from './dentry.js';

export type { StatFs };

let nextAnonMinor = 1;

/** An anonymous device number (major 0), as Linux gives in-memory file systems. */
export function anonDev(): bigint {
  return makedev(0, nextAnonMinor++);
}

export abstract class Filesystem {
  /** Name as in /proc/filesystems and /proc/mounts ("tmpfs", "proc", "9p" ...). */
  abstract readonly name: string;
  abstract readonly dev: bigint;
  /** The root dentry. */
  abstract root(): Dentry;
  /** Lookups must ask the file system even when a dentry is cached (shared gofer files). */
  revalidates = false;

  /** statfs(2) answer. */
  statfs(): StatFs {
    return {
      type: 0x01021994, // TMPFS_MAGIC
      bsize: 4096,
      blocks: 0,
      bfree: 0,
      bavail: 0,
      files: 0,
      ffree: 0,
      namelen: 255,
      frsize: 4096,
      flags: 0,
    };
  }

  /** Options shown in /proc/mounts. */
  mountOptions(): string {
    return '';
  }

  private nextIno = 1n;

  /** Inode numbers for file systems that make their own. */
  allocIno(): bigint {
    return this.nextIno++;
  }
}
