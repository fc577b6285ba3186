// Permission checks (fs/namei.c generic_permission, capable_wrt_inode_uidgid).
import { EACCES, EPERM } from '../../abi/linux/errno.js';
import { S_ISGID, S_ISUID, S_ISVTX } from '../../abi/linux/stat.js';
import { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, type Credentials } from '../kernel/credentials.js';
import type { Inode } from './inode.js';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

/** Throws EACCES unless creds may access inode as `may` (MAY_* bits). */
export function checkPermission(creds: Credentials, inode: Inode, may: number): void {
  if (!mayAccess(creds, inode, may)) throw EACCES;
}

export function mayAccess(creds: Credentials, inode: Inode, may: number): boolean {
  const mode = inode.mode;
  let bits: number;
  if (creds.fsuid === inode.uid) bits = (mode >> 6) & 7;
  else if (creds.inGroup(inode.gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  if ((bits & may) === may) return true;
  // Capabilities (the sandbox runs as root by default).
  const isDir = inode.isDir();
  if (creds.hasCap(CAP_DAC_OVERRIDE)) {
    // Exec needs at least one x bit on non-directories even for root.
    if (!(may & MAY_EXEC) || isDir || (mode & 0o111) !== 0) return true;
  }
  if (creds.hasCap(CAP_DAC_READ_SEARCH)) {
    if (may === MAY_READ || (isDir && (may & MAY_WRITE) === 0)) return true;
  }
  return false;
}

/** The caller owns the inode or has CAP_FOWNER (chmod, utimes with times, ...). */
export function isOwner(creds: Credentials, inode: Inode): boolean {
  return creds.fsuid === inode.uid || creds.hasCap(CAP_FOWNER);
}

/** Sticky directories: only the owner of the file or dir (or CAP_FOWNER) may remove or rename. */
export function checkSticky(creds: Credentials, dir: Inode, victim: Inode): void {
  if ((dir.mode & S_ISVTX) === 0) return;
  if (creds.fsuid === victim.uid || creds.fsuid === dir.uid || creds.hasCap(CAP_FOWNER)) return;
  throw EPERM;
}

/**
 * The mode a regular file keeps after a write or truncate by `creds` (file_remove_privs):
 * set-user-ID goes, and set-group-ID when group-executable (otherwise it marks mandatory
 * locking), unless the writer has CAP_FSETID. Undefined when nothing changes.
 */
export function modeAfterWrite(creds: Credentials, inode: Inode): number | undefined {
  const kill = S_ISUID | ((inode.mode & 0o010) !== 0 ? S_ISGID : 0);
  if ((inode.mode & kill) === 0 || !inode.isRegular() || creds.hasCap(CAP_FSETID)) return undefined;
  return inode.mode & 0o7777 & ~kill;
}

/** Clears set-id bits before a write or truncate, as modeAfterWrite says. */
export function removePrivs(creds: Credentials, inode: Inode): void {
  const mode = modeAfterWrite(creds, inode);
  if (mode !== undefined) inode.setattr({ mode });
}
