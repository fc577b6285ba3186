// inotify(7) event bits, flags and struct inotify_event.

export const IN_ACCESS = 0x00000001;
export const IN_MODIFY = 0x00000002;
export const IN_ATTRIB = 0x00000004;
export const IN_CLOSE_WRITE = 0x00000008;
export const IN_CLOSE_NOWRITE = 0x00000010;
export const IN_OPEN = 0x00000020;
export const IN_MOVED_FROM = 0x00000040;
export const IN_MOVED_TO = 0x00000080;
export const IN_CREATE = 0x00000100;
export const IN_DELETE = 0x00000200;
export const IN_DELETE_SELF = 0x00000400;
export const IN_MOVE_SELF = 0x00000800;
export const IN_ALL_EVENTS = 0x00000fff;

export const IN_UNMOUNT = 0x00002000;
export const IN_Q_OVERFLOW = 0x00004000;
export const IN_IGNORED = 0x00008000;

export const IN_ONLYDIR = 0x01000000;
export const IN_DONT_FOLLOW = 0x02000000;
export const IN_EXCL_UNLINK = 0x04000000;
export const IN_MASK_CREATE = 0x10000000;
export const IN_MASK_ADD = 0x20000000;
export const IN_ISDIR = 0x40000000;
export const IN_ONESHOT = 0x80000000;

/** Every bit inotify_add_watch accepts (ALL_INOTIFY_BITS). */
export const ALL_INOTIFY_BITS = (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
  IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT) >>> 0;

/** inotify_init1 flags (O_CLOEXEC, O_NONBLOCK). */
export const IN_CLOEXEC = 0o2000000;
export const IN_NONBLOCK = 0o4000;

/** sizeof(struct inotify_event): wd, mask, cookie, len; the name follows. */
export const INOTIFY_EVENT_SIZE = 16;

/** /proc/sys/fs/inotify defaults. */
export const INOTIFY_MAX_QUEUED_EVENTS = 16384;
export const INOTIFY_MAX_USER_INSTANCES = 128;
export const INOTIFY_MAX_USER_WATCHES = 8192;
