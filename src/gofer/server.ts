// The gofer process's transport: serves one host directory tree to one Sentry
// over lisafs. A plain blocking loop (recvmsg → decode → GoferService → encode →
// sendmsg): one client, no event loop needed. The handlers and every containment
// rule live in service.ts, shared with the Sentry's in-process transport (directfs).
//
// The only path ever resolved as more than one component is the root at start-up,
// named by the operator.
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { EINVAL, EIO, ENOENT, ENOSYS, EROFS, SysError, errnoFromNumber } from '../abi/linux/errno.js';
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_PATH } from '../abi/linux/fcntl.js';
import { S_IFDIR, S_IFMT } from '../abi/linux/stat.js';
import { Reader, Writer } from '../lisafs/codec.js';
import {
  MAX_FDS, MAX_MESSAGE, MSG_ATTACH, MSG_CLOSE, MSG_CREATE, MSG_ERROR, MSG_GETXATTR, MSG_LINK, MSG_LISTXATTR,
  MSG_MKDIR, MSG_MKNOD, MSG_NAMES, MSG_OPEN, MSG_READDIR, MSG_READLINK, MSG_REMOVEXATTR, MSG_RENAME, MSG_SETATTR,
  MSG_SETXATTR, MSG_STAT, MSG_STATFS, MSG_SYMLINK, MSG_UNLINK, MSG_WALK, MUTATING, STAT_BYTES, STATFS_BYTES,
  WALK_MAX,
} from '../lisafs/messages.js';
import type { Dirent } from '../lisafs/types.js';
import { debugEnabled, log } from '../log.js';
import { native } from '../native.js';
import { HostNode, statDev, statIno, statMode } from './node.js';
import { DENTS_BUF, GoferService, type RawSetAttr, type ServiceOptions } from './service.js';

export interface GoferConfig extends ServiceOptions {
  /** Root of the served tree (latin1 byte string); a directory or a single file. */
  root: string;
}

const throwErr = (r: number): number => {
  if (r < 0) throw errnoFromNumber(-r);
  return r;
};

/**
 * Opens the root the operator named (it may be reached through symlinks); throws a
 * SysError when it cannot. A single file (bind-mounted /etc/hosts and the like)
 * keeps its directory so it can be reopened by name.
 */
export function openRootPath(path: string): HostNode {
  const nat = native();
  const fd = throwErr(nat.openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0));
  const st = new Uint8Array(STAT_BYTES);
  const e = nat.fstat(fd, st);
  if (e < 0) {
    nat.close(fd);
    throw errnoFromNumber(-e);
  }
  const mode = statMode(st);
  if ((mode & S_IFMT) === S_IFDIR) return new HostNode(fd, null, '', mode, statDev(st), statIno(st), true);
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

export class GoferServer {
  private readonly nat = native();
  readonly service: GoferService;
  private readonly w = new Writer(MAX_MESSAGE);
  private readonly rbuf = Buffer.alloc(MAX_MESSAGE);
  private readonly fdsIn = new Int32Array(1 + MAX_FDS);
  private readonly names: string[] = [];
  private readonly batch: Dirent[] = [];

  /** Opens the root; throws a SysError when it cannot. */
  constructor(cfg: GoferConfig) {
    const root = openRootPath(cfg.root);
    try {
      this.service = new GoferService(root, cfg);
    } catch (e) {
      root.decRef();
      throw e;
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

  /** Decodes one request, runs it and encodes the reply (layouts in lisafs/messages.ts). */
  private handle(id: number, r: Reader): number {
    const svc = this.service;
    const w = this.w;
    switch (id) {
      case MSG_ATTACH: {
        w.begin(MSG_ATTACH);
        const at = w.pos;
        w.u32(0);
        w.patchU32(at, svc.attach(w.reserve(STAT_BYTES)));
        w.u32(svc.features);
        return -1;
      }
      case MSG_WALK: {
        const dir = r.u32();
        const count = r.u16();
        if (count > WALK_MAX) throw EINVAL;
        const names = this.names;
        names.length = 0;
        for (let i = 0; i < count; i++) names.push(r.str());
        const res = svc.walk(dir, names);
        w.begin(MSG_WALK).u16(res.handles.length).u32(res.errno);
        for (let i = 0; i < res.handles.length; i++) {
          w.u32(res.handles[i]!);
          w.reserve(STAT_BYTES).set(res.stats[i]!);
        }
        return -1;
      }
      case MSG_STAT: {
        const h = r.u32();
        svc.stat(h, w.begin(MSG_STAT).reserve(STAT_BYTES));
        return -1;
      }
      case MSG_OPEN: {
        const h = r.u32();
        const flags = r.u32();
        return svc.open(h, flags, w.begin(MSG_OPEN).reserve(STAT_BYTES));
      }
      case MSG_READDIR:
        return this.readdir(r);
      case MSG_READLINK: {
        const target = svc.readlink(r.u32());
        w.begin(MSG_READLINK).str(target);
        return -1;
      }
      case MSG_CLOSE: {
        const count = r.u32();
        const hs: number[] = [];
        for (let i = 0; i < count; i++) hs.push(r.u32());
        svc.close(hs);
        w.begin(MSG_CLOSE);
        return -1;
      }
      case MSG_STATFS: {
        const h = r.u32();
        svc.statfs(h, w.begin(MSG_STATFS).reserve(STATFS_BYTES));
        return -1;
      }
      case MSG_SETATTR: {
        const h = r.u32();
        const a: RawSetAttr = {
          mask: r.u32(), mode: r.u32(), uid: r.u32(), gid: r.u32(), size: r.u64(),
          atimeSec: r.i64(), atimeNsec: r.u32(), mtimeSec: r.i64(), mtimeNsec: r.u32(),
        };
        svc.setattr(h, a, w.begin(MSG_SETATTR).reserve(STAT_BYTES));
        return -1;
      }
      default:
        if (MUTATING.has(id) && svc.readOnly) throw EROFS;
        return this.handleWrite(id, r);
    }
  }

  /** The write side (layouts in lisafs/messages.ts). */
  private handleWrite(id: number, r: Reader): number {
    const svc = this.service;
    const w = this.w;
    switch (id) {
      case MSG_MKDIR: {
        const dir = r.u32();
        const name = r.str();
        const mode = r.u32();
        const owner = { uid: r.u32(), gid: r.u32() };
        w.begin(MSG_MKDIR);
        const at = w.pos;
        w.u32(0);
        w.patchU32(at, svc.mkdir(dir, name, mode, owner, w.reserve(STAT_BYTES)));
        return -1;
      }
      case MSG_CREATE: {
        const dir = r.u32();
        const name = r.str();
        const flags = r.u32();
        const mode = r.u32();
        const owner = { uid: r.u32(), gid: r.u32() };
        w.begin(MSG_CREATE);
        const at = w.pos;
        w.u32(0);
        const { handle, fd } = svc.create(dir, name, flags, mode, owner, w.reserve(STAT_BYTES));
        w.patchU32(at, handle);
        return fd;
      }
      case MSG_MKNOD: {
        const dir = r.u32();
        const name = r.str();
        const mode = r.u32();
        const owner = { uid: r.u32(), gid: r.u32() };
        w.begin(MSG_MKNOD);
        const at = w.pos;
        w.u32(0);
        w.patchU32(at, svc.mknod(dir, name, mode, owner, w.reserve(STAT_BYTES)));
        return -1;
      }
      case MSG_SYMLINK: {
        const dir = r.u32();
        const name = r.str();
        const target = r.str();
        const owner = { uid: r.u32(), gid: r.u32() };
        w.begin(MSG_SYMLINK);
        const at = w.pos;
        w.u32(0);
        w.patchU32(at, svc.symlink(dir, name, target, owner, w.reserve(STAT_BYTES)));
        return -1;
      }
      case MSG_LINK: {
        const dir = r.u32();
        const name = r.str();
        const target = r.u32();
        svc.link(dir, name, target, w.begin(MSG_LINK).reserve(STAT_BYTES));
        return -1;
      }
      case MSG_UNLINK: {
        const dir = r.u32();
        const name = r.str();
        const flags = r.u32();
        svc.unlink(dir, name, flags, w.begin(MSG_UNLINK).reserve(STAT_BYTES));
        return -1;
      }
      case MSG_RENAME: {
        const oldDir = r.u32();
        const oldName = r.str();
        const newDir = r.u32();
        const newName = r.str();
        svc.rename(oldDir, oldName, newDir, newName, r.u32());
        w.begin(MSG_RENAME);
        return -1;
      }
      case MSG_GETXATTR: {
        const h = r.u32();
        const v = svc.getxattr(h, r.str());
        w.begin(MSG_GETXATTR).u32(v.length);
        w.reserve(v.length).set(v);
        return -1;
      }
      case MSG_LISTXATTR: {
        const names = svc.listxattr(r.u32());
        w.begin(MSG_LISTXATTR).u32(names.length);
        for (const n of names) w.str(n);
        return -1;
      }
      case MSG_SETXATTR: {
        const h = r.u32();
        const name = r.str();
        const flags = r.u32();
        const len = r.u32();
        svc.setxattr(h, name, r.raw(len), flags);
        w.begin(MSG_SETXATTR);
        return -1;
      }
      case MSG_REMOVEXATTR: {
        const h = r.u32();
        svc.removexattr(h, r.str());
        w.begin(MSG_REMOVEXATTR);
        return -1;
      }
      default:
        throw ENOSYS;
    }
  }

  /** As many batches as one reply holds; the client asks again until eof. */
  private readdir(r: Reader): number {
    const h = r.u32();
    let rewind = r.u8() !== 0;
    const w = this.w.begin(MSG_READDIR);
    const head = w.pos;
    w.u8(0).u32(0);
    const batch = this.batch;
    let count = 0;
    let eof = false;
    while (!eof && w.remaining >= DENTS_BUF) {
      batch.length = 0;
      eof = this.service.readdir(h, rewind, batch);
      rewind = false;
      for (const e of batch) w.u64(e.ino).u8(e.type).str(e.name);
      count += batch.length;
    }
    w.buf[head] = eof ? 1 : 0;
    w.patchU32(head + 1, count);
    return -1;
  }

  /** Handles in use (tests, debugging). */
  get handleCount(): number {
    return this.service.handleCount;
  }
}
