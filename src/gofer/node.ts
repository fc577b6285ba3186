// Host files the gofer serves, each named by its parent node and one component.
//
// Only directories hold a host fd (O_PATH|O_NOFOLLOW), and only while they are
// among the most recently used: a sandbox that walks all of /usr must not need
// an fd per file. Everything else is reached with *at() calls on the parent's fd
// and that one name, never following a symlink, and checked to still be the same
// inode (dev, ino) — ESTALE otherwise.
//
// The same code serves the gofer process (over lisafs) and, with directfs, the
// Sentry itself (over a root directory fd the launcher donated).
import { EACCES, EINVAL, ENAMETOOLONG, ENOENT, ESTALE, errnoFromNumber } from '../abi/linux/errno.js';
import { AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH } from '../abi/linux/fcntl.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../abi/linux/stat.js';
import { NAME_MAX } from '../lisafs/messages.js';
import { native } from '../native.js';

// Fields of a raw x86_64 struct stat, read without decoding the whole struct.
const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
export const statDev = (b: Uint8Array): bigint => dv(b).getBigUint64(0, true);
export const statIno = (b: Uint8Array): bigint => dv(b).getBigUint64(8, true);
export const statMode = (b: Uint8Array): number => dv(b).getUint32(24, true);

const check = (r: number): number => {
  if (r < 0) throw errnoFromNumber(-r);
  return r;
};

/** Directory fds kept open, least recently used first; the oldest is closed past the limit. */
class DirFdCache {
  limit = 4096;
  private readonly lru = new Map<HostNode, true>();

  touch(n: HostNode): void {
    this.lru.delete(n);
    this.lru.set(n, true);
  }

  add(n: HostNode): void {
    this.lru.set(n, true);
    while (this.lru.size > this.limit) {
      const oldest = this.lru.keys().next().value!;
      this.lru.delete(oldest);
      oldest.dropFd();
    }
  }

  remove(n: HostNode): void {
    this.lru.delete(n);
  }

  get size(): number {
    return this.lru.size;
  }
}

export const dirFds = new DirFdCache();

/**
 * Nodes by (served tree, parent directory's dev:ino, name), so a rename can move
 * every node that names the old entry (handles keep working under the new name)
 * without a scan of all handles. Per tree: a rename through one served root
 * never re-points another root's nodes (they go stale, as after a host rename).
 */
const byEntry = new Map<string, Set<HostNode>>();
let nextTree = 1;

const entryKey = (parent: HostNode, name: string): string => `${parent.tree}:${parent.dev}:${parent.ino}/${name}`;

/** Every live node named `name` in directory `dir` (any handle on that directory). */
export function nodesAt(dir: HostNode, name: string): HostNode[] {
  const s = byEntry.get(entryKey(dir, name));
  return s ? [...s] : [];
}

export class HostNode {
  private refs = 1;
  /** O_PATH fd (directories only; -1 while the cache has it closed). */
  private fd: number;
  /** An O_RDONLY|O_DIRECTORY reopen for getdents, open while a listing is in progress. */
  dirFd = -1;
  /** Directory this was walked from; null for a root directory (which is never closed). */
  private parentNode: HostNode | null;
  private entryName: string;
  /** Which served tree this node belongs to (a root starts a new one). */
  readonly tree: number;

  constructor(
    fd: number,
    parent: HostNode | null,
    name: string,
    readonly mode: number,
    readonly dev: bigint,
    readonly ino: bigint,
    /** The served root: --deny and --mask apply to its children. */
    readonly isRoot: boolean,
    /**
     * A --mask name: shown as an empty directory with the host entry's attributes.
     * Never opened or walked into, so it holds no fd and nothing below it is reachable.
     */
    readonly masked = false,
  ) {
    this.fd = fd;
    this.parentNode = parent;
    this.entryName = name;
    this.tree = parent ? parent.tree : nextTree++;
    parent?.incRef();
    if (fd >= 0 && parent) dirFds.add(this);
    if (parent) this.index(true);
  }

  get parent(): HostNode | null {
    return this.parentNode;
  }

  get name(): string {
    return this.entryName;
  }

  private index(add: boolean): void {
    if (!this.parentNode) return;
    const k = entryKey(this.parentNode, this.entryName);
    let s = byEntry.get(k);
    if (add) {
      if (!s) byEntry.set(k, (s = new Set()));
      s.add(this);
    } else if (s) {
      s.delete(this);
      if (s.size === 0) byEntry.delete(k);
    }
  }

  /** The entry was renamed on the host: it is now `name` in `parent`. */
  moveTo(parent: HostNode, name: string): void {
    if (!this.parentNode) return;
    this.index(false);
    parent.incRef();
    const old = this.parentNode;
    this.parentNode = parent;
    this.entryName = name;
    this.index(true);
    old.decRef();
  }

  get type(): number {
    return this.mode & S_IFMT;
  }

  isDir(): boolean {
    return this.type === S_IFDIR;
  }

  isSymlink(): boolean {
    return this.type === S_IFLNK;
  }

  isRegular(): boolean {
    return this.type === S_IFREG;
  }

  incRef(): void {
    this.refs++;
  }

  /** Drops a reference; the last one closes the fds and releases the parent. */
  decRef(): void {
    if (--this.refs > 0) return;
    this.dropFd();
    dirFds.remove(this);
    this.closeDir();
    this.index(false);
    this.parent?.decRef();
  }

  /** Called by the fd cache: the fd is reopened by name on next use. */
  dropFd(): void {
    if (this.fd >= 0) native().close(this.fd);
    this.fd = -1;
  }

  closeDir(): void {
    if (this.dirFd >= 0) native().close(this.dirFd);
    this.dirFd = -1;
  }

  /** This directory's O_PATH fd, reopened through the parent if the cache closed it. */
  pathFd(): number {
    // Callers check `masked` first; this only keeps a slip from opening what it hides.
    if (this.masked) throw EACCES;
    if (this.fd >= 0) {
      if (this.parent) dirFds.touch(this);
      return this.fd;
    }
    if (!this.parent || !this.isDir()) throw EINVAL;
    const nat = native();
    const fd = check(nat.openat(this.parent.pathFd(), this.name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0));
    const st = new Uint8Array(144);
    if (nat.fstat(fd, st) < 0 || !this.same(st)) {
      nat.close(fd);
      throw ESTALE;
    }
    this.fd = fd;
    dirFds.add(this);
    return fd;
  }

  /**
   * Stats this file into `out` (raw struct stat): fstat for directories, fstatat by
   * name otherwise. A masked entry reports its host attributes as a directory's.
   */
  statInto(out: Uint8Array): void {
    const nat = native();
    if (this.masked && this.parent) {
      check(nat.fstatat(this.parent.pathFd(), this.name, AT_SYMLINK_NOFOLLOW, out));
      if (!this.same(out)) throw ESTALE;
      const v = dv(out);
      v.setUint32(24, (v.getUint32(24, true) & ~S_IFMT) | S_IFDIR, true);
      return;
    }
    if (this.isDir() || !this.parent) {
      check(nat.fstat(this.pathFd(), out));
      return;
    }
    check(nat.fstatat(this.parent.pathFd(), this.name, AT_SYMLINK_NOFOLLOW, out));
    if (!this.same(out)) throw ESTALE;
  }

  /**
   * True if a stat is of this file. Without an fd pinning the inode, a freed inode
   * number can come back, so the type is compared too (a FIFO must never pass for
   * the regular file it replaced).
   */
  same(st: Uint8Array): boolean {
    return statDev(st) === this.dev && statIno(st) === this.ino && (statMode(st) & S_IFMT) === this.type;
  }

  /**
   * Opens this (non-directory) file for I/O: openat(parent, name, flags|O_NOFOLLOW),
   * checked to be the same inode. `statOut` receives the new fd's stat.
   */
  reopen(flags: number, statOut: Uint8Array): number {
    if (!this.parent) throw ESTALE;
    const nat = native();
    const fd = check(nat.openat(this.parent.pathFd(), this.name, flags | O_NOFOLLOW, 0));
    const e = nat.fstat(fd, statOut);
    if (e < 0 || !this.same(statOut)) {
      nat.close(fd);
      throw e < 0 ? errnoFromNumber(-e) : ESTALE;
    }
    return fd;
  }

  /**
   * An O_PATH fd on this very file (a symlink itself, not its target) for
   * attribute changes with AT_EMPTY_PATH; `owned` says whether the caller closes it.
   */
  attrFd(statOut: Uint8Array): { fd: number; owned: boolean } {
    if (this.masked) throw EACCES;
    const nat = native();
    if (this.isDir() || !this.parent) {
      const fd = this.pathFd();
      check(nat.fstat(fd, statOut));
      return { fd, owned: false };
    }
    return { fd: this.reopen(O_PATH, statOut), owned: true };
  }

  /** An fd on this file's file system, for statfs. */
  fsFd(): number {
    if (this.masked && this.parent) return this.parent.pathFd();
    return this.isDir() || !this.parent ? this.pathFd() : this.parent.pathFd();
  }
}

/**
 * A single path component the gofer may open: never empty, ".", ".." or
 * anything with "/" or NUL, so a walk cannot leave its root.
 */
export function checkName(name: string): string {
  if (name.length === 0) throw ENOENT;
  if (name.length > NAME_MAX) throw ENAMETOOLONG;
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw EINVAL;
  return name;
}
