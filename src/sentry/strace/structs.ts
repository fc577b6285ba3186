// Decoders for the structs syscalls pass by pointer, printed in strace's abbreviated
// style (`{st_mode=S_IFREG|0644, st_size=123, ...}`). Each reads app memory and may
// throw a SysError on a bad pointer; the caller then prints the address instead.
import { S_IFMT, major, minor } from '../../abi/linux/stat.js';
import { signalName } from '../../abi/linux/signal.js';
import {
  ACC_MODES, EPOLL_EVENTS, MSG_FLAGS, OPEN_FLAGS, POLL_EVENTS, RESOLVE_FLAGS, SA_FLAGS, SS_FLAGS, CLONE_FLAGS,
} from './names.js';
import {
  ARRAY_LIMIT, STR_LIMIT, buffer, cstring, flagSet, octal, ptr, quoteBytes, readBytes, readI32, readU32, readU64,
  type EnumTable,
} from './text.js';
import type { StraceMemory } from './value.js';

function view(mm: StraceMemory, addr: number, len: number): DataView {
  const b = mm.copyIn(addr, len);
  return new DataView(b.buffer, b.byteOffset, len);
}

const FILE_TYPES: EnumTable = {
  0o140000: 'S_IFSOCK', 0o120000: 'S_IFLNK', 0o100000: 'S_IFREG', 0o060000: 'S_IFBLK',
  0o040000: 'S_IFDIR', 0o020000: 'S_IFCHR', 0o010000: 'S_IFIFO',
};

/** A file mode with its type: `S_IFREG|0644`, `S_IFDIR|S_ISVTX|0777`. */
export function fileMode(m: number): string {
  const parts: string[] = [];
  const type = m & S_IFMT;
  if (type) parts.push(FILE_TYPES[type] ?? `0${type.toString(8)}`);
  if (m & 0o4000) parts.push('S_ISUID');
  if (m & 0o2000) parts.push('S_ISGID');
  if (m & 0o1000) parts.push('S_ISVTX');
  parts.push(octal(m & 0o777));
  return parts.join('|');
}

export function makedevText(dev: bigint): string {
  return `makedev(0x${major(dev).toString(16)}, 0x${minor(dev).toString(16)})`;
}

function isDevice(mode: number): boolean {
  const t = mode & S_IFMT;
  return t === 0o020000 || t === 0o060000;
}

export function stat(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 144);
  const mode = v.getUint32(24, true);
  const dev = isDevice(mode) ? `st_rdev=${makedevText(v.getBigUint64(40, true))}` : `st_size=${v.getBigInt64(48, true)}`;
  return `{st_mode=${fileMode(mode)}, ${dev}, ...}`;
}

const STATX_MASK = [
  [0x7ff, 'STATX_BASIC_STATS'], [0x1, 'STATX_TYPE'], [0x2, 'STATX_MODE'], [0x4, 'STATX_NLINK'],
  [0x8, 'STATX_UID'], [0x10, 'STATX_GID'], [0x20, 'STATX_ATIME'], [0x40, 'STATX_MTIME'], [0x80, 'STATX_CTIME'],
  [0x100, 'STATX_INO'], [0x200, 'STATX_SIZE'], [0x400, 'STATX_BLOCKS'], [0x800, 'STATX_BTIME'],
  [0x1000, 'STATX_MNT_ID'], [0x2000, 'STATX_DIOALIGN'], [0x4000, 'STATX_MNT_ID_UNIQUE'],
  [0x8000, 'STATX_SUBVOL'], [0x10000, 'STATX_WRITE_ATOMIC'],
] as const;

export function statxMask(m: number): string {
  return flagSet(m, STATX_MASK);
}

export function statx(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 256);
  const mode = v.getUint16(28, true);
  const tail = isDevice(mode)
    ? `stx_rdev_major=${v.getUint32(128, true)}, stx_rdev_minor=${v.getUint32(132, true)}`
    : `stx_size=${v.getBigUint64(40, true)}`;
  return `{stx_mask=${statxMask(v.getUint32(0, true))}, stx_attributes=${v.getBigUint64(8, true) === 0n ? '0' : `0x${v.getBigUint64(8, true).toString(16)}`}, stx_mode=${fileMode(mode)}, ${tail}, ...}`;
}

export function timespec(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 16);
  return `{tv_sec=${v.getBigInt64(0, true)}, tv_nsec=${v.getBigInt64(8, true)}}`;
}

export function timeval(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 16);
  return `{tv_sec=${v.getBigInt64(0, true)}, tv_usec=${v.getBigInt64(8, true)}}`;
}

export function itimerval(mm: StraceMemory, addr: number): string {
  return `{it_interval=${timeval(mm, addr)}, it_value=${timeval(mm, addr + 16)}}`;
}

export function itimerspec(mm: StraceMemory, addr: number): string {
  return `{it_interval=${timespec(mm, addr)}, it_value=${timespec(mm, addr + 16)}}`;
}

const UTIME_NOW = (1n << 30n) - 1n;
const UTIME_OMIT = (1n << 30n) - 2n;

/** utimensat's two timespecs, with UTIME_NOW / UTIME_OMIT named. */
export function utimens(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 32);
  const one = (off: number): string => {
    const ns = v.getBigInt64(off + 8, true);
    if (ns === UTIME_NOW) return 'UTIME_NOW';
    if (ns === UTIME_OMIT) return 'UTIME_OMIT';
    return `{tv_sec=${v.getBigInt64(off, true)}, tv_nsec=${ns}}`;
  };
  return `[${one(0)}, ${one(16)}]`;
}

/** A signal name without its SIG prefix, as strace prints sets. */
function shortSig(sig: number): string {
  const n = signalName(sig);
  return n.startsWith('SIG') ? n.slice(3) : String(sig);
}

/** A signal set as `[INT TERM]`, or `~[...]` listing the unset ones when most are set. */
export function sigsetValue(set: bigint): string {
  let count = 0;
  for (let s = 0n; s < 64n; s++) if (set & (1n << s)) count++;
  const invert = count > 32;
  const names: string[] = [];
  for (let sig = 1; sig <= 64; sig++) {
    const on = (set & (1n << BigInt(sig - 1))) !== 0n;
    if (on !== invert) names.push(shortSig(sig));
  }
  return `${invert ? '~' : ''}[${names.join(' ')}]`;
}

export function sigset(mm: StraceMemory, addr: number, size = 8): string {
  const n = Math.min(Math.max(size, 0), 8);
  const b = readBytes(mm, addr, n);
  let set = 0n;
  for (let i = 0; i < n; i++) set |= BigInt(b[i]!) << BigInt(8 * i);
  return sigsetValue(set);
}

function handler(h: bigint): string {
  if (h === 0n) return 'SIG_DFL';
  if (h === 1n) return 'SIG_IGN';
  if (h === 0xffffffffffffffffn) return 'SIG_ERR';
  return ptr(h);
}

/** The kernel's struct sigaction (x86_64): handler, flags, restorer, mask. */
export function sigaction(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 32);
  const flags = v.getBigUint64(8, true);
  const restorer = (flags & 0x04000000n) !== 0n ? `, sa_restorer=${ptr(v.getBigUint64(16, true))}` : '';
  return `{sa_handler=${handler(v.getBigUint64(0, true))}, sa_mask=${sigsetValue(v.getBigUint64(24, true))}, ` +
    `sa_flags=${flagSet(flags, SA_FLAGS)}${restorer}}`;
}

export function stackT(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 24);
  return `{ss_sp=${ptr(v.getBigUint64(0, true))}, ss_flags=${flagSet(v.getUint32(8, true), SS_FLAGS)}, ` +
    `ss_size=${v.getBigUint64(16, true)}}`;
}

function rlim(v: bigint): string {
  if (v === 0xffffffffffffffffn) return 'RLIM64_INFINITY';
  return v > 1024n && v % 1024n === 0n ? `${v / 1024n}*1024` : String(v);
}

export function rlimit(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 16);
  return `{rlim_cur=${rlim(v.getBigUint64(0, true))}, rlim_max=${rlim(v.getBigUint64(8, true))}}`;
}

export function utsname(mm: StraceMemory, addr: number): string {
  const field = (i: number): string => cstring(mm, addr + 65 * i, 64);
  return `{sysname=${field(0)}, nodename=${field(1)}, ...}`;
}

/** An int written through a pointer: `[3]`. */
export function intRef(mm: StraceMemory, addr: number): string {
  return `[${readI32(mm, addr)}]`;
}

export function u64Ref(mm: StraceMemory, addr: number): string {
  return `[${readU64(mm, addr)}]`;
}

export function fdPair(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 8);
  return `[${v.getInt32(0, true)}, ${v.getInt32(4, true)}]`;
}

/** A wait status as strace decodes it: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`. */
export function waitStatusValue(s: number): string {
  const low = s & 0x7f;
  let d: string;
  if (low === 0) d = `WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}`;
  else if (s === 0xffff) d = 'WIFCONTINUED(s)';
  else if (low === 0x7f) {
    const sig = (s >> 8) & 0xff;
    d = `WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName(sig)}`;
    if (s >> 16) d += ` && s >> 16 == ${s >> 16}`;
  } else d = `WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(low)}${s & 0x80 ? ' && WCOREDUMP(s)' : ''}`;
  return `[{${d}}]`;
}

export function waitStatus(mm: StraceMemory, addr: number): string {
  return waitStatusValue(readI32(mm, addr));
}

/** argv: `["ls", "-l"]`, the first few strings. */
export function stringArray(mm: StraceMemory, addr: number): string {
  const items: string[] = [];
  for (let i = 0; ; i++) {
    const p = readU64(mm, addr + 8 * i);
    if (p === 0n) break;
    if (i === ARRAY_LIMIT) {
      items.push('...');
      break;
    }
    items.push(cstring(mm, Number(p)));
  }
  return `[${items.join(', ')}]`;
}

/** envp: the address and how many entries (`0x7ffd... /* 20 vars *\/`). */
export function countedArray(mm: StraceMemory, addr: number): string {
  let n = 0;
  while (n < 65536 && readU64(mm, addr + 8 * n) !== 0n) n++;
  return `${ptr(addr)} /* ${n} var${n === 1 ? '' : 's'} */`;
}

/**
 * An iovec array. `data` is how many bytes of payload to show in total (the
 * result of readv at exit), or null to show each whole iov (writev at entry).
 */
export function iovec(mm: StraceMemory, addr: number, count: number, data: number | null): string {
  const items: string[] = [];
  let left = data ?? Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < count; i++) {
    if (i === ARRAY_LIMIT) {
      items.push('...');
      break;
    }
    const v = view(mm, addr + 16 * i, 16);
    const base = v.getBigUint64(0, true);
    const len = Number(v.getBigUint64(8, true));
    const n = Math.min(len, left);
    left -= n;
    let shown: string;
    try {
      shown = n > 0 || data === null ? buffer(mm, Number(base), n) : '""';
    } catch {
      shown = ptr(base);
    }
    items.push(`{iov_base=${shown}, iov_len=${len}}`);
  }
  return `[${items.join(', ')}]`;
}

/** pollfd array; with `revents`, only the entries that have some (poll's result). */
export function pollfds(mm: StraceMemory, addr: number, count: number, revents: boolean): string {
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const v = view(mm, addr + 8 * i, 8);
    const fd = v.getInt32(0, true);
    if (revents) {
      const r = v.getUint16(6, true);
      if (r) items.push(`{fd=${fd}, revents=${flagSet(r, POLL_EVENTS)}}`);
    } else {
      if (i === ARRAY_LIMIT) {
        items.push('...');
        break;
      }
      items.push(`{fd=${fd}, events=${flagSet(v.getUint16(4, true), POLL_EVENTS)}}`);
    }
  }
  return `[${items.join(', ')}]`;
}

/** struct epoll_event is packed on x86_64: u32 events, u64 data (12 bytes). */
export function epollEvent(mm: StraceMemory, addr: number): string {
  const v = view(mm, addr, 12);
  const data = v.getBigUint64(4, true);
  return `{events=${flagSet(v.getUint32(0, true), EPOLL_EVENTS)}, data={u32=${Number(data & 0xffffffffn)}, u64=${data}}}`;
}

export function epollEvents(mm: StraceMemory, addr: number, count: number): string {
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i === ARRAY_LIMIT) {
      items.push('...');
      break;
    }
    items.push(epollEvent(mm, addr + 12 * i));
  }
  return `[${items.join(', ')}]`;
}

/** An fd_set: the fds below nfds that are set (`[3 4]`). */
export function fdset(mm: StraceMemory, addr: number, nfds: number): string {
  const n = Math.min(Math.max(nfds, 0), 1024);
  const b = readBytes(mm, addr, Math.ceil(n / 64) * 8);
  const fds: number[] = [];
  for (let fd = 0; fd < n; fd++) if (b[fd >> 3]! & (1 << (fd & 7))) fds.push(fd);
  return `[${fds.join(' ')}]`;
}

/** getdents64 output: strace shows only how many entries came back. */
export function direntCount(mm: StraceMemory, addr: number, len: number): string {
  const b = readBytes(mm, addr, len);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let off = 0; off + 18 < len; n++) {
    const reclen = v.getUint16(off + 16, true);
    if (reclen === 0) break;
    off += reclen;
  }
  return `${ptr(addr)} /* ${n} entr${n === 1 ? 'y' : 'ies'} */`;
}

/** A CPU mask (sched_getaffinity): the set CPUs, `[0 1]`. */
export function cpuMask(mm: StraceMemory, addr: number, bytes: number): string {
  const b = readBytes(mm, addr, Math.min(bytes, 128));
  const cpus: number[] = [];
  for (let i = 0; i < b.length * 8; i++) if (b[i >> 3]! & (1 << (i & 7))) cpus.push(i);
  return `[${cpus.join(' ')}]`;
}

/** An array of 32-bit ids (getgroups, setgroups). */
export function idList(mm: StraceMemory, addr: number, count: number): string {
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i === ARRAY_LIMIT * 4) {
      items.push('...');
      break;
    }
    items.push(String(readU32(mm, addr + 4 * i)));
  }
  return `[${items.join(', ')}]`;
}

export function openHow(mm: StraceMemory, addr: number, size: number): string {
  const v = view(mm, addr, Math.min(Math.max(size, 0), 24));
  if (v.byteLength < 24) return ptr(addr);
  const flags = Number(v.getBigUint64(0, true) & 0xffffffffn);
  return `{flags=${openFlags(flags)}, mode=${octal(Number(v.getBigUint64(8, true) & 0xffffn))}, ` +
    `resolve=${flagSet(v.getBigUint64(16, true), RESOLVE_FLAGS)}}`;
}

export function openFlags(flags: number): string {
  const rest = flagSet(flags & ~3, OPEN_FLAGS, '');
  const acc = ACC_MODES[flags & 3]!;
  return rest ? `${acc}|${rest}` : acc;
}

/** struct clone_args (clone3): the fields that say what is being made. */
export function cloneArgs(mm: StraceMemory, addr: number, size: number): string {
  if (size < 64) return ptr(addr);
  const v = view(mm, addr, 64);
  const sig = Number(v.getBigUint64(32, true));
  const parts = [`flags=${flagSet(v.getBigUint64(0, true), CLONE_FLAGS)}`];
  const pidfd = v.getBigUint64(8, true);
  if (pidfd) parts.push(`pidfd=${ptr(pidfd)}`);
  const ctid = v.getBigUint64(16, true);
  if (ctid) parts.push(`child_tid=${ptr(ctid)}`);
  const ptid = v.getBigUint64(24, true);
  if (ptid) parts.push(`parent_tid=${ptr(ptid)}`);
  parts.push(`exit_signal=${sig ? signalName(sig) : '0'}`);
  parts.push(`stack=${ptr(v.getBigUint64(40, true))}`, `stack_size=${hexOrZero(v.getBigUint64(48, true))}`);
  const tls = v.getBigUint64(56, true);
  if (tls) parts.push(`tls=${ptr(tls)}`);
  return `{${parts.join(', ')}}`;
}

function hexOrZero(v: bigint): string {
  return v === 0n ? '0' : `0x${v.toString(16)}`;
}

// ---- sockets ----

function ipv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text of an IPv6 address (longest zero run as ::). */
export function ipv6(b: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexw = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hexw(words);
  return `${hexw(words.slice(0, best))}::${hexw(words.slice(best + bestLen))}`;
}

export function sockaddr(mm: StraceMemory, addr: number, len: number): string {
  if (len < 2) return ptr(addr);
  const b = readBytes(mm, addr, Math.min(len, 128));
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const family = v.getUint16(0, true);
  const port = (): number => v.getUint16(2, false);
  switch (family) {
    case 1: {
      const path = b.subarray(2);
      if (path.length === 0) return '{sa_family=AF_UNIX}';
      if (path[0] === 0) return `{sa_family=AF_UNIX, sun_path=@${quoteBytes(path.subarray(1), false)}}`;
      const z = path.indexOf(0);
      return `{sa_family=AF_UNIX, sun_path=${quoteBytes(z >= 0 ? path.subarray(0, z) : path, false)}}`;
    }
    case 2:
      if (b.length < 8) break;
      return `{sa_family=AF_INET, sin_port=htons(${port()}), sin_addr=inet_addr("${ipv4(b, 4)}")}`;
    case 10:
      if (b.length < 24) break;
      return `{sa_family=AF_INET6, sin6_port=htons(${port()}), sin6_flowinfo=htonl(${v.getUint32(4, false)}), ` +
        `inet_pton(AF_INET6, "${ipv6(b, 8)}", &sin6_addr)${b.length >= 28 ? `, sin6_scope_id=${v.getUint32(24, true)}` : ''}}`;
    case 16:
      if (b.length < 12) break;
      return `{sa_family=AF_NETLINK, nl_pid=${v.getUint32(4, true)}, nl_groups=${v.getUint32(8, true).toString(16).padStart(8, '0')}}`;
  }
  return `{sa_family=${family}, sa_data=${quoteBytes(b.subarray(2, 2 + STR_LIMIT), b.length - 2 > STR_LIMIT)}}`;
}

/** struct msghdr; `data` as for iovec. */
export function msghdr(mm: StraceMemory, addr: number, data: number | null): string {
  const v = view(mm, addr, 56);
  const name = v.getBigUint64(0, true);
  const namelen = v.getUint32(8, true);
  const iov = v.getBigUint64(16, true);
  const iovlen = Number(v.getBigUint64(24, true));
  let nameText = ptr(name);
  if (name !== 0n && namelen > 0) {
    try {
      nameText = sockaddr(mm, Number(name), namelen);
    } catch {
      // keep the address
    }
  }
  let iovText = ptr(iov);
  try {
    iovText = iovec(mm, Number(iov), Math.min(iovlen, 1024), data);
  } catch {
    // keep the address
  }
  return `{msg_name=${nameText}, msg_namelen=${namelen}, msg_iov=${iovText}, msg_iovlen=${iovlen}, ` +
    `msg_controllen=${v.getBigUint64(40, true)}, msg_flags=${flagSet(v.getUint32(48, true), MSG_FLAGS)}}`;
}
