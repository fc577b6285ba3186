// dup, dup2, dup3: lowest fd, shared description, cloexec handling, limits, errnos.
#include "common.h"

int main(void)
{
	int fd = open("/dev/null", O_RDWR);
	int p[2];
	pipe(p);

	/* dup */
	long d = syscall(SYS_dup, fd);
	CHECK("dup returns a new fd", d >= 0 && d != fd);
	close(p[1]);
	long d2 = syscall(SYS_dup, fd);
	CHECK("dup takes the lowest free fd", d2 == p[1]);
	close(d2);
	pipe(p);
	ERR("dup bad fd", syscall(SYS_dup, 999), EBADF);
	ERR("dup -1", syscall(SYS_dup, -1), EBADF);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	d2 = syscall(SYS_dup, fd);
	VAL("dup clears FD_CLOEXEC on the copy", fcntl(d2, F_GETFD), 0);
	VAL("original keeps FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(d2);

	/* the description is shared: status flags and offset */
	int g = syscall(SYS_dup, p[0]);
	fcntl(g, F_SETFL, O_NONBLOCK);
	CHECK("O_NONBLOCK shared through dup", fcntl(p[0], F_GETFL) & O_NONBLOCK);
	char c;
	ERR("so the original read is nonblocking", read(p[0], &c, 1), EAGAIN);
	write(p[1], "ab", 2);
	read(g, &c, 1);
	VAL("data consumed via dup is gone for original", read(p[0], &c, 1), 1);
	CHECK("and it is the 2nd byte", c == 'b');
	close(g);

	/* dup2 */
	VAL("dup2 to a chosen fd", syscall(SYS_dup2, fd, 50), 50);
	CHECK("fd 50 open", fcntl(50, F_GETFD) != -1);
	VAL("dup2 same fd returns it", syscall(SYS_dup2, fd, fd), fd);
	VAL("dup2 same fd keeps FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	ERR("dup2 same fd, bad", syscall(SYS_dup2, 999, 999), EBADF);
	ERR("dup2 bad oldfd", syscall(SYS_dup2, 999, 51), EBADF);
	CHECK("bad dup2 did not create newfd", fcntl(51, F_GETFD) == -1);
	ERR("dup2 newfd -1", syscall(SYS_dup2, fd, -1), EBADF);
	fcntl(50, F_SETFD, FD_CLOEXEC);
	VAL("dup2 over an open fd", syscall(SYS_dup2, p[0], 50), 50);
	VAL("replaced fd loses FD_CLOEXEC", fcntl(50, F_GETFD), 0);
	struct stat st;
	fstat(50, &st);
	CHECK("fd 50 is now the pipe", S_ISFIFO(st.st_mode));
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	ERR("dup2 newfd == RLIMIT_NOFILE soft", syscall(SYS_dup2, fd, rl.rlim_cur), EBADF);
	CHECK("dup2 newfd == soft-1 works", syscall(SYS_dup2, fd, rl.rlim_cur - 1) == (long)rl.rlim_cur - 1);
	close(rl.rlim_cur - 1);
	ERR("dup2 newfd INT_MAX", syscall(SYS_dup2, fd, INT_MAX), EBADF);

	/* dup3 */
	VAL("dup3 flags 0", syscall(SYS_dup3, fd, 60, 0), 60);
	VAL("dup3 flags 0 -> no cloexec", fcntl(60, F_GETFD), 0);
	VAL("dup3 O_CLOEXEC", syscall(SYS_dup3, fd, 61, O_CLOEXEC), 61);
	VAL("dup3 O_CLOEXEC -> cloexec", fcntl(61, F_GETFD), FD_CLOEXEC);
	VAL("dup3 over open fd with O_CLOEXEC", syscall(SYS_dup3, p[0], 60, O_CLOEXEC), 60);
	VAL("now cloexec", fcntl(60, F_GETFD), FD_CLOEXEC);
	ERR("dup3 same fd", syscall(SYS_dup3, fd, fd, 0), EINVAL);
	ERR("dup3 same fd, bad fd", syscall(SYS_dup3, 999, 999, 0), EINVAL);
	ERR("dup3 bad flags", syscall(SYS_dup3, fd, 62, O_NONBLOCK), EINVAL);
	ERR("dup3 bad oldfd", syscall(SYS_dup3, 999, 62, 0), EBADF);
	ERR("dup3 newfd too big", syscall(SYS_dup3, fd, rl.rlim_cur, 0), EBADF);
	ERR("dup3 newfd -1", syscall(SYS_dup3, fd, -1, 0), EBADF);

	/* closing one copy leaves the other working */
	int w = syscall(SYS_dup, p[1]);
	close(p[1]);
	VAL("write through the surviving dup", write(w, "z", 1), 1);
	fcntl(p[0], F_SETFL, 0);
	VAL("read it", read(p[0], &c, 1), 1);
	close(w);
	VAL("all writers closed: EOF", read(p[0], &c, 1), 0);

	/* EMFILE when no fd is free below the limit */
	struct rlimit small = { 64, rl.rlim_max };
	setrlimit(RLIMIT_NOFILE, &small);
	int last = -1, err = 0;
	for (int i = 0; i < 100; i++) {
		int n = syscall(SYS_dup, fd);
		if (n < 0) {
			err = errno;
			break;
		}
		last = n;
	}
	VAL("highest fd handed out", last, 63);
	CHECK("then dup fails with EMFILE", err == EMFILE);
	ERR("open fails with EMFILE too", open("/dev/null", O_RDONLY), EMFILE);
	ERR("F_DUPFD fails with EMFILE", fcntl(fd, F_DUPFD, 0), EMFILE);
	return finish();
}
