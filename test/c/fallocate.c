/* fallocate and posix_fallocate: sizes, KEEP_SIZE, PUNCH_HOLE, mode and argument errnos, on /tmp and a memfd. */
#include "common.h"

#define K_KEEP_SIZE 0x01
#define K_PUNCH_HOLE 0x02
#define K_COLLAPSE_RANGE 0x08
#define K_ZERO_RANGE 0x10
#define K_INSERT_RANGE 0x20

static long fa(int fd, int mode, long long off, long long len)
{
	return syscall(SYS_fallocate, fd, mode, off, len);
}

static long long fsize(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

/* Every byte of [off, off+n) equals c. */
static int all(int fd, long long off, int n, int c)
{
	char buf[8192];
	if (n > (int)sizeof buf || pread(fd, buf, n, off) != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (buf[i] != (char)c)
			return 0;
	return 1;
}

/* The behaviour shared by every file system that supports fallocate. */
static void common(const char *what, int fd)
{
	say("-- %s\n", what);
	OK("allocate 0..8192", fa(fd, 0, 0, 8192));
	VAL("size grows", fsize(fd), 8192);
	CHECK("reads zero", all(fd, 0, 8192, 0));
	OK("allocate inside", fa(fd, 0, 100, 100));
	VAL("size kept", fsize(fd), 8192);
	OK("keep size past EOF", fa(fd, K_KEEP_SIZE, 8192, 8192));
	VAL("size unchanged", fsize(fd), 8192);
	char block[4096];
	memset(block, 'x', sizeof block);
	VAL("fill 0..4096", pwrite(fd, block, 4096, 0), 4096);
	VAL("fill 4096..8192", pwrite(fd, block, 4096, 4096), 4096);
	OK("punch 4096..8192", fa(fd, K_PUNCH_HOLE | K_KEEP_SIZE, 4096, 4096));
	VAL("size after punch", fsize(fd), 8192);
	CHECK("hole reads zero", all(fd, 4096, 4096, 0));
	CHECK("before hole kept", all(fd, 0, 4096, 'x'));
	OK("punch past EOF", fa(fd, K_PUNCH_HOLE | K_KEEP_SIZE, 1 << 20, 4096));
	VAL("size after punch past EOF", fsize(fd), 8192);
	ERR("punch without keep size", fa(fd, K_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	ERR("punch|zero", fa(fd, K_PUNCH_HOLE | K_ZERO_RANGE | K_KEEP_SIZE, 0, 4096), EOPNOTSUPP);
	ERR("unknown mode", fa(fd, 0x100, 0, 4096), EOPNOTSUPP);
	ERR("len 0", fa(fd, 0, 0, 0), EINVAL);
	ERR("len negative", fa(fd, 0, 0, -1), EINVAL);
	ERR("offset negative", fa(fd, 0, -1, 4096), EINVAL);
	ERR("EINVAL before mode", fa(fd, 0x100, -1, 4096), EINVAL);
	ERR("wraps", fa(fd, 0, 0x7fffffffffffffffLL, 2), EFBIG);
	/* ZERO_RANGE: ext4 has it, tmpfs not; when it works it zeroes and may extend. */
	long r = fa(fd, K_ZERO_RANGE, 0, 100);
	int e = errno;
	say("zero range: %s\n", r == 0 || e == EOPNOTSUPP ? "ok or EOPNOTSUPP" : errname(e));
	if (r == 0)
		CHECK("zero range zeroes", all(fd, 0, 100, 0));
	else
		CHECK("zero range zeroes", 1);
	/* posix_fallocate returns the error number instead of setting errno. */
	VAL("posix_fallocate extends", posix_fallocate(fd, 0, 20000), 0);
	VAL("size after posix_fallocate", fsize(fd), 20000);
	VAL("posix_fallocate inside", posix_fallocate(fd, 10, 10), 0);
	VAL("size still", fsize(fd), 20000);
	VAL("refill head", pwrite(fd, block, 10, 0), 10);
	OK("ftruncate down", ftruncate(fd, 10));
	OK("allocate after truncate", fa(fd, 0, 0, 4096));
	CHECK("tail reads zero", all(fd, 10, 4086, 0));
	CHECK("head kept", all(fd, 0, 10, 'x'));
}

int main(int argc, char **argv)
{
	scratch_init("fallocate", argc, argv);
	int fd = open(P("f"), O_RDWR | O_CREAT, 0644);
	common("tmp file", fd);

	say("-- errnos by file kind\n");
	int ro = open(P("f"), O_RDONLY);
	ERR("read-only fd", fa(ro, 0, 0, 4096), EBADF);
	ERR("read-only fd, bad mode first", fa(ro, 0x100, 0, 4096), EOPNOTSUPP);
	VAL("posix_fallocate read-only", posix_fallocate(ro, 0, 4096), EBADF);
	ERR("bad fd", fa(-1, 0, 0, 4096), EBADF);
	int path = open(P("f"), O_PATH);
	ERR("O_PATH fd", fa(path, 0, 0, 4096), EBADF);
	int p[2];
	OK("pipe", pipe(p));
	ERR("pipe write end", fa(p[1], 0, 0, 4096), ESPIPE);
	ERR("pipe read end", fa(p[0], 0, 0, 4096), EBADF);
	int null = open("/dev/null", O_WRONLY);
	ERR("/dev/null", fa(null, 0, 0, 4096), ENODEV);
	int sv[2];
	OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ERR("socket", fa(sv[0], 0, 0, 4096), ENODEV);
	int app = open(P("f"), O_WRONLY | O_APPEND);
	OK("O_APPEND keep size", fa(app, K_KEEP_SIZE, 0, 4096));
	OK("O_APPEND allocate", fa(app, 0, 0, 4096));

	int m = syscall(SYS_memfd_create, "fa", 0);
	OK("memfd_create", m);
	common("memfd (tmpfs)", m);
	ERR("memfd zero range", fa(m, K_ZERO_RANGE, 0, 4096), EOPNOTSUPP);
	ERR("memfd collapse", fa(m, K_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP);
	ERR("memfd insert", fa(m, K_INSERT_RANGE, 0, 4096), EOPNOTSUPP);
	ERR("collapse|keep", fa(m, K_COLLAPSE_RANGE | K_KEEP_SIZE, 0, 4096), EOPNOTSUPP);
	scratch_cleanup();
	return finish();
}
