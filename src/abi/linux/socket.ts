// Socket constants (x86_64, include/linux/socket.h, include/uapi/asm-generic/socket.h,
// include/linux/net.h) and the layouts of struct msghdr, mmsghdr, cmsghdr, ucred.

// ---- address families ----
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
/** NPROTO: families at or above it are EAFNOSUPPORT. */
export const AF_MAX = 46;

// ---- socket types ----
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_RDM = 4;
export const SOCK_SEQPACKET = 5;
export const SOCK_DCCP = 6;
export const SOCK_PACKET = 10;
/** Types at or above SOCK_MAX are EINVAL. */
export const SOCK_MAX = 11;
export const SOCK_TYPE_MASK = 0xf;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

// ---- send/recv flags ----
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_CTRUNC = 0x8;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_WAITALL = 0x100;
export const MSG_ERRQUEUE = 0x2000;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_MORE = 0x8000;
export const MSG_WAITFORONE = 0x10000;
export const MSG_CMSG_CLOEXEC = 0x40000000;
export const MSG_CMSG_COMPAT = 0x80000000;

// ---- shutdown(2) ----
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

// ---- levels ----
export const SOL_SOCKET = 1;

// ---- SOL_SOCKET options ----
export const SO_DEBUG = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_NO_CHECK = 11;
export const SO_PRIORITY = 12;
export const SO_LINGER = 13;
export const SO_BSDCOMPAT = 14;
export const SO_REUSEPORT = 15;
export const SO_PASSCRED = 16;
export const SO_PEERCRED = 17;
export const SO_RCVLOWAT = 18;
export const SO_SNDLOWAT = 19;
export const SO_RCVTIMEO_OLD = 20;
export const SO_SNDTIMEO_OLD = 21;
export const SO_BINDTODEVICE = 25;
export const SO_TIMESTAMP_OLD = 29;
export const SO_ACCEPTCONN = 30;
export const SO_PEERSEC = 31;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;
export const SO_PASSSEC = 34;
export const SO_TIMESTAMPNS_OLD = 35;
export const SO_MARK = 36;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;
export const SO_RXQ_OVFL = 40;
export const SO_PEEK_OFF = 42;
export const SO_SELECT_ERR_QUEUE = 45;
export const SO_INCOMING_CPU = 49;
export const SO_COOKIE = 57;
export const SO_PEERGROUPS = 59;
export const SO_ZEROCOPY = 60;
export const SO_TIMESTAMP_NEW = 63;
export const SO_TIMESTAMPNS_NEW = 64;
export const SO_RCVTIMEO_NEW = 66;
export const SO_SNDTIMEO_NEW = 67;

// ---- control messages ----
export const SCM_RIGHTS = 1;
export const SCM_CREDENTIALS = 2;
/** Most descriptors one message may carry. */
export const SCM_MAX_FD = 253;

// ---- ioctls ----
export const SIOCINQ = 0x541b; // FIONREAD
export const SIOCOUTQ = 0x5411; // TIOCOUTQ

// ---- layouts ----
/** offsetof(struct sockaddr_un, sun_path) */
export const SUN_PATH_OFFSET = 2;
/** sizeof(struct sockaddr_un) */
export const SOCKADDR_UN_SIZE = 110;
/** sizeof(struct sockaddr_storage): the largest address the kernel copies in. */
export const SOCKADDR_STORAGE_SIZE = 128;
/** sizeof(struct msghdr): name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
export const MSGHDR_SIZE = 56;
/** sizeof(struct mmsghdr): a msghdr and the unsigned msg_len (+pad). */
export const MMSGHDR_SIZE = 64;
/** sizeof(struct cmsghdr): size_t cmsg_len; int cmsg_level; int cmsg_type. */
export const CMSGHDR_SIZE = 16;
/** sizeof(struct ucred): pid, uid, gid. */
export const UCRED_SIZE = 12;

/** CMSG_ALIGN: control messages are padded to 8 bytes. */
export function cmsgAlign(n: number): number {
  return (n + 7) & ~7;
}

/** CMSG_LEN(n) */
export function cmsgLen(n: number): number {
  return CMSGHDR_SIZE + n;
}

/** CMSG_SPACE(n) */
export function cmsgSpace(n: number): number {
  return CMSGHDR_SIZE + cmsgAlign(n);
}
