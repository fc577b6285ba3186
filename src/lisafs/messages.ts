// The Sentry–Gofer protocol ("lisafs", after gVisor's): message ids and wire layouts.
//
// Transport: one AF_UNIX SOCK_SEQPACKET socket; one message = one sendmsg, so no
// length prefix is needed. Host fds travel as SCM_RIGHTS on the reply that
// donates them. The client sends one request and blocks for its reply.
//
// Every message starts with a u16 id. A reply carries the request's id, or
// MSG_ERROR followed by a u32 errno. All integers are little-endian; strings are
// byte strings (latin1, one char per byte) with a u16 length; a "stat" field is
// the raw 144-byte x86_64 struct stat the host filled (see abi/linux/stat.ts).
// Unknown ids get ENOSYS, so new messages can be added without touching framing.
//
// A masked name (gofer --mask, a top-level name of the root) is a directory with
// the host entry's attributes and no entries: WALK below it stops with ENOENT,
// READDIR lists nothing, OPEN answers EACCES (its host fd would list the host's).
//
// With directfs the Sentry runs the same handlers in-process (gofer/service.ts);
// the messages are then never encoded, but their meanings are the same.

export const MSG_ERROR = 0;
/** → u32 handle, stat, u32 features (FEATURE_*). The root of the served tree. */
export const MSG_ATTACH = 1;
/**
 * u32 dir, u16 n, n × str name → u16 found, u32 stopErrno, found × (u32 handle, stat).
 * Walks names one component at a time without following symlinks. stopErrno is 0
 * when all were found, else why names[found] was not walked: ENOENT (missing),
 * ELOOP (names[found-1] is a symlink), ENOTDIR (names[found-1] is not a directory)
 * or the host's errno for names[found].
 */
export const MSG_WALK = 2;
/** u32 handle → stat */
export const MSG_STAT = 3;
/** u32 handle, u32 flags → stat of the opened file; the fd comes as SCM_RIGHTS. */
export const MSG_OPEN = 4;
/**
 * u32 handle, u8 rewind → u8 eof, u32 n, n × (u64 ino, u8 d_type, str name).
 * Continues from where the previous call on this handle stopped unless rewind.
 * "." and ".." are not listed.
 */
export const MSG_READDIR = 5;
/** u32 handle → str target */
export const MSG_READLINK = 6;
/** u32 n, n × u32 handle → (empty). Unknown handles are ignored. */
export const MSG_CLOSE = 7;
/** u32 handle → raw 120-byte x86_64 struct statfs */
export const MSG_STATFS = 8;
/**
 * u32 handle, u32 mask (SETATTR_*), u32 mode, u32 uid, u32 gid, u64 size,
 * i64 atime sec, u32 atime nsec, i64 mtime sec, u32 mtime nsec → stat.
 * Applied as chown, chmod, truncate, then times; nsec may be UTIME_NOW or UTIME_OMIT.
 */
export const MSG_SETATTR = 9;

// The write side. Every new or removed entry is one name (checked like a walked
// one) in a directory handle; new entries get the owner the request names (the
// creating task's fsuid/fsgid) and exactly its mode. A read-only gofer answers EROFS.

/** u32 dir, str name, u32 mode, u32 uid, u32 gid → u32 handle, stat */
export const MSG_MKDIR = 10;
/**
 * u32 dir, str name, u32 flags (access mode, O_DSYNC, O_SYNC), u32 mode, u32 uid,
 * u32 gid → u32 handle, stat; the new file's open fd comes as SCM_RIGHTS
 * (open(O_CREAT|O_EXCL) in one round trip).
 */
export const MSG_CREATE = 11;
/** u32 dir, str name, u32 mode (S_IFREG, S_IFIFO or S_IFSOCK; devices are EPERM), u32 uid, u32 gid → u32 handle, stat */
export const MSG_MKNOD = 12;
/** u32 dir, str name, str target, u32 uid, u32 gid → u32 handle, stat */
export const MSG_SYMLINK = 13;
/** u32 dir, str name, u32 target handle → stat of the file (its new link count) */
export const MSG_LINK = 14;
/** u32 dir, str name, u32 flags (AT_REMOVEDIR) → stat of the victim from just before */
export const MSG_UNLINK = 15;
/**
 * u32 oldDir, str oldName, u32 newDir, str newName, u32 flags (RENAME_NOREPLACE,
 * RENAME_EXCHANGE) → (empty). Handles on the moved entries follow them.
 */
export const MSG_RENAME = 16;
/** Reserved: the Sentry fsyncs donated fds itself. */
export const MSG_FSYNC = 17;
/** u32 handle, str name → u32 length, bytes. Only user.* and trusted.* names (others EOPNOTSUPP). */
export const MSG_GETXATTR = 18;
/** u32 handle → u32 n, n × str name (user.* and trusted.* only) */
export const MSG_LISTXATTR = 19;
/** u32 handle, str name, u32 flags (XATTR_CREATE, XATTR_REPLACE), u32 length, bytes → (empty) */
export const MSG_SETXATTR = 20;
/** u32 handle, str name → (empty) */
export const MSG_REMOVEXATTR = 21;

/** Ids that change the tree: refused with EROFS by a read-only gofer. */
export const MUTATING = new Set([
  MSG_SETATTR, MSG_MKDIR, MSG_CREATE, MSG_MKNOD, MSG_SYMLINK, MSG_LINK, MSG_UNLINK, MSG_RENAME,
  MSG_SETXATTR, MSG_REMOVEXATTR,
]);

export const MSG_NAMES: Record<number, string> = {
  [MSG_ERROR]: 'error', [MSG_ATTACH]: 'attach', [MSG_WALK]: 'walk', [MSG_STAT]: 'stat',
  [MSG_OPEN]: 'open', [MSG_READDIR]: 'readdir', [MSG_READLINK]: 'readlink', [MSG_CLOSE]: 'close',
  [MSG_STATFS]: 'statfs', [MSG_SETATTR]: 'setattr', [MSG_MKDIR]: 'mkdir', [MSG_CREATE]: 'create',
  [MSG_MKNOD]: 'mknod', [MSG_SYMLINK]: 'symlink', [MSG_LINK]: 'link', [MSG_UNLINK]: 'unlink',
  [MSG_RENAME]: 'rename', [MSG_FSYNC]: 'fsync', [MSG_GETXATTR]: 'getxattr', [MSG_LISTXATTR]: 'listxattr',
  [MSG_SETXATTR]: 'setxattr', [MSG_REMOVEXATTR]: 'removexattr',
};

/** ATTACH feature bits. */
export const FEATURE_READONLY = 1;

/** SETATTR mask bits. */
export const SETATTR_MODE = 1;
export const SETATTR_UID = 2;
export const SETATTR_GID = 4;
export const SETATTR_SIZE = 8;
export const SETATTR_ATIME = 16;
export const SETATTR_MTIME = 32;

/**
 * Largest message either side sends: room for a 64 KiB xattr value, well below
 * the default socket buffer, so SEQPACKET never says EMSGSIZE.
 */
export const MAX_MESSAGE = 72 * 1024;
/** Most names per WALK request; the client splits longer walks. */
export const WALK_MAX = 64;
/** Most fds one reply carries. */
export const MAX_FDS = 4;
export const STAT_BYTES = 144;
export const STATFS_BYTES = 120;
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
/** xattr limits (Linux's XATTR_NAME_MAX, XATTR_SIZE_MAX) and setxattr flags. */
export const XATTR_NAME_MAX = 255;
export const XATTR_SIZE_MAX = 65536;
export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;
