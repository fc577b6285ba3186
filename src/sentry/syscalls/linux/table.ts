// The Linux x86_64 syscall table: what each number does in tsvisor and how well.
// `tsvisor syscalls` and docs/compatibility.md are generated from this data.
import { MAX_SYSCALL, SYS, SYSCALL_NAMES } from '../../../abi/linux/syscalls.js';
import type { SyscallEntry, SyscallHandler, SyscallTable } from '../../kernel/syscall_table.js';
import * as attr from './sys_attr.js';
import * as archPrctl from './sys_arch_prctl.js';
import * as clone from './sys_clone.js';
import * as cwd from './sys_cwd.js';
import * as dup from './sys_dup.js';
import * as execve from './sys_execve.js';
import * as exit from './sys_exit.js';
import * as fadvise from './sys_fadvise.js';
import * as fcntl from './sys_fcntl.js';
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
import * as prctl from './sys_prctl.js';
import * as random from './sys_random.js';
import * as read from './sys_read.js';
import * as rlimit from './sys_rlimit.js';
import * as sched from './sys_sched.js';
import * as session from './sys_session.js';
import * as signal from './sys_signal.js';
import * as stat from './sys_stat.js';
import * as sysinfo from './sys_sysinfo.js';
import * as syslog from './sys_syslog.js';
import * as thread from './sys_thread.js';
import * as time from './sys_time.js';
import * as uname from './sys_uname.js';
import * as wait from './sys_wait.js';
import * as write from './sys_write.js';
import * as xattr from './sys_xattr.js';

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
partial(SYS.getxattr, xattr.getxattr, 'no extended attributes are stored yet');
partial(SYS.lgetxattr, xattr.lgetxattr, 'no extended attributes are stored yet');
partial(SYS.fgetxattr, xattr.fgetxattr, 'no extended attributes are stored yet');
partial(SYS.listxattr, xattr.listxattr, 'no extended attributes are stored yet');
partial(SYS.llistxattr, xattr.llistxattr, 'no extended attributes are stored yet');
partial(SYS.flistxattr, xattr.flistxattr, 'no extended attributes are stored yet');
for (const nr of [SYS.setxattr, SYS.lsetxattr, SYS.fsetxattr, SYS.removexattr, SYS.lremovexattr, SYS.fremovexattr]) {
  partial(nr, xattr.setxattrUnsupported, 'returns EOPNOTSUPP until file systems store xattrs');
}
full(SYS.fadvise64, fadvise.fadvise64);
full(SYS.readahead, fadvise.readahead);
// fs context
full(SYS.getcwd, cwd.getcwd);
full(SYS.chdir, cwd.chdir);
full(SYS.fchdir, cwd.fchdir);
full(SYS.chroot, cwd.chroot);
full(SYS.umask, cwd.umask);
// descriptors
full(SYS.dup, dup.dup);
full(SYS.dup2, dup.dup2);
full(SYS.dup3, dup.dup3);
partial(SYS.fcntl, fcntl.fcntl, 'record locks (F_GETLK/F_SETLK*) and leases not yet');
full(SYS.pipe, pipe.pipe);
full(SYS.pipe2, pipe.pipe2);
partial(SYS.ioctl, ioctl.ioctl, 'terminal ioctls on host ttys, FIONREAD, FIONBIO, FIOCLEX; others ENOTTY');
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
partial(SYS.prctl, prctl.prctl, 'name, pdeathsig, dumpable, keepcaps, no_new_privs, subreaper, capbset; no seccomp');
// limits and scheduling
full(SYS.getrlimit, rlimit.getrlimit);
full(SYS.setrlimit, rlimit.setrlimit);
partial(SYS.prlimit64, rlimit.prlimit64, 'limits are stored; enforcement comes per resource');
partial(SYS.sched_getaffinity, sched.sched_getaffinity, 'every task may run on all sandbox CPUs');
partial(SYS.sched_setaffinity, sched.sched_setaffinity, 'stored and reported; placement is the host scheduler\'s');
full(SYS.sched_yield, sched.sched_yield);
partial(SYS.getcpu, sched.getcpu, 'always reports CPU 0');
partial(SYS.sched_getscheduler, sched.sched_getscheduler, 'SCHED_OTHER only');
partial(SYS.sched_getparam, sched.sched_getparam, 'priority 0');
full(SYS.sched_get_priority_max, sched.sched_get_priority_max);
full(SYS.sched_get_priority_min, sched.sched_get_priority_min);
// time
full(SYS.clock_gettime, time.clock_gettime);
full(SYS.clock_getres, time.clock_getres);
full(SYS.gettimeofday, time.gettimeofday);
full(SYS.time, time.time);
partial(SYS.times, time.times, 'CPU time reported as user time');
partial(SYS.nanosleep, time.nanosleep, 'not interruptible by signals yet');
partial(SYS.clock_nanosleep, time.clock_nanosleep, 'not interruptible by signals yet');
// memory
full(SYS.mmap, mmap.mmap);
full(SYS.munmap, mmap.munmap);
full(SYS.mprotect, mmap.mprotect);
partial(SYS.mremap, mmap.mremap, 'MREMAP_DONTUNMAP unsupported');
full(SYS.madvise, mmap.madvise);
partial(SYS.msync, mmap.msync, 'MAP_SHARED file pages are private copies (nothing to write back)');
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
partial(SYS.futex, futex.futex, 'no PI futexes; waits are not interrupted by signals yet');
full(SYS.kill, kill.kill);
full(SYS.tkill, kill.tkill);
full(SYS.tgkill, kill.tgkill);
// processes
full(SYS.execve, execve.execve);
full(SYS.execveat, execve.execveat);
full(SYS.fork, clone.fork);
full(SYS.vfork, clone.vfork);
partial(SYS.clone, clone.clone, 'namespaces (CLONE_NEW*) are refused with EPERM');
partial(SYS.clone3, clone.clone3, 'namespaces, set_tid and CLONE_INTO_CGROUP unsupported');
full(SYS.wait4, wait.wait4);
full(SYS.waitid, wait.waitid);
full(SYS.pidfd_open, pidfd.pidfd_open);
full(SYS.pidfd_send_signal, pidfd.pidfd_send_signal);
full(SYS.pidfd_getfd, pidfd.pidfd_getfd);
full(SYS.exit, exit.exit);
full(SYS.exit_group, exit.exit_group);

for (let nr = 0; nr <= MAX_SYSCALL; nr++) {
  if (!table[nr] && SYSCALL_NAMES[nr]) entry(nr, null, 'unimplemented', 'ENOSYS');
}

export const linuxSyscallTable: SyscallTable = table;
