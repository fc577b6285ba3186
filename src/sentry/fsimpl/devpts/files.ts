// Open ends of a pty: the master (/dev/ptmx) and slave (/dev/pts/N, or /dev/tty
// for the controlling terminal) file descriptions, and the terminal ioctls both
// serve (tty_ioctl, n_tty_ioctl, pty_unix98_ioctl).
import { EBUSY, EINVAL, EIO, ENOTTY, EPERM, ESRCH } from '../../../abi/linux/errno.js';
import { O_CLOEXEC, O_NOCTTY, O_NONBLOCK } from '../../../abi/linux/fcntl.js';
import {
  FIONREAD, TCFLSH, TCGETS, TCGETS2, TCSBRK, TCSBRKP, TCSETS, TCSETS2, TCSETSF, TCSETSF2, TCSETSW, TCSETSW2, TCXONC,
  TIOCCBRK, TIOCEXCL, TIOCGETD, TIOCGEXCL, TIOCGPGRP, TIOCGPKT, TIOCGPTLCK, TIOCGPTN, TIOCGSID, TIOCGWINSZ, TIOCNOTTY,
  TIOCNXCL, TIOCOUTQ, TIOCPKT, TIOCSBRK, TIOCSCTTY, TIOCSETD, TIOCSIG, TIOCSPGRP, TIOCSPTLCK, TIOCSWINSZ, TERMIOS_SIZE,
  WINSIZE_SIZE, TIOCGPTPEER,
} from '../../../abi/linux/ioctl.js';
import { SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH } from '../../../abi/linux/signal.js';
import {
  TCIFLUSH, TCIOFF, TCIOFLUSH, TCION, TCOFLUSH, TCOOFF, TCOON, TERMIOS2_SIZE, TOSTOP, VDISABLE, VSTART, VSTOP,
  decodeTermios, encodeTermios,
} from '../../../abi/linux/termios.js';
import type { Task } from '../../kernel/task.js';
import type { WaitQueue } from '../../kernel/waiter.js';
import { FileDescription } from '../../vfs/file.js';
import type { IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { attachProcess, controllingTerminal, detachProcess, sessionHasTerminal } from './ctty.js';
import { isSessionLeader, killPgrp, sessionOfPgrp } from './jobs.js';
import type { Pty } from './pty.js';

const CAP_SYS_ADMIN = 21;
/** Flags TIOCGPTPEER accepts for the new slave description. */
const PEER_FLAGS = 0o3 | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;

/** Opens the peer slave of a master for TIOCGPTPEER (the file system knows its dentry). */
export type PeerOpener = (t: Task, pty: Pty, flags: number) => number;

abstract class TtyFile extends FileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    readonly pty: Pty,
    readonly master: boolean,
  ) {
    // Like do_dentry_open, the description does not keep O_NOCTTY (F_GETFL never shows it).
    super(vd, flags & ~O_NOCTTY);
  }

  override get positional(): boolean {
    return false;
  }

  /** The slave is the caller's controlling terminal (current->signal->tty == real_tty). */
  protected isCtty(t: Task): boolean {
    return controllingTerminal(t) === this.pty;
  }

  /** tty_check_change on the file's own tty: a master is nobody's controlling terminal. */
  protected checkOwn(t: Task): void {
    if (!this.master) this.pty.checkChange(t, SIGTTOU, this.isCtty(t));
  }

  override ioctl(t: Task, req: number, arg: number): number {
    const pty = this.pty;
    const mm = t.mm;
    switch (req) {
      case TCGETS:
      case TCGETS2:
        mm.copyOut(arg, encodeTermios(pty.termios, req === TCGETS2));
        return 0;
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
      case TCSETS2:
      case TCSETSW2:
      case TCSETSF2: {
        pty.checkChange(t, SIGTTOU, this.isCtty(t));
        const two = req === TCSETS2 || req === TCSETSW2 || req === TCSETSF2;
        const next = decodeTermios(mm.copyIn(arg, two ? TERMIOS2_SIZE : TERMIOS_SIZE));
        // TCSETSW waits for output to drain: a pty's output is with the master already.
        if (req === TCSETSF || req === TCSETSF2) pty.flushSlaveInput();
        pty.setTermios(next);
        return 0;
      }
      case TIOCGWINSZ:
        mm.copyOut(arg, pty.winsize.slice());
        return 0;
      case TIOCSWINSZ: {
        const ws = mm.copyIn(arg, WINSIZE_SIZE);
        if (ws.every((b, i) => b === pty.winsize[i])) return 0;
        pty.winsize = ws.slice();
        const fg = pty.foreground();
        if (fg !== null) killPgrp(t.kernel, fg, SIGWINCH);
        return 0;
      }
      case FIONREAD:
        mm.writeU32(arg, pty.readableOn(this.master));
        return 0;
      case TIOCOUTQ:
        mm.writeU32(arg, 0);
        return 0;
      case TCFLSH:
        this.checkOwn(t);
        if (arg !== TCIFLUSH && arg !== TCOFLUSH && arg !== TCIOFLUSH) throw EINVAL;
        if (arg !== TCOFLUSH) this.master ? pty.flushMasterInput() : pty.flushSlaveInput();
        if (arg !== TCIFLUSH) this.master ? pty.flushMasterOutput() : pty.flushSlaveOutput();
        return 0;
      case TCXONC:
        this.checkOwn(t);
        return this.flow(arg);
      case TCSBRK:
      case TCSBRKP:
      case TIOCSBRK:
      case TIOCCBRK:
        this.checkOwn(t);
        return 0;
      case TIOCSCTTY:
        return this.setCtty(t, arg);
      case TIOCNOTTY:
        return this.noCtty(t);
      case TIOCGPGRP:
        if (!this.master && !this.isCtty(t)) throw ENOTTY;
        mm.writeU32(arg, pty.foreground() ?? 0);
        return 0;
      case TIOCSPGRP:
        return this.setPgrp(t, arg);
      case TIOCGSID: {
        if (!this.master && !this.isCtty(t)) throw ENOTTY;
        const sid = pty.validSession();
        if (sid === null) throw ENOTTY;
        mm.writeU32(arg, sid);
        return 0;
      }
      case TIOCGETD:
        mm.writeU32(arg, 0); // N_TTY
        return 0;
      case TIOCSETD:
        if (mm.readI32(arg) !== 0) throw EINVAL;
        return 0;
      case TIOCEXCL:
        pty.exclusive = true;
        return 0;
      case TIOCNXCL:
        pty.exclusive = false;
        return 0;
      case TIOCGEXCL:
        mm.writeU32(arg, pty.exclusive ? 1 : 0);
        return 0;
      default:
        throw ENOTTY;
    }
  }

  /** TCXONC: suspend or restart output, or send STOP/START to the other side. */
  private flow(arg: number): number {
    const pty = this.pty;
    const cc = pty.termios.cc;
    switch (arg) {
      case TCOOFF:
        if (!this.master && !pty.tcoStopped) {
          pty.stop();
          pty.tcoStopped = true;
        }
        return 0;
      case TCOON:
        if (!this.master && pty.tcoStopped) {
          pty.tcoStopped = false;
          pty.start();
        }
        return 0;
      case TCIOFF:
      case TCION: {
        const c = cc[arg === TCIOFF ? VSTOP : VSTART]!;
        if (c === VDISABLE) return 0;
        if (this.master) pty.masterWrite([Uint8Array.of(c)]);
        else pty.sendChar(c);
        return 0;
      }
      default:
        throw EINVAL;
    }
  }

  /** TIOCSCTTY (tiocsctty): a session leader without a terminal takes this one. */
  private setCtty(t: Task, arg: number): number {
    const pty = this.pty;
    const leader = isSessionLeader(t);
    if (leader && pty.validSession() === t.tg.sid) return 0;
    if (!leader || sessionHasTerminal(t)) throw EPERM;
    const admin = t.creds.hasCap(CAP_SYS_ADMIN);
    if (pty.validSession() !== null && !(arg === 1 && admin)) throw EPERM;
    if (!this.readable && !admin) throw EPERM;
    pty.session = t.tg.sid;
    pty.pgrp = t.tg.pgid;
    attachProcess(t.tg);
    return 0;
  }

  /** TIOCNOTTY: the caller gives its controlling terminal up; a leader takes the session's with it. */
  private noCtty(t: Task): number {
    if (this.master || !this.isCtty(t)) throw ENOTTY;
    if (!isSessionLeader(t)) {
      detachProcess(t.tg);
      return 0;
    }
    const fg = this.pty.foreground();
    if (fg !== null) {
      killPgrp(t.kernel, fg, SIGHUP);
      killPgrp(t.kernel, fg, SIGCONT);
    }
    this.pty.session = null;
    this.pty.pgrp = null;
    return 0;
  }

  /** TIOCSPGRP (tiocspgrp): a group of the caller's session becomes the foreground. */
  private setPgrp(t: Task, arg: number): number {
    const pty = this.pty;
    const ctty = this.isCtty(t);
    try {
      pty.checkChange(t, SIGTTOU, ctty);
    } catch (e) {
      throw e === EIO ? ENOTTY : e;
    }
    const pg = t.mm.readI32(arg);
    if (pg < 0) throw EINVAL;
    if (!ctty || pty.validSession() !== t.tg.sid) throw ENOTTY;
    const sid = sessionOfPgrp(t.kernel, pg);
    if (sid === null) throw ESRCH;
    if (sid !== t.tg.sid) throw EPERM;
    pty.pgrp = pg;
    return 0;
  }
}

/** The master end: what it reads is the slave's output, what it writes the slave's input. */
export class MasterFile extends TtyFile {
  constructor(
    vd: VirtualDentry,
    flags: number,
    pty: Pty,
    private readonly openPeer: PeerOpener,
  ) {
    super(vd, flags, pty, true);
  }

  override get waitQueue(): WaitQueue {
    return this.pty.masterQueue;
  }

  override read(t: Task, dst: IOSequence): number {
    return this.pty.masterRead(dst);
  }

  override write(t: Task, src: IOSequence): number {
    return this.pty.masterWrite(src);
  }

  override readiness(mask: number): number {
    return this.pty.masterReadiness(mask);
  }

  override ioctl(t: Task, req: number, arg: number): number {
    const pty = this.pty;
    switch (req) {
      case TIOCGPTN:
        t.mm.writeU32(arg, pty.index);
        return 0;
      case TIOCSPTLCK:
        pty.locked = t.mm.readI32(arg) !== 0;
        return 0;
      case TIOCGPTLCK:
        t.mm.writeU32(arg, pty.locked ? 1 : 0);
        return 0;
      case TIOCPKT:
        if (t.mm.readI32(arg) !== 0) {
          if (!pty.packet) pty.pktStatus = 0;
          pty.packet = true;
        } else {
          pty.packet = false;
        }
        return 0;
      case TIOCGPKT:
        t.mm.writeU32(arg, pty.packet ? 1 : 0);
        return 0;
      case TIOCSIG: {
        // pty_signal: only the keyboard signals.
        if (arg !== SIGINT && arg !== SIGQUIT && arg !== SIGTSTP) throw EINVAL;
        const fg = pty.foreground();
        if (fg !== null) killPgrp(t.kernel, fg, arg);
        return 0;
      }
      case TIOCGPTPEER:
        return this.openPeer(t, pty, arg & PEER_FLAGS);
      default:
        return super.ioctl(t, req, arg);
    }
  }

  override fdinfo(): string {
    return `tty-index:\t${this.pty.index}\n`;
  }

  protected override release(): void {
    this.pty.masterReleased();
  }
}

/** The slave end: a terminal with a line discipline and job control. */
export class SlaveFile extends TtyFile {
  constructor(vd: VirtualDentry, flags: number, pty: Pty) {
    super(vd, flags, pty, false);
    pty.slaveOpened();
  }

  override get waitQueue(): WaitQueue {
    return this.pty.slaveQueue;
  }

  override read(t: Task, dst: IOSequence): number {
    if (this.pty.hungUp) return 0;
    this.pty.checkChange(t, SIGTTIN, this.isCtty(t));
    return this.pty.slaveRead(dst, (this.flags & O_NONBLOCK) !== 0);
  }

  override write(t: Task, src: IOSequence): number {
    if (this.pty.hungUp) throw EIO;
    if (this.pty.termios.lflag & TOSTOP) this.pty.checkChange(t, SIGTTOU, this.isCtty(t));
    return this.pty.slaveWrite(src);
  }

  override readiness(mask: number): number {
    return this.pty.slaveReadiness(mask);
  }

  override ioctl(t: Task, req: number, arg: number): number {
    // hung_up_tty_ioctl
    if (this.pty.hungUp) throw req === TIOCSPGRP ? ENOTTY : EIO;
    return super.ioctl(t, req, arg);
  }

  protected override release(): void {
    this.pty.slaveReleased();
  }
}

/**
 * pty_open on the slave: refused while locked (EIO) or exclusive (EBUSY); a session
 * leader without a terminal that opens it without O_NOCTTY gets it as its own.
 */
export function openSlave(t: Task, vd: VirtualDentry, flags: number, pty: Pty): SlaveFile {
  if (!pty.masterOpen || pty.locked) throw EIO;
  if (pty.exclusive && !t.creds.hasCap(CAP_SYS_ADMIN)) throw EBUSY;
  const f = new SlaveFile(vd, flags, pty);
  if (!(flags & O_NOCTTY) && f.readable && isSessionLeader(t) && !sessionHasTerminal(t) && pty.validSession() === null) {
    pty.session = t.tg.sid;
    pty.pgrp = t.tg.pgid;
    attachProcess(t.tg);
  }
  return f;
}
