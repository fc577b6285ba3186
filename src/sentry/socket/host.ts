// Host sockets donated as stdio (a parent's socketpair: libuv's spawn, node's
// spawnSync, systemd). They stay host file descriptions for read/write/poll; the
// socket calls see a connected, unnamed AF_UNIX stream socket (what programs
// probe with getsockname/getsockopt before treating stdio as a pipe), with data
// moved on the host. Descriptors cannot cross into or out of the host this way:
// SCM_RIGHTS is EINVAL, and passed host descriptors are closed.
import { EAGAIN, EINVAL, EISCONN, EOPNOTSUPP, EPIPE, errnoFromNumber } from '../../abi/linux/errno.js';
import { O_NONBLOCK } from '../../abi/linux/fcntl.js';
import { SIGPIPE } from '../../abi/linux/signal.js';
import { S_IFMT, S_IFSOCK } from '../../abi/linux/stat.js';
import { AF_UNIX, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_PEEK, MSG_WAITALL, SOCK_STREAM } from '../../abi/linux/socket.js';
import { native } from '../../native.js';
import type { Block, SyscallValue } from '../kernel/block.js';
import { sendToThread } from '../kernel/signals.js';
import { SI_USER } from '../kernel/signal_queue.js';
import type { Task } from '../kernel/task.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, type WaitQueue } from '../kernel/waiter.js';
import { HostFileDescription } from '../fsimpl/host/host.js';
import type { FileDescription } from '../vfs/file.js';
import { copyToSeq, seqDrop } from '../vfs/iosequence.js';
import { UNNAMED } from './unix/addr.js';
import { SocketDescription, type RecvRequest, type RecvResult, type SendRequest } from './socket.js';
import { socketWait } from './wait.js';

const MAX_CHUNK = 1 << 20;

export class HostSocket extends SocketDescription {
  readonly family = AF_UNIX;

  constructor(readonly host: HostFileDescription) {
    super(host.vd, host.flags, SOCK_STREAM, 0);
  }

  override get nonblocking(): boolean {
    return (this.host.flags & O_NONBLOCK) !== 0;
  }

  override get waitQueue(): WaitQueue {
    return this.host.waitQueue;
  }

  override get sigpipe(): boolean {
    return true;
  }

  override readiness(mask: number): number {
    return this.host.readiness(mask);
  }

  override bind(): void {
    throw EINVAL;
  }

  override connect(): SyscallValue {
    throw EISCONN;
  }

  override listen(): void {
    throw EINVAL;
  }

  override accept(): SyscallValue {
    throw EINVAL;
  }

  override shutdown(): void {
    // Would need a host shutdown(2), which the Sentry does not make on donated fds.
    throw EOPNOTSUPP;
  }

  override getsockname(): Uint8Array {
    return UNNAMED;
  }

  override getpeername(): Uint8Array {
    return UNNAMED;
  }

  override sendmsg(t: Task, req: SendRequest): SyscallValue | Block {
    if (req.to) throw EISCONN;
    if (req.rights) throw EINVAL;
    let sent = 0;
    return socketWait(t, {
      nonblock: (req.flags & MSG_DONTWAIT) !== 0,
      timeoutNs: this.sndtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: EVENT_OUT | EVENT_HUP | EVENT_ERR }],
      progress: () => (sent > 0 ? sent : null),
      attempt: () => {
        try {
          while (sent < req.length) {
            const n = this.host.write(t, seqDrop(req.data(), sent), -1);
            if (n === 0) break;
            sent += n;
          }
          return sent;
        } catch (e) {
          if (e === EAGAIN) throw e;
          if (e === EPIPE && sent === 0 && !(req.flags & MSG_NOSIGNAL)) {
            sendToThread(t, { signo: SIGPIPE, code: SI_USER, pid: t.tg.pid, uid: t.creds.ruid });
          }
          if (sent > 0) return sent;
          throw e;
        }
      },
    });
  }

  override recvmsg(t: Task, req: RecvRequest, deliver: (r: RecvResult) => SyscallValue): SyscallValue | Block {
    let copied = 0;
    const waitall = (req.flags & MSG_WAITALL) !== 0 && !(req.flags & MSG_PEEK);
    const finish = (): SyscallValue => deliver({ n: copied, flags: 0, from: null, creds: null, rights: null });
    const noFds = new Int32Array(1);
    return socketWait(t, {
      nonblock: (req.flags & MSG_DONTWAIT) !== 0,
      timeoutNs: this.rcvtimeoNs,
      waits: () => [{ queue: this.waitQueue, mask: EVENT_IN | EVENT_HUP | EVENT_ERR }],
      progress: () => (copied > 0 ? finish() : null),
      attempt: () => {
        const dst = req.length === 0 ? [] : req.dst();
        for (;;) {
          const buf = new Uint8Array(Math.min(req.length - copied, MAX_CHUNK));
          const r = native().recvmsg(this.host.info.fd, buf, noFds, MSG_DONTWAIT | (req.flags & MSG_PEEK));
          if (r < 0) {
            if (r === -11 && copied === 0) throw EAGAIN;
            if (r === -11 && waitall && copied < req.length) throw EAGAIN;
            if (copied > 0) return finish();
            throw errnoFromNumber(-r);
          }
          copyToSeq(dst, buf.subarray(0, r), copied);
          copied += r;
          if (r === 0 || !waitall || copied >= req.length) return finish();
        }
      },
    });
  }

  override ioctl(t: Task, req: number, arg: number): number {
    return this.host.ioctl(t, req, arg);
  }
}

const adapters = new WeakMap<HostFileDescription, HostSocket>();

/** The socket view of a donated host socket, or null when `f` is not one. */
export function hostSocket(f: FileDescription): HostSocket | null {
  if (!(f instanceof HostFileDescription)) return null;
  let s = adapters.get(f);
  if (!s) {
    if ((f.inode.stat().mode & S_IFMT) !== S_IFSOCK) return null;
    s = new HostSocket(f);
    adapters.set(f, s);
  }
  return s;
}
