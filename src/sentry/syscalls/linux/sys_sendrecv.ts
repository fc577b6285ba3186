// sendto(2), recvfrom(2), sendmsg(2), recvmsg(2), sendmmsg(2), recvmmsg(2),
// setsockopt(2), getsockopt(2): struct msghdr/mmsghdr decoding and encoding; the
// socket does the rest. Arguments are decoded before anything can block.
import { EAGAIN, EINVAL, EMSGSIZE, ENOBUFS, isSysError } from '../../../abi/linux/errno.js';
import {
  AF_UNIX, MMSGHDR_SIZE, MSG_CMSG_CLOEXEC, MSG_CMSG_COMPAT, MSG_DONTWAIT, MSG_WAITFORONE, MSGHDR_SIZE,
} from '../../../abi/linux/socket.js';
import { Block, type SyscallResult, type SyscallValue } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { ControlWriter, parseControl, type SendControl } from '../../socket/control.js';
import { releaseFiles, type SocketDescription } from '../../socket/socket.js';
import { andThen, returnOnInterrupt } from '../../socket/wait.js';
import type { IOSequence } from '../../vfs/iosequence.js';
import { MAX_RW_COUNT, UIO_MAXIOV } from './iovec.js';
import { readSockaddr, socketFile, writeSockaddr } from './sockaddr.js';

const INT_MAX = 0x7fffffff;
/** net.core.optmem_max: the largest msg_control the kernel copies in. */
const OPTMEM_MAX = 131072;
const NO_ADDR = new Uint8Array(0);

interface Segment {
  base: number;
  len: number;
}

/** An iovec array decoded once; its views are made afresh for each attempt. */
interface Iov {
  segs: Segment[];
  total: number;
}

function readIov(t: Task, addr: number, count: number): Iov {
  if (count === 0) return { segs: [], total: 0 };
  const raw = t.mm.copyIn(addr, count * 16);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const segs: Segment[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const base = dv.getUint32(i * 16, true) + dv.getUint32(i * 16 + 4, true) * 4294967296;
    const hi = dv.getInt32(i * 16 + 12, true);
    if (hi < 0) throw EINVAL;
    const len = Math.min(dv.getUint32(i * 16 + 8, true) + hi * 4294967296, MAX_RW_COUNT - total);
    if (len <= 0) continue;
    segs.push({ base, len });
    total += len;
  }
  return { segs, total };
}

/** The views of an iovec; a bad segment faults only if nothing precedes it. */
function iovViews(t: Task, iov: Iov, write: boolean): IOSequence {
  const seq: IOSequence = [];
  for (const s of iov.segs) {
    try {
      for (const v of t.mm.views(s.base, s.len, write)) seq.push(v);
    } catch (e) {
      if (seq.length === 0) throw e;
      break;
    }
  }
  return seq;
}

interface MsgHdr {
  name: number;
  namelen: number;
  iov: Iov;
  control: number;
  controllen: number;
}

/** struct user_msghdr: name (clamped to sockaddr_storage), iovecs (EMSGSIZE past UIO_MAXIOV), control. */
function readMsghdr(t: Task, addr: number): MsgHdr {
  const b = t.mm.copyIn(addr, MSGHDR_SIZE);
  const dv = new DataView(b.buffer, b.byteOffset, MSGHDR_SIZE);
  const u64 = (off: number): number => dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 4294967296;
  const namelen = dv.getInt32(8, true);
  if (namelen < 0) throw EINVAL;
  const iovlen = u64(24);
  if (iovlen > UIO_MAXIOV) throw EMSGSIZE;
  return {
    name: u64(0),
    namelen: Math.min(namelen, 128),
    iov: readIov(t, u64(16), iovlen),
    control: u64(32),
    controllen: u64(40),
  };
}

function sendFlags(s: SocketDescription, flags: number): number {
  return flags | (s.nonblocking ? MSG_DONTWAIT : 0);
}

/** ___sys_sendmsg for one msghdr at `addr`. */
function doSendmsg(t: Task, s: SocketDescription, addr: number, flags: number): SyscallValue | Block {
  const h = readMsghdr(t, addr);
  const to = h.name !== 0 && h.namelen > 0 ? readSockaddr(t, h.name, h.namelen) : null;
  let ctl: SendControl = { rights: null, creds: null };
  if (h.controllen > INT_MAX || h.controllen > OPTMEM_MAX) throw ENOBUFS;
  if (h.controllen > 0) ctl = parseControl(t, t.mm.copyIn(h.control, h.controllen), s.family === AF_UNIX);
  const iov = h.iov;
  return s.sendmsg(t, {
    data: () => iovViews(t, iov, false),
    length: iov.total,
    to,
    rights: ctl.rights,
    creds: ctl.creds,
    flags: sendFlags(s, flags),
  });
}

/** ___sys_recvmsg for one msghdr at `addr`: fills in the name, msg_flags and control. */
function doRecvmsg(t: Task, s: SocketDescription, addr: number, flags: number): SyscallValue | Block {
  const h = readMsghdr(t, addr);
  const iov = h.iov;
  const cloexec = (flags & MSG_CMSG_CLOEXEC) !== 0;
  return s.recvmsg(t, { dst: () => iovViews(t, iov, true), length: iov.total, flags: sendFlags(s, flags) }, (r) => {
    const cw = new ControlWriter(t, h.control, h.controllen);
    if (r.creds) cw.creds(r.creds);
    if (r.rights) cw.rights(r.rights, cloexec);
    if (h.name !== 0) writeSockaddr(t, h.name, addr + 8, r.from ?? NO_ADDR);
    // msg_flags keeps MSG_CMSG_CLOEXEC as passed, as Linux does.
    t.mm.writeU32(addr + 48, (flags & MSG_CMSG_CLOEXEC) | r.flags | cw.flags);
    t.mm.writeU64(addr + 40, cw.used);
    return r.n;
  });
}

export function sendto(t: Task, [fd, buf, len, flags, addr, addrlen]: SyscallArgs): SyscallResult {
  const s = socketFile(t, fd.int32());
  const n = Math.min(len.size(), INT_MAX);
  const base = buf.addr();
  const raw = addr.addr() !== 0 ? readSockaddr(t, addr.addr(), addrlen.int32()) : null;
  return s.sendmsg(t, {
    data: () => (n === 0 ? [] : t.mm.views(base, n, false)),
    length: n,
    to: raw && raw.length > 0 ? raw : null,
    rights: null,
    creds: null,
    flags: sendFlags(s, flags.int32()),
  });
}

export function recvfrom(t: Task, [fd, buf, len, flags, addr, addrlen]: SyscallArgs): SyscallResult {
  const s = socketFile(t, fd.int32());
  const n = Math.min(len.size(), INT_MAX);
  const base = buf.addr();
  const a = addr.addr();
  const al = addrlen.addr();
  return s.recvmsg(t, { dst: () => (n === 0 ? [] : t.mm.views(base, n, true)), length: n, flags: sendFlags(s, flags.int32()) },
    (r) => {
      releaseFiles(r.rights);
      if (a !== 0) writeSockaddr(t, a, al, r.from ?? NO_ADDR);
      return r.n;
    });
}

export function sendmsg(t: Task, [fd, msg, flags]: SyscallArgs): SyscallResult {
  const fl = flags.int32();
  if (fl & MSG_CMSG_COMPAT) throw EINVAL;
  return doSendmsg(t, socketFile(t, fd.int32()), msg.addr(), fl);
}

export function recvmsg(t: Task, [fd, msg, flags]: SyscallArgs): SyscallResult {
  const fl = flags.int32();
  if (fl & MSG_CMSG_COMPAT) throw EINVAL;
  return doRecvmsg(t, socketFile(t, fd.int32()), msg.addr(), fl);
}

/** sendmmsg(2): messages in order until one fails; the count sent, or the first error. */
export function sendmmsg(t: Task, [fd, vec, vlen, flags]: SyscallArgs): SyscallResult {
  const fl = flags.int32();
  if (fl & MSG_CMSG_COMPAT) throw EINVAL;
  const s = socketFile(t, fd.int32());
  const base = vec.addr();
  const n = Math.min(vlen.uint32(), UIO_MAXIOV);
  let done = 0;
  const fail = (e: unknown): SyscallValue => {
    if (done > 0) return done;
    throw e;
  };
  const record = (v: SyscallValue): void => {
    t.mm.writeU32(base + done * MMSGHDR_SIZE + MSGHDR_SIZE, Number(v));
    done++;
  };
  const run = (): SyscallValue | Block => {
    while (done < n) {
      let r: SyscallValue | Block;
      try {
        r = doSendmsg(t, s, base + done * MMSGHDR_SIZE, fl);
      } catch (e) {
        return fail(e);
      }
      if (r instanceof Block) {
        return andThen(r, (v) => {
          record(v);
          return run();
        }, fail, () => {
          if (done > 0) returnOnInterrupt(t, done);
        });
      }
      record(r);
    }
    return done;
  };
  return run();
}

/** recvmmsg(2): up to vlen messages; MSG_WAITFORONE waits only for the first; the timeout is checked between messages. */
export function recvmmsg(t: Task, [fd, vec, vlen, flags, timeout]: SyscallArgs): SyscallResult {
  let fl = flags.int32();
  if (fl & MSG_CMSG_COMPAT) throw EINVAL;
  const toAddr = timeout.addr();
  let end: number | null = null;
  if (toAddr !== 0) {
    const b = t.mm.copyIn(toAddr, 16);
    const dv = new DataView(b.buffer, b.byteOffset, 16);
    const sec = Number(dv.getBigInt64(0, true));
    const nsec = Number(dv.getBigInt64(8, true));
    if (sec < 0 || nsec < 0 || nsec >= 1e9) throw EINVAL;
    end = t.kernel.uptimeNs() + sec * 1e9 + nsec;
  }
  const s = socketFile(t, fd.int32());
  const base = vec.addr();
  const n = Math.min(vlen.uint32(), UIO_MAXIOV);
  const waitForOne = (fl & MSG_WAITFORONE) !== 0;
  fl &= ~MSG_WAITFORONE;
  let done = 0;
  const finish = (): SyscallValue => {
    if (end !== null && done > 0) {
      const left = Math.max(0, end - t.kernel.uptimeNs());
      const b = new Uint8Array(16);
      const dv = new DataView(b.buffer);
      dv.setBigInt64(0, BigInt(Math.floor(left / 1e9)), true);
      dv.setBigInt64(8, BigInt(Math.floor(left % 1e9)), true);
      t.mm.copyOut(toAddr, b);
    }
    return done;
  };
  const fail = (e: unknown): SyscallValue => {
    if (done === 0) throw e;
    // The error is kept for the next call (sk_err), except that nothing more arrived.
    if (e !== EAGAIN && isSysError(e)) s.error = e;
    return finish();
  };
  /** Records one message; false when the call should stop. */
  const record = (v: SyscallValue): boolean => {
    t.mm.writeU32(base + done * MMSGHDR_SIZE + MSGHDR_SIZE, Number(v));
    done++;
    if (waitForOne) fl |= MSG_DONTWAIT;
    return end === null || end - t.kernel.uptimeNs() > 0;
  };
  const run = (): SyscallValue | Block => {
    while (done < n) {
      let r: SyscallValue | Block;
      try {
        r = doRecvmsg(t, s, base + done * MMSGHDR_SIZE, fl);
      } catch (e) {
        return fail(e);
      }
      if (r instanceof Block) {
        return andThen(r, (v) => (record(v) ? run() : finish()), fail, () => {
          if (done > 0) returnOnInterrupt(t, done);
        });
      }
      if (!record(r)) break;
    }
    return finish();
  };
  return run();
}

export function setsockopt(t: Task, [fd, level, name, optval, optlen]: SyscallArgs): number {
  const s = socketFile(t, fd.int32());
  const len = optlen.int32();
  if (len < 0) throw EINVAL;
  const p = optval.addr();
  s.setsockopt(t, level.int32(), name.int32(), { len, bytes: (k) => t.mm.copyIn(p, Math.min(k, len)) });
  return 0;
}

export function getsockopt(t: Task, [fd, level, name, optval, optlen]: SyscallArgs): number {
  const s = socketFile(t, fd.int32());
  const lenAddr = optlen.addr();
  const len = t.mm.readI32(lenAddr);
  if (len < 0) throw EINVAL;
  const v = s.getsockopt(t, level.int32(), name.int32(), len);
  const n = Math.min(len, v.length);
  if (n > 0) t.mm.copyOut(optval.addr(), v.subarray(0, n));
  t.mm.writeU32(lenAddr, n);
  return 0;
}
