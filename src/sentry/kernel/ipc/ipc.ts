// SysV IPC common to shm, sem and msg (ipc/util.c): object ids and keys, ipc_perm
// with its permission rules, and the ipc64_perm codec. Ids are built like Linux's:
// index + seq * IPCMNI, indexes handed out cyclically and the sequence number
// bumped when an index is reused, so a stale id fails with EINVAL.
import { EACCES, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, EPERM } from '../../../abi/linux/errno.js';
import { CAP_SYS_ADMIN, type Credentials } from '../credentials.js';
import { realtimeNs } from '../time.js';

/** Capabilities credentials.ts does not name. */
export const CAP_IPC_LOCK = 14;
export const CAP_IPC_OWNER = 15;

export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;

export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;

/** Index space of one id table (without ipcmni_extend). */
export const IPCMNI = 32768;
/** Largest sequence number (INT_MAX >> IPCMNI_SHIFT). */
const SEQ_MAX = 65535;

/** Access bits asked for by reads and writes (S_IRUGO, S_IWUGO). */
export const MAY_READ_IPC = 0o444;
export const MAY_WRITE_IPC = 0o222;

/** sizeof(struct ipc64_perm) on x86_64. */
export const IPC64_PERM_SIZE = 48;

/** Linux's kern_ipc_perm: what every SysV object carries. */
export class IpcObject {
  id = -1;
  /** IPC_PRIVATE once removed (the key is free for a new object). */
  key: number;
  uid: number;
  gid: number;
  readonly cuid: number;
  readonly cgid: number;
  /** Permission bits plus object flags (SHM_DEST, SHM_LOCKED). */
  mode: number;
  seq = 0;
  /** Last change (IPC_SET, creation), seconds of the wall clock. */
  ctime = nowSeconds();
  /** Removed from its table: waiters see EIDRM. */
  removed = false;

  constructor(key: number, creds: Credentials, mode: number) {
    this.key = key;
    this.uid = this.cuid = creds.euid;
    this.gid = this.cgid = creds.egid;
    this.mode = mode & 0o777;
  }

  get index(): number {
    return this.id % IPCMNI;
  }

  /** ipcperms(): false unless creds may access the object as `flag` (0444/0222/mode bits). */
  allows(creds: Credentials, flag: number): boolean {
    const requested = (flag >> 6) | (flag >> 3) | flag;
    let granted = this.mode;
    if (creds.euid === this.cuid || creds.euid === this.uid) granted >>= 6;
    else if (creds.inGroup(this.cgid) || creds.inGroup(this.gid)) granted >>= 3;
    return (requested & ~granted & 0o7) === 0 || creds.hasCap(CAP_IPC_OWNER);
  }

  /** Throws EACCES unless allowed. */
  check(creds: Credentials, flag: number): void {
    if (!this.allows(creds, flag)) throw EACCES;
  }

  /** IPC_SET and IPC_RMID: the owner, the creator, or CAP_SYS_ADMIN (ipcctl_obtain_check). */
  checkOwner(creds: Credentials): void {
    if (creds.euid === this.cuid || creds.euid === this.uid || creds.hasCap(CAP_SYS_ADMIN)) return;
    throw EPERM;
  }

  /** ipc_update_perm: IPC_SET takes uid, gid and the permission bits. */
  updatePerm(p: DecodedPerm): void {
    if (p.uid === 0xffffffff || p.gid === 0xffffffff) throw EINVAL;
    this.uid = p.uid;
    this.gid = p.gid;
    this.mode = (this.mode & ~0o777) | (p.mode & 0o777);
    this.ctime = nowSeconds();
  }

  /** Writes struct ipc64_perm at `off` of `dv`. */
  encodePerm(dv: DataView, off: number): void {
    dv.setInt32(off, this.key | 0, true);
    dv.setUint32(off + 4, this.uid, true);
    dv.setUint32(off + 8, this.gid, true);
    dv.setUint32(off + 12, this.cuid, true);
    dv.setUint32(off + 16, this.cgid, true);
    dv.setUint32(off + 20, this.mode, true);
    dv.setUint16(off + 24, this.seq, true);
  }
}

export interface DecodedPerm {
  uid: number;
  gid: number;
  mode: number;
}

/** The fields IPC_SET reads from struct ipc64_perm at `off`. */
export function decodePerm(dv: DataView, off: number): DecodedPerm {
  return { uid: dv.getUint32(off + 4, true), gid: dv.getUint32(off + 8, true), mode: dv.getUint32(off + 20, true) };
}

export function nowSeconds(): number {
  return Number(realtimeNs() / 1_000_000_000n);
}

/** One id table (Linux's struct ipc_ids) for objects of type T. */
export class IpcIds<T extends IpcObject> {
  private readonly byIndex = new Map<number, T>();
  private readonly byKey = new Map<number, T>();
  private seq = 0;
  private lastIdx = -1;

  /** How many objects exist. */
  get inUse(): number {
    return this.byIndex.size;
  }

  /** The object with this full id; EINVAL when none (or the sequence number is stale). */
  get(id: number): T {
    if (id < 0) throw EINVAL;
    const o = this.byIndex.get(id % IPCMNI);
    if (!o || o.id !== id) throw EINVAL;
    return o;
  }

  /** The object at table index `idx` (SHM_STAT & co.); EINVAL when none. */
  atIndex(idx: number): T {
    const o = idx >= 0 ? this.byIndex.get(idx) : undefined;
    if (!o) throw EINVAL;
    return o;
  }

  findKey(key: number): T | null {
    return this.byKey.get(key) ?? null;
  }

  /** ipc_addid: gives `o` an id; ENOSPC past `limit` objects. */
  add(o: T, limit: number): void {
    if (this.byIndex.size >= Math.min(limit, IPCMNI)) throw ENOSPC;
    // idr_alloc_cyclic: the next index after the last one handed out, wrapping.
    let idx = -1;
    for (let i = 1; i <= IPCMNI; i++) {
      const cand = (this.lastIdx + i) % IPCMNI;
      if (!this.byIndex.has(cand)) {
        idx = cand;
        break;
      }
    }
    if (idx < 0) throw ENOSPC;
    if (idx <= this.lastIdx) this.seq = this.seq + 1 > SEQ_MAX ? 0 : this.seq + 1;
    this.lastIdx = idx;
    o.seq = this.seq;
    o.id = this.seq * IPCMNI + idx;
    this.byIndex.set(idx, o);
    if (o.key !== IPC_PRIVATE) this.byKey.set(o.key, o);
  }

  /** Forgets the key only (shm marked for destruction keeps its id). */
  makePrivate(o: T): void {
    if (o.key !== IPC_PRIVATE && this.byKey.get(o.key) === o) this.byKey.delete(o.key);
    o.key = IPC_PRIVATE;
  }

  /** ipc_rmid: the id and key become free. */
  remove(o: T): void {
    this.makePrivate(o);
    if (this.byIndex.get(o.index) === o) this.byIndex.delete(o.index);
    o.removed = true;
  }

  /** ipc_get_maxidx: highest index in use, -1 when empty. */
  maxIdx(): number {
    if (this.byIndex.size === 0) return -1;
    let m = -1;
    for (const i of this.byIndex.keys()) if (i > m) m = i;
    return m;
  }

  values(): IterableIterator<T> {
    return this.byIndex.values();
  }
}

export interface GetParams<T extends IpcObject> {
  key: number;
  flags: number;
  creds: Credentials;
  /** Makes a new object (its own limit checks first); the caller adds it. */
  create: () => T;
  /** Checks on an existing object before permissions (size, nsems). */
  moreChecks?: (o: T) => void;
}

/** ipcget(): the object for a key, creating it when asked; returns its id. */
export function ipcGet<T extends IpcObject>(ids: IpcIds<T>, p: GetParams<T>): number {
  if (p.key === IPC_PRIVATE) return p.create().id;
  const o = ids.findKey(p.key);
  if (!o) {
    if (!(p.flags & IPC_CREAT)) throw ENOENT;
    return p.create().id;
  }
  if ((p.flags & IPC_CREAT) && (p.flags & IPC_EXCL)) throw EEXIST;
  p.moreChecks?.(o);
  if (!o.allows(p.creds, p.flags)) throw EACCES;
  return o.id;
}

/**
 * Sentry memory that IPC objects may hold (semaphore arrays, queued messages,
 * message queue inodes). Linux's limits allow far more than a Sentry heap can take
 * (32000 sets of 32000 semaphores; a root-raised msg_qbytes): past this budget an
 * allocation fails with ENOMEM, as the kernel's kmalloc would.
 */
export class IpcMemory {
  used = 0;

  /** `limitOf` is asked at each charge (the kernel's options may not exist yet when this is made). */
  constructor(private readonly limitOf: () => number) {}

  get limit(): number {
    return this.limitOf();
  }

  charge(bytes: number): void {
    if (this.used + bytes > this.limit) throw ENOMEM;
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
