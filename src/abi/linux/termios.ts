// struct termios/termios2 as the kernel's TCGETS/TCGETS2 see them (x86_64
// asm-generic/termbits.h) and their flag bits.
import { TERMIOS_SIZE } from './ioctl.js';

// c_iflag
export const IGNBRK = 0o1;
export const BRKINT = 0o2;
export const ISTRIP = 0o40;
export const INLCR = 0o100;
export const IGNCR = 0o200;
export const ICRNL = 0o400;
export const IUCLC = 0o1000;
export const IXON = 0o2000;
export const IXANY = 0o4000;
export const IXOFF = 0o10000;
export const IMAXBEL = 0o20000;
export const IUTF8 = 0o40000;

// c_oflag
export const OPOST = 0o1;
export const OLCUC = 0o2;
export const ONLCR = 0o4;
export const OCRNL = 0o10;
export const ONOCR = 0o20;
export const ONLRET = 0o40;
export const TABDLY = 0o14000;
export const XTABS = 0o14000;

// c_cflag
export const CBAUD = 0o10017;
export const BOTHER = 0o10000;
export const B38400 = 0o17;
export const CSIZE = 0o60;
export const CS8 = 0o60;
export const CREAD = 0o200;
export const PARENB = 0o400;
export const HUPCL = 0o2000;
export const CIBAUD = 0o2003600000;

// c_lflag
export const ISIG = 0o1;
export const ICANON = 0o2;
export const ECHO = 0o10;
export const ECHOE = 0o20;
export const ECHOK = 0o40;
export const ECHONL = 0o100;
export const NOFLSH = 0o200;
export const TOSTOP = 0o400;
export const ECHOCTL = 0o1000;
export const ECHOPRT = 0o2000;
export const ECHOKE = 0o4000;
export const FLUSHO = 0o10000;
export const PENDIN = 0o40000;
export const IEXTEN = 0o100000;
export const EXTPROC = 0o200000;

// c_cc indexes
export const VINTR = 0;
export const VQUIT = 1;
export const VERASE = 2;
export const VKILL = 3;
export const VEOF = 4;
export const VTIME = 5;
export const VMIN = 6;
export const VSTART = 8;
export const VSTOP = 9;
export const VSUSP = 10;
export const VEOL = 11;
export const VREPRINT = 12;
export const VWERASE = 14;
export const VLNEXT = 15;
export const VEOL2 = 16;
export const NCCS = 19;

/** A c_cc slot holding this is disabled (_POSIX_VDISABLE on Linux). */
export const VDISABLE = 0;

// TCFLSH and TCXONC arguments
export const TCIFLUSH = 0;
export const TCOFLUSH = 1;
export const TCIOFLUSH = 2;
export const TCOOFF = 0;
export const TCOON = 1;
export const TCIOFF = 2;
export const TCION = 3;

// TIOCPKT status bits
export const TIOCPKT_DATA = 0;
export const TIOCPKT_FLUSHREAD = 1;
export const TIOCPKT_FLUSHWRITE = 2;
export const TIOCPKT_STOP = 4;
export const TIOCPKT_START = 8;
export const TIOCPKT_NOSTOP = 16;
export const TIOCPKT_DOSTOP = 32;
export const TIOCPKT_IOCTL = 64;

export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  cc: Uint8Array;
  ispeed: number;
  ospeed: number;
}

/** sizeof(struct termios2); struct termios is TERMIOS_SIZE (ioctl.ts). */
export const TERMIOS2_SIZE = 44;

export function cloneTermios(t: Termios): Termios {
  return { ...t, cc: t.cc.slice() };
}

export function encodeTermios(t: Termios, withSpeeds: boolean): Uint8Array {
  const b = new Uint8Array(withSpeeds ? TERMIOS2_SIZE : TERMIOS_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, t.iflag >>> 0, true);
  v.setUint32(4, t.oflag >>> 0, true);
  v.setUint32(8, t.cflag >>> 0, true);
  v.setUint32(12, t.lflag >>> 0, true);
  b[16] = t.line;
  b.set(t.cc.subarray(0, NCCS), 17);
  if (withSpeeds) {
    v.setUint32(36, t.ispeed >>> 0, true);
    v.setUint32(40, t.ospeed >>> 0, true);
  }
  return b;
}

/** Decodes a struct termios (36 bytes) or termios2 (44); speeds come from c_cflag for the former. */
export function decodeTermios(b: Uint8Array): Termios {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const cflag = v.getUint32(8, true);
  const t: Termios = {
    iflag: v.getUint32(0, true),
    oflag: v.getUint32(4, true),
    cflag,
    lflag: v.getUint32(12, true),
    line: b[16]!,
    cc: b.slice(17, 17 + NCCS),
    ispeed: 0,
    ospeed: 0,
  };
  if (b.length >= TERMIOS2_SIZE) {
    t.ispeed = v.getUint32(36, true);
    t.ospeed = v.getUint32(40, true);
  }
  // tty_termios_baud_rate: the CBAUD code names the speed unless it says BOTHER.
  if (b.length < TERMIOS2_SIZE || (cflag & CBAUD) !== BOTHER) t.ospeed = baudOf(cflag & CBAUD);
  const ibits = (cflag & CIBAUD) >>> 16;
  if (b.length < TERMIOS2_SIZE || ibits !== BOTHER) t.ispeed = ibits === 0 ? t.ospeed : baudOf(ibits);
  return t;
}

const BAUDS = [0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400];
const BAUDS_EX = [0, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000,
  2500000, 3000000, 3500000, 4000000];

function baudOf(code: number): number {
  return code & BOTHER ? BAUDS_EX[code & 0o17] ?? 0 : BAUDS[code & 0o17] ?? 0;
}

/** "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0" (INIT_C_CC). */
export const INIT_C_CC = [0o3, 0o34, 0o177, 0o25, 0o4, 0, 1, 0, 0o21, 0o23, 0o32, 0, 0o22, 0o17, 0o27, 0o26, 0, 0, 0];

/** What a pty slave starts with (tty_std_termios, pty.c's c_cflag). */
export function defaultSlaveTermios(): Termios {
  return {
    iflag: ICRNL | IXON,
    oflag: OPOST | ONLCR,
    cflag: B38400 | CS8 | CREAD,
    lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    line: 0,
    cc: Uint8Array.from(INIT_C_CC),
    ispeed: 38400,
    ospeed: 38400,
  };
}
