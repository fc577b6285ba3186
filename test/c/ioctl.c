// ioctl on non-tty fds: TCGETS/TIOCGWINSZ give ENOTTY, FIONREAD, FIONBIO, FIOCLEX/FIONCLEX.
// Run with stdin, stdout and stderr that are not terminals (the harness uses
// /dev/null and pipes).
#include "common.h"
#include <sys/ioctl.h>

static char tbuf[256];   /* bigger than any struct termios */

static long io(int fd, unsigned long req, void *arg) { return syscall(SYS_ioctl, fd, req, arg); }

int main(int argc, char **argv)
{
	scratch_init("ioctl", argc, argv);
	int p[2];
	pipe(p);
	put_file(P("f"), "0123456789", 10, 0644);
	int f = open(P("f"), O_RDONLY);
	int nul = open("/dev/null", O_RDWR);
	int n;

	/* terminal ioctls on things that are not terminals */
	ERR("TCGETS stdin", io(0, K_TCGETS, tbuf), ENOTTY);
	ERR("TCGETS stdout", io(1, K_TCGETS, tbuf), ENOTTY);
	ERR("TCGETS stderr", io(2, K_TCGETS, tbuf), ENOTTY);
	ERR("TCGETS pipe", io(p[0], K_TCGETS, tbuf), ENOTTY);
	ERR("TCGETS regular file", io(f, K_TCGETS, tbuf), ENOTTY);
	ERR("TCGETS /dev/null", io(nul, K_TCGETS, tbuf), ENOTTY);
	ERR("TIOCGWINSZ pipe", io(p[1], K_TIOCGWINSZ, tbuf), ENOTTY);
	ERR("TIOCGWINSZ /dev/null", io(nul, K_TIOCGWINSZ, tbuf), ENOTTY);
	CHECK("isatty(0/1/2) all false", !isatty(0) && !isatty(1) && !isatty(2));
	ERR("isatty sets ENOTTY", (isatty(p[0]) ? 0 : -1), ENOTTY);
	ERR("TCGETS bad fd", io(999, K_TCGETS, tbuf), EBADF);
	ERR("TCGETS -1", io(-1, K_TCGETS, tbuf), EBADF);
	ERR("unknown request on pipe", io(p[0], 0x12345678, tbuf), ENOTTY);

	/* FIONREAD */
	VAL("FIONREAD empty pipe", (n = -1, io(p[0], K_FIONREAD, &n)), 0);
	VAL("-> 0", n, 0);
	write(p[1], "abcdefg", 7);
	VAL("FIONREAD pipe with 7 bytes", io(p[0], K_FIONREAD, &n), 0);
	VAL("-> 7", n, 7);
	ERR("FIONREAD bad pointer", io(p[0], K_FIONREAD, BADPTR), EFAULT);
	VAL("FIONREAD regular file at 0", io(f, K_FIONREAD, &n), 0);
	VAL("-> size", n, 10);
	lseek(f, 4, SEEK_SET);
	VAL("FIONREAD regular file at 4", io(f, K_FIONREAD, &n), 0);
	VAL("-> size - offset", n, 6);
	lseek(f, 20, SEEK_SET);
	io(f, K_FIONREAD, &n);
	VAL("FIONREAD past EOF -> negative", n, -10);
	ERR("FIONREAD /dev/null", io(nul, K_FIONREAD, &n), ENOTTY);
	ERR("FIONREAD bad fd", io(999, K_FIONREAD, &n), EBADF);

	/* FIONBIO toggles O_NONBLOCK on the description */
	int on = 1, off = 0;
	VAL("FIONBIO on", io(p[0], K_FIONBIO, &on), 0);
	CHECK("O_NONBLOCK set", fcntl(p[0], F_GETFL) & O_NONBLOCK);
	char c[16];
	read(p[0], c, sizeof c);
	ERR("empty nonblocking read", read(p[0], c, 1), EAGAIN);
	VAL("FIONBIO off", io(p[0], K_FIONBIO, &off), 0);
	CHECK("O_NONBLOCK clear", !(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	on = 42;
	VAL("FIONBIO any nonzero", io(f, K_FIONBIO, &on), 0);
	CHECK("O_NONBLOCK set on file", fcntl(f, F_GETFL) & O_NONBLOCK);
	ERR("FIONBIO bad pointer", io(p[0], K_FIONBIO, BADPTR), EFAULT);

	/* FIOCLEX / FIONCLEX */
	VAL("FIOCLEX", io(f, K_FIOCLEX, NULL), 0);
	VAL("F_GETFD", fcntl(f, F_GETFD), FD_CLOEXEC);
	VAL("FIONCLEX", io(f, K_FIONCLEX, NULL), 0);
	VAL("F_GETFD", fcntl(f, F_GETFD), 0);
	VAL("FIOCLEX on /dev/null", io(nul, K_FIOCLEX, NULL), 0);
	ERR("FIOCLEX bad fd", io(999, K_FIOCLEX, NULL), EBADF);

	/* O_PATH fds refuse ioctl */
	int pf = open(P("f"), O_PATH);
	ERR("ioctl on O_PATH fd", io(pf, K_FIONREAD, &n), EBADF);

	scratch_cleanup();
	return finish();
}
