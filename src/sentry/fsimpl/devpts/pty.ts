// A pseudo-terminal pair (drivers/tty/pty.c): what the master writes is the
// slave's input, run through the slave's line discipline; what the slave writes
// (and the echoes) is output-processed into the master's read buffer. Termios,
// window size and job-control state are the slave's and shared by both ends, as
// Linux's tty_mode_ioctl does on a master (real_tty = the slave).
import { EAGAIN, EIO, ERESTARTSYS } from '../../../abi/linux/errno.js';
import { WINSIZE_SIZE } from '../../../abi/linux/ioctl.js';
import { SIGCONT, SIGHUP, SIGTTIN } from '../../../abi/linux/signal.js';
import {
  CREAD, CS8, CSIZE, ICANON, IXON, PARENB, TIOCPKT_DATA, TIOCPKT_DOSTOP, TIOCPKT_FLUSHREAD, TIOCPKT_FLUSHWRITE, TIOCPKT_NOSTOP, TIOCPKT_START,
  TIOCPKT_STOP, VMIN, VSTART, VSTOP, VTIME, defaultSlaveTermios, type Termios,
} from '../../../abi/linux/termios.js';
import type { Kernel } from '../../kernel/kernel.js';
import { sendToGroup } from '../../kernel/signals.js';
import { SI_KERNEL } from '../../kernel/signal_queue.js';
import type { Task } from '../../kernel/task.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, EVENT_PRI, TimedWouldBlock, WaitQueue } from '../../kernel/waiter.js';
import { copyToSeq, seqLength, type IOSequence } from '../../vfs/iosequence.js';
import { ByteQueue } from './bytequeue.js';
import { registerTerminal, unregisterTerminal, type SessionTerminal } from './ctty.js';
import { killPgrp, pgrpOrphaned, sigIgnored } from './jobs.js';
import { LineDiscipline } from './ldisc.js';

/** Major number of pty slaves (/dev/pts/N is c 136:N). */
export const UNIX98_PTY_SLAVE_MAJOR = 136;
/** Input the master may write ahead of the line discipline (the tty flip buffer limit). */
const RAW_MAX = 65536;
/** Output the slave may write before the master reads it. */
const OUTPUT_MAX = 65536;
/** VTIME counts tenths of a second. */
const DECISECOND_NS = 100_000_000;

export class Pty implements SessionTerminal {
  termios: Termios = defaultSlaveTermios();
  readonly ldisc: LineDiscipline;
  winsize = new Uint8Array(WINSIZE_SIZE);
  /** Readers and writers of each end wait here. */
  readonly masterQueue = new WaitQueue();
  readonly slaveQueue = new WaitQueue();
  private rawIn: number[] = [];
  private readonly output = new ByteQueue();
  /** Uptime ns of the last input the slave got (VTIME between bytes). */
  private lastInputNs = 0;
  masterOpen = true;
  slaveFiles = 0;
  /** TTY_OTHER_CLOSED on the master: a slave was open and every slave file is closed now. */
  slaveClosed = false;
  /** TIOCSPTLCK: the slave cannot be opened until unlockpt(3). */
  locked = true;
  /** TIOCEXCL: further opens of the slave need CAP_SYS_ADMIN. */
  exclusive = false;
  /** TIOCPKT on the master, and the status byte it reads next. */
  packet = false;
  pktStatus = 0;
  /** Slave output stopped (^S or TCOOFF); tcoStopped: by TCOOFF. */
  stopped = false;
  tcoStopped = false;
  /** The session whose controlling terminal this is, and its foreground process group. */
  session: number | null = null;
  pgrp: number | null = null;

  readonly ttyNr: number;

  constructor(
    readonly kernel: Kernel,
    readonly index: number,
    /** Both ends are closed: the index may be reused. */
    private readonly onFree: (p: Pty) => void,
    /** The master closed: /dev/pts/N goes away. */
    private readonly onMasterClose: (p: Pty) => void,
  ) {
    this.ttyNr = (index & 0xff) | (UNIX98_PTY_SLAVE_MAJOR << 8) | ((index & ~0xff) << 12);
    this.ldisc = new LineDiscipline(() => this.termios, {
      signal: (sig) => {
        const pg = this.foreground();
        if (pg !== null) killPgrp(this.kernel, pg, sig);
      },
      stop: () => this.stop(),
      start: () => this.start(),
      flushed: () => this.setPacketStatus(TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE, 0),
    });
    registerTerminal(kernel, this);
  }

  /** The master has gone: slave files are hung up (read 0, write EIO). */
  get hungUp(): boolean {
    return !this.masterOpen;
  }

  // ---- sessions and job control ----

  validSession(): number | null {
    if (this.session !== null) {
      const leader = this.kernel.threadGroups.get(this.session);
      // The controlling process exited: the session no longer has this terminal.
      if (!leader || !leader.alive) {
        this.session = null;
        this.pgrp = null;
      }
    }
    return this.session;
  }

  leaderExited(sid: number): void {
    if (this.session !== sid) return;
    const pg = this.pgrp;
    this.session = null;
    this.pgrp = null;
    if (pg !== null) killPgrp(this.kernel, pg, SIGHUP);
  }

  foreground(): number | null {
    return this.validSession() === null ? null : this.pgrp;
  }

  /** __tty_check_change: a background group touching its terminal gets sig (and the call restarts). */
  checkChange(t: Task, sig: number, isCtty: boolean): void {
    if (!isCtty) return;
    const pg = this.foreground();
    if (pg === null || t.tg.pgid === pg) return;
    if (sigIgnored(t, sig)) {
      if (sig === SIGTTIN) throw EIO;
      return;
    }
    if (pgrpOrphaned(this.kernel, t.tg.pgid)) throw EIO;
    killPgrp(this.kernel, t.tg.pgid, sig);
    throw ERESTARTSYS;
  }

  // ---- flow control and packet mode ----

  private setPacketStatus(set: number, clear: number): void {
    if (!this.packet) return;
    this.pktStatus = (this.pktStatus & ~clear) | set;
    this.masterQueue.notify(EVENT_IN | EVENT_PRI);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.setPacketStatus(TIOCPKT_STOP, TIOCPKT_START);
  }

  start(): void {
    if (!this.stopped || this.tcoStopped) return;
    this.stopped = false;
    this.setPacketStatus(TIOCPKT_START, TIOCPKT_STOP);
    this.slaveQueue.notify(EVENT_OUT);
  }

  /** TCSETS*: the slave's new settings (pty_set_termios and n_tty_set_termios). */
  setTermios(next: Termios): void {
    const old = this.termios;
    const flow = (t: Termios): boolean => (t.iflag & IXON) !== 0 && t.cc[VSTOP] === 0o23 && t.cc[VSTART] === 0o21;
    this.termios = next;
    // A pty is always 8 bits, receiving, no parity.
    next.cflag = (next.cflag & ~(CSIZE | PARENB)) | CS8 | CREAD;
    if (flow(old) !== flow(next)) {
      this.setPacketStatus(flow(next) ? TIOCPKT_DOSTOP : TIOCPKT_NOSTOP, TIOCPKT_DOSTOP | TIOCPKT_NOSTOP);
    }
    this.ldisc.termiosChanged((old.lflag & ICANON) !== 0);
    if (!(next.iflag & IXON) && this.stopped && !this.tcoStopped) this.start();
    this.pump();
    this.slaveQueue.notify(EVENT_IN | EVENT_OUT);
  }

  /** TCIFLUSH on the slave (n_tty_flush_buffer). */
  flushSlaveInput(): void {
    this.ldisc.flushInput();
    this.setPacketStatus(TIOCPKT_FLUSHREAD, 0);
    this.pump();
  }

  /** TCOFLUSH on the slave (pty_flush_buffer): nothing is queued between the ends, but packet mode hears of it. */
  flushSlaveOutput(): void {
    this.setPacketStatus(TIOCPKT_FLUSHWRITE, 0);
  }

  /** TCIFLUSH on the master: what the slave wrote and the master has not read. */
  flushMasterInput(): void {
    this.output.clear();
    this.slaveQueue.notify(EVENT_OUT);
  }

  /** TCOFLUSH on the master: input not yet taken by the slave's line discipline. */
  flushMasterOutput(): void {
    this.rawIn = [];
    this.masterQueue.notify(EVENT_OUT);
  }

  // ---- data ----

  /** Moves master-written bytes into the line discipline while it has room, then delivers echoes. */
  private pump(): void {
    let i = 0;
    while (i < this.rawIn.length && this.ldisc.hasRoom()) this.ldisc.receive(this.rawIn[i++]!);
    if (i > 0) {
      this.rawIn.splice(0, i);
      this.lastInputNs = this.kernel.uptimeNs();
      this.masterQueue.notify(EVENT_OUT);
      this.slaveQueue.notify(EVENT_IN);
    }
    const echo = this.ldisc.takeEchoes();
    if (echo.length > 0) {
      this.output.push(Uint8Array.from(echo));
      this.masterQueue.notify(EVENT_IN);
    }
  }

  masterWrite(src: IOSequence): number {
    const room = RAW_MAX - this.rawIn.length;
    const total = seqLength(src);
    if (total === 0) return 0;
    if (room <= 0) throw EAGAIN;
    let n = 0;
    for (const v of src) {
      for (let j = 0; j < v.length && n < room; j++, n++) this.rawIn.push(v[j]!);
      if (n >= room) break;
    }
    this.pump();
    return n;
  }

  masterRead(dst: IOSequence): number {
    const max = seqLength(dst);
    if (max === 0) return 0;
    if (this.packet && this.pktStatus !== 0) {
      const b = Uint8Array.of(this.pktStatus);
      this.pktStatus = 0;
      return copyToSeq(dst, b);
    }
    if (this.output.size === 0) {
      if (this.slaveClosed) throw EIO;
      throw EAGAIN;
    }
    let data: Uint8Array;
    if (this.packet) {
      const body = this.output.take(max - 1);
      data = new Uint8Array(body.length + 1);
      data[0] = TIOCPKT_DATA;
      data.set(body, 1);
    } else {
      data = this.output.take(max);
    }
    this.slaveQueue.notify(EVENT_OUT);
    return copyToSeq(dst, data);
  }

  /** n_tty_read on the slave; the caller has done the job-control check. */
  slaveRead(dst: IOSequence, nonblock: boolean): number {
    if (this.hungUp) return 0;
    const max = seqLength(dst);
    if (max === 0) return 0;
    const take = (): number => {
      if (this.ldisc.count === 0 && !this.ldisc.canonical) return 0;
      const n = copyToSeq(dst, this.ldisc.read(max));
      this.pump();
      this.masterQueue.notify(EVENT_OUT);
      return n;
    };
    if (this.ldisc.canonical) {
      if (this.ldisc.available(1)) return take();
      throw EAGAIN;
    }
    const vmin = this.termios.cc[VMIN]!;
    const vtime = this.termios.cc[VTIME]! * DECISECOND_NS;
    const avail = this.ldisc.count;
    if (vmin === 0) {
      if (avail > 0 || vtime === 0) return take();
      if (nonblock) throw EAGAIN;
      throw new TimedWouldBlock(vtime, 0, take);
    }
    if (avail >= Math.min(vmin, max)) return take();
    if (avail > 0 && (nonblock || vtime > 0 && this.kernel.uptimeNs() >= this.lastInputNs + vtime)) return take();
    if (avail > 0 && vtime > 0) throw new TimedWouldBlock(vtime, this.lastInputNs + vtime, take);
    throw EAGAIN;
  }

  /** n_tty_write on the slave: output-processed into the master's buffer. */
  slaveWrite(src: IOSequence): number {
    if (this.hungUp) throw EIO;
    if (seqLength(src) === 0) return 0;
    if (this.stopped) throw EAGAIN;
    let room = OUTPUT_MAX - this.output.size;
    let n = 0;
    for (const v of src) {
      const [out, used] = this.ldisc.processOutput(v, room);
      this.output.push(out);
      room -= out.length;
      n += used;
      if (used < v.length) break;
    }
    if (n === 0) throw EAGAIN;
    this.masterQueue.notify(EVENT_IN);
    return n;
  }

  /** TCXONC TCIOFF/TCION on the slave: the character goes to the master like output. */
  sendChar(c: number): void {
    if (this.hungUp) throw EIO;
    this.output.push(Uint8Array.of(c));
    this.masterQueue.notify(EVENT_IN);
  }

  /** FIONREAD on either end. */
  readableOn(master: boolean): number {
    return master ? this.output.size : this.ldisc.readableBytes();
  }

  masterReadiness(mask: number): number {
    let r = 0;
    if (this.output.size > 0) r |= EVENT_IN;
    if (this.packet && this.pktStatus !== 0) r |= EVENT_IN | EVENT_PRI;
    if (this.slaveClosed) r |= EVENT_HUP;
    if (this.rawIn.length < RAW_MAX) r |= EVENT_OUT;
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  slaveReadiness(mask: number): number {
    if (this.hungUp) return (EVENT_IN | EVENT_OUT | EVENT_ERR | EVENT_HUP) & (mask | EVENT_HUP | EVENT_ERR);
    let r = 0;
    const cc = this.termios.cc;
    const amt = !this.ldisc.canonical && cc[VTIME] === 0 && cc[VMIN]! > 0 ? cc[VMIN]! : 1;
    if (this.ldisc.available(amt)) r |= EVENT_IN;
    if (!this.stopped && this.output.size < OUTPUT_MAX) r |= EVENT_OUT;
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  // ---- opens and closes ----

  slaveOpened(): void {
    this.slaveFiles++;
    this.slaveClosed = false;
  }

  slaveReleased(): void {
    if (--this.slaveFiles > 0) return;
    if (this.masterOpen) {
      this.slaveClosed = true;
      this.masterQueue.notify(EVENT_IN | EVENT_OUT | EVENT_HUP);
    } else {
      this.free();
    }
  }

  /** The master's last close: hang the slave up (tty_vhangup) and signal the controlling process. */
  masterReleased(): void {
    this.masterOpen = false;
    this.onMasterClose(this);
    const sid = this.validSession();
    if (sid !== null) {
      const leader = this.kernel.threadGroups.get(sid);
      if (leader) {
        sendToGroup(leader, { signo: SIGHUP, code: SI_KERNEL });
        sendToGroup(leader, { signo: SIGCONT, code: SI_KERNEL });
      }
    }
    this.session = null;
    this.pgrp = null;
    this.slaveQueue.notify(EVENT_IN | EVENT_OUT | EVENT_ERR | EVENT_HUP);
    if (this.slaveFiles === 0) this.free();
  }

  private free(): void {
    unregisterTerminal(this.kernel, this);
    this.onFree(this);
  }
}
