// close, close_range: EBADF, reuse, ranges, CLOSE_RANGE_CLOEXEC, bad flags.
#include "common.h"

static int isopen(int fd) { return fcntl(fd, F_GETFD) != -1; }

/* Open /dev/null onto exactly fds [lo, hi]. */
static void fill(int lo, int hi)
{
	int n = open("/dev/null", O_RDONLY);
	for (int fd = lo; fd <= hi; fd++)
		dup2(n, fd);
	if (n < lo || n > hi)
		close(n);
}

static void show_range(const char *label, int lo, int hi)
{
	char s[64];
	int k = 0;
	for (int fd = lo; fd <= hi && k < 60; fd++)
		s[k++] = isopen(fd) ? 'o' : '-';
	s[k] = 0;
	say("%s: [%d..%d] %s\n", label, lo, hi, s);
}

int main(void)
{
	/* close */
	int fd = open("/dev/null", O_RDONLY);
	VAL("close open fd", syscall(SYS_close, fd), 0);
	ERR("close it again", syscall(SYS_close, fd), EBADF);
	ERR("close -1", syscall(SYS_close, -1), EBADF);
	ERR("close 1<<20", syscall(SYS_close, 1 << 20), EBADF);
	ERR("close INT_MAX", syscall(SYS_close, INT_MAX), EBADF);
	int a = open("/dev/null", O_RDONLY);
	CHECK("closed fd number is reused", a == fd);
	close(a);

	/* close_range basics */
	fill(100, 109);
	show_range("filled", 100, 109);
	VAL("close_range 102..104", syscall(SYS_close_range, 102, 104, 0), 0);
	show_range("after", 100, 109);
	VAL("close_range single fd 100..100", syscall(SYS_close_range, 100, 100, 0), 0);
	show_range("after", 100, 109);
	VAL("close_range over already-closed fds", syscall(SYS_close_range, 102, 104, 0), 0);
	VAL("close_range past any fd", syscall(SYS_close_range, 5000, 6000, 0), 0);
	ERR("close_range first > last", syscall(SYS_close_range, 108, 107, 0), EINVAL);
	ERR("close_range bad flags", syscall(SYS_close_range, 100, 109, 0x80), EINVAL);
	show_range("unchanged after errors", 100, 109);

	/* CLOSE_RANGE_CLOEXEC marks instead of closing */
	VAL("close_range CLOEXEC 105..107", syscall(SYS_close_range, 105, 107, K_CLOSE_RANGE_CLOEXEC), 0);
	show_range("still open", 100, 109);
	say("cloexec flags 105..109:");
	for (int i = 105; i <= 109; i++)
		say(" %d", fcntl(i, F_GETFD));
	say("\n");

	/* CLOSE_RANGE_UNSHARE on a non-shared table just works */
	VAL("close_range UNSHARE 108..108", syscall(SYS_close_range, 108, 108, K_CLOSE_RANGE_UNSHARE), 0);
	show_range("after unshare", 100, 109);

	/* ~0U closes everything from first */
	VAL("close_range 106..~0U", syscall(SYS_close_range, 106, ~0U, 0), 0);
	show_range("after open-ended", 100, 109);
	CHECK("stdio untouched", isopen(0) && isopen(1) && isopen(2));

	/* huge first is fine */
	VAL("close_range ~0U..~0U", syscall(SYS_close_range, ~0U, ~0U, 0), 0);
	close(101);
	close(105);
	return finish();
}
