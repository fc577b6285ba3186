// The line discipline of a pty slave (Linux's n_tty.c): input processing of what
// the master writes (ICRNL & co., ISIG characters, canonical line editing, echo)
// and output processing of what the slave writes (OPOST: ONLCR & co.). Pure
// logic: the Pty owns the buffers on both sides and the wake-ups.
import {
  ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOPRT, ICANON, ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP, IUCLC,
  IUTF8, IXANY, IXON, NOFLSH, OCRNL, OLCUC, ONLCR, ONLRET, ONOCR, OPOST, TABDLY, VDISABLE, VEOF, VEOL, VEOL2,
  VERASE, VINTR, VKILL, VLNEXT, VQUIT, VREPRINT, VSTART, VSTOP, VSUSP, VWERASE, XTABS, type Termios,
} from '../../../abi/linux/termios.js';
import { SIGINT, SIGQUIT, SIGTSTP } from '../../../abi/linux/signal.js';

/** N_TTY_BUF_SIZE: the read buffer; one slot stays free for a line's end. */
export const N_TTY_BUF_SIZE = 4096;

/** Flags on entries of the read buffer: ends a canonical line; an EOF push (no data). */
const LINE_END = 0x100;
const EOF_MARK = 0x200;
/** Echo entry: a control character shown as ^X (written raw, no OPOST). */
const ECHO_CTL = 0x1000;

/** What input processing asks of the terminal around it. */
export interface LdiscEvents {
  /** ISIG: signal the foreground process group (flush already done unless NOFLSH). */
  signal(sig: number): void;
  /** IXON stop/start characters. */
  stop(): void;
  start(): void;
  /** Input was flushed by a signal character (packet mode reports it). */
  flushed(): void;
}

function iscntrl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

function isalnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export class LineDiscipline {
  /** Processed input not yet read: byte | LINE_END | EOF_MARK. */
  private buf: number[] = [];
  /** Entries before this index form complete lines (canonical mode). */
  private canonHead = 0;
  private lnext = false;
  private erasing = false;
  /** Output column (for tabs, ONOCR, erasing). */
  private column = 0;
  /** Echoes of the current input batch; a signal character with flush drops them. */
  private echoes: number[] = [];

  constructor(
    private readonly termios: () => Termios,
    private readonly events: LdiscEvents,
  ) {}

  private get t(): Termios {
    return this.termios();
  }

  private l(flag: number): boolean {
    return (this.t.lflag & flag) !== 0;
  }

  private i(flag: number): boolean {
    return (this.t.iflag & flag) !== 0;
  }

  get canonical(): boolean {
    return this.l(ICANON);
  }

  /** Entries in the read buffer. */
  get count(): number {
    return this.buf.length;
  }

  /** Room for one more input byte (false: the master's writes wait). */
  hasRoom(): boolean {
    if (this.buf.length < N_TTY_BUF_SIZE - 1) return true;
    // A full buffer without a complete line would never drain: keep taking input
    // (line ends and editing work; ordinary characters are dropped, as n_tty does).
    return this.canonical && this.canonHead === 0;
  }

  /** A read can return now (input_available_p): a line, or `amt` bytes in raw mode. */
  available(amt: number): boolean {
    return this.canonical ? this.canonHead > 0 : this.buf.length >= amt;
  }

  /** FIONREAD: readable bytes (canonical: complete lines without EOF pushes). */
  readableBytes(): number {
    if (!this.canonical) return this.buf.length;
    let n = 0;
    for (let i = 0; i < this.canonHead; i++) if (!(this.buf[i]! & EOF_MARK)) n++;
    return n;
  }

  /** Reads up to max bytes: in canonical mode at most one line (an EOF push ends it without data). */
  read(max: number): Uint8Array {
    const out: number[] = [];
    if (this.canonical) {
      let i = 0;
      while (i < this.canonHead && out.length < max) {
        const e = this.buf[i++]!;
        if (!(e & EOF_MARK)) out.push(e & 0xff);
        if (e & LINE_END) break;
      }
      // An EOF push right after a line filled to max is consumed with it.
      this.consume(i);
    } else {
      const n = Math.min(max, this.buf.length);
      for (let i = 0; i < n; i++) out.push(this.buf[i]! & 0xff);
      this.consume(n);
    }
    return Uint8Array.from(out);
  }

  private consume(n: number): void {
    this.buf.splice(0, n);
    this.canonHead = Math.max(0, this.canonHead - n);
  }

  /** TCIFLUSH and signal flushes (reset_buffer_flags). */
  flushInput(): void {
    this.buf = [];
    this.canonHead = 0;
    this.lnext = false;
    this.erasing = false;
  }

  /** n_tty_set_termios: switching ICANON on makes pending input one pushed line; off makes it all readable. */
  termiosChanged(wasCanonical: boolean): void {
    if (wasCanonical === this.canonical) return;
    if (this.canonical && this.buf.length > 0) {
      this.buf[this.buf.length - 1]! |= LINE_END;
      this.canonHead = this.buf.length;
    } else {
      this.canonHead = 0;
    }
    this.erasing = false;
  }

  // ---- input ----

  /** Processes one input byte the master wrote (n_tty_receive_char and its special cases). */
  receive(c: number): void {
    const t = this.t;
    if (this.i(ISTRIP)) c &= 0x7f;
    if (this.i(IUCLC) && this.l(IEXTEN) && c >= 0x41 && c <= 0x5a) c += 0x20;
    if (this.lnext) {
      this.lnext = false;
      this.plain(c);
      return;
    }
    if (c !== VDISABLE && this.i(IXON)) {
      if (c === t.cc[VSTART]) {
        this.events.start();
        return;
      }
      if (c === t.cc[VSTOP]) {
        this.events.stop();
        return;
      }
    }
    if (c !== VDISABLE && this.l(ISIG)) {
      const sig = c === t.cc[VINTR] ? SIGINT : c === t.cc[VQUIT] ? SIGQUIT : c === t.cc[VSUSP] ? SIGTSTP : 0;
      if (sig !== 0) {
        if (!this.l(NOFLSH)) {
          this.echoes = [];
          this.flushInput();
          this.events.flushed();
        }
        this.events.signal(sig);
        if (this.i(IXON)) this.events.start();
        if (this.l(ECHO)) this.echoChar(c);
        return;
      }
    }
    if (this.i(IXON) && this.i(IXANY)) this.events.start();
    const orig = c;
    if (c === 0x0d) {
      if (this.i(IGNCR)) return;
      if (this.i(ICRNL)) c = 0x0a;
    } else if (c === 0x0a && this.i(INLCR)) {
      c = 0x0d;
    }
    if (this.canonical && c !== VDISABLE) {
      const ext = this.l(IEXTEN);
      if (c === t.cc[VERASE] || c === t.cc[VKILL] || (ext && c === t.cc[VWERASE])) {
        this.eraser(c);
        return;
      }
      if (ext && c === t.cc[VLNEXT]) {
        this.lnext = true;
        if (this.l(ECHO)) {
          this.finishErasing();
          if (this.l(ECHOCTL)) this.echoes.push(0x5e, 0x08);
        }
        return;
      }
      if (ext && c === t.cc[VREPRINT] && this.l(ECHO)) {
        this.finishErasing();
        this.echoChar(c);
        this.echoes.push(0x0a);
        for (let i = this.canonHead; i < this.buf.length; i++) this.echoChar(this.buf[i]! & 0xff);
        return;
      }
      if (c === t.cc[VEOF]) {
        this.endLine(EOF_MARK);
        return;
      }
      if (c === t.cc[VEOL] || (ext && c === t.cc[VEOL2])) {
        if (this.l(ECHO)) this.echoChar(c);
        this.endLine(c);
        return;
      }
    }
    if (this.canonical && c === 0x0a) {
      if (this.l(ECHO) || this.l(ECHONL)) this.echoes.push(0x0a);
      this.endLine(c);
      return;
    }
    // A '\r' that ICRNL made a newline echoes as one (n_tty's special path), not as ^J.
    if (c === 0x0a && orig === 0x0d && this.l(ECHO)) {
      this.finishErasing();
      this.echoes.push(c);
      this.put(c);
      return;
    }
    this.plain(c);
  }

  private plain(c: number): void {
    if (this.l(ECHO)) {
      this.finishErasing();
      this.echoChar(c);
    }
    this.put(c);
  }

  private put(c: number): void {
    // A full canonical line keeps only room for its end.
    if (this.buf.length >= N_TTY_BUF_SIZE - 1) return;
    this.buf.push(c);
  }

  private endLine(c: number): void {
    if (this.buf.length >= N_TTY_BUF_SIZE) this.buf.pop();
    this.buf.push(c === EOF_MARK ? EOF_MARK | LINE_END : c | LINE_END);
    this.canonHead = this.buf.length;
  }

  private echoChar(c: number): void {
    if (this.l(ECHOCTL) && iscntrl(c) && c !== 0x09) this.echoes.push(ECHO_CTL | c);
    else this.echoes.push(c);
  }

  private finishErasing(): void {
    if (this.erasing) {
      this.echoes.push(0x2f);
      this.erasing = false;
    }
  }

  private isContinuation(c: number): boolean {
    return this.i(IUTF8) && (c & 0xc0) === 0x80;
  }

  /** ERASE, WERASE and KILL in canonical mode (n_tty's eraser). */
  private eraser(c: number): void {
    const t = this.t;
    if (this.buf.length === this.canonHead) return;
    const kind = c === t.cc[VERASE] ? 'erase' : c === t.cc[VWERASE] ? 'werase' : 'kill';
    if (kind === 'kill') {
      if (!this.l(ECHO)) {
        this.buf.length = this.canonHead;
        return;
      }
      if (!this.l(ECHOK) || !this.l(ECHOKE) || !this.l(ECHOE)) {
        this.buf.length = this.canonHead;
        this.finishErasing();
        this.echoChar(c);
        if (this.l(ECHOK)) this.echoes.push(0x0a);
        return;
      }
    }
    let seenAlnums = 0;
    while (this.buf.length > this.canonHead) {
      let head = this.buf.length;
      let ch: number;
      do {
        head--;
        ch = this.buf[head]! & 0xff;
      } while (this.isContinuation(ch) && head > this.canonHead);
      if (this.isContinuation(ch)) break;
      if (kind === 'werase') {
        if (isalnum(ch) || ch === 0x5f) seenAlnums++;
        else if (seenAlnums) break;
      }
      const erased = this.buf.slice(head).map((e) => e & 0xff);
      this.buf.length = head;
      if (this.l(ECHO)) {
        if (this.l(ECHOPRT)) {
          if (!this.erasing) {
            this.echoes.push(0x5c);
            this.erasing = true;
          }
          this.echoChar(ch);
          for (const b of erased.slice(1)) this.echoes.push(b);
        } else if (kind === 'erase' && !this.l(ECHOE)) {
          this.echoChar(t.cc[VERASE]!);
        } else if (ch === 0x09) {
          this.eraseTab();
        } else {
          if (iscntrl(ch) && this.l(ECHOCTL)) this.echoes.push(0x08, 0x20, 0x08);
          if (!iscntrl(ch) || this.l(ECHOCTL)) this.echoes.push(0x08, 0x20, 0x08);
        }
      }
      if (kind === 'erase') break;
    }
    if (this.buf.length === this.canonHead && this.l(ECHO)) this.finishErasing();
  }

  /** Backs up over a tab: to the column the rest of the line reaches (line assumed to start at 0). */
  private eraseTab(): void {
    let col = 0;
    for (let i = this.canonHead; i < this.buf.length; i++) {
      const b = this.buf[i]! & 0xff;
      if (b === 0x09) col = (col | 7) + 1;
      else if (iscntrl(b)) col += this.l(ECHOCTL) ? 2 : 0;
      else if (!this.isContinuation(b)) col++;
    }
    const n = 8 - (col & 7);
    for (let i = 0; i < n; i++) this.echoes.push(0x08);
  }

  /** The echoes of a batch of input, output-processed, for the master to read. */
  takeEchoes(): number[] {
    if (this.echoes.length === 0) return [];
    const out: number[] = [];
    for (const e of this.echoes) {
      if (e & ECHO_CTL) {
        out.push(0x5e, (e & 0xff) ^ 0o100);
        this.column += 2;
      } else {
        this.outputChar(e, out);
      }
    }
    this.echoes = [];
    return out;
  }

  // ---- output ----

  /** Output processing of one byte the slave writes (do_output_char); appends to out. */
  outputChar(c: number, out: number[]): void {
    const o = this.t.oflag;
    if (!(o & OPOST)) {
      out.push(c);
      return;
    }
    switch (c) {
      case 0x0a:
        if (o & ONLRET) this.column = 0;
        if (o & ONLCR) {
          this.column = 0;
          out.push(0x0d, 0x0a);
          return;
        }
        break;
      case 0x0d:
        if (o & ONOCR && this.column === 0) return;
        if (o & OCRNL) {
          c = 0x0a;
          if (o & ONLRET) this.column = 0;
          break;
        }
        this.column = 0;
        break;
      case 0x09: {
        const spaces = 8 - (this.column & 7);
        this.column += spaces;
        if ((o & TABDLY) === XTABS) {
          for (let i = 0; i < spaces; i++) out.push(0x20);
          return;
        }
        break;
      }
      case 0x08:
        if (this.column > 0) this.column--;
        break;
      default:
        if (!iscntrl(c)) {
          if (o & OLCUC && c >= 0x61 && c <= 0x7a) c -= 0x20;
          if (!this.isContinuation(c)) this.column++;
        }
    }
    out.push(c);
  }

  /**
   * Output-processes the head of src into at most `room` bytes (process_output_block):
   * returns the bytes for the master and how many of src they came from.
   */
  processOutput(src: Uint8Array, room: number): [Uint8Array, number] {
    const o = this.t.oflag;
    if (!(o & OPOST)) {
      const n = Math.min(room, src.length);
      return [src.slice(0, n), n];
    }
    const out = new Uint8Array(Math.min(room, src.length * 8));
    const utf8 = this.i(IUTF8);
    const slow: number[] = [];
    let n = 0;
    let i = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (!iscntrl(c) && !(o & OLCUC)) {
        // Printable runs need no rewriting: copy them whole.
        let j = i;
        while (j < src.length && j - i < out.length - n && !iscntrl(src[j]!)) {
          if (!utf8 || (src[j]! & 0xc0) !== 0x80) this.column++;
          j++;
        }
        if (j === i) break;
        out.set(src.subarray(i, j), n);
        n += j - i;
        i = j;
        continue;
      }
      if (this.outputSize(c) > out.length - n) break;
      slow.length = 0;
      this.outputChar(c, slow);
      out.set(slow, n);
      n += slow.length;
      i++;
    }
    return [out.subarray(0, n), i];
  }

  /** Bytes one output byte becomes (for room checks). */
  outputSize(c: number): number {
    const o = this.t.oflag;
    if (!(o & OPOST)) return 1;
    if (c === 0x0a && o & ONLCR) return 2;
    if (c === 0x09 && (o & TABDLY) === XTABS) return 8 - (this.column & 7);
    return 1;
  }
}
