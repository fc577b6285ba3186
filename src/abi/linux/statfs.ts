// struct statfs (x86_64, 120 bytes): what statfs(2) reports, and its codec.

export const STATFS_SIZE = 120;

export interface StatFs {
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

/** Decodes a raw struct statfs (as the host's fstatfs fills it). */
export function decodeStatFs(b: Uint8Array): StatFs {
  const v = new DataView(b.buffer, b.byteOffset, STATFS_SIZE);
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

/** Encodes struct statfs; f_fsid and the spare words stay zero. */
export function encodeStatFs(s: StatFs): Uint8Array {
  const b = new Uint8Array(STATFS_SIZE);
  const v = new DataView(b.buffer);
  const put = (off: number, x: number): void => v.setBigInt64(off, BigInt(x), true);
  put(0, s.type);
  put(8, s.bsize);
  put(16, s.blocks);
  put(24, s.bfree);
  put(32, s.bavail);
  put(40, s.files);
  put(48, s.ffree);
  put(64, s.namelen);
  put(72, s.frsize);
  put(80, s.flags);
  return b;
}
