// socket(2)/socketpair(2) dispatch by address family (__sock_create). The one
// place that says which families exist: AF_UNIX here; AF_INET, AF_INET6,
// AF_NETLINK and AF_PACKET come with issue #7 (an entry in FAMILIES each) and
// until then fail with EAFNOSUPPORT, as a kernel without them does.
import { EAFNOSUPPORT, EINVAL, EOPNOTSUPP } from '../../abi/linux/errno.js';
import { AF_MAX, AF_UNIX, SOCK_MAX } from '../../abi/linux/socket.js';
import type { Task } from '../kernel/task.js';
import type { SocketDescription } from './socket.js';
import { newUnixSocket, newUnixSocketPair } from './unix/unix.js';
import './unix/procnet.js';

export interface SocketFamily {
  /** A new socket; EPROTONOSUPPORT/ESOCKTNOSUPPORT for what the family lacks. `flags`: SOCK_NONBLOCK. */
  create(t: Task, type: number, protocol: number, flags: number): SocketDescription;
  /** socketpair(2); absent: EOPNOTSUPP (sock_no_socketpair). */
  pair?(t: Task, type: number, protocol: number, flags: number): [SocketDescription, SocketDescription];
}

const FAMILIES = new Map<number, SocketFamily>([
  [AF_UNIX, { create: newUnixSocket, pair: newUnixSocketPair }],
]);

function family(domain: number, type: number): SocketFamily {
  if (domain < 0 || domain >= AF_MAX) throw EAFNOSUPPORT;
  if (type < 0 || type >= SOCK_MAX) throw EINVAL;
  const f = FAMILIES.get(domain);
  if (!f) throw EAFNOSUPPORT;
  return f;
}

/** socket(2) after the flags are split off the type. */
export function newSocket(t: Task, domain: number, type: number, protocol: number, flags: number): SocketDescription {
  return family(domain, type).create(t, type, protocol, flags);
}

/** socketpair(2): the family creates both ends (the protocol is checked like socket's). */
export function newSocketPair(t: Task, domain: number, type: number, protocol: number, flags: number): [SocketDescription, SocketDescription] {
  const f = family(domain, type);
  if (!f.pair) {
    // Linux creates both sockets first, so a bad type or protocol wins over EOPNOTSUPP.
    f.create(t, type, protocol, flags).decRef();
    throw EOPNOTSUPP;
  }
  return f.pair(t, type, protocol, flags);
}
