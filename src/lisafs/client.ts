// The Sentry's side of lisafs: a synchronous client. Each request is one sendmsg
// followed by a blocking recvmsg for its reply (the Sentry's VFS is synchronous,
// and the dentry cache keeps this to one round trip per new path component).
import { E2BIG, EIO, ENAMETOOLONG, errnoFromNumber, type SysError } from '../abi/linux/errno.js';
import { decodeStat, type Stat } from '../abi/linux/stat.js';
import { log } from '../log.js';
import { native } from '../native.js';
import { Reader, Writer } from './codec.js';
import type { AttachResult, FileServer, Owner, SetAttrRequest } from './file_server.js';
import {
  MAX_FDS, MAX_MESSAGE, MSG_ATTACH, MSG_CLOSE, MSG_CREATE, MSG_ERROR, MSG_GETXATTR, MSG_LINK, MSG_LISTXATTR,
  MSG_MKDIR, MSG_MKNOD, MSG_NAMES, MSG_OPEN, MSG_READDIR, MSG_READLINK, MSG_REMOVEXATTR, MSG_RENAME, MSG_SETATTR,
  MSG_SETXATTR, MSG_STAT, MSG_STATFS, MSG_SYMLINK, MSG_UNLINK, MSG_WALK, NAME_MAX, PATH_MAX, SETATTR_ATIME,
  SETATTR_GID, SETATTR_MODE, SETATTR_MTIME, SETATTR_SIZE, SETATTR_UID, STAT_BYTES, STATFS_BYTES, WALK_MAX,
  XATTR_SIZE_MAX,
} from './messages.js';
import { decodeStatFs, type Dirent, type HostStatFs, type WalkEntry, type WalkResult } from './types.js';

/** Handles queued for closing are sent in one CLOSE once this many pile up. */
const CLOSE_BATCH = 128;

export type { AttachResult, SetAttrRequest } from './file_server.js';

/**
 * Why the gofer behind a socket went away (its launcher knows the process: exit
 * status, or killed by SIGSYS for a syscall outside its seccomp filter).
 */
export const goferDiagnosis = new Map<number, () => string | null>();

/** The RPC transport: every request is a round trip to the gofer process. */
export class LisafsClient implements FileServer {
  private readonly w = new Writer(MAX_MESSAGE);
  private readonly rbuf = Buffer.alloc(MAX_MESSAGE);
  private readonly fdsIn = new Int32Array(1 + MAX_FDS);
  private pendingClose: number[] = [];
  private broken: SysError | null = null;
  private closed = false;
  /** Requests sent (for tests and debugging). */
  requests = 0;

  constructor(
    /** Our end of the SOCK_SEQPACKET socketpair. */
    readonly sock: number,
  ) {}

  /** Sends the message in `w` and returns a reader over the reply (valid until the next call). */
  private call(id: number, wantFd = false): { r: Reader; fd: number } {
    if (this.broken) throw this.broken;
    const nat = native();
    this.requests++;
    const sent = nat.sendmsg(this.sock, this.w.bytes(), null);
    if (sent < 0) this.fail(`sendmsg: errno ${-sent}`);
    const n = nat.recvmsg(this.sock, this.rbuf, this.fdsIn, 0);
    if (n <= 0) this.fail(n === 0 ? 'gofer closed the connection' : `recvmsg: errno ${-n}`);
    let fd = -1;
    for (let i = 0; i < this.fdsIn[0]!; i++) {
      const f = this.fdsIn[1 + i]!;
      if (wantFd && fd < 0) fd = f;
      else nat.close(f); // never leak fds we did not ask for
    }
    const r = new Reader(this.rbuf, n);
    const got = r.u16();
    if (got === MSG_ERROR) {
      if (fd >= 0) nat.close(fd);
      throw errnoFromNumber(r.u32());
    }
    if (got !== id) {
      if (fd >= 0) nat.close(fd);
      this.fail(`reply ${got} to ${MSG_NAMES[id] ?? id}`);
    }
    return { r, fd };
  }

  private fail(why: string): never {
    const died = goferDiagnosis.get(this.sock)?.();
    if (died) log.warn(died);
    log.warn(`lisafs: ${why}; gofer files now fail with EIO`);
    this.broken = EIO;
    throw EIO;
  }

  private flushIfDue(): void {
    if (this.pendingClose.length >= CLOSE_BATCH) this.flush();
  }

  attach(): AttachResult {
    this.w.begin(MSG_ATTACH);
    const { r } = this.call(MSG_ATTACH);
    const handle = r.u32();
    const stat = decodeStat(r.raw(STAT_BYTES));
    return { handle, stat, features: r.u32() };
  }

  /**
   * Walks `names` from directory `dir` (no symlink is followed). Long walks are
   * split into WALK_MAX-name requests; a short path is one round trip.
   */
  walk(dir: number, names: string[]): WalkResult {
    this.flushIfDue();
    const entries: WalkEntry[] = [];
    let from = dir;
    for (let i = 0; i < names.length; ) {
      const chunk = names.length - i > WALK_MAX ? names.slice(i, i + WALK_MAX) : i === 0 ? names : names.slice(i);
      const w = this.w.begin(MSG_WALK).u32(from).u16(chunk.length);
      for (const name of chunk) {
        if (name.length > NAME_MAX) throw ENAMETOOLONG;
        w.str(name);
      }
      const { r } = this.call(MSG_WALK);
      const found = r.u16();
      const errno = r.u32();
      for (let k = 0; k < found; k++) {
        const handle = r.u32();
        entries.push({ handle, stat: decodeStat(r.raw(STAT_BYTES)) });
      }
      if (errno !== 0 || found < chunk.length) return { entries, errno: errno || EIO.errno };
      i += found;
      from = entries[entries.length - 1]!.handle;
    }
    return { entries, errno: 0 };
  }

  stat(handle: number): Stat {
    this.w.begin(MSG_STAT).u32(handle);
    return decodeStat(this.call(MSG_STAT).r.raw(STAT_BYTES));
  }

  /** Opens the file behind `handle`; returns a host fd the caller owns and a fresh stat. */
  open(handle: number, flags: number): { fd: number; stat: Stat } {
    this.flushIfDue();
    this.w.begin(MSG_OPEN).u32(handle).u32(flags);
    const { r, fd } = this.call(MSG_OPEN, true);
    if (fd < 0) this.fail('open reply without an fd');
    try {
      return { fd, stat: decodeStat(r.raw(STAT_BYTES)) };
    } catch (e) {
      native().close(fd);
      throw e;
    }
  }

  /** All entries of a directory (several round trips only for very large ones). */
  readdir(handle: number): Dirent[] {
    const out: Dirent[] = [];
    for (let rewind = 1; ; rewind = 0) {
      this.w.begin(MSG_READDIR).u32(handle).u8(rewind);
      const { r } = this.call(MSG_READDIR);
      const eof = r.u8();
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const ino = r.u64();
        const type = r.u8();
        out.push({ name: r.str(), ino, type });
      }
      if (eof) return out;
    }
  }

  readlink(handle: number): string {
    this.w.begin(MSG_READLINK).u32(handle);
    return this.call(MSG_READLINK).r.str();
  }

  statfs(handle: number): HostStatFs {
    this.w.begin(MSG_STATFS).u32(handle);
    return decodeStatFs(this.call(MSG_STATFS).r.raw(STATFS_BYTES));
  }

  /** Changes attributes; returns the new stat. */
  setattr(handle: number, a: SetAttrRequest): Stat {
    let mask = 0;
    if (a.mode !== undefined) mask |= SETATTR_MODE;
    if (a.uid !== undefined) mask |= SETATTR_UID;
    if (a.gid !== undefined) mask |= SETATTR_GID;
    if (a.size !== undefined) mask |= SETATTR_SIZE;
    if (a.atime) mask |= SETATTR_ATIME;
    if (a.mtime) mask |= SETATTR_MTIME;
    this.w.begin(MSG_SETATTR).u32(handle).u32(mask).u32(a.mode ?? 0).u32(a.uid ?? 0).u32(a.gid ?? 0)
      .u64(BigInt(a.size ?? 0))
      .i64(a.atime?.sec ?? 0).u32(a.atime?.nsec ?? 0)
      .i64(a.mtime?.sec ?? 0).u32(a.mtime?.nsec ?? 0);
    return decodeStat(this.call(MSG_SETATTR).r.raw(STAT_BYTES));
  }

  /** Checks a name the way the gofer will, so an overlong one never costs a round trip. */
  private name(n: string): string {
    if (n.length > NAME_MAX) throw ENAMETOOLONG;
    return n;
  }

  /** Reads `u32 handle, stat` (the reply to a request that made an entry). */
  private entry(id: number): WalkEntry {
    const { r } = this.call(id);
    const handle = r.u32();
    return { handle, stat: decodeStat(r.raw(STAT_BYTES)) };
  }

  create(dir: number, name: string, flags: number, mode: number, owner: Owner): WalkEntry & { fd: number } {
    this.flushIfDue();
    this.w.begin(MSG_CREATE).u32(dir).str(this.name(name)).u32(flags).u32(mode).u32(owner.uid).u32(owner.gid);
    const { r, fd } = this.call(MSG_CREATE, true);
    if (fd < 0) this.fail('create reply without an fd');
    try {
      const handle = r.u32();
      return { handle, fd, stat: decodeStat(r.raw(STAT_BYTES)) };
    } catch (e) {
      native().close(fd);
      throw e;
    }
  }

  mkdir(dir: number, name: string, mode: number, owner: Owner): WalkEntry {
    this.flushIfDue();
    this.w.begin(MSG_MKDIR).u32(dir).str(this.name(name)).u32(mode).u32(owner.uid).u32(owner.gid);
    return this.entry(MSG_MKDIR);
  }

  mknod(dir: number, name: string, mode: number, owner: Owner): WalkEntry {
    this.flushIfDue();
    this.w.begin(MSG_MKNOD).u32(dir).str(this.name(name)).u32(mode).u32(owner.uid).u32(owner.gid);
    return this.entry(MSG_MKNOD);
  }

  symlink(dir: number, name: string, target: string, owner: Owner): WalkEntry {
    this.flushIfDue();
    if (target.length >= PATH_MAX) throw ENAMETOOLONG;
    this.w.begin(MSG_SYMLINK).u32(dir).str(this.name(name)).str(target).u32(owner.uid).u32(owner.gid);
    return this.entry(MSG_SYMLINK);
  }

  link(dir: number, name: string, target: number): Stat {
    this.w.begin(MSG_LINK).u32(dir).str(this.name(name)).u32(target);
    return decodeStat(this.call(MSG_LINK).r.raw(STAT_BYTES));
  }

  unlink(dir: number, name: string, flags: number): Stat {
    this.w.begin(MSG_UNLINK).u32(dir).str(this.name(name)).u32(flags);
    return decodeStat(this.call(MSG_UNLINK).r.raw(STAT_BYTES));
  }

  rename(oldDir: number, oldName: string, newDir: number, newName: string, flags: number): void {
    this.w.begin(MSG_RENAME).u32(oldDir).str(this.name(oldName)).u32(newDir).str(this.name(newName)).u32(flags);
    this.call(MSG_RENAME);
  }

  getxattr(handle: number, name: string): Uint8Array {
    this.w.begin(MSG_GETXATTR).u32(handle).str(name);
    const { r } = this.call(MSG_GETXATTR);
    return r.raw(r.u32()).slice();
  }

  setxattr(handle: number, name: string, value: Uint8Array, flags: number): void {
    if (value.length > XATTR_SIZE_MAX) throw E2BIG;
    const w = this.w.begin(MSG_SETXATTR).u32(handle).str(name).u32(flags).u32(value.length);
    w.reserve(value.length).set(value);
    this.call(MSG_SETXATTR);
  }

  listxattr(handle: number): string[] {
    this.w.begin(MSG_LISTXATTR).u32(handle);
    const { r } = this.call(MSG_LISTXATTR);
    const out: string[] = [];
    for (let n = r.u32(); n > 0; n--) out.push(r.str());
    return out;
  }

  removexattr(handle: number, name: string): void {
    this.w.begin(MSG_REMOVEXATTR).u32(handle).str(name);
    this.call(MSG_REMOVEXATTR);
  }

  /** Closes handles now. */
  close(handles: number[]): void {
    for (let i = 0; i < handles.length; ) {
      // u16 id + u32 count + 4 bytes per handle must fit one message.
      const n = Math.min(handles.length - i, (MAX_MESSAGE - 8) >> 2);
      const w = this.w.begin(MSG_CLOSE).u32(n);
      for (let k = 0; k < n; k++) w.u32(handles[i + k]!);
      this.call(MSG_CLOSE);
      i += n;
    }
  }

  /** Queues a handle to close with the next batch (no round trip now). */
  closeLater(handle: number): void {
    this.pendingClose.push(handle);
  }

  /** Sends queued closes. */
  flush(): void {
    if (this.pendingClose.length === 0 || this.broken) return;
    const hs = this.pendingClose;
    this.pendingClose = [];
    this.close(hs);
  }

  mountOptions(): string {
    return `trans=fd,rfdno=${this.sock},wfdno=${this.sock}`;
  }

  /** Closes our end of the socket: the gofer sees EOF and exits. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    native().close(this.sock);
    this.broken = EIO;
  }
}
