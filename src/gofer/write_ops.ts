// The gofer's write side on the host: new entries, removal, renames, attributes
// and xattrs. Each call names one checked component relative to a directory fd,
// or works on an O_PATH fd of the node itself (AT_EMPTY_PATH), and never follows
// a symlink. service.ts applies the policy (read-only, deny, mask) before these.
//
// The gofer runs as root: a new entry is made, then given the creating task's
// fsuid/fsgid and exactly its mode (the host applied our own umask, and chown
// may clear set-id bits), as runsc's gofer does. If any of that fails the entry
// is removed again, so a half-made file never shows up.
import { EEXIST, EINVAL, EISDIR, ENOENT, EPERM, ESTALE, errnoFromNumber } from '../abi/linux/errno.js';
import {
  AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_DSYNC, O_EXCL,
  O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY, O_SYNC, O_WRONLY, RENAME_EXCHANGE, RENAME_NOREPLACE,
} from '../abi/linux/fcntl.js';
import { S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../abi/linux/stat.js';
import { SETATTR_ATIME, SETATTR_GID, SETATTR_MODE, SETATTR_MTIME, SETATTR_SIZE, SETATTR_UID } from '../lisafs/messages.js';
import { native } from '../native.js';
import { HostNode, nodesAt, statDev, statIno, statMode } from './node.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** A SETATTR request as the service receives it (times as sec + nsec; nsec may be UTIME_NOW/UTIME_OMIT). */
export interface RawSetAttr {
  mask: number;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
}

const UTIME_OMIT = (1 << 30) - 2;

const check = (r: number): number => {
  if (r < 0) throw errnoFromNumber(-r);
  return r;
};

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const statUid = (b: Uint8Array): number => dv(b).getUint32(28, true);
const statGid = (b: Uint8Array): number => dv(b).getUint32(32, true);

/**
 * Gives the entry open at `fd` its owner and, unless undefined, its exact mode;
 * `statOut` receives the final stat.
 */
function settle(fd: number, mode: number | undefined, owner: Owner, statOut: Uint8Array): void {
  const nat = native();
  check(nat.fstat(fd, statOut));
  if (statUid(statOut) !== owner.uid || statGid(statOut) !== owner.gid) {
    const r = nat.fchownat(fd, '', owner.uid, owner.gid, AT_EMPTY_PATH);
    // An unprivileged gofer (rootless) keeps the host's owner rather than failing every create.
    if (r < 0 && r !== -EPERM.errno) throw errnoFromNumber(-r);
    check(nat.fstat(fd, statOut));
  }
  if (mode !== undefined && (statMode(statOut) & 0o7777) !== (mode & 0o7777)) {
    check(nat.fchmodFd(fd, mode & 0o7777));
    check(nat.fstat(fd, statOut));
  }
}

/** Runs `fn` on a just-made entry; on failure the entry is removed and the error rethrown. */
function orUndo<T>(dirFd: number, name: string, isDir: boolean, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    native().unlinkat(dirFd, name, isDir ? AT_REMOVEDIR : 0);
    throw e;
  }
}

/** An O_PATH fd on the entry just made at (dirFd, name), checked to be of type `type`. */
function openNew(dirFd: number, name: string, type: number, statOut: Uint8Array): number {
  const nat = native();
  const fd = check(nat.openat(dirFd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (type === S_IFDIR ? O_DIRECTORY : 0), 0));
  if (nat.fstat(fd, statOut) < 0 || (statMode(statOut) & S_IFMT) !== type) {
    nat.close(fd);
    throw ESTALE; // swapped between making and opening it
  }
  return fd;
}

const nodeFor = (fd: number, dir: HostNode, name: string, st: Uint8Array): HostNode =>
  new HostNode(fd, dir, name, statMode(st), statDev(st), statIno(st), false);

/**
 * open(O_CREAT|O_EXCL) of a new regular file: the node and an open fd on it
 * (access mode and O_DSYNC/O_SYNC from `flags`).
 */
export function createFile(dir: HostNode, name: string, flags: number, mode: number, owner: Owner, statOut: Uint8Array): { node: HostNode; fd: number } {
  const nat = native();
  const dirFd = dir.pathFd();
  const hostFlags = O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | (flags & (O_ACCMODE | O_DSYNC | O_SYNC));
  const fd = check(nat.openat(dirFd, name, hostFlags, mode & 0o7777));
  try {
    orUndo(dirFd, name, false, () => settle(fd, mode, owner, statOut));
  } catch (e) {
    nat.close(fd);
    throw e;
  }
  return { node: nodeFor(-1, dir, name, statOut), fd };
}

export function makeDir(dir: HostNode, name: string, mode: number, owner: Owner, statOut: Uint8Array): HostNode {
  const dirFd = dir.pathFd();
  check(native().mkdirat(dirFd, name, mode & 0o7777));
  return orUndo(dirFd, name, true, () => {
    const fd = openNew(dirFd, name, S_IFDIR, statOut);
    try {
      settle(fd, mode, owner, statOut);
    } catch (e) {
      native().close(fd);
      throw e;
    }
    return nodeFor(fd, dir, name, statOut); // directories keep their O_PATH fd
  });
}

/** mknod of a regular file, FIFO or socket; devices are never made on the host (EPERM, as runsc's gofer). */
export function makeNode(dir: HostNode, name: string, mode: number, owner: Owner, statOut: Uint8Array): HostNode {
  const type = mode & S_IFMT || S_IFREG;
  if (type === S_IFDIR) throw EPERM;
  if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK) throw EPERM;
  const dirFd = dir.pathFd();
  check(native().mknodat(dirFd, name, type | (mode & 0o7777), 0));
  return orUndo(dirFd, name, false, () => {
    const fd = openNew(dirFd, name, type, statOut);
    try {
      settle(fd, mode, owner, statOut);
    } finally {
      native().close(fd);
    }
    return nodeFor(-1, dir, name, statOut);
  });
}

export function makeSymlink(dir: HostNode, name: string, target: string, owner: Owner, statOut: Uint8Array): HostNode {
  if (target.length === 0) throw ENOENT;
  const dirFd = dir.pathFd();
  check(native().symlinkat(target, dirFd, name));
  return orUndo(dirFd, name, false, () => {
    const fd = openNew(dirFd, name, S_IFLNK, statOut);
    try {
      settle(fd, undefined, owner, statOut);
    } finally {
      native().close(fd);
    }
    return nodeFor(-1, dir, name, statOut);
  });
}

/** A hard link to `target` named `name` in `dir`; `statOut` receives the file's stat (new nlink). */
export function makeLink(target: HostNode, dir: HostNode, name: string, statOut: Uint8Array): void {
  if (target.isDir()) throw EPERM;
  if (!target.parent) throw EINVAL;
  const nat = native();
  const dirFd = dir.pathFd();
  // Link the inode we hold, not whatever the name holds now. AT_EMPTY_PATH needs
  // CAP_DAC_READ_SEARCH; without it, link by name and check what got linked.
  const tfd = target.reopen(O_PATH, statOut);
  let r: number;
  try {
    r = nat.linkat(tfd, '', dirFd, name, AT_EMPTY_PATH);
  } finally {
    nat.close(tfd);
  }
  if (r === -ENOENT.errno || r === -EPERM.errno) {
    check(nat.linkat(target.parent.pathFd(), target.name, dirFd, name, 0));
    if (nat.fstatat(dirFd, name, AT_SYMLINK_NOFOLLOW, statOut) < 0 || !target.same(statOut)) {
      nat.unlinkat(dirFd, name, 0);
      throw ESTALE;
    }
    return;
  }
  if (r === -EEXIST.errno) throw EEXIST;
  check(r);
  check(nat.fstatat(dirFd, name, AT_SYMLINK_NOFOLLOW, statOut));
}

/** unlinkat(dir, name, flags); `statOut` receives the victim's stat from just before. */
export function removeEntry(dir: HostNode, name: string, flags: number, statOut: Uint8Array): void {
  if (flags & ~AT_REMOVEDIR) throw EINVAL;
  const nat = native();
  const dirFd = dir.pathFd();
  check(nat.fstatat(dirFd, name, AT_SYMLINK_NOFOLLOW, statOut));
  check(nat.unlinkat(dirFd, name, flags));
}

/** renameat2; the nodes naming the moved entries follow them, so their handles stay valid. */
export function renameEntry(oldDir: HostNode, oldName: string, newDir: HostNode, newName: string, flags: number): void {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) throw EINVAL;
  check(native().renameat2(oldDir.pathFd(), oldName, newDir.pathFd(), newName, flags));
  const moving = nodesAt(oldDir, oldName);
  const back = flags & RENAME_EXCHANGE ? nodesAt(newDir, newName) : [];
  for (const n of moving) n.moveTo(newDir, newName);
  for (const n of back) n.moveTo(oldDir, oldName);
}

/**
 * chown, then chmod (an explicit mode wins over the set-id bits chown clears),
 * then truncate, then times (so truncation's mtime does not override explicit
 * times); `statOut` receives the result.
 */
export function setAttributes(n: HostNode, a: RawSetAttr, statOut: Uint8Array): void {
  const nat = native();
  const { fd, owned } = n.attrFd(statOut);
  try {
    if (a.mask & (SETATTR_UID | SETATTR_GID)) {
      const uid = a.mask & SETATTR_UID ? a.uid : -1;
      const gid = a.mask & SETATTR_GID ? a.gid : -1;
      check(nat.fchownat(fd, '', uid, gid, AT_EMPTY_PATH));
    }
    if (a.mask & SETATTR_MODE) check(nat.fchmodFd(fd, a.mode & 0o7777));
    if (a.mask & SETATTR_SIZE) {
      if (n.isDir()) throw EISDIR;
      if (!n.isRegular()) throw EINVAL;
      if (a.size > BigInt(Number.MAX_SAFE_INTEGER)) throw EINVAL;
      const wfd = n.reopen(O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, statOut);
      try {
        check(nat.ftruncate(wfd, Number(a.size)));
      } finally {
        nat.close(wfd);
      }
    }
    if (a.mask & (SETATTR_ATIME | SETATTR_MTIME)) {
      const an = a.mask & SETATTR_ATIME ? a.atimeNsec : UTIME_OMIT;
      const mn = a.mask & SETATTR_MTIME ? a.mtimeNsec : UTIME_OMIT;
      check(nat.utimensFd(fd, a.atimeSec, an, a.mtimeSec, mn));
    }
    check(nat.fstat(fd, statOut));
  } finally {
    if (owned) nat.close(fd);
  }
}

let xattrViaProc = true;

/**
 * A confined gofer has no /proc: xattrs of symlinks, fifos and sockets (reached
 * only through /proc/self/fd) then get what Linux gives a process without
 * CAP_SYS_ADMIN: user.* is not allowed on them and trusted.* needs that
 * capability, so there are none to read or list, and changes get EPERM.
 */
export function setXattrViaProc(on: boolean): void {
  xattrViaProc = on;
}

/**
 * Runs `fn` with an fd on `n` itself for the xattr calls, which take no O_PATH
 * fd: files and directories are opened read-only (no side effects, the identity
 * is checked); other types get their O_PATH fd (the addon goes through /proc).
 * Returns `special` for other types when /proc is not there (setXattrViaProc).
 */
export function withXattrFd<T>(n: HostNode, scratch: Uint8Array, fn: (fd: number) => T, special: () => T): T {
  const nat = native();
  let fd: number;
  let owned = true;
  if (n.isRegular()) fd = n.reopen(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, scratch);
  else if (n.isDir()) fd = check(nat.openat(n.pathFd(), '.', O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
  else if (!xattrViaProc) return special();
  else ({ fd, owned } = n.attrFd(scratch));
  try {
    return fn(fd);
  } finally {
    if (owned) nat.close(fd);
  }
}
