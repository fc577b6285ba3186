// Sockets (net/socket.c, net/core/sock.c): the file description every family
// shares. It holds what struct sock holds for all families — type, buffer sizes,
// timeouts, SOL_SOCKET options, the pending error — and answers the generic
// getsockopt/setsockopt; families (unix/, later inet and netlink: issue #7)
// implement the connection and data operations. read(2)/write(2) are recv/send
// with no flags and no address.
import {
  EACCES, EDOM, EINVAL, ENOPROTOOPT, EOPNOTSUPP, EPERM, type SysError,
} from '../../abi/linux/errno.js';
import { O_NONBLOCK } from '../../abi/linux/fcntl.js';
import {
  SO_ACCEPTCONN, SO_BINDTODEVICE, SO_BROADCAST, SO_BSDCOMPAT, SO_COOKIE, SO_DEBUG, SO_DOMAIN, SO_DONTROUTE,
  SO_ERROR, SO_INCOMING_CPU, SO_KEEPALIVE, SO_LINGER, SO_MARK, SO_NO_CHECK, SO_OOBINLINE, SO_PASSCRED, SO_PASSSEC,
  SO_PEEK_OFF, SO_PEERCRED, SO_PRIORITY, SO_PROTOCOL, SO_RCVBUF, SO_RCVBUFFORCE, SO_RCVLOWAT, SO_RCVTIMEO_NEW,
  SO_RCVTIMEO_OLD, SO_REUSEADDR, SO_REUSEPORT, SO_RXQ_OVFL, SO_SELECT_ERR_QUEUE, SO_SNDBUF, SO_SNDBUFFORCE,
  SO_SNDLOWAT, SO_SNDTIMEO_NEW, SO_SNDTIMEO_OLD, SO_TIMESTAMPNS_NEW, SO_TIMESTAMPNS_OLD, SO_TIMESTAMP_NEW,
  SO_TIMESTAMP_OLD, SO_TYPE, SOL_SOCKET,
} from '../../abi/linux/socket.js';
import { CAP_NET_ADMIN, CAP_NET_RAW } from '../kernel/credentials.js';
import type { Block, SyscallValue } from '../kernel/block.js';
import type { Task } from '../kernel/task.js';
import { EVENT_OUT } from '../kernel/waiter.js';
import type { ExactPollBits } from '../fsimpl/epoll/pollable.js';
import { FileDescription } from '../vfs/file.js';
import type { IOSequence } from '../vfs/iosequence.js';
import type { VirtualDentry } from '../vfs/mount.js';

/** net.core.{r,w}mem_default and {r,w}mem_max as a stock Linux has them. */
export const SOCK_BUF_DEFAULT = 212992;
export const SOCK_BUF_MAX = 212992;
/** SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF (2 and 1 minimal skb truesizes). */
export const SOCK_MIN_SNDBUF = 4608;
export const SOCK_MIN_RCVBUF = 2304;
/**
 * SO_SNDBUFFORCE/SO_RCVBUFFORCE ceiling. Linux allows INT_MAX/2; socket buffers live
 * in the Sentry's own heap, so a privileged app may not make one larger than this.
 */
const SOCK_BUF_FORCE_MAX = 32 << 20;
const INT_MAX = 0x7fffffff;

/** struct ucred: who sent a message, or who the peer was at connect time. */
export interface UCred {
  pid: number;
  uid: number;
  gid: number;
}

/** What getsockopt(SO_PEERCRED) says of a socket that never had a peer. */
export const NO_CRED: UCred = { pid: 0, uid: -1, gid: -1 };

/** An outgoing message as sendto/sendmsg/write decode it. */
export interface SendRequest {
  /** The data as views of app memory, made afresh for each attempt (memory may change while blocked). */
  data: () => IOSequence;
  length: number;
  /** msg_name as the app passed it (null: none, or msg_namelen 0). */
  to: Uint8Array | null;
  /** SCM_RIGHTS: the descriptions to pass (no references taken yet). */
  rights: FileDescription[] | null;
  /** SCM_CREDENTIALS as sent and checked (null: the kernel fills in the sender's). */
  creds: UCred | null;
  /** MSG_* flags; MSG_DONTWAIT is set for O_NONBLOCK descriptions. */
  flags: number;
}

/** An incoming message's destination as recvfrom/recvmsg/read decode it. */
export interface RecvRequest {
  /** Where the data goes, made afresh for each attempt. */
  dst: () => IOSequence;
  length: number;
  /** MSG_* flags; MSG_DONTWAIT is set for O_NONBLOCK descriptions. */
  flags: number;
}

/** What one receive produced besides the data copied into RecvRequest.dst. */
export interface RecvResult {
  /** The return value: bytes copied, or the message length with MSG_TRUNC. */
  n: number;
  /** msg_flags bits the receive adds (MSG_TRUNC, MSG_CTRUNC). */
  flags: number;
  /** The sender's address (sockaddr bytes), or null when it has none. */
  from: Uint8Array | null;
  /** SCM_CREDENTIALS to deliver (SO_PASSCRED), or null. */
  creds: UCred | null;
  /** SCM_RIGHTS to install; the result owns one reference to each. */
  rights: FileDescription[] | null;
}

/** An option value being set: its length and lazy reads of app memory (EFAULT). */
export interface OptIn {
  readonly len: number;
  bytes(n: number): Uint8Array;
}

let nextCookie = 1n;

const releasing: FileDescription[] = [];
let draining = false;

/**
 * Drops one reference to each file (in-flight SCM_RIGHTS descriptions that are
 * discarded). Iterative, since a closing socket may hold sockets that hold
 * sockets: the chain must not become a deep recursion.
 */
export function releaseFiles(files: readonly FileDescription[] | null): void {
  if (!files || files.length === 0) return;
  releasing.push(...files);
  if (draining) return;
  draining = true;
  try {
    while (releasing.length > 0) releasing.pop()!.decRef();
  } finally {
    draining = false;
  }
}

function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v | 0, true);
  return b;
}

/** sk_setsockopt's int: optlen < sizeof(int) is EINVAL, then the value is read (EFAULT). */
export function optInt(v: OptIn): number {
  if (v.len < 4) throw EINVAL;
  const b = v.bytes(4);
  return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
}

export abstract class SocketDescription extends FileDescription implements ExactPollBits {
  readonly exactPollBits = true as const;
  abstract readonly family: number;

  // ---- struct sock state shared by all families ----
  sndbuf = SOCK_BUF_DEFAULT;
  rcvbuf = SOCK_BUF_DEFAULT;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ns (0: wait forever). */
  rcvtimeoNs = 0;
  sndtimeoNs = 0;
  rcvlowat = 1;
  passcred = false;
  /** sk_err: reported once by SO_ERROR or the next operation that checks it. */
  error: SysError | null = null;
  private reuseaddr = false;
  private reuseport = false;
  private linger = { on: false, secs: 0 };
  private priority = 0;
  private mark = 0;
  private boundDevice = '';
  private cookie = 0n;
  /** Boolean options that only need to read back what was set. */
  private readonly flagOpts = new Map<number, boolean>();

  constructor(
    vd: VirtualDentry,
    flags: number,
    /** SOCK_STREAM, SOCK_DGRAM, ... (SO_TYPE). */
    readonly type: number,
    /** SO_PROTOCOL. */
    readonly protocol: number,
  ) {
    super(vd, flags);
  }

  override get positional(): boolean {
    return false;
  }

  /**
   * Whether the EPIPE write(2) just got raises SIGPIPE (stream sockets, unless the
   * failure came from a wait for buffer space; datagram ones never do). Read right
   * after the failed write, which passes MSG_NOSIGNAL to leave the signal to its caller.
   */
  get sigpipe(): boolean {
    return false;
  }

  get nonblocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  override linkName(): string {
    return `socket:[${this.inode.ino}]`;
  }

  /** Takes the pending error (sock_error). */
  takeError(): SysError | null {
    const e = this.error;
    this.error = null;
    return e;
  }

  // ---- operations each family implements ----

  /** bind(2) with the address bytes as passed (length = addrlen). */
  abstract bind(t: Task, addr: Uint8Array): void;
  /** connect(2); may wait (stream connects to a full backlog). */
  abstract connect(t: Task, addr: Uint8Array): SyscallValue | Block;
  /** listen(2); backlog already clamped to somaxconn. */
  abstract listen(t: Task, backlog: number): void;
  /**
   * accept4(2): waits for a connection and passes it to `deliver` (which installs
   * it and returns the new fd). `flags` are SOCK_NONBLOCK/SOCK_CLOEXEC.
   */
  abstract accept(t: Task, flags: number, deliver: (s: SocketDescription, peer: Uint8Array) => SyscallValue): SyscallValue | Block;
  abstract shutdown(t: Task, how: number): void;
  abstract getsockname(t: Task): Uint8Array;
  abstract getpeername(t: Task): Uint8Array;
  /** sendto/sendmsg: returns bytes sent, or waits. */
  abstract sendmsg(t: Task, req: SendRequest): SyscallValue | Block;
  /** recvfrom/recvmsg: copies into req.dst and hands the rest to `deliver`, or waits. */
  abstract recvmsg(t: Task, req: RecvRequest, deliver: (r: RecvResult) => SyscallValue): SyscallValue | Block;

  /** SO_PEERCRED. */
  protected peerCred(): UCred {
    return NO_CRED;
  }

  /** SO_ACCEPTCONN. */
  protected listening(): boolean {
    return false;
  }

  /** SO_PEEK_OFF: null when the family has no peek offset (EOPNOTSUPP). */
  protected getPeekOff(): number | null {
    return null;
  }

  protected setPeekOff(v: number): void {
    throw EOPNOTSUPP;
  }

  /** SO_REUSEPORT may be turned on (inet only since Linux 6.9). */
  protected get reuseportAllowed(): boolean {
    return false;
  }

  /** Buffer sizes changed: writers may have room now (sk_write_space). */
  protected bufferChanged(): void {
    this.waitQueue.notify(EVENT_OUT);
  }

  /** Options at levels other than SOL_SOCKET; families without any say EOPNOTSUPP. */
  protected getProtocolOption(t: Task, level: number, name: number, len: number): Uint8Array {
    throw EOPNOTSUPP;
  }

  protected setProtocolOption(t: Task, level: number, name: number, val: OptIn): void {
    throw EOPNOTSUPP;
  }

  // ---- getsockopt/setsockopt ----

  /** getsockopt(2): the option's full value; the caller copies out at most `len` bytes. */
  getsockopt(t: Task, level: number, name: number, len: number): Uint8Array {
    if (level !== SOL_SOCKET) return this.getProtocolOption(t, level, name, len);
    switch (name) {
      case SO_TYPE:
        return int32(this.type);
      case SO_PROTOCOL:
        return int32(this.protocol);
      case SO_DOMAIN:
        return int32(this.family);
      case SO_ERROR:
        return int32(this.takeError()?.errno ?? 0);
      case SO_SNDBUF:
        return int32(this.sndbuf);
      case SO_RCVBUF:
        return int32(this.rcvbuf);
      case SO_REUSEADDR:
        return int32(this.reuseaddr ? 1 : 0);
      case SO_REUSEPORT:
        return int32(this.reuseport ? 1 : 0);
      case SO_PASSCRED:
        return int32(this.passcred ? 1 : 0);
      case SO_ACCEPTCONN:
        return int32(this.listening() ? 1 : 0);
      case SO_PEERCRED: {
        const c = this.peerCred();
        const b = new Uint8Array(12);
        const dv = new DataView(b.buffer);
        dv.setInt32(0, c.pid, true);
        dv.setInt32(4, c.uid, true);
        dv.setInt32(8, c.gid, true);
        return b;
      }
      case SO_LINGER: {
        const b = new Uint8Array(8);
        const dv = new DataView(b.buffer);
        dv.setInt32(0, this.linger.on ? 1 : 0, true);
        dv.setInt32(4, this.linger.secs, true);
        return b;
      }
      case SO_RCVTIMEO_OLD:
      case SO_RCVTIMEO_NEW:
        return timeval(this.rcvtimeoNs);
      case SO_SNDTIMEO_OLD:
      case SO_SNDTIMEO_NEW:
        return timeval(this.sndtimeoNs);
      case SO_RCVLOWAT:
        return int32(this.rcvlowat);
      case SO_SNDLOWAT:
        return int32(1);
      case SO_PRIORITY:
        return int32(this.priority);
      case SO_MARK:
        return int32(this.mark);
      case SO_PEEK_OFF: {
        const p = this.getPeekOff();
        if (p === null) throw EOPNOTSUPP;
        return int32(p);
      }
      case SO_BINDTODEVICE:
        return new TextEncoder().encode(this.boundDevice ? `${this.boundDevice}\0` : '');
      case SO_COOKIE: {
        if (this.cookie === 0n) this.cookie = nextCookie++;
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, this.cookie, true);
        return b;
      }
      case SO_INCOMING_CPU:
        return int32(-1);
      case SO_BSDCOMPAT:
        return int32(0);
      default:
        if (BOOL_OPTS.has(name)) return int32(this.flagOpts.get(name) ? 1 : 0);
        throw ENOPROTOOPT;
    }
  }

  /** setsockopt(2). */
  setsockopt(t: Task, level: number, name: number, val: OptIn): void {
    if (level !== SOL_SOCKET) {
      this.setProtocolOption(t, level, name, val);
      return;
    }
    if (name === SO_BINDTODEVICE) {
      this.bindToDevice(t, val);
      return;
    }
    if (name === SO_LINGER) {
      // struct linger; turning it off keeps the time (sock_setsockopt).
      if (val.len < 8) throw EINVAL;
      const b = val.bytes(8);
      const dv = new DataView(b.buffer, b.byteOffset, 8);
      const on = dv.getInt32(0, true) !== 0;
      this.linger = on ? { on, secs: Math.max(0, dv.getInt32(4, true)) } : { on, secs: this.linger.secs };
      return;
    }
    if (name === SO_RCVTIMEO_OLD || name === SO_RCVTIMEO_NEW) {
      this.rcvtimeoNs = readTimeout(val);
      return;
    }
    if (name === SO_SNDTIMEO_OLD || name === SO_SNDTIMEO_NEW) {
      this.sndtimeoNs = readTimeout(val);
      return;
    }
    const v = optInt(val);
    switch (name) {
      case SO_SNDBUF:
      case SO_SNDBUFFORCE: {
        const force = name === SO_SNDBUFFORCE;
        if (force && !t.creds.hasCap(CAP_NET_ADMIN)) throw EPERM;
        // The unsigned value is capped by wmem_max (unless forced), then doubled for overhead.
        let n = v >>> 0;
        n = Math.min(n, force ? SOCK_BUF_FORCE_MAX : SOCK_BUF_MAX);
        this.sndbuf = Math.max(n * 2, SOCK_MIN_SNDBUF);
        this.bufferChanged();
        return;
      }
      case SO_RCVBUF:
      case SO_RCVBUFFORCE: {
        const force = name === SO_RCVBUFFORCE;
        if (force && !t.creds.hasCap(CAP_NET_ADMIN)) throw EPERM;
        let n = v >>> 0;
        n = Math.min(n, force ? SOCK_BUF_FORCE_MAX : SOCK_BUF_MAX);
        this.rcvbuf = Math.max(n * 2, SOCK_MIN_RCVBUF);
        this.bufferChanged();
        return;
      }
      case SO_REUSEADDR:
        this.reuseaddr = v !== 0;
        return;
      case SO_REUSEPORT:
        if (v !== 0 && !this.reuseportAllowed) throw EOPNOTSUPP;
        this.reuseport = v !== 0;
        return;
      case SO_PASSCRED:
        this.passcred = v !== 0;
        return;
      case SO_RCVLOWAT:
        this.rcvlowat = v < 0 ? INT_MAX : v || 1;
        return;
      case SO_PRIORITY:
        if ((v < 0 || v > 6) && !t.creds.hasCap(CAP_NET_ADMIN) && !t.creds.hasCap(CAP_NET_RAW)) throw EPERM;
        this.priority = v;
        return;
      case SO_MARK:
        if (!t.creds.hasCap(CAP_NET_ADMIN) && !t.creds.hasCap(CAP_NET_RAW)) throw EPERM;
        this.mark = v;
        return;
      case SO_PEEK_OFF:
        this.setPeekOff(v);
        return;
      case SO_DEBUG:
        if (v !== 0 && !t.creds.hasCap(CAP_NET_ADMIN)) throw EACCES;
        this.flagOpts.set(name, v !== 0);
        return;
      case SO_BSDCOMPAT:
        return;
      default:
        if (!BOOL_OPTS.has(name)) throw ENOPROTOOPT;
        this.flagOpts.set(name, v !== 0);
    }
  }

  /** SO_BINDTODEVICE: an interface name (CAP_NET_RAW); "" unbinds. */
  private bindToDevice(t: Task, val: OptIn): void {
    if (!t.creds.hasCap(CAP_NET_RAW)) throw EPERM;
    const raw = val.len > 0 ? val.bytes(Math.min(val.len, 16)) : new Uint8Array(0);
    const z = raw.indexOf(0);
    this.boundDevice = new TextDecoder('latin1').decode(z >= 0 ? raw.subarray(0, z) : raw);
  }
}

/** Options that are plain flags: set, read back, no effect here. */
const BOOL_OPTS = new Set([
  SO_KEEPALIVE, SO_BROADCAST, SO_DEBUG, SO_DONTROUTE, SO_OOBINLINE, SO_NO_CHECK, SO_PASSSEC, SO_RXQ_OVFL,
  SO_SELECT_ERR_QUEUE, SO_TIMESTAMP_OLD, SO_TIMESTAMP_NEW, SO_TIMESTAMPNS_OLD, SO_TIMESTAMPNS_NEW,
]);

/** struct timeval of a timeout in ns (0 = none reads as {0, 0}). */
function timeval(ns: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const us = Math.floor(ns / 1000);
  dv.setBigInt64(0, BigInt(Math.floor(us / 1e6)), true);
  dv.setBigInt64(8, BigInt(us % 1e6), true);
  return b;
}

/** sock_set_timeout: a struct timeval in ns; {0, 0} and negative seconds mean no timeout. */
function readTimeout(val: OptIn): number {
  if (val.len < 16) throw EINVAL;
  const b = val.bytes(16);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const sec = dv.getBigInt64(0, true);
  const usec = dv.getBigInt64(8, true);
  if (usec < 0n || usec >= 1_000_000n) throw EDOM;
  if (sec < 0n) return 0;
  const ns = sec * 1_000_000_000n + usec * 1000n;
  // Past ~285 years the wait is forever anyway (MAX_SCHEDULE_TIMEOUT).
  return ns > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(ns);
}
