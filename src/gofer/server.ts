// The gofer: serves one host directory tree to one Sentry over lisafs. A plain
// blocking loop (recvmsg → handle → sendmsg): one client, no event loop needed.
//
// Containment: the only path ever resolved as more than one component is the
// root at start-up. Everything else is an *at() call on a directory fd with one
// name checked by checkName() and AT_SYMLINK_NOFOLLOW/O_NOFOLLOW, so no request
// can follow a symlink or climb above the root. Files are reopened by (parent,
// name) and checked to be the same inode (node.ts); readlink returns link text
// for the Sentry to resolve.
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  EACCES, EBADF, EINVAL, EIO, EISDIR, ELOOP, ENOENT, ENOSYS, ENOTDIR, ENXIO, EPERM, EROFS,
  SysError, errnoFromNumber,
} from '../abi/linux/errno.js';
import {
  AT_FDCWD, AT_SYMLINK_NOFOLLOW, F_GETFL, F_SETFL, O_ACCMODE, O_CLOEXEC, O_DIRECTORY, O_DSYNC, O_NOCTTY,
  O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY, O_SYNC, O_TRUNC, O_WRONLY, SEEK_SET,
} from '../abi/linux/fcntl.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFMT } from '../abi/linux/stat.js';
import { Reader, Writer } from '../lisafs/codec.js';
import {
  FEATURE_READONLY, MAX_FDS, MAX_MESSAGE, MSG_ATTACH, MSG_CLOSE, MSG_ERROR, MSG_NAMES, MSG_OPEN, MSG_READDIR,
  MSG_READLINK, MSG_SETATTR, MSG_STAT, MSG_STATFS, MSG_WALK, MUTATING, PATH_MAX, SETATTR_SIZE, STAT_BYTES,
  STATFS_BYTES, WALK_MAX,
} from '../lisafs/messages.js';
import { debugEnabled, log } from '../log.js';
import { native } from '../native.js';
import { HostNode, checkName, statDev, statIno, statMode } from './node.js';

export interface GoferConfig {
  /** Root of the served tree (latin1 byte string); a directory or a single file. */
  root: string;
  /** Refuse every write open and mutation with EROFS. */
  readOnly: boolean;
  /** Top-level names of the root that do not exist for the Sentry. */
  deny: string[];
}

/** Open flags passed through to the host. O_APPEND is not: the Sentry positions every write itself. */
const OPEN_PASS = O_ACCMODE | O_TRUNC | O_DSYNC | O_SYNC;
/** Bytes of getdents64 output per call; one call's entries always fit the reply space this leaves. */
const DENTS_BUF = 16 * 1024;

const throwErr = (r: number): number => {
  if (r < 0) throw errnoFromNumber(-r);
  return r;
};

export class GoferServer {
  private readonly nat = native();
  private readonly handles = new Map<number, HostNode>();
  private nextHandle = 1;
  private readonly root: HostNode;
  private readonly deny: Set<string>;
  private readonly readOnly: boolean;
  private readonly w = new Writer(MAX_MESSAGE);
  private readonly rbuf = Buffer.alloc(MAX_MESSAGE);
  private readonly fdsIn = new Int32Array(1 + MAX_FDS);
  private readonly statBuf = new Uint8Array(STAT_BYTES);
  private readonly dents = Buffer.alloc(DENTS_BUF);
  private readonly linkBuf = Buffer.alloc(PATH_MAX);

  /** Opens the root; throws a SysError when it cannot. */
  constructor(cfg: GoferConfig) {
    this.readOnly = cfg.readOnly;
    this.deny = new Set(cfg.deny);
    this.root = this.openRoot(cfg.root);
  }

  private openRoot(path: string): HostNode {
    const nat = this.nat;
    // The root itself may be reached through symlinks: the operator named it.
    const fd = throwErr(nat.openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0));
    const st = this.statBuf;
    const e = nat.fstat(fd, st);
    if (e < 0) {
      nat.close(fd);
      throw errnoFromNumber(-e);
    }
    const mode = statMode(st);
    if ((mode & S_IFMT) === S_IFDIR) return new HostNode(fd, null, '', mode, statDev(st), statIno(st), true);
    // A single file (bind-mounted /etc/hosts and the like): keep its directory so it can be reopened.
    nat.close(fd);
    let real: string;
    try {
      real = (realpathSync(Buffer.from(path, 'latin1'), { encoding: 'buffer' }) as Buffer).toString('latin1');
    } catch {
      throw ENOENT;
    }
    const pfd = throwErr(nat.openat(AT_FDCWD, dirname(real), O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    const parent = new HostNode(pfd, null, dirname(real), S_IFDIR, 0n, 0n, false);
    try {
      throwErr(nat.fstatat(pfd, basename(real), AT_SYMLINK_NOFOLLOW, st));
      return new HostNode(-1, parent, basename(real), statMode(st), statDev(st), statIno(st), true);
    } finally {
      parent.decRef(); // the root node holds its own reference
    }
  }

  /** Serves requests on `sock` until the Sentry goes away; returns the exit code. */
  serve(sock: number): number {
    const nat = this.nat;
    for (;;) {
      const n = nat.recvmsg(sock, this.rbuf, this.fdsIn, 0);
      if (n === 0) return 0; // peer closed: the sandbox is gone
      if (n < 0) {
        if (-n === 104 /* ECONNRESET */) return 0;
        log.warn(`recvmsg: errno ${-n}`);
        return 1;
      }
      // The Sentry never sends fds; close any so they cannot pile up.
      for (let i = 0; i < this.fdsIn[0]!; i++) nat.close(this.fdsIn[1 + i]!);
      const fd = this.dispatch(new Reader(this.rbuf, n));
      const s = nat.sendmsg(sock, this.w.bytes(), fd >= 0 ? [fd] : null);
      if (fd >= 0) nat.close(fd);
      if (s < 0) {
        if (-s === 32 /* EPIPE */ || -s === 104) return 0;
        log.warn(`sendmsg: errno ${-s}`);
        return 1;
      }
    }
  }

  /** Handles one request, leaving the reply in this.w; returns an fd to donate or -1. */
  dispatch(r: Reader): number {
    let id = -1;
    try {
      id = r.u16();
      if (debugEnabled()) log.debug(`request ${MSG_NAMES[id] ?? id} (${r.length} bytes)`);
      return this.handle(id, r);
    } catch (e) {
      let err: SysError;
      if (e instanceof SysError) err = e;
      else {
        log.warn(`internal error serving ${MSG_NAMES[id] ?? id}: ${e instanceof Error ? e.stack : String(e)}`);
        err = EIO;
      }
      this.w.begin(MSG_ERROR).u32(err.errno);
      return -1;
    }
  }

  private handle(id: number, r: Reader): number {
    switch (id) {
      case MSG_ATTACH:
        return this.attach();
      case MSG_WALK:
        return this.walk(r);
      case MSG_STAT:
        return this.stat(r);
      case MSG_OPEN:
        return this.open(r);
      case MSG_READDIR:
        return this.readdir(r);
      case MSG_READLINK:
        return this.readlink(r);
      case MSG_CLOSE:
        return this.close(r);
      case MSG_STATFS:
        return this.statfs(r);
      case MSG_SETATTR:
        return this.setattr(r);
      default:
        throw MUTATING.has(id) && this.readOnly ? EROFS : ENOSYS;
    }
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

  private fstatInto(fd: number): void {
    throwErr(this.nat.fstat(fd, this.w.reserve(STAT_BYTES)));
  }

  private attach(): number {
    this.w.begin(MSG_ATTACH).u32(0);
    this.root.statInto(this.w.reserve(STAT_BYTES));
    this.root.incRef();
    this.w.patchU32(2, this.alloc(this.root));
    this.w.u32(this.readOnly ? FEATURE_READONLY : 0);
    return -1;
  }

  private walk(r: Reader): number {
    const dir = this.node(r.u32());
    const count = r.u16();
    if (count > WALK_MAX) throw EINVAL;
    const names: string[] = [];
    for (let i = 0; i < count; i++) names.push(checkName(r.str()));
    const w = this.w.begin(MSG_WALK);
    const head = w.pos;
    w.u16(0).u32(0);
    const nat = this.nat;
    let cur = dir;
    let found = 0;
    let stop = 0;
    for (const name of names) {
      if (!cur.isDir()) {
        stop = (cur.isSymlink() ? ELOOP : ENOTDIR).errno;
        break;
      }
      if (cur.isRoot && this.deny.has(name)) {
        stop = ENOENT.errno;
        break;
      }
      let curFd: number;
      try {
        curFd = cur.pathFd();
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        stop = e.errno;
        break;
      }
      const at = w.pos;
      w.u32(0);
      const st = w.reserve(STAT_BYTES);
      let e = nat.fstatat(curFd, name, AT_SYMLINK_NOFOLLOW, st);
      let fd = -1;
      if (e === 0 && (statMode(st) & S_IFMT) === S_IFDIR) {
        // Directories keep an O_PATH fd to walk on from; the stat reported is the opened one's.
        fd = nat.openat(curFd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
        e = fd < 0 ? fd : nat.fstat(fd, st);
      }
      if (e < 0) {
        if (fd >= 0) nat.close(fd);
        w.truncate(at);
        stop = -e;
        break;
      }
      const node = new HostNode(fd, cur, name, statMode(st), statDev(st), statIno(st), false);
      w.patchU32(at, this.alloc(node));
      cur = node;
      found++;
    }
    w.patchU16(head, found);
    w.patchU32(head + 2, stop);
    return -1;
  }

  private stat(r: Reader): number {
    const n = this.node(r.u32());
    this.w.begin(MSG_STAT);
    n.statInto(this.w.reserve(STAT_BYTES));
    return -1;
  }

  private open(r: Reader): number {
    const n = this.node(r.u32());
    const flags = r.u32();
    const acc = flags & O_ACCMODE;
    if (acc === O_ACCMODE) throw EINVAL;
    const writes = acc !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (writes && this.readOnly) throw EROFS;
    const nat = this.nat;
    let fd: number;
    if (n.isDir()) {
      if (writes) throw EISDIR;
      fd = throwErr(nat.openat(n.pathFd(), '.', O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
    } else if (n.isRegular()) {
      // O_NONBLOCK: if the name was swapped for a FIFO, opening must not hang the gofer.
      fd = n.reopen((flags & OPEN_PASS) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, this.statBuf);
      if (!(flags & O_NONBLOCK)) {
        const fl = nat.fcntl(fd, F_GETFL, 0);
        if (fl >= 0) nat.fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
      }
    } else if (n.isSymlink()) {
      throw ELOOP;
    } else {
      const t = n.type;
      // Host devices stay out of reach (as on a nodev mount); FIFOs and sockets are not served yet.
      throw t === S_IFCHR || t === S_IFBLK ? EACCES : ENXIO;
    }
    try {
      this.w.begin(MSG_OPEN);
      this.fstatInto(fd);
    } catch (e) {
      nat.close(fd);
      throw e;
    }
    return fd;
  }

  private readdir(r: Reader): number {
    const n = this.node(r.u32());
    const rewind = r.u8();
    if (!n.isDir()) throw ENOTDIR;
    const nat = this.nat;
    // The listing fd lives only while a listing is in progress (the client reads to the end).
    if (n.dirFd < 0) n.dirFd = throwErr(nat.openat(n.pathFd(), '.', O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
    else if (rewind) throwErr(nat.lseek(n.dirFd, 0, SEEK_SET));
    const w = this.w.begin(MSG_READDIR);
    const head = w.pos;
    w.u8(0).u32(0);
    const dents = this.dents;
    const filter = n.isRoot && this.deny.size > 0;
    let count = 0;
    let eof = 0;
    while (w.remaining >= DENTS_BUF) {
      const len = nat.getdents64(n.dirFd, dents);
      if (len <= 0) {
        n.closeDir();
        if (len < 0) throw errnoFromNumber(-len);
        eof = 1;
        break;
      }
      for (let off = 0; off < len; ) {
        const reclen = dents.readUInt16LE(off + 16);
        const end = dents.indexOf(0, off + 19);
        const name = dents.toString('latin1', off + 19, end < 0 || end > off + reclen ? off + reclen : end);
        if (name !== '.' && name !== '..' && !(filter && this.deny.has(name))) {
          let type = dents[off + 18]!;
          // Some file systems leave d_type unknown; one name, no symlink followed.
          if (type === 0 && nat.fstatat(n.dirFd, name, AT_SYMLINK_NOFOLLOW, this.statBuf) === 0) {
            type = (statMode(this.statBuf) >>> 12) & 0xf;
          }
          w.u64(dents.readBigUInt64LE(off)).u8(type).str(name);
          count++;
        }
        off += reclen;
      }
    }
    w.buf[head] = eof;
    w.patchU32(head + 1, count);
    return -1;
  }

  private readlink(r: Reader): number {
    const n = this.node(r.u32());
    if (!n.isSymlink() || !n.parent) throw EINVAL;
    n.statInto(this.statBuf); // ESTALE if the name now holds another file
    const len = throwErr(this.nat.readlinkat(n.parent.pathFd(), n.name, this.linkBuf));
    this.w.begin(MSG_READLINK).str(this.linkBuf.toString('latin1', 0, len));
    return -1;
  }

  private close(r: Reader): number {
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      const h = r.u32();
      const n = this.handles.get(h);
      if (!n) continue;
      this.handles.delete(h);
      n.decRef();
    }
    this.w.begin(MSG_CLOSE);
    return -1;
  }

  private statfs(r: Reader): number {
    const n = this.node(r.u32());
    this.w.begin(MSG_STATFS);
    throwErr(this.nat.fstatfs(n.fsFd(), this.w.reserve(STATFS_BYTES)));
    return -1;
  }

  private setattr(r: Reader): number {
    const n = this.node(r.u32());
    const mask = r.u32();
    r.u32(); // mode
    r.u32(); // uid
    r.u32(); // gid
    const size = r.u64();
    if (this.readOnly) throw EROFS;
    // Only truncation is served so far; chmod/chown/utimes come with the write side.
    if (mask & ~SETATTR_SIZE) throw EPERM;
    if (mask & SETATTR_SIZE) {
      if (n.isDir()) throw EISDIR;
      if (!n.isRegular()) throw EINVAL;
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw EINVAL;
      const nat = this.nat;
      const fd = n.reopen(O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, this.statBuf);
      try {
        throwErr(nat.ftruncate(fd, Number(size)));
        this.w.begin(MSG_SETATTR);
        this.fstatInto(fd);
      } finally {
        nat.close(fd);
      }
      return -1;
    }
    this.w.begin(MSG_SETATTR);
    n.statInto(this.w.reserve(STAT_BYTES));
    return -1;
  }

  /** Handles in use (tests, debugging). */
  get handleCount(): number {
    return this.handles.size;
  }
}
