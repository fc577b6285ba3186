// Results of lisafs requests as both sides see them (no Sentry or Gofer types here).
import type { Stat } from '../abi/linux/stat.js';
import { decodeStatFs, type StatFs } from '../abi/linux/statfs.js';

export interface WalkEntry {
  handle: number;
  /** Host stat: host dev and inode numbers. */
  stat: Stat;
}

export interface WalkResult {
  /** One entry per component walked, in order. */
  entries: WalkEntry[];
  /** 0 when every name was walked; else why names[entries.length] was not (see MSG_WALK). */
  errno: number;
}

export interface Dirent {
  name: string;
  /** Host inode number. */
  ino: bigint;
  /** DT_* type. */
  type: number;
}

/** The host file system's statfs, as the gofer reports it. */
export type HostStatFs = StatFs;
export { decodeStatFs };
