/*
 * common.h — helpers for tsvisor's differential C tests.
 *
 * Every test prints lines that must be identical natively and under
 * `tsvisor do`.  Rules (see README.md):
 *   - print errno *names* (errname), never strerror text;
 *   - never print addresses, pids, inode numbers, timestamps, sizes of
 *     host-specific things: print relationships and booleans instead;
 *   - output goes straight to fd 1 with write(2) (no stdio buffering), so
 *     everything printed before a crash is kept and glibc/musl agree.
 *
 * Works with glibc (dynamic and static) and musl (no <linux/...> headers:
 * kernel structures and constants we need are defined here).
 */
#ifndef TSVISOR_CTEST_COMMON_H
#define TSVISOR_CTEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* ---------- addresses that are never mapped ---------- */
#define BADPTR ((void *)1)                        /* page 0: below mmap_min_addr */
#define KPTR ((void *)0xffff800000001000UL)       /* kernel half */

/* ---------- errno names ---------- */
__attribute__((unused)) static const char *errname(int e)
{
	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG)
	E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES)
	E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV)
	E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY)
	E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK)
	E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK) E(ENAMETOOLONG) E(ENOLCK)
	E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG) E(EIDRM) E(ENODATA)
	E(ETIME) E(EOVERFLOW) E(EBADFD) E(EILSEQ) E(ENOTSOCK)
	E(EOPNOTSUPP) E(EAFNOSUPPORT) E(EADDRINUSE) E(ENOBUFS)
	E(EISCONN) E(ENOTCONN) E(ETIMEDOUT) E(ECONNREFUSED) E(EALREADY)
	E(EINPROGRESS) E(ESTALE) E(EDQUOT) E(ECANCELED) E(EOWNERDEAD)
	E(ENOTRECOVERABLE) E(ERFKILL) E(EHWPOISON)
#undef E
	case 0: return "0";
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "errno%d", e);
	return buf;
}

/* ---------- output ---------- */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((unused)) static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int saved = errno;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, buf + off, n - off);
		if (w <= 0)
			break;
		off += w;
	}
	errno = saved;
}

/* ---------- checks ----------
 * Each check prints one line "label: RESULT".  A result the test author did
 * not expect is printed with "FAIL" and counted; main() returns finish(),
 * which exits 1 if anything failed.  Natively nothing may FAIL.
 */
__attribute__((unused)) static int ct_failures;
__attribute__((unused)) static long ct_ret;
__attribute__((unused)) static int ct_err;

#define CT_RUN(expr) (errno = 0, ct_ret = (long)(expr), ct_err = errno)

/* Expect success (return value != -1); prints "ok". */
#define OK(label, expr) do { CT_RUN(expr); \
	if (ct_ret == -1) { say("%s: FAIL %s\n", label, errname(ct_err)); ct_failures++; } \
	else say("%s: ok\n", label); } while (0)

/* Expect failure with errno E (return -1). */
#define ERR(label, expr, E) do { CT_RUN(expr); \
	if (ct_ret != -1) { say("%s: FAIL succeeded, wanted %s\n", label, #E); ct_failures++; } \
	else if (ct_err != (E)) { say("%s: FAIL %s, wanted %s\n", label, errname(ct_err), #E); ct_failures++; } \
	else say("%s: %s\n", label, #E); } while (0)

/* Expect failure with either errno (kernel versions differ); prints "E1|E2" either way. */
#define ERR2(label, expr, E1, E2) do { CT_RUN(expr); \
	if (ct_ret != -1) { say("%s: FAIL succeeded, wanted %s|%s\n", label, #E1, #E2); ct_failures++; } \
	else if (ct_err != (E1) && ct_err != (E2)) { say("%s: FAIL %s, wanted %s|%s\n", label, errname(ct_err), #E1, #E2); ct_failures++; } \
	else say("%s: %s|%s\n", label, #E1, #E2); } while (0)

/* Expect the exact (deterministic) value V; VALO/VALX print it in octal/hex. */
#define VAL_FMT(label, expr, V, FMT) do { long ct_v = (long)(V); CT_RUN(expr); \
	if (ct_ret == -1 && ct_v != -1) { say("%s: FAIL %s, wanted " FMT "\n", label, errname(ct_err), ct_v); ct_failures++; } \
	else if (ct_ret != ct_v) { say("%s: FAIL = " FMT ", wanted " FMT "\n", label, ct_ret, ct_v); ct_failures++; } \
	else say("%s: = " FMT "\n", label, ct_ret); } while (0)
#define VAL(label, expr, V) VAL_FMT(label, expr, V, "%ld")
#define VALO(label, expr, V) VAL_FMT(label, expr, V, "%#lo")
#define VALX(label, expr, V) VAL_FMT(label, expr, V, "%#lx")

/* A boolean that must hold. */
#define CHECK(label, cond) do { int ct_c = !!(cond); \
	if (ct_c) say("%s: yes\n", label); \
	else { say("%s: FAIL no\n", label); ct_failures++; } } while (0)

/* Print a deterministic value or errno name without judging it. */
#define SHOW(label, expr) do { CT_RUN(expr); \
	if (ct_ret == -1) say("%s: %s\n", label, errname(ct_err)); \
	else say("%s: = %ld\n", label, ct_ret); } while (0)

/* Last result of OK/ERR/VAL/SHOW (CT_RUN). */
#define LAST ct_ret

__attribute__((unused)) static int finish(void)
{
	if (ct_failures)
		say("FAILURES: %d\n", ct_failures);
	else
		say("done\n");
	return ct_failures ? 1 : 0;
}

/* ---------- scratch directory ----------
 * scratch_init(name, argc, argv): creates <base>/tsvisor-ctest-<name>-XXXXXX
 * where <base> is argv[1] if given, else /tmp.  P("rel") returns the path of
 * rel inside it (8 rotating static buffers).  scratch_cleanup() removes it.
 */
static char scratch[1024];

__attribute__((unused)) static void scratch_init(const char *name, int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : "/tmp";
	snprintf(scratch, sizeof scratch, "%s/tsvisor-ctest-%s-XXXXXX", base, name);
	if (!mkdtemp(scratch)) {
		say("scratch_init: mkdtemp failed: %s\n", errname(errno));
		exit(2);
	}
}

__attribute__((unused)) static const char *P(const char *rel)
{
	static char bufs[8][PATH_MAX];
	static int i;
	char *b = bufs[i++ & 7];
	snprintf(b, PATH_MAX, "%s/%s", scratch, rel);
	return b;
}

__attribute__((unused)) static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		if (d) {
			struct dirent *de;
			char sub[PATH_MAX];
			while ((de = readdir(d))) {
				if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
					continue;
				snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
				rm_rf(sub);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

__attribute__((unused)) static void scratch_cleanup(void)
{
	if (scratch[0])
		rm_rf(scratch);
}

/* Write a whole file; returns 0 or -1. */
__attribute__((unused)) static int put_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, data, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

/* No core files from tests that die by signal. */
__attribute__((unused)) static void no_core(void)
{
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
}

/* ---------- probing memory without faulting ----------
 * mem_mapped: mincore() succeeds on the page.  mem_readable/mem_writable:
 * the kernel copies one byte out of / into the address through a pipe (EFAULT
 * means no access); mem_writable writes the original byte back.
 */
static int ct_probe[2] = { -1, -1 };

__attribute__((unused)) static int mem_mapped(const void *p)
{
	unsigned char v;
	return syscall(SYS_mincore, (uintptr_t)p & ~4095UL, 4096, &v) == 0;
}

__attribute__((unused)) static int mem_readable(const void *p)
{
	char c;
	if (ct_probe[0] < 0 && pipe(ct_probe) != 0)
		return -1;
	if (write(ct_probe[1], p, 1) != 1)
		return 0;
	return read(ct_probe[0], &c, 1) == 1;
}

__attribute__((unused)) static int mem_writable(void *p)
{
	char c = 0;
	if (ct_probe[0] < 0 && pipe(ct_probe) != 0)
		return -1;
	if (write(ct_probe[1], p, 1) != 1) {     /* not readable: write a 0 */
		if (write(ct_probe[1], &c, 1) != 1)
			return -1;
	}
	if (read(ct_probe[0], p, 1) == 1)
		return 1;
	return read(ct_probe[0], &c, 1) == 1 ? 0 : -1;   /* drain */
}

/* Print "label: " and one letter per page of [base, base+npages*4096):
 * '-' unmapped, 'n' no access, 'r' read-only, 'w' writable. */
__attribute__((unused)) static void mem_layout(const char *label, void *base, int npages)
{
	char s[129];
	int k = 0;
	for (int i = 0; i < npages && k < 128; i++) {
		char *p = (char *)base + i * 4096UL;
		s[k++] = !mem_mapped(p) ? '-' : mem_writable(p) == 1 ? 'w' : mem_readable(p) == 1 ? 'r' : 'n';
	}
	s[k] = 0;
	say("%s: %s\n", label, s);
}

/* ---------- kernel ABI bits not in every libc's headers ---------- */
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_STATX_SYNC_AS_STAT
#define AT_STATX_SYNC_AS_STAT 0x0000
#endif
#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE 0x6000
#endif
#ifndef AT_STATX_FORCE_SYNC
#define AT_STATX_FORCE_SYNC 0x2000
#endif
#ifndef AT_STATX_DONT_SYNC
#define AT_STATX_DONT_SYNC 0x4000
#endif
#ifndef O_PATH
#define O_PATH 010000000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032
#endif
#define K_CLOSE_RANGE_UNSHARE (1U << 1)
#define K_CLOSE_RANGE_CLOEXEC (1U << 2)
#define K_GRND_NONBLOCK 0x0001
#define K_GRND_RANDOM 0x0002
#define K_GRND_INSECURE 0x0004
#define K_ARCH_SET_GS 0x1001
#define K_ARCH_SET_FS 0x1002
#define K_ARCH_GET_FS 0x1003
#define K_ARCH_GET_GS 0x1004

/* statx(2) */
struct k_statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t reserved; };
struct k_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct k_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare2[14];
};
#define K_STATX_TYPE 0x1U
#define K_STATX_MODE 0x2U
#define K_STATX_NLINK 0x4U
#define K_STATX_UID 0x8U
#define K_STATX_GID 0x10U
#define K_STATX_ATIME 0x20U
#define K_STATX_MTIME 0x40U
#define K_STATX_CTIME 0x80U
#define K_STATX_INO 0x100U
#define K_STATX_SIZE 0x200U
#define K_STATX_BLOCKS 0x400U
#define K_STATX_BASIC_STATS 0x7ffU
#define K_STATX__RESERVED 0x80000000U

/* getdents64(2) */
struct k_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* rt_sigaction(2): the kernel's struct, not libc's. */
struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* sizeof(struct robust_list_head) on x86_64 */
#define K_ROBUST_LIST_HEAD_SIZE 24

/* ioctl numbers (x86_64) */
#define K_TCGETS 0x5401
#define K_FIONREAD 0x541B
#define K_FIONBIO 0x5421
#define K_FIOCLEX 0x5451
#define K_FIONCLEX 0x5450
#define K_TIOCGWINSZ 0x5413

/* ---- helpers shared by several tests (static inline: unused ones cost nothing) ---- */

/* CLOCK_* now, in ns. */
static inline long long now_ns(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

__attribute__((unused)) static void ct_on_alrm(int sig) { (void)sig; }

/* SIGALRM in `ms` through ITIMER_REAL to `handler`, with or without SA_RESTART. */
static inline void alarm_to(void (*handler)(int), int ms, int restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, ms * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Installs `handler` for sig (no SA_RESTART) and blocks sig; returns the set holding sig. */
static inline sigset_t block_with_handler(int sig, void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(sig, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return set;
}

/* The same to an empty handler. */
static inline void alarm_in_ms(int ms, int restart) { alarm_to(ct_on_alrm, ms, restart); }

/* Burns CPU until *flag reaches n or 5 s of wall time pass; returns whether it got there. */
static inline int spin_until(volatile int *flag, int n)
{
	long long end = now_ns(CLOCK_MONOTONIC) + 5000000000LL;
	volatile unsigned long x = 0;
	while (*flag < n && now_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 100000; i++)
			x += i;
	return *flag >= n;
}

/* Waits until the task whose stat file is `path` sleeps in the kernel (state S); 0 after 5 s or if it is gone. */
static inline int wait_blocked_stat(const char *path)
{
	char buf[512];
	for (int i = 0; i < 5000; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return 0;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return 1;
		}
		usleep(1000);
	}
	return 0;
}

/* The same for a process (/proc/<pid>/stat). */
static inline int wait_blocked(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	return wait_blocked_stat(path);
}

/* Waits for a child: its exit status, 128+N for death by signal N, -1 if not our child. */
static inline int reap(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -2;
}

/* Prints the line of /proc/self/fdinfo/FD that starts with key. */
static inline void fdinfo_line(const char *label, int fd, const char *key)
{
	char path[64], buf[2048], *line = NULL;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	int f = open(path, O_RDONLY);
	long n = f < 0 ? -1 : read(f, buf, sizeof buf - 1);
	if (f >= 0)
		close(f);
	if (n > 0) {
		buf[n] = 0;
		for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
			if (!strncmp(s, key, strlen(key)) && !line)
				line = s;
	}
	say("%s: %s\n", label, line ? line : "(missing)");
}

/* ---- socket tests (unix_*.c) ---- */
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* SIGPIPEs seen by ct_on_pipe (install it with signal(SIGPIPE, ct_on_pipe)). */
static volatile int ct_sigpipes;
__attribute__((unused)) static void ct_on_pipe(int s) { (void)s; ct_sigpipes++; }

/* poll(2) of one fd without waiting: its revents, 0 if not ready. */
static inline int poll_now(int fd, int events)
{
	struct pollfd p = { fd, (short)events, 0 };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* An abstract AF_UNIX name unique to this process and tag; returns its length. */
static inline socklen_t unix_abstract(struct sockaddr_un *a, const char *tag)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "tsvisor-ctest-%d-%s", (int)getpid(), tag);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

#endif /* TSVISOR_CTEST_COMMON_H */
