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
export const CAP_LAST_CAP = 40;
export const ALL_CAPS = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;

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
      this.fsgid, [...this.groups], this.effective, this.permitted, this.inheritable, this.bounding, this.ambient);
  }
}
