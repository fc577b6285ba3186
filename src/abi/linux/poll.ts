// poll(2), select(2) and epoll(7) constants (x86_64, include/uapi/asm-generic/poll.h,
// include/uapi/linux/eventpoll.h). Poll bits and epoll event bits are the same numbers.

export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLRDBAND = 0x080;
export const POLLWRNORM = 0x100;
export const POLLWRBAND = 0x200;
export const POLLMSG = 0x400;
export const POLLRDHUP = 0x2000;

/** select(2): which poll bits make an fd readable, writable, exceptional (fs/select.c). */
export const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
export const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
export const POLLEX_SET = POLLPRI;

/** sizeof(struct pollfd): int fd; short events; short revents. */
export const POLLFD_SIZE = 8;

export const EPOLLIN = POLLIN;
export const EPOLLPRI = POLLPRI;
export const EPOLLOUT = POLLOUT;
export const EPOLLERR = POLLERR;
export const EPOLLHUP = POLLHUP;
export const EPOLLRDNORM = POLLRDNORM;
export const EPOLLRDHUP = POLLRDHUP;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
export const EPOLLET = 2 ** 31;

/** Flags that are not events: kept on a oneshot item after it fired (EP_PRIVATE_BITS). */
export const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** What may accompany EPOLLEXCLUSIVE (EPOLLEXCLUSIVE_OK_BITS). */
export const EPOLLEXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLL_CLOEXEC = 0o2000000;

/** sizeof(struct epoll_event): packed on x86_64 (u32 events, u64 data at offset 4). */
export const EPOLL_EVENT_SIZE = 12;
/** INT_MAX / sizeof(struct epoll_event). */
export const EP_MAX_EVENTS = Math.floor(0x7fffffff / EPOLL_EVENT_SIZE);
/** Deepest allowed nesting of epoll instances. */
export const EP_MAX_NESTS = 4;
