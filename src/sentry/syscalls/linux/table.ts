// The Linux x86_64 syscall table: what each number does in tsvisor and how well.
// `tsvisor syscalls` and docs/compatibility.md are generated from this data.
import { MAX_SYSCALL, SYS, SYSCALL_NAMES } from '../../../abi/linux/syscalls.js';
import type { SyscallEntry, SyscallHandler, SyscallTable } from '../../kernel/syscall_table.js';
import * as attr from './sys_attr.js';
import * as archPrctl from './sys_arch_prctl.js';
import * as clone from './sys_clone.js';
import * as cwd from './sys_cwd.js';
import * as mnt from './sys_mount.js';
import * as dup from './sys_dup.js';
import * as epoll from './sys_epoll.js';
import * as eventfd from './sys_eventfd.js';
import * as execve from './sys_execve.js';
import * as exit from './sys_exit.js';
import * as fadvise from './sys_fadvise.js';
import * as fcntl from './sys_fcntl.js';
import * as flock from './sys_flock.js';
import * as futex from './sys_futex.js';
import * as getdents from './sys_getdents.js';
import * as identity from './sys_identity.js';
import * as ioctl from './sys_ioctl.js';
import * as kill from './sys_kill.js';
import * as lseek from './sys_lseek.js';
import * as mmap from './sys_mmap.js';
import * as open from './sys_open.js';
import * as path from './sys_path.js';
import * as pidfd from './sys_pidfd.js';
import * as pipe from './sys_pipe.js';
import * as poll from './sys_poll.js';
import * as prctl from './sys_prctl.js';
import * as random from './sys_random.js';
import * as read from './sys_read.js';
import * as itimer from './sys_itimer.js';
import * as posixTimer from './sys_timer.js';
import * as rlimit from './sys_rlimit.js';
import * as rusage from './sys_rusage.js';
import * as sched from './sys_sched.js';
import * as session from './sys_session.js';
import * as signal from './sys_signal.js';
import * as signalfd from './sys_signalfd.js';
import * as inotify from './sys_inotify.js';
import * as stat from './sys_stat.js';
import * as sysinfo from './sys_sysinfo.js';
import * as syslog from './sys_syslog.js';
import * as thread from './sys_thread.js';
import * as time from './sys_time.js';
import * as timerfd from './sys_timerfd.js';
import * as uname from './sys_uname.js';
import * as wait from './sys_wait.js';
import * as write from './sys_write.js';
import * as xattr from './sys_xattr.js';
import * as sysvMsg from './sys_msg.js';
import * as mqueue from './sys_mqueue.js';
import * as sysvSem from './sys_sem.js';
import * as sysvShm from './sys_shm.js';
import * as creds from './sys_creds.js';
import * as seccomp from './sys_seccomp.js';
import * as sock from './sys_socket.js';
import * as sendrecv from './sys_sendrecv.js';
import * as sync from './sys_sync.js';
import * as fallocate from './sys_fallocate.js';
import * as splice from './sys_splice.js';
import * as memfd from './sys_memfd.js';

const table: (SyscallEntry | undefined)[] = [];

function entry(nr: number, handler: SyscallHandler | null, support: SyscallEntry['support'], note = ''): void {
  table[nr] = { nr, name: SYSCALL_NAMES[nr] ?? `syscall_${nr}`, handler, support, note };
}

function full(nr: number, h: SyscallHandler): void {
  entry(nr, h, 'full');
}

function partial(nr: number, h: SyscallHandler, note: string): void {
  entry(nr, h, 'partial', note);
}

// I/O
full(SYS.read, read.read);
full(SYS.write, write.write);
full(SYS.readv, read.readv);
full(SYS.writev, write.writev);
full(SYS.pread64, read.pread64);
full(SYS.pwrite64, write.pwrite64);
full(SYS.preadv, read.preadv);
full(SYS.pwritev, write.pwritev);
partial(SYS.preadv2, read.preadv2, 'RWF_* flags accepted without effect');
partial(SYS.pwritev2, write.pwritev2, 'RWF_* flags accepted without effect');
full(SYS.lseek, lseek.lseek);
// open/close
full(SYS.open, open.open);
full(SYS.openat, open.openat);
partial(SYS.openat2, open.openat2, 'RESOLVE_CACHED is accepted and ignored');
full(SYS.creat, open.creat);
full(SYS.close, open.close);
partial(SYS.close_range, open.close_range, 'CLOSE_RANGE_UNSHARE is a no-op until fd tables are shared');
// stat
full(SYS.stat, stat.stat);
full(SYS.fstat, stat.fstat);
full(SYS.lstat, stat.lstat);
full(SYS.newfstatat, stat.newfstatat);
partial(SYS.statx, stat.statx, 'no btime, no attributes');
full(SYS.statfs, stat.statfs);
full(SYS.fstatfs, stat.fstatfs);
full(SYS.getdents64, getdents.getdents64);
full(SYS.getdents, getdents.getdents);
// names
full(SYS.readlink, path.readlink);
full(SYS.readlinkat, path.readlinkat);
full(SYS.access, path.access);
full(SYS.faccessat, path.faccessat);
full(SYS.faccessat2, path.faccessat2);
full(SYS.mkdir, path.mkdir);
full(SYS.mkdirat, path.mkdirat);
partial(SYS.mknod, path.mknod, 'device nodes only where a device exists');
partial(SYS.mknodat, path.mknodat, 'device nodes only where a device exists');
full(SYS.unlink, path.unlink);
full(SYS.unlinkat, path.unlinkat);
full(SYS.rmdir, path.rmdir);
full(SYS.rename, path.rename);
full(SYS.renameat, path.renameat);
partial(SYS.renameat2, path.renameat2, 'RENAME_WHITEOUT unsupported; overlay: directories with lower entries return EXDEV');
full(SYS.link, path.link);
full(SYS.linkat, path.linkat);
full(SYS.symlink, path.symlink);
full(SYS.symlinkat, path.symlinkat);
// attributes
full(SYS.chmod, attr.chmod);
full(SYS.fchmod, attr.fchmod);
full(SYS.fchmodat, attr.fchmodat);
full(SYS.chown, attr.chown);
full(SYS.fchown, attr.fchown);
full(SYS.lchown, attr.lchown);
full(SYS.fchownat, attr.fchownat);
full(SYS.truncate, attr.truncate);
full(SYS.ftruncate, attr.ftruncate);
full(SYS.utimensat, attr.utimensat);
full(SYS.futimesat, attr.futimesat);
// sync, preallocation, in-kernel copies, memfds
full(SYS.fsync, sync.fsync);
full(SYS.fdatasync, sync.fdatasync);
partial(SYS.sync, sync.sync, 'returns at once: host-backed data is already in the host page cache, not forced to disk');
full(SYS.syncfs, sync.syncfs);
full(SYS.sync_file_range, sync.sync_file_range);
partial(SYS.fallocate, fallocate.fallocate, 'tmpfs: allocation and PUNCH_HOLE as Linux (ZERO_RANGE etc. EOPNOTSUPP), space is checked against the size limit but not reserved; host files: the host decides');
full(SYS.sendfile, splice.sendfile);
partial(SYS.splice, splice.splice, 'pipes count bytes, not page buffers: a splice into a pipe moves up to its free bytes');
partial(SYS.tee, splice.tee, 'data is copied, not shared page buffers');
partial(SYS.vmsplice, splice.vmsplice, 'pages are copied (SPLICE_F_GIFT has no effect)');
full(SYS.copy_file_range, splice.copy_file_range);
partial(SYS.memfd_create, memfd.memfd_create, 'MFD_HUGETLB: EINVAL');
// xattrs are stored by gofer (host) files; tmpfs, proc and overlay files have none.
const XATTR_NOTE = 'user.* and trusted.* on host (gofer) files; other file systems store none (EOPNOTSUPP)';
partial(SYS.getxattr, xattr.getxattr, XATTR_NOTE);
partial(SYS.lgetxattr, xattr.lgetxattr, XATTR_NOTE);
partial(SYS.fgetxattr, xattr.fgetxattr, XATTR_NOTE);
partial(SYS.listxattr, xattr.listxattr, XATTR_NOTE);
partial(SYS.llistxattr, xattr.llistxattr, XATTR_NOTE);
partial(SYS.flistxattr, xattr.flistxattr, XATTR_NOTE);
partial(SYS.setxattr, xattr.setxattr, XATTR_NOTE);
partial(SYS.lsetxattr, xattr.lsetxattr, XATTR_NOTE);
partial(SYS.fsetxattr, xattr.fsetxattr, XATTR_NOTE);
partial(SYS.removexattr, xattr.removexattr, XATTR_NOTE);
partial(SYS.lremovexattr, xattr.lremovexattr, XATTR_NOTE);
partial(SYS.fremovexattr, xattr.fremovexattr, XATTR_NOTE);
full(SYS.fadvise64, fadvise.fadvise64);
full(SYS.readahead, fadvise.readahead);
// fs context
full(SYS.getcwd, cwd.getcwd);
full(SYS.chdir, cwd.chdir);
full(SYS.fchdir, cwd.fchdir);
full(SYS.chroot, cwd.chroot);
partial(SYS.mount, mnt.mount, 'tmpfs/ramfs, proc, sysfs, mqueue, devpts, bind (MS_REC), MS_MOVE, remount; propagation flags accepted, nothing propagates; cgroup: ENODEV');
full(SYS.umount2, mnt.umount2);
full(SYS.pivot_root, mnt.pivot_root);
full(SYS.umask, cwd.umask);
// descriptors
full(SYS.dup, dup.dup);
full(SYS.dup2, dup.dup2);
full(SYS.dup3, dup.dup3);
partial(SYS.fcntl, fcntl.fcntl, 'leases (F_SETLEASE), F_NOTIFY and signal-driven I/O (F_SETOWN/F_SETSIG) not yet');
full(SYS.flock, flock.flock);
full(SYS.pipe, pipe.pipe);
full(SYS.pipe2, pipe.pipe2);
partial(SYS.ioctl, ioctl.ioctl, 'terminal ioctls on host ttys and ptys (termios, window size, job control, TIOCPKT, TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER), FIONREAD, FIONBIO, FIOCLEX; others ENOTTY');
// system
full(SYS.uname, uname.uname);
full(SYS.sethostname, uname.sethostname);
full(SYS.setdomainname, uname.setdomainname);
partial(SYS.sysinfo, sysinfo.sysinfo, 'load averages are 0');
full(SYS.syslog, syslog.syslog);
full(SYS.getrandom, random.getrandom);
// identity
full(SYS.getpid, identity.getpid);
full(SYS.getppid, identity.getppid);
full(SYS.gettid, identity.gettid);
full(SYS.getuid, identity.getuid);
full(SYS.geteuid, identity.geteuid);
full(SYS.getgid, identity.getgid);
full(SYS.getegid, identity.getegid);
full(SYS.getresuid, identity.getresuid);
full(SYS.getresgid, identity.getresgid);
full(SYS.getgroups, identity.getgroups);
full(SYS.getpgid, session.getpgid);
full(SYS.getpgrp, session.getpgrp);
full(SYS.getsid, session.getsid);
full(SYS.setsid, session.setsid);
full(SYS.setpgid, session.setpgid);
// threads and arch
partial(SYS.arch_prctl, archPrctl.arch_prctl, 'ARCH_SET_CPUID unsupported');
full(SYS.set_tid_address, thread.set_tid_address);
full(SYS.set_robust_list, thread.set_robust_list);
full(SYS.get_robust_list, thread.get_robust_list);
entry(SYS.rseq, thread.rseq, 'unimplemented', 'ENOSYS: glibc falls back to not using rseq');
// limits and scheduling
full(SYS.getrlimit, rlimit.getrlimit);
full(SYS.setrlimit, rlimit.setrlimit);
partial(SYS.prlimit64, rlimit.prlimit64, 'limits are stored; enforcement comes per resource');
partial(SYS.sched_getaffinity, sched.sched_getaffinity, 'every task may run on all sandbox CPUs');
partial(SYS.sched_setaffinity, sched.sched_setaffinity, 'stored and reported; placement is the host scheduler\'s');
full(SYS.sched_yield, sched.sched_yield);
partial(SYS.getcpu, sched.getcpu, 'always reports CPU 0');
full(SYS.sched_get_priority_max, sched.sched_get_priority_max);
full(SYS.sched_get_priority_min, sched.sched_get_priority_min);
// time
full(SYS.clock_gettime, time.clock_gettime);
full(SYS.clock_getres, time.clock_getres);
full(SYS.gettimeofday, time.gettimeofday);
full(SYS.time, time.time);
full(SYS.times, time.times);
full(SYS.nanosleep, time.nanosleep);
full(SYS.clock_nanosleep, time.clock_nanosleep);
// memory
full(SYS.mmap, mmap.mmap);
full(SYS.munmap, mmap.munmap);
full(SYS.mprotect, mmap.mprotect);
partial(SYS.mremap, mmap.mremap, 'MREMAP_DONTUNMAP unsupported');
full(SYS.madvise, mmap.madvise);
full(SYS.msync, mmap.msync);
full(SYS.mincore, mmap.mincore);
full(SYS.brk, mmap.brk);
// signals
full(SYS.rt_sigaction, signal.rt_sigaction);
full(SYS.rt_sigprocmask, signal.rt_sigprocmask);
full(SYS.rt_sigpending, signal.rt_sigpending);
full(SYS.sigaltstack, signal.sigaltstack);
full(SYS.rt_sigreturn, signal.rt_sigreturn);
full(SYS.rt_sigsuspend, signal.rt_sigsuspend);
full(SYS.pause, signal.pause);
full(SYS.rt_sigtimedwait, signal.rt_sigtimedwait);
full(SYS.rt_sigqueueinfo, signal.rt_sigqueueinfo);
full(SYS.rt_tgsigqueueinfo, signal.rt_tgsigqueueinfo);
// synchronisation
partial(SYS.futex, futex.futex, 'PI futexes do not boost the owner (host scheduling)');
full(SYS.kill, kill.kill);
full(SYS.tkill, kill.tkill);
full(SYS.tgkill, kill.tgkill);
// processes
full(SYS.execve, execve.execve);
full(SYS.execveat, execve.execveat);
full(SYS.fork, clone.fork);
full(SYS.vfork, clone.vfork);
partial(SYS.clone, clone.clone, 'namespaces other than CLONE_NEWNS are refused with EPERM');
partial(SYS.clone3, clone.clone3, 'namespaces other than CLONE_NEWNS (EPERM), set_tid and CLONE_INTO_CGROUP unsupported');
partial(SYS.unshare, clone.unshare, 'CLONE_FILES, CLONE_FS, CLONE_NEWNS; other namespaces EPERM; CLONE_SYSVSEM does not detach a shared undo list');
full(SYS.wait4, wait.wait4);
full(SYS.waitid, wait.waitid);
full(SYS.pidfd_open, pidfd.pidfd_open);
full(SYS.pidfd_send_signal, pidfd.pidfd_send_signal);
full(SYS.pidfd_getfd, pidfd.pidfd_getfd);
full(SYS.exit, exit.exit);
full(SYS.exit_group, exit.exit_group);
// waiting on files: poll, select, epoll, eventfd, timerfd, signalfd
full(SYS.poll, poll.poll);
full(SYS.ppoll, poll.ppoll);
full(SYS.select, poll.select);
full(SYS.pselect6, poll.pselect6);
full(SYS.epoll_create, epoll.epoll_create);
full(SYS.epoll_create1, epoll.epoll_create1);
partial(SYS.epoll_ctl, epoll.epoll_ctl, 'EPOLLEXCLUSIVE wakes every watcher; no max_user_watches limit');
full(SYS.epoll_wait, epoll.epoll_wait);
full(SYS.epoll_pwait, epoll.epoll_pwait);
full(SYS.epoll_pwait2, epoll.epoll_pwait2);
full(SYS.eventfd, eventfd.eventfd);
full(SYS.eventfd2, eventfd.eventfd2);
full(SYS.timerfd_create, timerfd.timerfd_create);
partial(SYS.timerfd_settime, timerfd.timerfd_settime, 'TFD_TIMER_CANCEL_ON_SET accepted; the sandbox clock is never set');
full(SYS.timerfd_gettime, timerfd.timerfd_gettime);
full(SYS.signalfd, signalfd.signalfd);
full(SYS.signalfd4, signalfd.signalfd4);
// inotify: events come from the sandbox's own VFS operations, not from host-side changes to gofer files
partial(SYS.inotify_init, inotify.inotify_init, 'no IN_UNMOUNT; changes made on the host outside the sandbox are not seen');
partial(SYS.inotify_init1, inotify.inotify_init1, 'no IN_UNMOUNT; changes made on the host outside the sandbox are not seen');
full(SYS.inotify_add_watch, inotify.inotify_add_watch);
full(SYS.inotify_rm_watch, inotify.inotify_rm_watch);

// SysV IPC and POSIX message queues
partial(SYS.shmget, sysvShm.shmget, 'SHM_HUGETLB gives normal pages; more than the sandbox memory is ENOMEM even with SHM_NORESERVE');
partial(SYS.shmat, sysvShm.shmat, 'shm_atime/lpid are not updated by fork, exit or munmap');
full(SYS.shmdt, sysvShm.shmdt);
partial(SYS.shmctl, sysvShm.shmctl, 'SHM_LOCK only marks the segment (nothing is ever swapped)');
full(SYS.semget, sysvSem.semget);
full(SYS.semop, sysvSem.semop);
full(SYS.semtimedop, sysvSem.semtimedop);
full(SYS.semctl, sysvSem.semctl);
full(SYS.msgget, sysvMsg.msgget);
full(SYS.msgsnd, sysvMsg.msgsnd);
full(SYS.msgrcv, sysvMsg.msgrcv);
full(SYS.msgctl, sysvMsg.msgctl);
full(SYS.mq_open, mqueue.mq_open);
full(SYS.mq_unlink, mqueue.mq_unlink);
full(SYS.mq_timedsend, mqueue.mq_timedsend);
full(SYS.mq_timedreceive, mqueue.mq_timedreceive);
partial(SYS.mq_notify, mqueue.mq_notify, 'SIGEV_THREAD needs netlink sockets: ENOTSOCK');
full(SYS.mq_getsetattr, mqueue.mq_getsetattr);

// timers and CPU accounting (CPU times are the Sentry's measure of time in user code and in syscalls)
full(SYS.getitimer, itimer.getitimer);
full(SYS.setitimer, itimer.setitimer);
full(SYS.alarm, itimer.alarm);
full(SYS.timer_create, posixTimer.timer_create);
full(SYS.timer_settime, posixTimer.timer_settime);
full(SYS.timer_gettime, posixTimer.timer_gettime);
full(SYS.timer_getoverrun, posixTimer.timer_getoverrun);
full(SYS.timer_delete, posixTimer.timer_delete);
partial(SYS.getrusage, rusage.getrusage, 'utime, stime, maxrss (peak mapped memory), nvcsw; other fields 0');

// sockets: AF_UNIX; other families are EAFNOSUPPORT until issue #7
partial(SYS.socket, sock.socket, 'AF_UNIX; AF_INET, AF_INET6, AF_NETLINK and AF_PACKET return EAFNOSUPPORT until issue #7');
partial(SYS.socketpair, sock.socketpair, 'AF_UNIX only');
partial(SYS.bind, sock.bind, 'AF_UNIX; path names only in sandbox-local (tmpfs/overlay) directories, not on host-backed gofer mounts');
full(SYS.listen, sock.listen);
full(SYS.accept, sock.accept);
full(SYS.accept4, sock.accept4);
partial(SYS.connect, sock.connect, 'AF_UNIX; host unix sockets are not reachable');
full(SYS.shutdown, sock.shutdown);
full(SYS.getsockname, sock.getsockname);
full(SYS.getpeername, sock.getpeername);
partial(SYS.sendto, sendrecv.sendto, 'MSG_OOB unsupported');
partial(SYS.recvfrom, sendrecv.recvfrom, 'MSG_OOB unsupported');
partial(SYS.sendmsg, sendrecv.sendmsg, 'SCM_RIGHTS and SCM_CREDENTIALS; no SCM_SECURITY or SCM_PIDFD');
partial(SYS.recvmsg, sendrecv.recvmsg, 'SCM_RIGHTS and SCM_CREDENTIALS; no MSG_ERRQUEUE');
full(SYS.sendmmsg, sendrecv.sendmmsg);
full(SYS.recvmmsg, sendrecv.recvmmsg);
partial(SYS.setsockopt, sendrecv.setsockopt, 'SOL_SOCKET options; protocol levels come with issue #7');
partial(SYS.getsockopt, sendrecv.getsockopt, 'SOL_SOCKET options; protocol levels come with issue #7');

// credentials, capabilities, seccomp, scheduling attributes
full(SYS.setuid, creds.setuid);
full(SYS.setgid, creds.setgid);
full(SYS.setreuid, creds.setreuid);
full(SYS.setregid, creds.setregid);
full(SYS.setresuid, creds.setresuid);
full(SYS.setresgid, creds.setresgid);
full(SYS.setfsuid, creds.setfsuid);
full(SYS.setfsgid, creds.setfsgid);
full(SYS.setgroups, creds.setgroups);
partial(SYS.capget, creds.capget, 'no file capabilities (security.capability xattrs) at exec');
partial(SYS.capset, creds.capset, 'no file capabilities (security.capability xattrs) at exec');
partial(SYS.prctl, prctl.prctl, 'PR_SET_MM, PR_SET_TIMERSLACK, PR_MCE_KILL, PR_SET_PTRACER and other rare options: EINVAL');
partial(SYS.seccomp, seccomp.seccomp, 'no SECCOMP_FILTER_FLAG_NEW_LISTENER (user notification); TRACE and USER_NOTIF fail with ENOSYS');
partial(SYS.sched_setscheduler, sched.sched_setscheduler, 'policies and priorities are stored and reported; the host schedules');
partial(SYS.sched_setparam, sched.sched_setparam, 'stored and reported; the host schedules');
full(SYS.sched_getscheduler, sched.sched_getscheduler);
full(SYS.sched_getparam, sched.sched_getparam);
partial(SYS.sched_setattr, sched.sched_setattr, 'stored and reported; no deadline admission control, utilization clamps ignored');
full(SYS.sched_getattr, sched.sched_getattr);
partial(SYS.sched_rr_get_interval, sched.sched_rr_get_interval, 'SCHED_RR 100 ms, SCHED_FIFO 0, others a 4 ms tick');
partial(SYS.setpriority, sched.setpriority, 'nice values are stored and reported; the host schedules');
full(SYS.getpriority, sched.getpriority);

for (let nr = 0; nr <= MAX_SYSCALL; nr++) {
  if (!table[nr] && SYSCALL_NAMES[nr]) entry(nr, null, 'unimplemented', 'ENOSYS');
}

export const linuxSyscallTable: SyscallTable = table;
