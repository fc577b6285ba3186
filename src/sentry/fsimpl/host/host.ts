// Host file descriptors donated to the sandbox: the user's stdin/stdout/stderr
// (gVisor's fsimpl/host). Only I/O on the already-open descriptor happens on the
// host; no path is ever opened. Pipes and ttys are used non-blocking (the launcher
// reopens them so the flag does not leak to the user's shell): a read or write that
// would block throws EAGAIN and the task waits for an event-loop readiness watch.
import { EAGAIN, EINVAL, EIO, ENOTTY, EPERM, ERESTARTSYS, ESPIPE, errnoFromNumber } from '../../../abi/linux/errno.js';
import { SIGTTIN, SIGTTOU } from '../../../abi/linux/signal.js';
import { sendToGroup } from '../../kernel/signals.js';
import { SI_KERNEL } from '../../kernel/signal_queue.js';
import {
  FIONREAD, TCFLSH, TCGETS, TCSBRK, TCSETS, TCSETSF, TCSETSW, TCXONC, TERMIOS_SIZE, TIOCGPGRP, TIOCGSID,
  TIOCGWINSZ, TIOCNOTTY, TIOCOUTQ, TIOCSCTTY, TIOCSPGRP, TIOCSWINSZ, WINSIZE_SIZE,
} from '../../../abi/linux/ioctl.js';
import { S_IFCHR, S_IFDIR, S_IFMT, S_IFREG, decodeStat, type Stat } from '../../../abi/linux/stat.js';
import { native } from '../../../native.js';
import type { Task } from '../../kernel/task.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, WaitQueue } from '../../kernel/waiter.js';
import { AnonFilesystem } from '../../vfs/anonfs.js';
import { FileDescription } from '../../vfs/file.js';
import { Inode } from '../../vfs/inode.js';
import type { IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';

export interface HostFdInfo {
  /** The host fd (owned by the Sentry from now on). */
  fd: number;
  /** Open flags the sandbox sees (O_RDONLY/O_WRONLY/O_RDWR ...). */
  flags: number;
  /** What /proc/<pid>/fd shows. */
  name: string;
  /** Reads and writes may return EAGAIN (pipes, ttys, sockets). */
  nonblocking: boolean;
  isTty: boolean;
}

/** termios c_lflag TOSTOP. */
const TOSTOP = 0o400;

let hostfs: AnonFilesystem | null = null;

function fs(): AnonFilesystem {
  return (hostfs ??= new AnonFilesystem('host', (f) => new HostInode(f, -1)));
}

class HostInode extends Inode {
  constructor(
    readonly fs: AnonFilesystem,
    readonly hostFd: number,
  ) {
    super(fs.allocIno(), hostFd < 0 ? S_IFDIR | 0o555 : S_IFCHR | 0o620);
  }

  override stat(): Stat {
    if (this.hostFd < 0) return super.stat();
    const b = new Uint8Array(144);
    const r = native().fstat(this.hostFd, b);
    if (r < 0) throw errnoFromNumber(-r);
    return decodeStat(b);
  }

  override open(): FileDescription {
    throw EINVAL;
  }
}

/** Foreground process group of the host terminal as the sandbox sees it. */
export interface TtyJobControl {
  foreground: number;
  session: number;
}

export class HostFileDescription extends FileDescription {
  private watchId = -1;
  private watchMask = 0;
  private readonly hostQueue = new WaitQueue();
  private readonly type: number;

  constructor(
    vd: VirtualDentry,
    readonly info: HostFdInfo,
    readonly job: TtyJobControl,
  ) {
    super(vd, info.flags);
    this.type = vd.dentry.inode.stat().mode & S_IFMT;
    this.hostQueue.onChange = (mask) => this.arm(mask);
  }

  override get waitQueue(): WaitQueue {
    return this.hostQueue;
  }

  override get positional(): boolean {
    return this.type === S_IFREG;
  }

  /** The host answers for its own fd (EINVAL for a pipe or tty, as here). */
  override fsync(dataOnly: boolean): void {
    const r = native().fsync(this.info.fd, dataOnly ? 1 : 0);
    if (r < 0) throw errnoFromNumber(-r);
  }

  /** Watches the host fd on the event loop while tasks wait on it. */
  private arm(mask: number): void {
    const want = (mask & EVENT_IN ? 1 : 0) | (mask & EVENT_OUT ? 2 : 0);
    if (want === this.watchMask) return;
    const n = native();
    if (this.watchId >= 0) n.pollStop(this.watchId);
    this.watchId = -1;
    this.watchMask = want;
    if (want === 0) return;
    const id = n.pollStart(this.info.fd, want, (ev) => {
      this.hostQueue.notify((ev & 1 ? EVENT_IN : 0) | (ev & 2 ? EVENT_OUT : 0) | EVENT_HUP | EVENT_ERR);
    });
    // Not pollable (a regular file): it is always ready.
    if (id < 0) this.hostQueue.notify(EVENT_IN | EVENT_OUT);
    else this.watchId = id;
  }

  /**
   * A background process group touching the terminal (tty_check_change): it gets
   * SIGTTIN/SIGTTOU and the call restarts once it is continued in the foreground;
   * EIO when the signal is ignored or blocked (it could never be served).
   */
  private checkForeground(t: Task, sig: number): void {
    if (!this.info.isTty || t.tg.pgid === this.job.foreground) return;
    const a = t.tg.handlers.get(sig);
    if (a.handler === 1 /* SIG_IGN */ || (t.sigmask >> BigInt(sig - 1)) & 1n) {
      if (sig === SIGTTOU) return; // writes go through when SIGTTOU is ignored
      throw EIO;
    }
    for (const tg of t.kernel.threadGroups.values()) {
      if (tg.alive && tg.pgid === t.tg.pgid) sendToGroup(tg, { signo: sig, code: SI_KERNEL });
    }
    throw ERESTARTSYS;
  }

  /** TOSTOP in the terminal's local modes: background writes stop the writer. */
  private tostop(): boolean {
    const termios = new Uint8Array(TERMIOS_SIZE);
    if (native().ioctl(this.info.fd, TCGETS, termios) < 0) return false;
    return (new DataView(termios.buffer).getUint32(12, true) & TOSTOP) !== 0;
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    this.checkForeground(t, SIGTTIN);
    const n = native();
    let total = 0;
    for (const v of dst) {
      const r = n.pread(this.info.fd, v, off < 0 ? -1 : off + total);
      if (r < 0) {
        if (total > 0) break;
        throw r === -11 ? EAGAIN : errnoFromNumber(-r);
      }
      total += r;
      if (r < v.length) break;
    }
    return total;
  }

  override write(t: Task, src: IOSequence, off: number): number {
    if (this.info.isTty && t.tg.pgid !== this.job.foreground && this.tostop()) this.checkForeground(t, SIGTTOU);
    const n = native();
    let total = 0;
    for (const v of src) {
      let done = 0;
      while (done < v.length) {
        const r = n.pwrite(this.info.fd, v.subarray(done), off < 0 ? -1 : off + total + done);
        if (r < 0) {
          if (total + done > 0) return total + done;
          throw r === -11 ? EAGAIN : errnoFromNumber(-r);
        }
        done += r;
      }
      total += done;
    }
    return total;
  }

  override seek(off: number, whence: number): number {
    if (this.type !== S_IFREG && this.type !== S_IFCHR) throw ESPIPE;
    const r = native().lseek(this.info.fd, off, whence);
    if (r < 0) throw errnoFromNumber(-r);
    return r;
  }

  override readiness(mask: number): number {
    const r = native().poll1(this.info.fd, mask & (EVENT_IN | EVENT_OUT), 0);
    if (r < 0) return mask & (EVENT_IN | EVENT_OUT);
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  override ioctl(t: Task, req: number, arg: number): number {
    const n = native();
    const passIn = (size: number, request: number): number => {
      const b = t.mm.copyIn(arg, size);
      const r = n.ioctl(this.info.fd, request, b);
      if (r < 0) throw errnoFromNumber(-r);
      return r;
    };
    const passOut = (size: number, request: number): number => {
      const b = new Uint8Array(size);
      const r = n.ioctl(this.info.fd, request, b);
      if (r < 0) throw errnoFromNumber(-r);
      t.mm.copyOut(arg, b);
      return r;
    };
    switch (req) {
      case TCGETS:
        return passOut(TERMIOS_SIZE, req);
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        return passIn(TERMIOS_SIZE, req);
      case TIOCGWINSZ:
        return passOut(WINSIZE_SIZE, req);
      case TIOCSWINSZ:
        return passIn(WINSIZE_SIZE, req);
      case FIONREAD:
      case TIOCOUTQ:
        return passOut(4, req);
      case TCSBRK:
      case TCXONC:
      case TCFLSH: {
        const r = n.ioctl(this.info.fd, req, arg);
        if (r < 0) throw errnoFromNumber(-r);
        return r;
      }
      case TIOCGPGRP:
        if (!this.info.isTty) throw ENOTTY;
        t.mm.writeU32(arg, this.job.foreground);
        return 0;
      case TIOCSPGRP: {
        if (!this.info.isTty) throw ENOTTY;
        const pgrp = t.mm.readI32(arg);
        if (pgrp < 0) throw EINVAL;
        // The group must exist in the caller's session; a background caller gets SIGTTOU first.
        let exists = false;
        for (const tg of t.kernel.threadGroups.values()) if (tg.alive && tg.pgid === pgrp && tg.sid === t.tg.sid) exists = true;
        if (!exists) throw EPERM;
        this.checkForeground(t, SIGTTOU);
        this.job.foreground = pgrp;
        return 0;
      }
      case TIOCSCTTY:
      case TIOCNOTTY:
        if (!this.info.isTty) throw ENOTTY;
        return 0;
      case TIOCGSID:
        if (!this.info.isTty) throw ENOTTY;
        t.mm.writeU32(arg, this.job.session);
        return 0;
      default:
        throw ENOTTY;
    }
  }

  override linkName(): string {
    return this.info.name;
  }

  protected override release(): void {
    if (this.watchId >= 0) native().pollStop(this.watchId);
    this.watchId = -1;
    native().close(this.info.fd);
  }
}

/** Wraps a donated host fd as a sandbox file description. */
export function importHostFd(info: HostFdInfo, job: TtyJobControl): HostFileDescription {
  const inode = new HostInode(fs(), info.fd);
  return new HostFileDescription(fs().vdFor(info.name, inode), info, job);
}
