// Flags of fallocate(2), memfd_create(2) and file seals, splice(2)/tee(2), sync_file_range(2).

// fallocate(2) modes (include/uapi/linux/falloc.h)
export const FALLOC_FL_ALLOCATE_RANGE = 0x00;
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_NO_HIDE_STALE = 0x04;
export const FALLOC_FL_COLLAPSE_RANGE = 0x08;
export const FALLOC_FL_ZERO_RANGE = 0x10;
export const FALLOC_FL_INSERT_RANGE = 0x20;
export const FALLOC_FL_UNSHARE_RANGE = 0x40;
export const FALLOC_FL_WRITE_ZEROES = 0x80;
/** The operation bits: exactly one (or none, plain allocation) may be set. */
export const FALLOC_FL_MODE_MASK = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |
  FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES;

// memfd_create(2)
export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;
export const MFD_HUGETLB = 0x4;
export const MFD_NOEXEC_SEAL = 0x8;
export const MFD_EXEC = 0x10;
/** NAME_MAX minus "memfd:". */
export const MFD_NAME_MAX_LEN = 249;

// fcntl(F_ADD_SEALS) seals
export const F_SEAL_SEAL = 0x1;
export const F_SEAL_SHRINK = 0x2;
export const F_SEAL_GROW = 0x4;
export const F_SEAL_WRITE = 0x8;
export const F_SEAL_FUTURE_WRITE = 0x10;
export const F_SEAL_EXEC = 0x20;
export const F_ALL_SEALS = 0x3f;

// splice(2), tee(2), vmsplice(2)
export const SPLICE_F_MOVE = 0x1;
export const SPLICE_F_NONBLOCK = 0x2;
export const SPLICE_F_MORE = 0x4;
export const SPLICE_F_GIFT = 0x8;
export const SPLICE_F_ALL = 0xf;

// sync_file_range(2)
export const SYNC_FILE_RANGE_WAIT_BEFORE = 0x1;
export const SYNC_FILE_RANGE_WRITE = 0x2;
export const SYNC_FILE_RANGE_WAIT_AFTER = 0x4;
export const SYNC_FILE_RANGE_VALID = 0x7;
