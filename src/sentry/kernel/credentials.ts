// Task credentials (Linux's struct cred): ids, supplementary groups, capabilities.

export const CAP_CHOWN = 0;
export const CAP_DAC_OVERRIDE = 1;
export const CAP_DAC_READ_SEARCH = 2;
export const CAP_FOWNER = 3;
export const CAP_FSETID = 4;
export const CAP_KILL = 5;
export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_SETPCAP = 8;
export const CAP_LINUX_IMMUTABLE = 9;
export const CAP_NET_BIND_SERVICE = 10;
export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;
export const CAP_SYS_CHROOT = 18;
export const CAP_SYS_PTRACE = 19;
export const CAP_SYS_ADMIN = 21;
export const CAP_SYS_NICE = 23;
export const CAP_SYS_RESOURCE = 24;
export const CAP_SYS_TIME = 25;
export const CAP_MKNOD = 27;
export const CAP_AUDIT_WRITE = 29;
export const CAP_SETFCAP = 31;
export const CAP_MAC_OVERRIDE = 32;
export const CAP_LAST_CAP = 40;
export const ALL_CAPS = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;

/** capabilities(7): the file-system capabilities that follow fsuid 0 (CAP_FS_SET). */
export const CAP_FS_SET = [CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
  CAP_LINUX_IMMUTABLE, CAP_MKNOD, CAP_MAC_OVERRIDE].reduce((m, c) => m | (1n << BigInt(c)), 0n);

/** Securebits (include/uapi/linux/securebits.h): each flag's lock is the next bit up. */
export const SECBIT_NOROOT = 1 << 0;
export const SECBIT_NO_SETUID_FIXUP = 1 << 2;
export const SECBIT_KEEP_CAPS = 1 << 4;
export const SECBIT_KEEP_CAPS_LOCKED = 1 << 5;
export const SECBIT_NO_CAP_AMBIENT_RAISE = 1 << 6;
export const SECBIT_EXEC_RESTRICT_FILE = 1 << 8;
export const SECBIT_EXEC_DENY_INTERACTIVE = 1 << 10;
/** Flags prctl(PR_SET_SECUREBITS) accepts, and their locks. */
export const SECURE_ALL_BITS = SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS |
  SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_EXEC_RESTRICT_FILE | SECBIT_EXEC_DENY_INTERACTIVE;
export const SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1;

export class Credentials {
  constructor(
    public ruid = 0,
    public euid = 0,
    public suid = 0,
    public fsuid = 0,
    public rgid = 0,
    public egid = 0,
    public sgid = 0,
    public fsgid = 0,
    public groups: number[] = [],
    public effective: bigint = ALL_CAPS,
    public permitted: bigint = ALL_CAPS,
    public inheritable = 0n,
    public bounding: bigint = ALL_CAPS,
    public ambient = 0n,
    /** prctl(PR_SET_SECUREBITS) flags (SECBIT_*); PR_SET_KEEPCAPS is SECBIT_KEEP_CAPS. */
    public securebits = 0,
  ) {}

  static root(): Credentials {
    return new Credentials();
  }

  static user(uid: number, gid: number, groups: number[] = []): Credentials {
    return new Credentials(uid, uid, uid, uid, gid, gid, gid, gid, groups, 0n, 0n, 0n, ALL_CAPS, 0n);
  }

  hasCap(cap: number): boolean {
    return (this.effective & (1n << BigInt(cap))) !== 0n;
  }

  inGroup(gid: number): boolean {
    return this.fsgid === gid || this.groups.includes(gid);
  }

  clone(): Credentials {
    return new Credentials(this.ruid, this.euid, this.suid, this.fsuid, this.rgid, this.egid, this.sgid,
      this.fsgid, [...this.groups], this.effective, this.permitted, this.inheritable, this.bounding, this.ambient,
      this.securebits);
  }
}
