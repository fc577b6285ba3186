// The host syscalls a confined gofer may make (x86_64 names), found by tracing the
// gofer (strace -f, after the filter goes on) through the differential suite and
// the gofer integration tests with --directfs=false, plus what its code paths call
// that those runs did not reach. Anything else kills the process (SIGSYS). No
// execve, no socket/connect/bind, no ptrace, no mount/pivot_root/unshare/setns
// (set-up is done before the filter), no process creation.
export const GOFER_SYSCALLS: readonly string[] = [
  // the service's file operations (node.ts, service.ts, write_ops.ts): one name per *at() call
  'openat', 'close', 'lseek', 'fstat', 'newfstatat', 'fstatfs', 'getdents64', 'readlinkat', 'mkdirat', 'mknodat',
  'symlinkat', 'linkat', 'unlinkat', 'renameat2', 'fchownat', 'fchmodat2', 'utimensat', 'ftruncate', 'fgetxattr',
  'fsetxattr', 'flistxattr', 'fremovexattr',
  // fcntl: F_SETFL on opened files; Node's exit path reads stdio flags
  'fcntl',
  // the socket to the Sentry (requests in, replies and donated fds out)
  'recvmsg', 'sendmsg',
  // logging (stderr or the --debug-log fd), libuv's wake-ups
  'write', 'read',
  // Node, V8 and glibc: memory, threads, time, signals, the event loop at exit
  'mmap', 'munmap', 'mprotect', 'madvise', 'mremap', 'brk', 'futex', 'sched_yield', 'getpid', 'gettid',
  'clock_gettime', 'clock_nanosleep', 'getrandom', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'tgkill',
  'epoll_pwait', 'epoll_ctl', 'exit', 'exit_group',
];

/** Syscalls allowed for a few values of one argument (its low 32 bits). */
export const GOFER_ARG_RULES: readonly { name: string; arg: number; values: readonly number[] }[] = [
  // Node restores a terminal's modes on stdio at exit (TCGETS, TCSETS, TCSETSW, TCSETSF); no TIOCSTI and the like.
  { name: 'ioctl', arg: 1, values: [0x5401, 0x5402, 0x5403, 0x5404] },
  // A thread (glibc pthread_create's flags) should V8 start one late; never a process.
  { name: 'clone', arg: 0, values: [0x3d0f00] },
];

/** Answered ENOSYS: glibc then falls back to clone, whose flags the filter can see (clone3's are in memory). */
export const GOFER_ENOSYS: readonly string[] = ['clone3'];
