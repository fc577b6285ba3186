// Results of lisafs requests as both sides see them (no Sentry or Gofer types here).
import type { Stat } from '../abi/linux/stat.js';

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

export interface HostStatFs {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
  flags: number;
}

/** Decodes the raw x86_64 struct statfs (120 bytes) the host's fstatfs filled. */
export function decodeStatFs(b: Uint8Array): HostStatFs {
  const v = new DataView(b.buffer, b.byteOffset, 120);
  const n = (off: number): number => Number(v.getBigInt64(off, true));
  return {
    type: n(0),
    bsize: n(8),
    blocks: n(16),
    bfree: n(24),
    bavail: n(32),
    files: n(40),
    ffree: n(48),
    namelen: n(64),
    frsize: n(72),
    flags: n(80),
  };
}
