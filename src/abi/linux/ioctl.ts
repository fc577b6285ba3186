// Terminal and generic ioctl requests (x86_64 asm-generic/ioctls.h).

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TCSBRK = 0x5409;
export const TCXONC = 0x540a;
export const TCFLSH = 0x540b;
export const TIOCEXCL = 0x540c;
export const TIOCNXCL = 0x540d;
export const TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCOUTQ = 0x5411;
export const TIOCSTI = 0x5412;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const FIONREAD = 0x541b;
export const TIOCLINUX = 0x541c;
export const TIOCNOTTY = 0x5422;
export const TIOCGSID = 0x5429;
export const TCGETS2 = 0x802c542a;
export const TIOCGPTN = 0x80045430;
export const TIOCSPTLCK = 0x40045431;
export const TIOCGPTPEER = 0x5441;
export const FIONBIO = 0x5421;
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;

/** sizeof(struct termios) as the kernel's TCGETS uses it. */
export const TERMIOS_SIZE = 36;
/** sizeof(struct winsize). */
export const WINSIZE_SIZE = 8;

// Terminal requests only pseudo-terminals (devpts) serve.
export const TCSETS2 = 0x402c542b;
export const TCSETSW2 = 0x402c542c;
export const TCSETSF2 = 0x402c542d;
export const TCSBRKP = 0x5425;
export const TIOCSBRK = 0x5427;
export const TIOCCBRK = 0x5428;
export const TIOCPKT = 0x5420;
export const TIOCSIG = 0x40045436;
export const TIOCVHANGUP = 0x5437;
export const TIOCGPKT = 0x80045438;
export const TIOCGPTLCK = 0x80045439;
export const TIOCGEXCL = 0x80045440;
export const TIOCGETD = 0x5424;
export const TIOCSETD = 0x5423;
