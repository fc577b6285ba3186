// socket(2), socketpair(2), bind(2), listen(2), accept(2), accept4(2), connect(2),
// shutdown(2), getsockname(2), getpeername(2).
import { EINVAL } from '../../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import { SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_TYPE_MASK } from '../../../abi/linux/socket.js';
import type { SyscallResult } from '../../kernel/block.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { newSocket, newSocketPair } from '../../socket/family.js';
import type { SocketDescription } from '../../socket/socket.js';
import { readSockaddr, socketFile, writeSockaddr } from './sockaddr.js';

/** net.core.somaxconn: listen(2) backlogs above it are cut to it. */
const SOMAXCONN = 4096;

/** The SOCK_* flags folded into a type argument (EINVAL for any other bit). */
function typeFlags(type: number): number {
  const flags = type & ~SOCK_TYPE_MASK;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) throw EINVAL;
  return flags;
}

/** Installs a new socket; the descriptor takes over the creation reference. */
function install(t: Task, s: SocketDescription, cloexec: boolean): number {
  try {
    return t.fdTable.add(s, cloexec, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    s.decRef();
  }
}

export function socket(t: Task, [domain, type, protocol]: SyscallArgs): number {
  const ty = type.int32();
  const flags = typeFlags(ty);
  const s = newSocket(t, domain.int32(), ty & SOCK_TYPE_MASK, protocol.int32(), flags & SOCK_NONBLOCK);
  return install(t, s, (flags & SOCK_CLOEXEC) !== 0);
}

export function socketpair(t: Task, [domain, type, protocol, sv]: SyscallArgs): number {
  const ty = type.int32();
  const flags = typeFlags(ty);
  const addr = sv.addr();
  // The result array faults before any socket exists (Linux writes the fds first).
  t.mm.views(addr, 8, true);
  const [a, b] = newSocketPair(t, domain.int32(), ty & SOCK_TYPE_MASK, protocol.int32(), flags & SOCK_NONBLOCK);
  const cloexec = (flags & SOCK_CLOEXEC) !== 0;
  let fa = -1;
  try {
    fa = t.fdTable.add(a, cloexec, t.limit(RLIMIT_NOFILE).cur);
    const fb = t.fdTable.add(b, cloexec, t.limit(RLIMIT_NOFILE).cur);
    const out = new Uint8Array(8);
    const dv = new DataView(out.buffer);
    dv.setInt32(0, fa, true);
    dv.setInt32(4, fb, true);
    try {
      t.mm.copyOut(addr, out);
    } catch (e) {
      t.fdTable.remove(fb);
      throw e;
    }
    return 0;
  } catch (e) {
    if (fa >= 0) t.fdTable.remove(fa);
    throw e;
  } finally {
    a.decRef();
    b.decRef();
  }
}

export function bind(t: Task, [fd, addr, len]: SyscallArgs): number {
  const s = socketFile(t, fd.int32());
  s.bind(t, readSockaddr(t, addr.addr(), len.int32()));
  return 0;
}

export function listen(t: Task, [fd, backlog]: SyscallArgs): number {
  const s = socketFile(t, fd.int32());
  const b = backlog.uint32();
  s.listen(t, b > SOMAXCONN ? SOMAXCONN : b);
  return 0;
}

export function connect(t: Task, [fd, addr, len]: SyscallArgs): SyscallResult {
  const s = socketFile(t, fd.int32());
  return s.connect(t, readSockaddr(t, addr.addr(), len.int32()));
}

function doAccept(t: Task, fd: number, addr: number, lenAddr: number, flags: number): SyscallResult {
  t.fdTable.getIO(fd);
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) throw EINVAL;
  const s = socketFile(t, fd);
  return s.accept(t, flags, (ns, peer) => {
    const nfd = t.fdTable.add(ns, (flags & SOCK_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
    if (addr !== 0) {
      try {
        writeSockaddr(t, addr, lenAddr, peer);
      } catch (e) {
        t.fdTable.remove(nfd);
        throw e;
      }
    }
    return nfd;
  });
}

export function accept(t: Task, [fd, addr, len]: SyscallArgs): SyscallResult {
  return doAccept(t, fd.int32(), addr.addr(), len.addr(), 0);
}

export function accept4(t: Task, [fd, addr, len, flags]: SyscallArgs): SyscallResult {
  return doAccept(t, fd.int32(), addr.addr(), len.addr(), flags.int32());
}

export function shutdown(t: Task, [fd, how]: SyscallArgs): number {
  socketFile(t, fd.int32()).shutdown(t, how.int32());
  return 0;
}

export function getsockname(t: Task, [fd, addr, len]: SyscallArgs): number {
  const s = socketFile(t, fd.int32());
  writeSockaddr(t, addr.addr(), len.addr(), s.getsockname(t));
  return 0;
}

export function getpeername(t: Task, [fd, addr, len]: SyscallArgs): number {
  const s = socketFile(t, fd.int32());
  writeSockaddr(t, addr.addr(), len.addr(), s.getpeername(t));
  return 0;
}
