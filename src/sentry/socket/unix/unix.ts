// AF_UNIX sockets (net/unix/af_unix.c): SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET.
//
// Each socket owns its receive queue; a sender appends to its peer's (or the
// addressed socket's) queue and is charged for what it queued until the
// receiver consumes it (Linux's sk_wmem_alloc): a sender waits while its
// charge exceeds SO_SNDBUF, and polls writable again once it is back under a
// quarter of it. Datagram receivers that are not connected back to the sender
// also bound their queue length (net.unix.max_dgram_qlen).
//
// Stream connections: connect() makes the server's end at once and queues it on
// the listener (so data may flow before accept), like Linux's embryo sockets.
// Closing an end shuts the other end down; unread data (or an unaccepted
// embryo) turns that into ECONNRESET once. SCM_RIGHTS descriptions travel as
// references held by the message until it is received or its queue is purged.
import {
  EAGAIN, ECONNREFUSED, ECONNRESET, EINVAL, EISCONN, EMSGSIZE, ENOTCONN, EOPNOTSUPP, EPERM, EPIPE,
  EPROTONOSUPPORT, ESOCKTNOSUPPORT, ETOOMANYREFS,
} from '../../../abi/linux/errno.js';
import { AT_FDCWD, O_NONBLOCK, O_RDWR } from '../../../abi/linux/fcntl.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import { SIGPIPE } from '../../../abi/linux/signal.js';
import {
  AF_UNIX, AF_UNSPEC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, SIOCINQ, SIOCOUTQ,
  SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM, SUN_PATH_OFFSET,
} from '../../../abi/linux/socket.js';
import type { Block, SyscallValue } from '../../kernel/block.js';
import { CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from '../../kernel/credentials.js';
import { sendToThread } from '../../kernel/signals.js';
import { SI_USER } from '../../kernel/signal_queue.js';
import type { Task } from '../../kernel/task.js';
import {
  ALL_EVENTS, EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, EVENT_RDHUP, EVENT_RDNORM, WaitQueue,
} from '../../kernel/waiter.js';
import type { FileDescription } from '../../vfs/file.js';
import type { Inode } from '../../vfs/inode.js';
import { copyToSeq, seqDrop, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { unlinkAt } from '../../vfs/ops.js';
import {
  NO_CRED, SocketDescription, releaseFiles, type RecvRequest, type RecvResult, type SendRequest, type UCred,
} from '../socket.js';
import { newSocketDentry } from '../sockfs.js';
import { socketWait } from '../wait.js';
import { UNNAMED, parseUnixAddr, sockaddrFamily, type UnixAddr } from './addr.js';
import { unixNamespace, type UnixNamespace } from './namespace.js';
import { MessageQueue, type MessageSender, type UnixMessage } from './queue.js';

const RCV_SHUTDOWN = 1;
const SEND_SHUTDOWN = 2;
const SHUTDOWN_MASK = 3;
const PAGE_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)) and of struct skb_shared_info (x86_64). */
const SKB_STRUCT = 256;
const SKB_SHINFO = 320;
/** SKB_MAX_HEAD(0): the linear part that fits one page with its shared info. */
const SKB_MAX_HEAD = PAGE_SIZE - SKB_SHINFO;
/** SKB_MAX_ALLOC: datagrams longer than this put the rest in page fragments. */
const SKB_MAX_ALLOC = (PAGE_SIZE << 2) - SKB_SHINFO;
/** Largest piece of a stream write queued as one message: SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ. */
const MAX_STREAM_CHUNK = SKB_MAX_HEAD + 32768;
const MAX_SKB_FRAGS = 17;

const pageAlign = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** What kmalloc really allocates for n bytes (slab buckets, then whole page orders). */
function kmallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 96 && n > 64) return 96;
  if (n <= 192 && n > 128) return 192;
  if (n <= 8192) return 2 ** Math.ceil(Math.log2(n));
  return PAGE_SIZE * 2 ** Math.ceil(Math.log2(pageAlign(n) / PAGE_SIZE));
}

/**
 * The skb truesize Linux charges to the sender's sk_wmem_alloc for a message of
 * `len` bytes (so SIOCOUTQ and how much fits before EAGAIN match): the sk_buff, the
 * kmalloc'd head with its shared info, and whole pages for the fragments. Stream
 * sends keep at most SKB_MAX_HEAD in the head; datagrams up to SKB_MAX_ALLOC.
 */
function skbTruesize(len: number, stream: boolean): number {
  const frags = stream
    ? Math.min(len, pageAlign(Math.max(0, len - SKB_MAX_HEAD)))
    : len > SKB_MAX_ALLOC ? pageAlign(Math.min(len - SKB_MAX_ALLOC, MAX_SKB_FRAGS * PAGE_SIZE)) : 0;
  const head = len - frags;
  return SKB_STRUCT + kmallocSize(Math.ceil(head / 64) * 64 + SKB_SHINFO) + pageAlign(frags);
}
/** net.unix.max_dgram_qlen */
const MAX_DGRAM_QLEN = 10;
const EVENT_WRNORM = 0x100;
const EVENT_WRBAND = 0x200;
const READABLE = EVENT_IN | EVENT_RDNORM;
const WRITABLE = EVENT_OUT | EVENT_WRNORM | EVENT_WRBAND;
/** What a reader waits for: data, EOF, errors. */
const READ_WAIT = READABLE | EVENT_HUP | EVENT_RDHUP | EVENT_ERR;
/** SCM_CREDENTIALS of a message that recorded none (pid 0, overflow ids). */
const NO_SCM_CRED: UCred = { pid: 0, uid: 65534, gid: 65534 };

type State = 'close' | 'listen' | 'established';

/** The credentials a message records by default: the sender's pid and real ids. */
function senderCred(t: Task): UCred {
  return { pid: t.tg.pid, uid: t.creds.ruid, gid: t.creds.rgid };
}

/** SO_PEERCRED as connect/listen/socketpair record it: pid and effective ids. */
function peerCredOf(t: Task): UCred {
  return { pid: t.tg.pid, uid: t.creds.euid, gid: t.creds.egid };
}

function sameCred(a: UCred | null, b: UCred | null): boolean {
  if (a === null || b === null) return a === b;
  return a.pid === b.pid && a.uid === b.uid && a.gid === b.gid;
}

function copyData(seq: IOSequence, skip: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let off = 0;
  for (const v of seqDrop(seq, skip)) {
    if (off >= n) break;
    const part = v.subarray(0, n - off);
    out.set(part, off);
    off += part.length;
  }
  return off === n ? out : out.subarray(0, off);
}

export class UnixSocket extends SocketDescription implements MessageSender {
  readonly family = AF_UNIX;
  addr: UnixAddr | null = null;
  /**
   * The connected peer. Kept after the peer closes (getpeername still names it), as
   * Linux keeps unix_peer; a datagram socket drops it when a send finds the peer dead.
   */
  peer: UnixSocket | null = null;
  state: State = 'close';
  /** RCV_SHUTDOWN | SEND_SHUTDOWN */
  shut = 0;
  /** Released: no longer reachable by name, refusing messages. */
  dead = false;
  /** A server end not yet accepted (closing it resets the client). */
  embryo = false;
  readonly rq = new MessageQueue();
  /** Bytes this socket has queued at receivers and not yet consumed (sk_wmem_alloc). */
  wmem = 0;
  /** Who connected or listened (SO_PEERCRED). */
  peerCreds: UCred | null = null;
  /** Connectors waiting for backlog room, senders waiting for queue room (Linux's peer_wait). */
  readonly peerWait = new WaitQueue();
  /** A listener's connections waiting for accept. */
  private readonly pending: UnixSocket[] = [];
  /** listen(2) backlog; for datagram sockets, the queue length bound. */
  private maxBacklog = MAX_DGRAM_QLEN;
  private peekOff = -1;
  private boundInode: Inode | null = null;
  /** Relays a full peer's peer_wait to our queue (unix_dgram_peer_wake_me). */
  private peerWake: (() => void) | null = null;
  private peerWakeOf: UnixSocket | null = null;

  constructor(
    vd: VirtualDentry,
    flags: number,
    type: number,
    readonly ns: UnixNamespace,
  ) {
    super(vd, flags, type, 0);
    ns.sockets.add(this);
  }

  /** References to this description (FileDescription keeps its count private): the GC needs them. */
  private fileRefs = 1;

  override incRef(): void {
    this.fileRefs++;
    super.incRef();
  }

  override decRef(): void {
    this.fileRefs--;
    super.decRef();
  }

  get addrBytes(): Uint8Array | null {
    return this.addr?.bytes ?? null;
  }

  private get connectionOriented(): boolean {
    return this.type !== SOCK_DGRAM;
  }

  /** Whether the last EPIPE a stream send failed with came from a check that raises SIGPIPE. */
  private epipeSignals = true;

  override get sigpipe(): boolean {
    return this.type === SOCK_STREAM && this.epipeSignals;
  }

  private notify(events: number): void {
    this.waitQueue.notify(events);
  }

  /** unix_writable: not listening, and at most a quarter of the send buffer in flight. */
  private hasRoom(): boolean {
    return this.state !== 'listen' && this.wmem * 4 <= this.sndbuf;
  }

  uncharge(n: number): void {
    const was = this.hasRoom();
    this.wmem -= n;
    // Writers wake when the socket becomes writable again (unix_write_space).
    if (!was && this.hasRoom()) this.notify(WRITABLE);
  }

  // ---- names ----

  override bind(t: Task, raw: Uint8Array): void {
    if (raw.length === SUN_PATH_OFFSET && sockaddrFamily(raw) === AF_UNIX) {
      this.autobind();
      return;
    }
    const a = parseUnixAddr(raw);
    if (a.abstract) {
      if (this.addr) throw EINVAL;
      this.ns.bindAbstract(this, a);
    } else {
      // The node is made first (EADDRINUSE beats EINVAL), as unix_bind_bsd does.
      const inode = this.ns.bindPath(t, a.name, this);
      if (this.addr) {
        this.ns.unbind(this, a, inode);
        try {
          unlinkAt(t, AT_FDCWD, a.name, false);
        } catch {
          // Someone raced us to it; the name is theirs to clean up.
        }
        throw EINVAL;
      }
      this.boundInode = inode;
    }
    this.addr = a;
  }

  /** unix_autobind: an unused abstract name, unless the socket has one. */
  autobind(): void {
    if (this.addr) return;
    this.addr = this.ns.autobind(this);
  }

  override getsockname(): Uint8Array {
    return this.addr?.bytes ?? UNNAMED;
  }

  override getpeername(): Uint8Array {
    const p = this.peer;
    if (!p || this.state === 'listen') throw ENOTCONN;
    return p.addr?.bytes ?? UNNAMED;
  }

  // ---- connections ----

  override listen(t: Task, backlog: number): void {
    if (this.type === SOCK_DGRAM) throw EOPNOTSUPP;
    if (!this.addr) throw EINVAL;
    if (this.state !== 'close' && this.state !== 'listen') throw EINVAL;
    if (backlog > this.maxBacklog) this.peerWait.notify(ALL_EVENTS);
    this.maxBacklog = backlog;
    this.state = 'listen';
    this.peerCreds = peerCredOf(t);
  }

  override connect(t: Task, raw: Uint8Array): SyscallValue | Block {
    if (this.type === SOCK_DGRAM) return this.connectDgram(t, raw);
    const a = parseUnixAddr(raw);
    if (this.passcred) this.autobind();
    let listener: UnixSocket | null = null;
    return socketWait(t, {
      nonblock: this.nonblocking,
      timeoutNs: this.sndtimeoNs,
      waits: () => (listener ? [{ queue: listener.peerWait, mask: ALL_EVENTS }] : []),
      attempt: () => {
        const l = this.ns.find(t, a, this.type);
        listener = l;
        if (l.state !== 'listen' || l.shut & RCV_SHUTDOWN) throw ECONNREFUSED;
        // unix_recvq_full: a backlog of n holds n+1 connections.
        if (l.pending.length > l.maxBacklog) throw EAGAIN;
        if (this.state !== 'close') throw this.state === 'established' ? EISCONN : EINVAL;
        this.establish(t, l);
        return 0;
      },
    });
  }

  /** Makes the server end of a new connection and queues it on the listener. */
  private establish(t: Task, l: UnixSocket): void {
    const server = new UnixSocket(newSocketDentry(t), O_RDWR, this.type, this.ns);
    server.embryo = true;
    server.state = 'established';
    server.peer = this;
    server.addr = l.addr;
    server.peerCreds = peerCredOf(t);
    this.peer = server;
    this.state = 'established';
    this.peerCreds = l.peerCreds;
    l.pending.push(server);
    l.notify(READABLE);
    this.notify(WRITABLE);
  }

  override accept(t: Task, flags: number, deliver: (s: SocketDescription, peer: Uint8Array) => SyscallValue): SyscallValue | Block {
    if (this.type === SOCK_DGRAM) throw EOPNOTSUPP;
    if (this.state !== 'listen') throw EINVAL;
    return socketWait(t, {
      nonblock: this.nonblocking,
      timeoutNs: this.rcvtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: READ_WAIT }],
      attempt: () => {
        if (this.state !== 'listen') throw EINVAL;
        const s = this.pending.shift();
        if (!s) {
          if (this.shut & RCV_SHUTDOWN) throw EINVAL;
          throw EAGAIN;
        }
        s.embryo = false;
        s.passcred = this.passcred;
        s.flags = O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
        let r: SyscallValue;
        try {
          r = deliver(s, s.peer?.addr?.bytes ?? UNNAMED);
        } catch (e) {
          // No descriptor for it (EMFILE): it stays first in line.
          s.embryo = true;
          this.pending.unshift(s);
          throw e;
        }
        this.peerWait.notify(ALL_EVENTS);
        // The queue's reference; the caller's descriptor holds it now.
        s.decRef();
        return r;
      },
    });
  }

  private connectDgram(t: Task, raw: Uint8Array): SyscallValue {
    if (sockaddrFamily(raw) === AF_UNSPEC) {
      // 1003.1g: AF_UNSPEC dissolves the association.
      this.setDgramPeer(null);
      return 0;
    }
    const a = parseUnixAddr(raw);
    if (this.passcred) this.autobind();
    const other = this.ns.find(t, a, this.type);
    if (!mayDgramSend(this, other)) throw EPERM;
    this.setDgramPeer(other);
    // Linux marks the target established too (only /proc/net/unix shows it).
    other.state = 'established';
    return 0;
  }

  /** (Re)connects a datagram socket; leaving a peer drops what it may have sent us. */
  private setDgramPeer(other: UnixSocket | null): void {
    const old = this.peer;
    this.peer = other;
    this.state = other ? 'established' : 'close';
    if (!old || old === other) return;
    this.unwatchPeer();
    if (this.rq.length > 0) {
      this.purge();
      this.peerWait.notify(ALL_EVENTS);
      if (!old.dead && old.peer === this) {
        old.error = ECONNRESET;
        old.notify(EVENT_ERR);
      }
    }
  }

  override shutdown(t: Task, how: number): void {
    if (how < 0 || how > 2) throw EINVAL;
    const mode = how + 1;
    this.shut |= mode;
    this.notify(ALL_EVENTS);
    if (mode & RCV_SHUTDOWN) this.peerWait.notify(ALL_EVENTS);
    const other = this.peer;
    if (other && this.connectionOriented) {
      let peerMode = 0;
      if (mode & RCV_SHUTDOWN) peerMode |= SEND_SHUTDOWN;
      if (mode & SEND_SHUTDOWN) peerMode |= RCV_SHUTDOWN;
      other.shut |= peerMode;
      other.notify(ALL_EVENTS);
    }
  }

  // ---- sending ----

  override sendmsg(t: Task, req: SendRequest): SyscallValue | Block {
    if (req.flags & MSG_OOB) throw EOPNOTSUPP;
    if (req.rights) this.checkInflight(t);
    return this.type === SOCK_STREAM ? this.sendStream(t, req) : this.sendDgram(t, req);
  }

  /** too_many_unix_fds: a user may have at most RLIMIT_NOFILE descriptions in flight. */
  private checkInflight(t: Task): void {
    if (this.ns.inflightOf(t.creds.ruid) <= t.limit(RLIMIT_NOFILE).cur) return;
    if (t.creds.hasCap(CAP_SYS_RESOURCE) || t.creds.hasCap(CAP_SYS_ADMIN)) return;
    throw ETOOMANYREFS;
  }

  /** The credentials a message to `other` records: explicit ones, or ours if either side passes them. */
  private msgCreds(t: Task, req: SendRequest, other: UnixSocket): UCred | null {
    if (req.creds) return req.creds;
    return this.passcred || other.passcred ? senderCred(t) : null;
  }

  /** Queues a message on `other`, charging it to us and taking references to its rights. */
  private enqueue(t: Task, other: UnixSocket, data: Uint8Array, rights: FileDescription[] | null, creds: UCred | null): void {
    const charge = skbTruesize(data.length, this.type === SOCK_STREAM);
    let r: FileDescription[] | null = null;
    if (rights && rights.length > 0) {
      r = rights.slice();
      for (const f of r) f.incRef();
      this.ns.addInflight(t.creds.ruid, r.length);
    }
    other.rq.push({ data, off: 0, sender: this, charge, rights: r, rightsUid: t.creds.ruid, creds });
    this.wmem += charge;
    other.notify(READABLE);
  }

  private raiseSigpipe(t: Task, flags: number): void {
    if (!(flags & MSG_NOSIGNAL)) sendToThread(t, { signo: SIGPIPE, code: SI_USER, pid: t.tg.pid, uid: t.creds.ruid });
  }

  /** unix_stream_sendmsg: as much as fits, in chunks of at most half the send buffer. */
  private sendStream(t: Task, req: SendRequest): SyscallValue | Block {
    if (req.to) throw this.state === 'established' ? EISCONN : EOPNOTSUPP;
    if (!this.peer || this.state !== 'established') throw ENOTCONN;
    let sent = 0;
    let rights = req.rights;
    let entered = false;
    return socketWait(t, {
      nonblock: (req.flags & MSG_DONTWAIT) !== 0,
      timeoutNs: this.sndtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: WRITABLE | EVENT_HUP | EVENT_ERR }],
      progress: () => (sent > 0 ? sent : null),
      attempt: () => {
        // EPIPE from the checks Linux sends to pipe_err raises SIGPIPE; a failed
        // buffer allocation (sk_err, our own shutdown, seen after a wait) does not.
        let signal = false;
        try {
          if (!entered) {
            entered = true;
            if (this.shut & SEND_SHUTDOWN) {
              signal = true;
              throw EPIPE;
            }
          }
          while (sent < req.length) {
            // sock_alloc_send_pskb: room while the charge is under the buffer (it may overshoot).
            const err = this.takeError();
            if (err) throw err;
            if (this.shut & SEND_SHUTDOWN) throw EPIPE;
            if (this.wmem >= this.sndbuf) throw EAGAIN;
            const other = this.peer!;
            if (other.dead || other.shut & RCV_SHUTDOWN) {
              signal = true;
              throw EPIPE;
            }
            const n = Math.min(req.length - sent, (this.sndbuf >> 1) - 64, MAX_STREAM_CHUNK);
            const data = copyData(req.data(), sent, n);
            if (data.length === 0) break;
            this.enqueue(t, other, data, rights, this.msgCreds(t, req, other));
            rights = null;
            sent += data.length;
          }
          return sent;
        } catch (e) {
          if (e === EAGAIN) throw e;
          this.epipeSignals = signal;
          if (signal && sent === 0) this.raiseSigpipe(t, req.flags);
          if (sent > 0) return sent;
          throw e;
        }
      },
    });
  }

  /** unix_dgram_sendmsg (and unix_seqpacket_sendmsg): one message, all of it or nothing. */
  private sendDgram(t: Task, req: SendRequest): SyscallValue | Block {
    let to: UnixAddr | null = null;
    if (this.type === SOCK_SEQPACKET) {
      // A seqpacket socket sends only to its peer; an address is ignored.
      if (this.state !== 'established') throw ENOTCONN;
    } else if (req.to) {
      to = parseUnixAddr(req.to);
    } else if (!this.peer) {
      throw ENOTCONN;
    }
    if (this.passcred) this.autobind();
    if (req.length > this.sndbuf - 32) throw EMSGSIZE;
    return socketWait(t, {
      nonblock: (req.flags & MSG_DONTWAIT) !== 0,
      timeoutNs: this.sndtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: WRITABLE | EVENT_HUP | EVENT_ERR }],
      attempt: () => {
        if (this.shut & SEND_SHUTDOWN) throw EPIPE;
        if (this.wmem >= this.sndbuf) throw EAGAIN;
        const other = to ? this.ns.find(t, to, this.type) : this.peer;
        if (!other) throw ENOTCONN;
        if (other.dead) {
          if (this.type === SOCK_SEQPACKET) throw EPIPE;
          // The peer is gone: forget it (the next send says ENOTCONN).
          if (this.peer === other) this.setDgramPeer(null);
          throw ECONNREFUSED;
        }
        if (!mayDgramSend(this, other)) throw EPERM;
        if (other.shut & RCV_SHUTDOWN) throw EPIPE;
        if (other.peer !== this && other.rq.length > other.maxBacklog) {
          this.watchPeer(other);
          throw EAGAIN;
        }
        const data = req.length === 0 ? new Uint8Array(0) : copyData(req.data(), 0, req.length);
        this.enqueue(t, other, data, req.rights, this.msgCreds(t, req, other));
        return data.length;
      },
    });
  }

  /** Wakes our writers when a receiver whose queue is full takes a message. */
  private watchPeer(other: UnixSocket): void {
    if (this.peerWakeOf === other) return;
    this.unwatchPeer();
    this.peerWakeOf = other;
    this.peerWake = other.peerWait.register(() => {
      this.unwatchPeer();
      this.notify(WRITABLE);
    }, ALL_EVENTS);
  }

  private unwatchPeer(): void {
    const u = this.peerWake;
    this.peerWake = null;
    this.peerWakeOf = null;
    u?.();
  }

  // ---- receiving ----

  override recvmsg(t: Task, req: RecvRequest, deliver: (r: RecvResult) => SyscallValue): SyscallValue | Block {
    return this.type === SOCK_STREAM ? this.recvStream(t, req, deliver) : this.recvDgram(t, req, deliver);
  }

  /** The views to copy into; a fault after progress ends the call with what it has. */
  private dstOrNull(req: RecvRequest, copied: number): IOSequence | null {
    try {
      return req.length === 0 ? [] : req.dst();
    } catch (e) {
      if (copied > 0) return null;
      throw e;
    }
  }

  /** unix_stream_read_generic */
  private recvStream(t: Task, req: RecvRequest, deliver: (r: RecvResult) => SyscallValue): SyscallValue | Block {
    if (req.flags & MSG_OOB) throw EINVAL;
    if (this.state !== 'established') throw EINVAL;
    const peek = (req.flags & MSG_PEEK) !== 0;
    const target = req.flags & MSG_WAITALL ? req.length : Math.min(this.rcvlowat, req.length) || 1;
    let copied = 0;
    let creds: UCred | null = null;
    let credsSet = false;
    let from: Uint8Array | null = null;
    let rights: FileDescription[] | null = null;
    const finish = (): SyscallValue =>
      deliver({ n: copied, flags: 0, from, creds: this.passcred ? (creds ?? NO_SCM_CRED) : null, rights });
    return socketWait(t, {
      nonblock: (req.flags & MSG_DONTWAIT) !== 0,
      timeoutNs: this.rcvtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: READ_WAIT }],
      progress: () => (copied > 0 ? finish() : null),
      attempt: () => {
        const dst = this.dstOrNull(req, copied);
        if (dst === null) return finish();
        // A peek starts over at the head, past what it already copied (and SO_PEEK_OFF).
        let skip = peek ? Math.max(this.peekOff, 0) + copied : 0;
        let idx = 0;
        for (;;) {
          let m = peek ? this.rq.at(idx) : this.rq.at(0);
          while (m && skip >= m.data.length - m.off) {
            skip -= m.data.length - m.off;
            m = this.rq.at(++idx);
          }
          if (!m) {
            if (copied >= target) return finish();
            const err = this.takeError();
            if (err) {
              if (copied > 0) return finish();
              throw err;
            }
            if (this.shut & RCV_SHUTDOWN) return finish();
            throw EAGAIN;
          }
          // Never glue data from different writers when credentials are passed.
          if (this.passcred) {
            if (credsSet) {
              if (!sameCred(creds, m.creds)) return finish();
            } else {
              creds = m.creds;
              credsSet = true;
            }
          }
          from ??= m.sender.addrBytes;
          const start = m.off + skip;
          const chunk = Math.min(m.data.length - start, req.length - copied);
          copyToSeq(dst, m.data.subarray(start, start + chunk), copied);
          copied += chunk;
          if (!peek) {
            this.rq.consume(m, chunk);
            if (this.peekOff >= 0) this.peekOff = Math.max(this.peekOff - chunk, 0);
            if (m.rights) {
              rights = this.detachRights(m);
            }
            if (m.off < m.data.length) return finish();
            this.rq.shift();
            m.sender.uncharge(m.charge);
            if (rights) return finish();
          } else {
            if (this.peekOff >= 0) this.peekOff += chunk;
            if (m.rights) {
              rights = peekRights(m);
              return finish();
            }
            skip = 0;
            idx++;
          }
          if (copied >= req.length) return finish();
        }
      },
    });
  }

  /** unix_dgram_recvmsg (and unix_seqpacket_recvmsg): one message per call. */
  private recvDgram(t: Task, req: RecvRequest, deliver: (r: RecvResult) => SyscallValue): SyscallValue | Block {
    if (req.flags & MSG_OOB) throw EOPNOTSUPP;
    if (this.type === SOCK_SEQPACKET && this.state !== 'established') throw ENOTCONN;
    const peek = (req.flags & MSG_PEEK) !== 0;
    const nonblock = (req.flags & MSG_DONTWAIT) !== 0;
    return socketWait(t, {
      nonblock,
      timeoutNs: this.rcvtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: READ_WAIT }],
      attempt: () => {
        const err = this.takeError();
        if (err) throw err;
        let skip = peek ? Math.max(this.peekOff, 0) : 0;
        let idx = 0;
        let m = this.rq.at(0);
        // A peek offset past a whole message moves on to the next one.
        while (m && skip > 0 && skip >= m.data.length) {
          skip -= m.data.length;
          m = this.rq.at(++idx);
        }
        if (!m) {
          // Shut down for reading: EOF, except a non-blocking datagram socket still says EAGAIN.
          if (this.shut & RCV_SHUTDOWN && (!nonblock || this.type === SOCK_SEQPACKET)) {
            return deliver({ n: 0, flags: 0, from: null, creds: null, rights: null });
          }
          throw EAGAIN;
        }
        const dst = this.dstOrNull(req, 0)!;
        const size = m.data.length - skip;
        const n = Math.min(size, req.length);
        copyToSeq(dst, m.data.subarray(skip, skip + n), 0);
        let rights: FileDescription[] | null = null;
        if (!peek) {
          this.rq.shift();
          if (m.rights) rights = this.detachRights(m);
          if (this.peekOff >= 0) this.peekOff = Math.max(this.peekOff - m.data.length, 0);
          m.sender.uncharge(m.charge);
          this.peerWait.notify(WRITABLE);
        } else {
          if (this.peekOff >= 0) this.peekOff += n;
          if (m.rights) rights = peekRights(m);
        }
        return deliver({
          n: req.flags & MSG_TRUNC ? size : n,
          flags: size > req.length ? MSG_TRUNC : 0,
          from: m.sender.addrBytes,
          creds: this.passcred ? (m.creds ?? NO_SCM_CRED) : null,
          rights,
        });
      },
    });
  }

  /** Takes a message's rights out of flight: the caller owns the references. */
  private detachRights(m: UnixMessage): FileDescription[] | null {
    const r = m.rights;
    m.rights = null;
    if (r) this.ns.addInflight(m.rightsUid, -r.length);
    return r;
  }

  // ---- read(2), write(2) ----

  override read(t: Task, dst: IOSequence): number {
    // recv without flags; read(2) waits on EAGAIN itself. Passed descriptors are dropped.
    const r = this.recvmsg(t, { dst: () => dst, length: seqLength(dst), flags: MSG_DONTWAIT }, (res) => {
      releaseFiles(res.rights);
      return res.n;
    });
    return Number(r);
  }

  override write(t: Task, src: IOSequence): number {
    // write(2) raises SIGPIPE itself (see `sigpipe`).
    const r = this.sendmsg(t, {
      data: () => src, length: seqLength(src), to: null, rights: null, creds: null, flags: MSG_DONTWAIT | MSG_NOSIGNAL,
    });
    return Number(r);
  }

  // ---- poll, ioctl, options ----

  /** unix_poll / unix_dgram_poll */
  override readiness(mask: number): number {
    let r = 0;
    if (this.error) r |= EVENT_ERR;
    if (this.shut === SHUTDOWN_MASK) r |= EVENT_HUP;
    if (this.shut & RCV_SHUTDOWN) r |= EVENT_RDHUP | READABLE;
    if (this.state === 'listen' ? this.pending.length > 0 : this.rq.length > 0) r |= READABLE;
    if (this.connectionOriented && this.state === 'close') r |= EVENT_HUP;
    let writable = this.hasRoom();
    if (writable && this.type === SOCK_DGRAM && (mask & WRITABLE)) {
      const other = this.peer;
      if (other && !other.dead && other.peer !== this && other.rq.length > other.maxBacklog) {
        writable = false;
        this.watchPeer(other);
      }
    }
    if (writable) r |= WRITABLE;
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  override ioctl(t: Task, req: number, arg: number): number {
    if (req === SIOCINQ) {
      if (this.state === 'listen') throw EINVAL;
      const n = this.type === SOCK_DGRAM ? (this.rq.at(0)?.data.length ?? 0) : this.rq.bytes;
      t.mm.writeU32(arg, n);
      return 0;
    }
    if (req === SIOCOUTQ) {
      t.mm.writeU32(arg, this.wmem);
      return 0;
    }
    return super.ioctl(t, req, arg);
  }

  protected override peerCred(): UCred {
    return this.peerCreds ?? NO_CRED;
  }

  protected override listening(): boolean {
    return this.state === 'listen';
  }

  protected override getPeekOff(): number {
    return this.peekOff;
  }

  protected override setPeekOff(v: number): void {
    this.peekOff = v;
  }

  /** Whether this socket is listening, and its state for /proc/net/unix. */
  get procState(): { listening: boolean; connected: boolean } {
    return { listening: this.state === 'listen', connected: this.state === 'established' };
  }

  // ---- closing ----

  /** unix_release_sock */
  protected override release(): void {
    this.dead = true;
    this.ns.sockets.delete(this);
    if (this.addr) this.ns.unbind(this, this.addr, this.boundInode);
    this.unwatchPeer();
    const embryo = this.embryo;
    this.state = 'close';
    this.shut = SHUTDOWN_MASK;
    const peer = this.peer;
    this.peer = null;
    if (peer && this.connectionOriented) {
      peer.shut = SHUTDOWN_MASK;
      if (this.rq.length > 0 || embryo) peer.error = ECONNRESET;
      peer.notify(ALL_EVENTS);
    }
    this.peerWait.notify(ALL_EVENTS);
    this.notify(ALL_EVENTS);
    // Connections nobody accepted die with the listener; their clients see a reset.
    const pending = this.pending.splice(0);
    this.purge();
    releaseFiles(pending);
    // Like unix_release_sock, any close may free cycles of sockets kept alive only by
    // descriptors in flight to each other.
    if (this.ns.hasInflight) collectGarbage(this.ns);
  }

  /** Sockets this one's queue (and, for a listener, its unaccepted connections' queues) holds in flight. */
  gcChildren(): UnixSocket[] {
    const out: UnixSocket[] = [];
    const scan = (q: MessageQueue): void => {
      for (let i = 0; i < q.length; i++) {
        for (const f of q.at(i)!.rights ?? []) if (f instanceof UnixSocket) out.push(f);
      }
    };
    scan(this.rq);
    for (const e of this.pending) scan(e.rq);
    return out;
  }

  /** Whether every reference to this socket is a descriptor in flight (`inflight` of them). */
  gcOnlyInflight(inflight: number): boolean {
    return this.fileRefs === inflight;
  }

  /** Drops what the queues gcChildren scans hold (unix_gc's hitlist). */
  gcPurge(): void {
    this.purge();
    for (const e of this.pending) e.purge();
  }

  /** Drops every queued message: senders get their buffer space back, rights are released. */
  private purge(): void {
    const drop: FileDescription[] = [];
    for (const m of this.rq.drain()) {
      const r = this.detachRights(m);
      if (r) drop.push(...r);
      m.sender.uncharge(m.charge);
    }
    releaseFiles(drop);
  }
}

let collecting = false;
let collectAgain = false;

/**
 * unix_gc: finds sockets referenced only by descriptors in flight in the queues of
 * other such sockets (a socket sent over itself, or cycles of them), which no
 * process can ever receive, and purges their queues, which frees them.
 * Candidates are sockets all of whose references are in flight; one held by
 * anything else (a descriptor, a queue outside the candidates) is alive, and so is
 * everything in its queues.
 */
function collectGarbage(ns: UnixNamespace): void {
  if (collecting) {
    collectAgain = true;
    return;
  }
  collecting = true;
  try {
    do {
      collectAgain = false;
      const children = new Map<UnixSocket, UnixSocket[]>();
      const inflight = new Map<UnixSocket, number>();
      for (const s of ns.sockets) {
        const c = s.gcChildren();
        children.set(s, c);
        for (const x of c) inflight.set(x, (inflight.get(x) ?? 0) + 1);
      }
      const candidates = new Set<UnixSocket>();
      for (const [s, n] of inflight) if (s.gcOnlyInflight(n)) candidates.add(s);
      if (candidates.size === 0) break;
      // References a candidate gets from candidates' queues; any beyond those come from outside.
      const internal = new Map<UnixSocket, number>();
      for (const c of candidates) {
        for (const x of children.get(c) ?? []) if (candidates.has(x)) internal.set(x, (internal.get(x) ?? 0) + 1);
      }
      const alive: UnixSocket[] = [...candidates].filter((c) => (inflight.get(c) ?? 0) > (internal.get(c) ?? 0));
      for (let i = 0; i < alive.length; i++) {
        const a = alive[i]!;
        candidates.delete(a);
        for (const x of children.get(a) ?? []) {
          if (candidates.has(x)) {
            candidates.delete(x);
            alive.push(x);
          }
        }
      }
      for (const g of candidates) g.gcPurge();
    } while (collectAgain);
  } finally {
    collecting = false;
  }
}

/** MSG_PEEK leaves the rights queued and passes new references to them. */
function peekRights(m: UnixMessage): FileDescription[] | null {
  const r = m.rights;
  if (!r) return null;
  for (const f of r) f.incRef();
  return r.slice();
}

/** unix_may_send: a datagram socket connected elsewhere accepts only from its peer. */
function mayDgramSend(s: UnixSocket, other: UnixSocket): boolean {
  return other.peer === null || other.peer === s;
}

// ---- socket(2), socketpair(2) ----

/** unix_create: protocol 0 or PF_UNIX; SOCK_RAW means SOCK_DGRAM. */
function unixType(type: number, protocol: number): number {
  if (protocol !== 0 && protocol !== AF_UNIX) throw EPROTONOSUPPORT;
  switch (type) {
    case SOCK_STREAM:
    case SOCK_DGRAM:
    case SOCK_SEQPACKET:
      return type;
    case SOCK_RAW:
      return SOCK_DGRAM;
    default:
      throw ESOCKTNOSUPPORT;
  }
}

export function newUnixSocket(t: Task, type: number, protocol: number, flags: number): UnixSocket {
  const ty = unixType(type, protocol);
  return new UnixSocket(newSocketDentry(t), O_RDWR | (flags & O_NONBLOCK), ty, unixNamespace(t.kernel));
}

/** unix_socketpair: two connected sockets, each crediting the creator as its peer. */
export function newUnixSocketPair(t: Task, type: number, protocol: number, flags: number): [UnixSocket, UnixSocket] {
  const a = newUnixSocket(t, type, protocol, flags);
  const b = newUnixSocket(t, type, protocol, flags);
  a.peer = b;
  b.peer = a;
  a.state = b.state = 'established';
  a.peerCreds = peerCredOf(t);
  b.peerCreds = peerCredOf(t);
  return [a, b];
}
