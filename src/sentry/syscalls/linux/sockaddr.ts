// What the socket syscalls share: the socket behind a descriptor (sockfd_lookup)
// and socket addresses copied in and out (move_addr_to_kernel, move_addr_to_user).
import { EINVAL, ENOTSOCK } from '../../../abi/linux/errno.js';
import { SOCKADDR_STORAGE_SIZE } from '../../../abi/linux/socket.js';
import type { Task } from '../../kernel/task.js';
import { hostSocket } from '../../socket/host.js';
import { SocketDescription } from '../../socket/socket.js';

/** The socket open at fd: EBADF if none (or O_PATH), ENOTSOCK if not a socket. */
export function socketFile(t: Task, fd: number): SocketDescription {
  const f = t.fdTable.getIO(fd);
  if (f instanceof SocketDescription) return f;
  // A host socket donated as stdio answers the socket calls too.
  const h = hostSocket(f);
  if (!h) throw ENOTSOCK;
  return h;
}

/** move_addr_to_kernel: at most sockaddr_storage (EINVAL), EFAULT if unreadable; len 0 is empty. */
export function readSockaddr(t: Task, addr: number, len: number): Uint8Array {
  if (len < 0 || len > SOCKADDR_STORAGE_SIZE) throw EINVAL;
  if (len === 0) return new Uint8Array(0);
  return t.mm.copyIn(addr, len);
}

/**
 * move_addr_to_user: copies as much of `kaddr` as the caller's length (*lenAddr)
 * allows and stores the full length there (EINVAL for a negative length).
 */
export function writeSockaddr(t: Task, addr: number, lenAddr: number, kaddr: Uint8Array): void {
  const len = Math.min(t.mm.readI32(lenAddr), kaddr.length);
  if (len < 0) throw EINVAL;
  if (len > 0) t.mm.copyOut(addr, kaddr.subarray(0, len));
  t.mm.writeU32(lenAddr, kaddr.length);
}
