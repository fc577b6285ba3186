// The gofer's request handlers, independent of how requests arrive. Two transports
// use them: the gofer process's socket loop (server.ts, lisafs messages) and, with
// directfs, the Sentry calling them in-process on a root fd the launcher donated
// (direct.ts). The security rules live here, so both get the same ones.
//
// Containment: the root is given as an already open directory fd; nothing here
// resolves a path of more than one component. Every other host access is an *at()
// call on a directory fd with one name checked by checkName() and
// AT_SYMLINK_NOFOLLOW/O_NOFOLLOW, so no request can follow a symlink or climb
// above the root. Files are reopened by (parent, name) and checked to be the same
// inode (node.ts); readlink returns link text for the Sentry to resolve.
import {
  E2BIG, EACCES, EBADF, EBUSY, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENODATA, ENOENT, ENOTDIR, ENXIO, EOPNOTSUPP,
  EPERM, ERANGE, EROFS, SysError, errnoFromNumber,
} from '../abi/linux/errno.js';
import {
  AT_SYMLINK_NOFOLLOW, F_SETFL, O_ACCMODE, O_CLOEXEC, O_DIRECTORY, O_DSYNC, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK,
  O_PATH, O_RDONLY, O_SYNC, O_TRUNC, RENAME_EXCHANGE, SEEK_SET,
} from '../abi/linux/fcntl.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFMT } from '../abi/linux/stat.js';
import {
  FEATURE_READONLY, PATH_MAX, SETATTR_SIZE, STAT_BYTES, STATFS_BYTES, XATTR_CREATE, XATTR_NAME_MAX, XATTR_REPLACE,
  XATTR_SIZE_MAX,
} from '../lisafs/messages.js';
import type { Dirent } from '../lisafs/types.js';
import { native } from '../native.js';
import { HostNode, checkName, statDev, statIno, statMode } from './node.js';
import {
  createFile, makeDir, makeLink, makeNode, makeSymlink, removeEntry, renameEntry, setAttributes, withXattrFd,
  type Owner, type RawSetAttr,
} from './write_ops.js';

export type { Owner, RawSetAttr } from './write_ops.js';

export interface ServiceOptions {
  /** Refuse every write open and mutation with EROFS. */
  readOnly: boolean;
  /** Top-level names of the root that do not exist for the Sentry. */
  deny: readonly string[];
  /**
   * Top-level names of the root served as empty directories with the host entry's
   * attributes: mount points for the Sentry's own file systems (/proc, /sys, /dev)
   * that show nothing of the host's.
   */
  mask: readonly string[];
}

/** A walk's result before any encoding: raw struct stats, one per handle. */
export interface RawWalk {
  handles: number[];
  stats: Uint8Array[];
  /** 0 when every name was walked, else why names[handles.length] was not (see MSG_WALK). */
  errno: number;
}

/** Open flags passed through to the host. O_APPEND is not: the Sentry positions every write itself. */
const OPEN_PASS = O_ACCMODE | O_TRUNC | O_DSYNC | O_SYNC;
/** Bytes of getdents64 output per readdir batch; its entries always fit one lisafs reply's spare space. */
export const DENTS_BUF = 16 * 1024;

const throwErr = (r: number): number => {
  if (r < 0) throw errnoFromNumber(-r);
  return r;
};

/** A --deny or --mask name: one component, as the gofer's command line accepts it. */
export function validTopName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

export class GoferService {
  private readonly nat = native();
  private readonly handles = new Map<number, HostNode>();
  private nextHandle = 1;
  private readonly deny: Set<string>;
  private readonly mask: Set<string>;
  readonly readOnly: boolean;
  private readonly scratch = new Uint8Array(STAT_BYTES);
  private readonly dents = Buffer.alloc(DENTS_BUF);
  private readonly linkBuf = Buffer.alloc(PATH_MAX);
  private readonly xattrBuf = new Uint8Array(XATTR_SIZE_MAX);

  constructor(
    /** The served root (owned from now on). */
    private readonly root: HostNode,
    opts: ServiceOptions,
  ) {
    this.readOnly = opts.readOnly;
    this.deny = new Set(opts.deny);
    this.mask = new Set(opts.mask);
    for (const n of [...this.deny, ...this.mask]) if (!validTopName(n)) throw EINVAL;
  }

  /**
   * Serves the directory open at `fd` (an O_PATH or O_RDONLY directory fd, owned
   * from now on). This is how the Sentry gets its root under directfs: the
   * launcher opened it, so the Sentry never names a host path.
   */
  static fromDirFd(fd: number, opts: ServiceOptions): GoferService {
    const nat = native();
    const st = new Uint8Array(STAT_BYTES);
    const e = nat.fstat(fd, st);
    if (e < 0 || (statMode(st) & S_IFMT) !== S_IFDIR) {
      nat.close(fd);
      throw e < 0 ? errnoFromNumber(-e) : ENOTDIR;
    }
    const root = new HostNode(fd, null, '', statMode(st), statDev(st), statIno(st), true);
    try {
      return new GoferService(root, opts);
    } catch (err) {
      root.decRef();
      throw err;
    }
  }

  /** FEATURE_* bits of ATTACH. */
  get features(): number {
    return this.readOnly ? FEATURE_READONLY : 0;
  }

  /** Handles in use (tests, debugging). */
  get handleCount(): number {
    return this.handles.size;
  }

  private node(h: number): HostNode {
    const n = this.handles.get(h);
    if (!n) throw EBADF;
    return n;
  }

  private alloc(n: HostNode): number {
    // Skip 0 and ids still in use when the counter wraps.
    do this.nextHandle = (this.nextHandle % 0xffffffff) + 1;
    while (this.handles.has(this.nextHandle));
    this.handles.set(this.nextHandle, n);
    return this.nextHandle;
  }

  /** A new handle on the root; its stat goes into `statOut`. */
  attach(statOut: Uint8Array): number {
    this.root.statInto(statOut);
    this.root.incRef();
    return this.alloc(this.root);
  }

  /**
   * Walks `names` from `dir` one component at a time, following no symlink and
   * never into a masked directory. Names are all checked before anything is walked.
   */
  walk(dir: number, names: readonly string[]): RawWalk {
    const start = this.node(dir);
    for (const name of names) checkName(name);
    const nat = this.nat;
    const out: RawWalk = { handles: [], stats: [], errno: 0 };
    let cur = start;
    for (const name of names) {
      if (cur.masked) {
        out.errno = ENOENT.errno; // nothing below a mask
        break;
      }
      if (!cur.isDir()) {
        out.errno = (cur.isSymlink() ? ELOOP : ENOTDIR).errno;
        break;
      }
      const top = cur.isRoot;
      if (top && this.deny.has(name)) {
        out.errno = ENOENT.errno;
        break;
      }
      let curFd: number;
      try {
        curFd = cur.pathFd();
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        out.errno = e.errno; // e.g. ESTALE: the directory was replaced since it was walked
        break;
      }
      const st = new Uint8Array(STAT_BYTES);
      let e = nat.fstatat(curFd, name, AT_SYMLINK_NOFOLLOW, st);
      let node: HostNode;
      if (e === 0 && top && this.mask.has(name)) {
        // Masked: no fd, so it can be neither listed nor walked into; the type shown is a directory's.
        node = new HostNode(-1, cur, name, statMode(st), statDev(st), statIno(st), false, true);
        const v = new DataView(st.buffer);
        v.setUint32(24, (statMode(st) & ~S_IFMT) | S_IFDIR, true);
      } else {
        let fd = -1;
        if (e === 0 && (statMode(st) & S_IFMT) === S_IFDIR) {
          // Directories keep an O_PATH fd to walk on from; the stat reported is the opened one's.
          fd = nat.openat(curFd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
          e = fd < 0 ? fd : nat.fstat(fd, st);
        }
        if (e < 0) {
          if (fd >= 0) nat.close(fd);
          out.errno = -e;
          break;
        }
        node = new HostNode(fd, cur, name, statMode(st), statDev(st), statIno(st), false);
      }
      out.handles.push(this.alloc(node));
      out.stats.push(st);
      cur = node;
    }
    return out;
  }

  stat(h: number, out: Uint8Array): void {
    this.node(h).statInto(out);
  }

  /** Opens the file behind `h` for I/O: a host fd the caller owns; its stat goes into `statOut`. */
  open(h: number, flags: number, statOut: Uint8Array): number {
    const n = this.node(h);
    const acc = flags & O_ACCMODE;
    if (acc === O_ACCMODE) throw EINVAL;
    const writes = acc !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (writes && this.readOnly) throw EROFS;
    // A masked directory has nothing to list, and its host fd would list the host's entries.
    if (n.masked) throw writes ? EISDIR : EACCES;
    const nat = this.nat;
    let fd: number;
    if (n.isDir()) {
      if (writes) throw EISDIR;
      fd = throwErr(nat.openat(n.pathFd(), '.', O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
      const e = nat.fstat(fd, statOut);
      if (e < 0) {
        nat.close(fd);
        throw errnoFromNumber(-e);
      }
    } else if (n.isRegular()) {
      // O_NONBLOCK: if the name was swapped for a FIFO, opening must not hang the server.
      const hostFlags = (flags & OPEN_PASS) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
      fd = n.reopen(hostFlags, statOut);
      // F_SETFL only touches the status flags, so ours minus O_NONBLOCK needs no F_GETFL first.
      if (!(flags & O_NONBLOCK)) nat.fcntl(fd, F_SETFL, hostFlags & ~O_NONBLOCK);
    } else if (n.isSymlink()) {
      throw ELOOP;
    } else {
      const t = n.type;
      // Host devices stay out of reach (as on a nodev mount); FIFOs and sockets are not served yet.
      throw t === S_IFCHR || t === S_IFBLK ? EACCES : ENXIO;
    }
    return fd;
  }

  /**
   * One getdents64 call's worth of entries of `h` (at most DENTS_BUF bytes of host
   * dirents) appended to `out`, without "." and ".."; returns true at the end of
   * the listing. Continues where the previous batch stopped unless `rewind`.
   */
  readdir(h: number, rewind: boolean, out: Dirent[]): boolean {
    const n = this.node(h);
    if (n.masked) return true;
    if (!n.isDir()) throw ENOTDIR;
    const nat = this.nat;
    // The listing fd lives only while a listing is in progress (readers go on to the end).
    if (n.dirFd < 0) n.dirFd = throwErr(nat.openat(n.pathFd(), '.', O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
    else if (rewind) throwErr(nat.lseek(n.dirFd, 0, SEEK_SET));
    const dents = this.dents;
    const len = nat.getdents64(n.dirFd, dents);
    if (len <= 0) {
      n.closeDir();
      if (len < 0) throw errnoFromNumber(-len);
      return true;
    }
    const filter = n.isRoot && this.deny.size > 0;
    for (let off = 0; off < len; ) {
      const reclen = dents.readUInt16LE(off + 16);
      const end = dents.indexOf(0, off + 19);
      const name = dents.toString('latin1', off + 19, end < 0 || end > off + reclen ? off + reclen : end);
      if (name !== '.' && name !== '..' && !(filter && this.deny.has(name))) {
        let type = dents[off + 18]!;
        if (n.isRoot && this.mask.has(name)) type = 4; // DT_DIR, as walk shows it
        // Some file systems leave d_type unknown; one name, no symlink followed.
        else if (type === 0 && nat.fstatat(n.dirFd, name, AT_SYMLINK_NOFOLLOW, this.scratch) === 0) {
          type = (statMode(this.scratch) >>> 12) & 0xf;
        }
        out.push({ ino: dents.readBigUInt64LE(off), type, name });
      }
      off += reclen;
    }
    return false;
  }

  readlink(h: number): string {
    const n = this.node(h);
    if (n.masked || !n.isSymlink() || !n.parent) throw EINVAL;
    n.statInto(this.scratch); // ESTALE if the name now holds another file
    const len = throwErr(this.nat.readlinkat(n.parent.pathFd(), n.name, this.linkBuf));
    return this.linkBuf.toString('latin1', 0, len);
  }

  /** Releases handles; unknown ones are ignored. */
  close(handles: readonly number[]): void {
    for (const h of handles) {
      const n = this.handles.get(h);
      if (!n) continue;
      this.handles.delete(h);
      n.decRef();
    }
  }

  /** Raw struct statfs of the file system holding `h`. */
  statfs(h: number, out: Uint8Array): void {
    if (out.length < STATFS_BYTES) throw EINVAL;
    throwErr(this.nat.fstatfs(this.node(h).fsFd(), out));
  }

  /** Changes attributes of `h` (SETATTR_* mask); the new stat goes into `statOut`. */
  setattr(h: number, a: RawSetAttr, statOut: Uint8Array): void {
    const n = this.node(h);
    if (this.readOnly) throw EROFS;
    if (n.masked) throw a.mask & SETATTR_SIZE ? EISDIR : EPERM;
    if (a.mask & SETATTR_SIZE) {
      // Checked before anything changes, as Linux does.
      if (n.isDir()) throw EISDIR;
      if (!n.isRegular()) throw EINVAL;
    }
    if (a.mask === 0) {
      n.statInto(statOut);
      return;
    }
    setAttributes(n, a, statOut);
  }

  // ---- the write side: every new or removed name is one component of a directory handle ----

  /** A directory handle that may be written in. */
  private writableDir(h: number): HostNode {
    if (this.readOnly) throw EROFS;
    const d = this.node(h);
    if (d.masked) throw EACCES; // nothing below a mask exists
    if (!d.isDir()) throw ENOTDIR;
    return d;
  }

  /** A name to create: denied names at the top are refused (they would appear on the host unseen). */
  private newName(dir: HostNode, name: string): string {
    checkName(name);
    if (dir.isRoot && this.deny.has(name)) throw EACCES;
    return name;
  }

  /** A name to remove or move: denied names do not exist, masked ones are mount points. */
  private oldName(dir: HostNode, name: string): string {
    checkName(name);
    if (dir.isRoot && this.deny.has(name)) throw ENOENT;
    if (dir.isRoot && this.mask.has(name)) throw EBUSY;
    return name;
  }

  /** open(O_CREAT|O_EXCL): a handle and an open host fd the caller owns. */
  create(dir: number, name: string, flags: number, mode: number, owner: Owner, statOut: Uint8Array): { handle: number; fd: number } {
    const d = this.writableDir(dir);
    const { node, fd } = createFile(d, this.newName(d, name), flags, mode, owner, statOut);
    return { handle: this.alloc(node), fd };
  }

  mkdir(dir: number, name: string, mode: number, owner: Owner, statOut: Uint8Array): number {
    const d = this.writableDir(dir);
    return this.alloc(makeDir(d, this.newName(d, name), mode, owner, statOut));
  }

  mknod(dir: number, name: string, mode: number, owner: Owner, statOut: Uint8Array): number {
    const d = this.writableDir(dir);
    return this.alloc(makeNode(d, this.newName(d, name), mode, owner, statOut));
  }

  symlink(dir: number, name: string, target: string, owner: Owner, statOut: Uint8Array): number {
    const d = this.writableDir(dir);
    if (target.length >= PATH_MAX) throw ENAMETOOLONG;
    return this.alloc(makeSymlink(d, this.newName(d, name), target, owner, statOut));
  }

  /** A hard link to `target` as `name` in `dir`; the file's new stat goes into `statOut`. */
  link(dir: number, name: string, target: number, statOut: Uint8Array): void {
    const d = this.writableDir(dir);
    const t = this.node(target);
    if (t.masked) throw EPERM;
    makeLink(t, d, this.newName(d, name), statOut);
  }

  /** unlinkat (AT_REMOVEDIR for rmdir); the victim's stat from before goes into `statOut`. */
  unlink(dir: number, name: string, flags: number, statOut: Uint8Array): void {
    const d = this.writableDir(dir);
    removeEntry(d, this.oldName(d, name), flags, statOut);
  }

  /** renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE) between two directory handles. */
  rename(oldDir: number, oldName: string, newDir: number, newName: string, flags: number): void {
    const od = this.writableDir(oldDir);
    const nd = this.writableDir(newDir);
    this.oldName(od, oldName);
    if (flags & RENAME_EXCHANGE) this.oldName(nd, newName);
    else {
      this.newName(nd, newName);
      if (nd.isRoot && this.mask.has(newName)) throw EBUSY;
    }
    renameEntry(od, oldName, nd, newName, flags);
  }

  // ---- extended attributes: user.* and trusted.* only (the host's security.* labels stay hidden) ----

  private xattrNode(h: number, name: string | null): HostNode {
    const n = this.node(h);
    if (name !== null) {
      if (name.length === 0 || name.length > XATTR_NAME_MAX) throw ERANGE;
      if (!name.startsWith('user.') && !name.startsWith('trusted.')) throw EOPNOTSUPP;
    }
    if (n.masked) throw name === null ? EPERM : ENODATA;
    return n;
  }

  /** The value of xattr `name` of `h` (at most XATTR_SIZE_MAX bytes). */
  getxattr(h: number, name: string): Uint8Array {
    const n = this.xattrNode(h, name);
    return withXattrFd(n, this.scratch, (fd) => {
      const len = throwErr(this.nat.getxattrFd(fd, name, this.xattrBuf));
      return this.xattrBuf.slice(0, len);
    }, () => {
      throw ENODATA;
    });
  }

  setxattr(h: number, name: string, value: Uint8Array, flags: number): void {
    if (this.readOnly) throw EROFS;
    if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) throw EINVAL;
    if (value.length > XATTR_SIZE_MAX) throw E2BIG;
    const n = this.xattrNode(h, name);
    if (n.masked) throw EPERM;
    withXattrFd(n, this.scratch, (fd) => throwErr(this.nat.setxattrFd(fd, name, value, flags)), () => {
      throw EPERM;
    });
  }

  /** Names of the user.* and trusted.* xattrs of `h`. */
  listxattr(h: number): string[] {
    const n = this.node(h);
    if (n.masked) return [];
    return withXattrFd(n, this.scratch, (fd) => {
      const len = throwErr(this.nat.listxattrFd(fd, this.xattrBuf));
      const names = len > 0 ? Buffer.from(this.xattrBuf.buffer, 0, len - 1).toString('latin1').split('\0') : [];
      return names.filter((x) => x.startsWith('user.') || x.startsWith('trusted.'));
    }, () => []);
  }

  removexattr(h: number, name: string): void {
    if (this.readOnly) throw EROFS;
    const n = this.xattrNode(h, name);
    if (n.masked) throw EPERM;
    withXattrFd(n, this.scratch, (fd) => throwErr(this.nat.removexattrFd(fd, name)), () => {
      throw EPERM;
    });
  }

  /** Releases every handle and the root (the transport is going away). */
  shutdown(): void {
    this.close([...this.handles.keys()]);
    this.root.decRef();
  }
}
