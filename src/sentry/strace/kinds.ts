// Argument kinds: how one argument of a syscall is printed. Input arguments are
// printed at entry, while app memory still holds what the app passed; output
// arguments (read buffers, stat results) at exit, once the kernel has filled them.
import { signalName } from '../../abi/linux/signal.js';
import { AT_FDCWD } from '../../abi/linux/fcntl.js';
import * as N from './names.js';
import * as S from './structs.js';
import {
  PATH_LIMIT, buffer, cstring, enumName, flagSet, hex, octal, ptr, readU32, type EnumTable, type FlagTable,
} from './text.js';
import { succeeded, type Ctx } from './value.js';

export type ArgFmt = (c: Ctx, i: number) => string;

export interface Kind {
  /** Printed when the syscall returns rather than when it starts. */
  readonly exit: boolean;
  readonly f: ArgFmt;
}

const at = (f: ArgFmt): Kind => ({ exit: false, f });
/** An exit-time argument the raw formatter handles entirely (NULL, failure and all). */
const atExit = (f: ArgFmt): Kind => ({ exit: true, f });
/** An output pointer: decoded only when the call succeeded; NULL or the address otherwise. */
const out = (f: ArgFmt): Kind => atExit((c, i) => (c.v[i]!.raw === 0n || !succeeded(c) ? ptr(c.v[i]!.raw) : f(c, i)));
/** An input pointer: NULL, or decoded at entry. */
const inPtr = (f: ArgFmt): Kind => at((c, i) => (c.v[i]!.raw === 0n ? 'NULL' : f(c, i)));

const flagsOf = (table: FlagTable): Kind => at((c, i) => flagSet(c.v[i]!.uint, table));
const enumOf = (table: EnumTable): Kind => at((c, i) => enumName(c.v[i]!.int, table));

/** The result as a non-negative count (0 when it is an error or absent). */
function count(c: Ctx): number {
  return c.ret !== null && c.ret > 0n ? Number(c.ret) : 0;
}

/** A length argument clamped to something sane to read. */
function len(c: Ctx, i: number): number {
  const l = c.v[i]!.long;
  return l < 0n ? 0 : l > 1n << 30n ? 1 << 30 : Number(l);
}

export const int = at((c, i) => String(c.v[i]!.int));
export const uint = at((c, i) => String(c.v[i]!.uint));
/** long, off_t, ssize_t. */
export const long = at((c, i) => String(c.v[i]!.long));
/** size_t, unsigned long. */
export const ulong = at((c, i) => String(c.v[i]!.raw));
export const hexa = at((c, i) => hex(c.v[i]!.raw));
export const pointer = at((c, i) => ptr(c.v[i]!.raw));
/** Values that are small numbers or addresses (prctl's arguments). */
export const num = at((c, i) => (c.v[i]!.raw < 0x10000n ? String(c.v[i]!.raw) : hex(c.v[i]!.raw)));
export const fd = int;
export const dirfd = at((c, i) => (c.v[i]!.int === AT_FDCWD ? 'AT_FDCWD' : String(c.v[i]!.int)));
export const path = inPtr((c, i) => cstring(c.t.mm, c.v[i]!.addr, PATH_LIMIT));
export const str = inPtr((c, i) => cstring(c.t.mm, c.v[i]!.addr));
/** A buffer the app passes in; its length is the next argument. */
export const inbuf = inPtr((c, i) => buffer(c.t.mm, c.v[i]!.addr, len(c, i + 1)));
/** A buffer the kernel fills; the result says how much. */
export const outbuf = out((c, i) => buffer(c.t.mm, c.v[i]!.addr, count(c)));
/** A NUL-terminated string the kernel fills (getcwd). */
export const outcstr = out((c, i) => cstring(c.t.mm, c.v[i]!.addr, PATH_LIMIT));
export const mode = at((c, i) => octal(c.v[i]!.uint & 0o7777));
export const fileMode = at((c, i) => S.fileMode(c.v[i]!.uint));
export const dev = at((c, i) => S.makedevText(c.v[i]!.raw));
export const openFlags = at((c, i) => S.openFlags(c.v[i]!.int));
export const accessMode = at((c, i) => flagSet(c.v[i]!.uint, N.ACCESS_MODES, 'F_OK'));
export const atFlags = flagsOf(N.AT_FLAGS);
export const unlinkFlags = flagsOf(N.UNLINKAT_FLAGS);
export const faccessFlags = flagsOf(N.FACCESSAT_FLAGS);
export const renameFlags = flagsOf(N.RENAME_FLAGS);
export const closeRangeFlags = flagsOf(N.CLOSE_RANGE_FLAGS);
export const whence = enumOf(N.WHENCE);
export const flockOp = flagsOf(N.FLOCK_OPS);
export const fadvise = enumOf(N.FADVISE);
export const fallocMode = flagsOf(N.FALLOC_FLAGS);
export const spliceFlags = flagsOf(N.SPLICE_FLAGS);
export const xattrFlags = flagsOf(N.XATTR_FLAGS);
export const rwFlags = flagsOf(N.RWF_FLAGS);
export const mfdFlags = flagsOf(N.MFD_FLAGS);
export const grndFlags = flagsOf(N.GRND_FLAGS);
export const pipe2Flags = flagsOf(N.PIPE2_FLAGS);
export const cloexecFlags = flagsOf(N.fdFlags('O'));
export const sockFlags = flagsOf(N.SOCK_FLAGS);
export const efdFlags = flagsOf(N.EFD_FLAGS);
export const sfdFlags = flagsOf(N.fdFlags('SFD'));
export const tfdFlags = flagsOf(N.fdFlags('TFD'));
export const inotifyFlags = flagsOf(N.fdFlags('IN'));
export const epollFlags = flagsOf([[0o2000000, 'EPOLL_CLOEXEC']]);
export const pidfdFlags = flagsOf([[0o4000, 'PIDFD_NONBLOCK'], [1, 'PIDFD_THREAD']]);
export const statxMask = at((c, i) => S.statxMask(c.v[i]!.uint));

// ---- memory ----

export const prot = flagsOf(N.PROT_FLAGS);
export const protOrNone = at((c, i) => flagSet(c.v[i]!.uint, N.PROT_FLAGS, 'PROT_NONE'));
export const mapFlags = at((c, i) => {
  const f = c.v[i]!.uint;
  const rest = flagSet(f & ~0xf, N.MAP_FLAGS, '');
  const type = N.MAP_TYPES[f & 0xf] ?? hex(f & 0xf);
  return rest ? `${type}|${rest}` : type;
});
export const mremapFlags = flagsOf(N.MREMAP_FLAGS);
export const msyncFlags = flagsOf(N.MSYNC_FLAGS);
export const madvise = enumOf(N.MADVISE);
export const mlockallFlags = flagsOf(N.MLOCKALL_FLAGS);

// ---- processes and signals ----

function sig(n: number): string {
  return n === 0 ? '0' : n > 0 && n <= 64 ? signalName(n) : String(n);
}

export const signal = at((c, i) => sig(c.v[i]!.int));
/** clone(2)'s flags: CLONE_* and the exit signal in the low byte. */
export const cloneFlags = at((c, i) => {
  const v = c.v[i]!.raw;
  const f = flagSet(v & ~0xffn, N.CLONE_FLAGS, '');
  const s = Number(v & 0xffn);
  const parts = [f, s ? sig(s) : ''].filter((p) => p);
  return parts.length ? parts.join('|') : '0';
});
export const unshareFlags = flagsOf(N.UNSHARE_FLAGS);
export const waitOptions = flagsOf(N.WAIT4_OPTIONS);
export const waitidOptions = flagsOf(N.WAIT_OPTIONS);
export const idtype = enumOf(N.IDTYPES);
/** wait4's status: written only when a child was reaped (result > 0; 0 means WNOHANG found none). */
export const waitStatus = out((c, i) => (count(c) > 0 ? S.waitStatus(c.t.mm, c.v[i]!.addr) : ptr(c.v[i]!.raw)));
export const argv = inPtr((c, i) => S.stringArray(c.t.mm, c.v[i]!.addr));
export const envp = inPtr((c, i) => S.countedArray(c.t.mm, c.v[i]!.addr));
export const sigHow = enumOf(N.SIG_HOW);
export const sigsetIn = inPtr((c, i) => S.sigset(c.t.mm, c.v[i]!.addr));
export const sigsetOut = out((c, i) => S.sigset(c.t.mm, c.v[i]!.addr));
export const sigactionIn = inPtr((c, i) => S.sigaction(c.t.mm, c.v[i]!.addr));
export const sigactionOut = out((c, i) => S.sigaction(c.t.mm, c.v[i]!.addr));
export const stackIn = inPtr((c, i) => S.stackT(c.t.mm, c.v[i]!.addr));
export const stackOut = out((c, i) => S.stackT(c.t.mm, c.v[i]!.addr));
export const rusageWho = enumOf(N.RUSAGE_WHO);
export const prioWhich = enumOf(N.PRIO_WHICH);
export const schedPolicy = enumOf(N.SCHED_POLICIES);
export const rlimitResource = enumOf(N.RLIMITS);
export const rlimitIn = inPtr((c, i) => S.rlimit(c.t.mm, c.v[i]!.addr));
export const rlimitOut = out((c, i) => S.rlimit(c.t.mm, c.v[i]!.addr));
export const archPrctlCode = at((c, i) => enumName(c.v[i]!.int, N.ARCH_PRCTL, 'ARCH_'));
export const syslogAction = at((c, i) => enumName(c.v[i]!.int, N.SYSLOG_ACTIONS, 'SYSLOG_ACTION_'));
export const seccompOp = enumOf(N.SECCOMP_OPS);
export const cpuMaskIn = inPtr((c, i) => S.cpuMask(c.t.mm, c.v[i]!.addr, len(c, i - 1)));
export const cpuMaskOut = out((c, i) => S.cpuMask(c.t.mm, c.v[i]!.addr, count(c)));
/** The count is the previous argument (setgroups(size, list)). */
export const idListIn = inPtr((c, i) => S.idList(c.t.mm, c.v[i]!.addr, Math.min(c.v[i - 1]!.int, 65536)));
export const idListOut = out((c, i) => S.idList(c.t.mm, c.v[i]!.addr, count(c)));
export const intOut = out((c, i) => S.intRef(c.t.mm, c.v[i]!.addr));
export const intIn = inPtr((c, i) => S.intRef(c.t.mm, c.v[i]!.addr));
/** An loff_t the kernel reads and updates (sendfile, splice): shown as passed in. */
export const offIn = inPtr((c, i) => S.u64Ref(c.t.mm, c.v[i]!.addr));
export const u64Out = out((c, i) => S.u64Ref(c.t.mm, c.v[i]!.addr));
export const cloneArgs = inPtr((c, i) => S.cloneArgs(c.t.mm, c.v[i]!.addr, len(c, i + 1)));
export const openHow = inPtr((c, i) => S.openHow(c.t.mm, c.v[i]!.addr, len(c, i + 1)));
export const mountFlags = at((c, i) => flagSet(c.v[i]!.raw & 0xffffffffn, N.MOUNT_FLAGS));
export const umountFlags = flagsOf(N.UMOUNT_FLAGS);

// ---- files ----

export const statOut = out((c, i) => S.stat(c.t.mm, c.v[i]!.addr));
export const statxOut = out((c, i) => S.statx(c.t.mm, c.v[i]!.addr));
export const fdPairOut = out((c, i) => S.fdPair(c.t.mm, c.v[i]!.addr));
export const direntsOut = out((c, i) => S.direntCount(c.t.mm, c.v[i]!.addr, count(c)));
export const utsnameOut = out((c, i) => S.utsname(c.t.mm, c.v[i]!.addr));
export const utimensIn = inPtr((c, i) => S.utimens(c.t.mm, c.v[i]!.addr));
export const iovIn = inPtr((c, i) => S.iovec(c.t.mm, c.v[i]!.addr, Math.min(c.v[i + 1]!.int, 1024), null));
export const iovOut = out((c, i) => S.iovec(c.t.mm, c.v[i]!.addr, Math.min(c.v[i + 1]!.int, 1024), count(c)));

// ---- time ----

export const clockid = at((c, i) => enumName(c.v[i]!.int, N.CLOCKS));
export const timerFlags = flagsOf(N.TIMER_FLAGS);
export const tfdSettimeFlags = flagsOf(N.TFD_SETTIME_FLAGS);
export const itimerWhich = enumOf(N.ITIMERS);
export const timespecIn = inPtr((c, i) => S.timespec(c.t.mm, c.v[i]!.addr));
export const timespecOut = out((c, i) => S.timespec(c.t.mm, c.v[i]!.addr));
/** nanosleep's remaining time: written only when a signal interrupted the sleep. */
export const remOut = atExit((c, i) => {
  const r = c.ret;
  const interrupted = r === -4n || (r !== null && r <= -512n && r >= -516n);
  return interrupted && c.v[i]!.raw !== 0n ? S.timespec(c.t.mm, c.v[i]!.addr) : ptr(c.v[i]!.raw);
});
export const timevalIn = inPtr((c, i) => S.timeval(c.t.mm, c.v[i]!.addr));
export const timevalOut = out((c, i) => S.timeval(c.t.mm, c.v[i]!.addr));
export const itimervalIn = inPtr((c, i) => S.itimerval(c.t.mm, c.v[i]!.addr));
export const itimervalOut = out((c, i) => S.itimerval(c.t.mm, c.v[i]!.addr));
export const itimerspecIn = inPtr((c, i) => S.itimerspec(c.t.mm, c.v[i]!.addr));
export const itimerspecOut = out((c, i) => S.itimerspec(c.t.mm, c.v[i]!.addr));

// ---- poll, select, epoll ----

export const pollfdsIn = inPtr((c, i) => S.pollfds(c.t.mm, c.v[i]!.addr, Math.min(c.v[i + 1]!.uint, 4096), false));
/** select's fd sets: only fds below nfds (the first argument). */
export const fdsetIn = inPtr((c, i) => S.fdset(c.t.mm, c.v[i]!.addr, c.v[0]!.int));
export const epollCtlOp = enumOf(N.EPOLL_CTL);
export const epollEventIn = inPtr((c, i) => S.epollEvent(c.t.mm, c.v[i]!.addr));
export const epollEventsOut = out((c, i) => S.epollEvents(c.t.mm, c.v[i]!.addr, count(c)));

// ---- sockets ----

export const af = enumOf(N.AF);
export const sockType = at((c, i) => {
  const v = c.v[i]!.uint;
  const rest = flagSet(v & ~0xf, N.SOCK_FLAGS, '');
  const type = enumName(v & 0xf, N.SOCK_TYPES);
  return rest ? `${type}|${rest}` : type;
});
const NETLINK: EnumTable = {
  0: 'NETLINK_ROUTE', 4: 'NETLINK_SOCK_DIAG', 9: 'NETLINK_AUDIT', 15: 'NETLINK_KOBJECT_UEVENT', 16: 'NETLINK_GENERIC',
};
/** The protocol is named by the socket's domain (the first argument). */
export const sockProto = at((c, i) => {
  const p = c.v[i]!.int;
  const domain = c.v[0]!.int;
  if (domain === 2 || domain === 10) return enumName(p, N.IPPROTO);
  if (domain === 16) return enumName(p, NETLINK);
  return String(p);
});
export const sockLevel = enumOf(N.SOL);
/** The option name depends on the level (the previous argument). */
export const sockOptName = at((c, i) => {
  const names = N.SOCKOPTS[c.v[i - 1]!.int];
  return names ? enumName(c.v[i]!.int, names) : String(c.v[i]!.int);
});
/** An option value passed in; ints (length 4) are shown as `[1]`. */
export const sockOptIn = inPtr((c, i) =>
  len(c, i + 1) === 4 ? S.intRef(c.t.mm, c.v[i]!.addr) : buffer(c.t.mm, c.v[i]!.addr, len(c, i + 1)));
/** An option value the kernel writes; its length is behind the next pointer. */
export const sockOptOut = out((c, i) => {
  const n = readU32(c.t.mm, c.v[i + 1]!.addr);
  return n === 4 ? S.intRef(c.t.mm, c.v[i]!.addr) : buffer(c.t.mm, c.v[i]!.addr, n);
});
export const sockaddrIn = inPtr((c, i) => S.sockaddr(c.t.mm, c.v[i]!.addr, len(c, i + 1)));
/** A sockaddr the kernel fills; its length is behind the next pointer. */
export const sockaddrOut = out((c, i) => S.sockaddr(c.t.mm, c.v[i]!.addr, readU32(c.t.mm, c.v[i + 1]!.addr)));
export const msgFlags = flagsOf(N.MSG_FLAGS);
export const shutdownHow = enumOf(N.SHUTDOWN_HOW);
export const msghdrIn = inPtr((c, i) => S.msghdr(c.t.mm, c.v[i]!.addr, null));
export const msghdrOut = out((c, i) => S.msghdr(c.t.mm, c.v[i]!.addr, count(c)));

// ---- ioctl ----

export const ioctlRequest = at((c, i) => {
  const r = c.v[i]!.uint;
  return N.IOCTLS[r] ?? hex(r);
});

const IOCTL_INT_IN = new Set([0x5410, 0x5421, 0x5452, 0x40045431, 0x540e]); // TIOCSPGRP FIONBIO FIOASYNC TIOCSPTLCK TIOCSCTTY
const IOCTL_INT_OUT = new Set([0x540f, 0x541b, 0x5429, 0x80045430, 0x5411]); // TIOCGPGRP FIONREAD TIOCGSID TIOCGPTN TIOCOUTQ

function winsize(c: Ctx, addr: number): string {
  const b = c.t.mm.copyIn(addr, 8);
  const v = new DataView(b.buffer, b.byteOffset, 8);
  return `{ws_row=${v.getUint16(0, true)}, ws_col=${v.getUint16(2, true)}, ` +
    `ws_xpixel=${v.getUint16(4, true)}, ws_ypixel=${v.getUint16(6, true)}}`;
}

/** ioctl's third argument: decoded for the common tty requests (inputs are unchanged at exit). */
export const ioctlArg = atExit((c, i) => {
  const req = c.v[i - 1]!.uint;
  const a = c.v[i]!;
  if (a.raw === 0n) return req === 0x540e ? '0' : 'NULL';
  if (req === 0x5414) return winsize(c, a.addr); // TIOCSWINSZ
  if (req === 0x540e) return String(a.raw); // TIOCSCTTY takes a plain int
  if (IOCTL_INT_IN.has(req)) return S.intRef(c.t.mm, a.addr);
  if (!succeeded(c)) return ptr(a.raw);
  if (req === 0x5413) return winsize(c, a.addr); // TIOCGWINSZ
  if (IOCTL_INT_OUT.has(req)) return S.intRef(c.t.mm, a.addr);
  return ptr(a.raw);
});

/** Wraps a kind so it prints as `name=value` (clone's arguments). */
export function named(name: string, k: Kind): Kind {
  return {
    exit: k.exit,
    f: (c, i) => {
      try {
        return `${name}=${k.f(c, i)}`;
      } catch {
        return `${name}=${ptr(c.v[i]!.raw)}`;
      }
    },
  };
}
