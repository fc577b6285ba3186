// File locks: flock(2) operations and fcntl(2) record locks (struct flock, x86_64).

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;

/** Largest file offset (OFFSET_MAX): a lock ending here runs "to EOF". */
export const OFFSET_MAX = (1n << 63n) - 1n;

/** struct flock { short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid; } */
export const FLOCK_SIZE = 32;

export interface FlockStruct {
  type: number;
  whence: number;
  start: bigint;
  len: bigint;
  pid: number;
}

export function decodeFlock(b: Uint8Array): FlockStruct {
  const v = new DataView(b.buffer, b.byteOffset, FLOCK_SIZE);
  return {
    type: v.getInt16(0, true),
    whence: v.getInt16(2, true),
    start: v.getBigInt64(8, true),
    len: v.getBigInt64(16, true),
    pid: v.getInt32(24, true),
  };
}

/** Writes the fields back into the caller's bytes (padding kept as it was). */
export function encodeFlock(f: FlockStruct, b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, FLOCK_SIZE);
  v.setInt16(0, f.type, true);
  v.setInt16(2, f.whence, true);
  v.setBigInt64(8, f.start, true);
  v.setBigInt64(16, f.len, true);
  v.setInt32(24, f.pid, true);
  return b;
}
