// File modes and the x86_64 layouts of struct stat (144 bytes) and struct statx (256 bytes).

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

export const STATX_TYPE = 0x1;
export const STATX_MODE = 0x2;
export const STATX_NLINK = 0x4;
export const STATX_UID = 0x8;
export const STATX_GID = 0x10;
export const STATX_ATIME = 0x20;
export const STATX_MTIME = 0x40;
export const STATX_CTIME = 0x80;
export const STATX_INO = 0x100;
export const STATX_SIZE = 0x200;
export const STATX_BLOCKS = 0x400;
export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;
export const STATX__RESERVED = 0x80000000;

export const isDir = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const isReg = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const isLnk = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;

/** File type of a mode as a getdents64 d_type. */
export function dtypeOf(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

export interface Timespec {
  sec: number;
  nsec: number;
}

/** What stat(2) reports; numbers are exact below 2^53 (inode numbers may be bigint). */
export interface Stat {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: bigint;
  size: number;
  blksize: number;
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** Birth time when the file system knows it. */
  btime?: Timespec;
}

export const STAT_SIZE = 144;
export const STATX_STRUCT_SIZE = 256;

/** Encodes struct stat (x86_64, arch/x86/include/uapi/asm/stat.h). */
export function encodeStat(s: Stat, out: DataView = new DataView(new ArrayBuffer(STAT_SIZE))): DataView {
  out.setBigUint64(0, s.dev, true);
  out.setBigUint64(8, s.ino, true);
  out.setBigUint64(16, BigInt(s.nlink), true);
  out.setUint32(24, s.mode, true);
  out.setUint32(28, s.uid, true);
  out.setUint32(32, s.gid, true);
  out.setUint32(36, 0, true);
  out.setBigUint64(40, s.rdev, true);
  out.setBigInt64(48, BigInt(s.size), true);
  out.setBigInt64(56, BigInt(s.blksize), true);
  out.setBigInt64(64, BigInt(s.blocks), true);
  setTs(out, 72, s.atime);
  setTs(out, 88, s.mtime);
  setTs(out, 104, s.ctime);
  for (let i = 120; i < 144; i++) out.setUint8(i, 0);
  return out;
}

function setTs(out: DataView, off: number, t: Timespec): void {
  out.setBigInt64(off, BigInt(t.sec), true);
  out.setBigInt64(off + 8, BigInt(t.nsec), true);
}

/** Decodes a raw x86_64 struct stat (as the host's fstatat fills it). */
export function decodeStat(b: Uint8Array): Stat {
  const v = new DataView(b.buffer, b.byteOffset, STAT_SIZE);
  const ts = (off: number): Timespec => ({
    sec: Number(v.getBigInt64(off, true)),
    nsec: Number(v.getBigInt64(off + 8, true)),
  });
  return {
    dev: v.getBigUint64(0, true),
    ino: v.getBigUint64(8, true),
    nlink: Number(v.getBigUint64(16, true)),
    mode: v.getUint32(24, true),
    uid: v.getUint32(28, true),
    gid: v.getUint32(32, true),
    rdev: v.getBigUint64(40, true),
    size: Number(v.getBigInt64(48, true)),
    blksize: Number(v.getBigInt64(56, true)),
    blocks: Number(v.getBigInt64(64, true)),
    atime: ts(72),
    mtime: ts(88),
    ctime: ts(104),
  };
}

/** Linux's encoding of device numbers (new_encode_dev). */
export function makedev(major: number, minor: number): bigint {
  return BigInt(((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0) |
    (BigInt(major & ~0xfff) << 32n);
}

export function major(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
}

export function minor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
}

/** Encodes struct statx (include/uapi/linux/stat.h). */
export function encodeStatx(s: Stat, mask: number): DataView {
  const out = new DataView(new ArrayBuffer(STATX_STRUCT_SIZE));
  const m = STATX_BASIC_STATS | (s.btime ? STATX_BTIME : 0);
  out.setUint32(0, m & (mask | STATX_BASIC_STATS), true);
  out.setUint32(4, s.blksize, true);
  out.setBigUint64(8, 0n, true); // attributes
  out.setUint32(16, s.nlink, true);
  out.setUint32(20, s.uid, true);
  out.setUint32(24, s.gid, true);
  out.setUint16(28, s.mode, true);
  out.setBigUint64(32, s.ino, true);
  out.setBigUint64(40, BigInt(s.size), true);
  out.setBigUint64(48, BigInt(s.blocks), true);
  out.setBigUint64(56, 0n, true); // attributes_mask
  const sx = (off: number, t: Timespec): void => {
    out.setBigInt64(off, BigInt(t.sec), true);
    out.setUint32(off + 8, t.nsec, true);
  };
  sx(64, s.atime);
  sx(80, s.btime ?? { sec: 0, nsec: 0 });
  sx(96, s.ctime);
  sx(112, s.mtime);
  out.setUint32(128, major(s.rdev), true);
  out.setUint32(132, minor(s.rdev), true);
  out.setUint32(136, major(s.dev), true);
  out.setUint32(140, minor(s.dev), true);
  return out;
}
