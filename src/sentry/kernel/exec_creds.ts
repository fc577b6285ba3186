// Credentials across execve (fs/exec.c bprm_fill_uid, security/commoncap.c
// cap_bprm_creds_from_file): set-user-ID and set-group-ID files, root's
// capabilities, ambient capabilities, and whether the new image runs "secure"
// (AT_SECURE, which makes the dynamic loader ignore LD_PRELOAD & co.).
// Computed while loading (the stack's auxv needs the result), committed with
// the new address space.
import { S_ISGID, S_ISUID } from '../../abi/linux/stat.js';
import type { VirtualDentry } from '../vfs/mount.js';
import { MS_NOSUID } from '../vfs/mount.js';
import { commitCreds, setDumpable } from './cred_ops.js';
import { SECBIT_KEEP_CAPS, SECBIT_NOROOT, type Credentials } from './credentials.js';
import type { Task } from './task.js';

const S_IXGRP = 0o010;

export interface ExecCreds {
  creds: Credentials;
  /** AT_SECURE: the ids changed or capabilities were gained. */
  secure: boolean;
}

function isSubset(a: bigint, b: bigint): boolean {
  return (a & ~b) === 0n;
}

/**
 * The credentials `t` will run the executable at `vd` with. There are no file
 * capabilities (no security.capability xattrs), so only the set-id bits and
 * root's special case can raise privilege.
 */
export function execCreds(t: Task, vd: VirtualDentry): ExecCreds {
  const old = t.creds;
  const n = old.clone();
  // bprm_fill_uid: set-id bits count unless the mount is nosuid or no_new_privs is set.
  // A set-group-ID file without group execute is a mandatory-locking marker, not set-gid.
  if (!(vd.mount.flags & MS_NOSUID) && !t.noNewPrivs) {
    const inode = vd.dentry.inode;
    if (inode.mode & S_ISUID) n.euid = inode.uid;
    if ((inode.mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP)) n.egid = inode.gid;
  }

  // The new permitted set starts empty (no file capabilities); root gets the bounding
  // set plus inheritable, and an effective set too if it is root by euid.
  n.permitted = 0n;
  let effective = false;
  if (!(old.securebits & SECBIT_NOROOT)) {
    if (n.euid === 0 || n.ruid === 0) n.permitted = old.bounding | old.inheritable;
    if (n.euid === 0) effective = true;
  }

  // Whether exec changes the ids: a new euid, or an egid the caller is not in. (Linux
  // before 6.16 compared with the real ids, so a caller whose euid already differed
  // from its uid counted as set-id; 6.16 went back to this, the 2.4.0-test12 rule.)
  const idChanged = n.euid !== old.euid || !old.inGroup(n.egid);
  // no_new_privs: the program gets no more than the caller had, and no new ids.
  // (Linux downgrades the same way under an unprivileged ptracer; there is no ptrace.)
  if ((idChanged || !isSubset(n.permitted, old.permitted)) && t.noNewPrivs) {
    n.euid = n.ruid;
    n.egid = n.rgid;
    n.permitted &= old.permitted;
  }
  n.suid = n.fsuid = n.euid;
  n.sgid = n.fsgid = n.egid;
  if (idChanged) n.ambient = 0n;
  // pP' = (root ? bset | pI : 0) | pA';  pE' = fE ? pP' : pA'.
  n.permitted |= n.ambient;
  n.effective = effective ? n.permitted : n.ambient;
  n.securebits &= ~SECBIT_KEEP_CAPS;
  const secure = idChanged || (n.ruid !== 0 && (effective || !isSubset(n.permitted, n.ambient)));
  return { creds: n, secure };
}

/**
 * Installs the exec credentials once the new address space is in place. The new
 * image is dumpable unless the ids were mixed before the exec or change now; a
 * secure exec forgets the parent-death signal.
 */
export function commitExecCreds(t: Task, ec: ExecCreds): void {
  const old = t.creds;
  const mixed = old.euid !== old.ruid || old.egid !== old.rgid;
  setDumpable(t, mixed ? 0 : 1);
  if (ec.secure) t.tg.pdeathSignal = 0;
  commitCreds(t, ec.creds);
}
