// Credential transitions (kernel/sys.c, kernel/capability.c, security/commoncap.c):
// the set*id rules, capset, securebits, the bounding and ambient sets. Each
// operation computes a new Credentials from the old one and commits it to the
// calling thread only: Linux credentials are per thread, and the raw syscalls
// change only the caller (glibc's setxid broadcast is user space's business).
// Credentials objects are never mutated once committed, so a fork that shares
// the parent's object and a /proc reader holding one stay consistent.
import { EINVAL, EPERM } from '../../abi/linux/errno.js';
import {
  ALL_CAPS, CAP_FS_SET, CAP_SETGID, CAP_SETPCAP, CAP_SETUID, Credentials, SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED,
  SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_SETUID_FIXUP, SECURE_ALL_BITS, SECURE_ALL_LOCKS, CAP_LAST_CAP,
} from './credentials.js';
import type { MemoryManager } from '../mm/mm.js';
import { onFork } from './clone.js';
import type { Task } from './task.js';

/** (uid_t)-1: "leave unchanged" for the set*id calls, and never a valid id. */
export const NO_ID = 0xffff_ffff;
/** NGROUPS_MAX. */
export const NGROUPS_MAX = 65536;

/** fs.suid_dumpable: what a process becomes after a credential change (SUID_DUMP_DISABLE). */
const SUID_DUMPABLE = 0;

// ---- dumpable (a property of the mm in Linux, reset by credential changes) ----

const dumpableOf = new WeakMap<MemoryManager, number>();

export function getDumpable(t: Task): number {
  return dumpableOf.get(t.mm) ?? 1;
}

export function setDumpable(t: Task, v: number): void {
  dumpableOf.set(t.mm, v);
}

onFork((parent, child) => {
  if (child.mm !== parent.mm) dumpableOf.set(child.mm, getDumpable(parent));
});

// ---- committing ----

function capBit(cap: number): bigint {
  return 1n << BigInt(cap);
}

function isSubset(a: bigint, b: bigint): boolean {
  return (a & ~b) === 0n;
}

/**
 * commit_creds: installs `next` on the calling thread. A process whose effective
 * or file-system ids change, or whose permitted set grows, stops being dumpable
 * and loses its parent-death signal (so a less privileged parent cannot use it).
 */
export function commitCreds(t: Task, next: Credentials): void {
  const old = t.creds;
  if (old.euid !== next.euid || old.egid !== next.egid || old.fsuid !== next.fsuid || old.fsgid !== next.fsgid ||
    !isSubset(next.permitted, old.permitted)) {
    setDumpable(t, SUID_DUMPABLE);
    t.tg.pdeathSignal = 0;
  }
  t.creds = next;
}

// ---- uid transitions (cap_emulate_setxuid) ----

/**
 * The capability side of a uid change: leaving uid 0 everywhere drops permitted and
 * effective (unless SECBIT_KEEP_CAPS) and always ambient; euid leaving 0 clears
 * effective, euid becoming 0 restores effective from permitted.
 */
function fixupSetuid(old: Credentials, n: Credentials): void {
  if (old.securebits & SECBIT_NO_SETUID_FIXUP) return;
  const hadRoot = old.ruid === 0 || old.euid === 0 || old.suid === 0;
  const hasRoot = n.ruid === 0 || n.euid === 0 || n.suid === 0;
  if (hadRoot && !hasRoot) {
    if (!(old.securebits & SECBIT_KEEP_CAPS)) {
      n.permitted = 0n;
      n.effective = 0n;
    }
    n.ambient = 0n;
  }
  if (old.euid === 0 && n.euid !== 0) n.effective = 0n;
  if (old.euid !== 0 && n.euid === 0) n.effective = n.permitted;
}

function checkId(id: number): void {
  if (id === NO_ID) throw EINVAL;
}

/** setuid(2). */
export function setuid(old: Credentials, uid: number): Credentials {
  checkId(uid);
  const n = old.clone();
  if (old.hasCap(CAP_SETUID)) {
    n.ruid = n.suid = uid;
  } else if (uid !== old.ruid && uid !== old.suid) {
    throw EPERM;
  }
  n.euid = n.fsuid = uid;
  fixupSetuid(old, n);
  return n;
}

/** setreuid(2): -1 keeps; the saved uid follows euid when ruid is set or euid moves away from ruid. */
export function setreuid(old: Credentials, ruid: number, euid: number): Credentials {
  const n = old.clone();
  const cap = old.hasCap(CAP_SETUID);
  if (ruid !== NO_ID) {
    if (ruid !== old.ruid && ruid !== old.euid && !cap) throw EPERM;
    n.ruid = ruid;
  }
  if (euid !== NO_ID) {
    if (euid !== old.ruid && euid !== old.euid && euid !== old.suid && !cap) throw EPERM;
    n.euid = euid;
  }
  if (ruid !== NO_ID || (euid !== NO_ID && euid !== old.ruid)) n.suid = n.euid;
  n.fsuid = n.euid;
  fixupSetuid(old, n);
  return n;
}

/** setresuid(2): each of the three may be -1 (unchanged); unprivileged callers pick among their current ids. */
export function setresuid(old: Credentials, ruid: number, euid: number, suid: number): Credentials {
  const mine = (id: number): boolean => id === NO_ID || id === old.ruid || id === old.euid || id === old.suid;
  if (!(mine(ruid) && mine(euid) && mine(suid)) && !old.hasCap(CAP_SETUID)) throw EPERM;
  const n = old.clone();
  if (ruid !== NO_ID) n.ruid = ruid;
  if (euid !== NO_ID) n.euid = euid;
  if (suid !== NO_ID) n.suid = suid;
  n.fsuid = n.euid;
  fixupSetuid(old, n);
  return n;
}

/**
 * setfsuid(2): never fails; the caller learns the old fsuid. Moving fsuid off 0
 * drops the file-system capabilities from effective, moving it to 0 restores the
 * permitted ones. Returns null when nothing changes.
 */
export function setfsuid(old: Credentials, uid: number): Credentials | null {
  if (uid === NO_ID || uid === old.fsuid) return null;
  if (uid !== old.ruid && uid !== old.euid && uid !== old.suid && !old.hasCap(CAP_SETUID)) return null;
  const n = old.clone();
  n.fsuid = uid;
  if (!(old.securebits & SECBIT_NO_SETUID_FIXUP)) {
    if (old.fsuid === 0 && uid !== 0) n.effective &= ~CAP_FS_SET;
    if (old.fsuid !== 0 && uid === 0) n.effective |= n.permitted & CAP_FS_SET;
  }
  return n;
}

// ---- gid transitions (no capability side) ----

/** setgid(2). */
export function setgid(old: Credentials, gid: number): Credentials {
  checkId(gid);
  const n = old.clone();
  if (old.hasCap(CAP_SETGID)) {
    n.rgid = n.egid = n.sgid = n.fsgid = gid;
  } else if (gid === old.rgid || gid === old.sgid) {
    n.egid = n.fsgid = gid;
  } else {
    throw EPERM;
  }
  return n;
}

/** setregid(2). */
export function setregid(old: Credentials, rgid: number, egid: number): Credentials {
  const n = old.clone();
  const cap = old.hasCap(CAP_SETGID);
  if (rgid !== NO_ID) {
    if (rgid !== old.rgid && rgid !== old.egid && !cap) throw EPERM;
    n.rgid = rgid;
  }
  if (egid !== NO_ID) {
    if (egid !== old.rgid && egid !== old.egid && egid !== old.sgid && !cap) throw EPERM;
    n.egid = egid;
  }
  if (rgid !== NO_ID || (egid !== NO_ID && egid !== old.rgid)) n.sgid = n.egid;
  n.fsgid = n.egid;
  return n;
}

/** setresgid(2). */
export function setresgid(old: Credentials, rgid: number, egid: number, sgid: number): Credentials {
  const mine = (id: number): boolean => id === NO_ID || id === old.rgid || id === old.egid || id === old.sgid;
  if (!(mine(rgid) && mine(egid) && mine(sgid)) && !old.hasCap(CAP_SETGID)) throw EPERM;
  const n = old.clone();
  if (rgid !== NO_ID) n.rgid = rgid;
  if (egid !== NO_ID) n.egid = egid;
  if (sgid !== NO_ID) n.sgid = sgid;
  n.fsgid = n.egid;
  return n;
}

/** setfsgid(2): like setfsuid, without capability effects. */
export function setfsgid(old: Credentials, gid: number): Credentials | null {
  if (gid === NO_ID || gid === old.fsgid) return null;
  if (gid !== old.rgid && gid !== old.egid && gid !== old.sgid && !old.hasCap(CAP_SETGID)) return null;
  const n = old.clone();
  n.fsgid = gid;
  return n;
}

/** setgroups(2): the list is kept sorted, as getgroups(2) reports it. */
export function setgroups(old: Credentials, groups: number[]): Credentials {
  if (!old.hasCap(CAP_SETGID)) throw EPERM;
  if (groups.length > NGROUPS_MAX) throw EINVAL;
  for (const g of groups) checkId(g);
  const n = old.clone();
  n.groups = [...groups].sort((a, b) => a - b);
  return n;
}

// ---- capabilities ----

/** Drops capability numbers above CAP_LAST_CAP (mk_kernel_cap masks with CAP_VALID_MASK). */
export function validCaps(v: bigint): bigint {
  return v & ALL_CAPS;
}

export function capValid(cap: number): boolean {
  return Number.isInteger(cap) && cap >= 0 && cap <= CAP_LAST_CAP;
}

/** capset(2) on the caller (cap_capset). */
export function capset(old: Credentials, effective: bigint, permitted: bigint, inheritable: bigint): Credentials {
  // Without CAP_SETPCAP, inheritable may only gain what is already permitted.
  if (!old.hasCap(CAP_SETPCAP) && !isSubset(inheritable, old.inheritable | old.permitted)) throw EPERM;
  // Nobody adds to inheritable beyond the bounding set.
  if (!isSubset(inheritable, old.inheritable | old.bounding)) throw EPERM;
  if (!isSubset(permitted, old.permitted)) throw EPERM;
  if (!isSubset(effective, permitted)) throw EPERM;
  const n = old.clone();
  n.effective = effective;
  n.permitted = permitted;
  n.inheritable = inheritable;
  // Ambient capabilities must stay both permitted and inheritable.
  n.ambient &= permitted & inheritable;
  return n;
}

/** prctl(PR_CAPBSET_DROP). */
export function capbsetDrop(old: Credentials, cap: number): Credentials {
  if (!old.hasCap(CAP_SETPCAP)) throw EPERM;
  if (!capValid(cap)) throw EINVAL;
  const n = old.clone();
  n.bounding &= ~capBit(cap);
  return n;
}

/** prctl(PR_SET_SECUREBITS): changing anything needs CAP_SETPCAP; locked bits stay as they are. */
export function setSecurebits(old: Credentials, bits: number): Credentials {
  const cur = old.securebits;
  const lockedChange = ((cur & SECURE_ALL_LOCKS) >>> 1) & (cur ^ bits);
  const unlock = cur & SECURE_ALL_LOCKS & ~bits;
  const unknown = bits & ~(SECURE_ALL_LOCKS | SECURE_ALL_BITS);
  if (lockedChange || unlock || unknown || bits < 0 || !old.hasCap(CAP_SETPCAP)) throw EPERM;
  const n = old.clone();
  n.securebits = bits;
  return n;
}

/** prctl(PR_SET_KEEPCAPS). */
export function setKeepCaps(old: Credentials, on: boolean): Credentials {
  if (old.securebits & SECBIT_KEEP_CAPS_LOCKED) throw EPERM;
  const n = old.clone();
  n.securebits = on ? n.securebits | SECBIT_KEEP_CAPS : n.securebits & ~SECBIT_KEEP_CAPS;
  return n;
}

/** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE/LOWER, cap). */
export function setAmbient(old: Credentials, cap: number, raise: boolean): Credentials {
  const bit = capBit(cap);
  if (raise && (!(old.permitted & bit) || !(old.inheritable & bit) || old.securebits & SECBIT_NO_CAP_AMBIENT_RAISE)) {
    throw EPERM;
  }
  const n = old.clone();
  n.ambient = raise ? n.ambient | bit : n.ambient & ~bit;
  return n;
}

/** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL). */
export function clearAmbient(old: Credentials): Credentials {
  const n = old.clone();
  n.ambient = 0n;
  return n;
}
