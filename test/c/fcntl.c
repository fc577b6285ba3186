// fcntl: F_GETFD/F_SETFD, F_GETFL/F_SETFL, F_DUPFD/F_DUPFD_CLOEXEC, F_GETPIPE_SZ, errnos.
#include "common.h"

int main(int argc, char **argv)
{
	scratch_init("fcntl", argc, argv);
	int fd = open(P("f"), O_RDWR | O_CREAT, 0644);
	int ro = open(P("f"), O_RDONLY);

	/* F_GETFD / F_SETFD */
	VAL("F_GETFD new fd", syscall(SYS_fcntl, fd, F_GETFD), 0);
	VAL("F_SETFD FD_CLOEXEC", syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC), 0);
	VAL("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
	VAL("F_SETFD 0xff (only FD_CLOEXEC kept)", syscall(SYS_fcntl, fd, F_SETFD, 0xff), 0);
	VAL("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
	VAL("F_SETFD 0", syscall(SYS_fcntl, fd, F_SETFD, 0), 0);
	VAL("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD), 0);
	VAL("F_SETFD 2 (no FD_CLOEXEC bit)", syscall(SYS_fcntl, fd, F_SETFD, 2), 0);
	VAL("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD), 0);
	ERR("F_GETFD bad fd", syscall(SYS_fcntl, 999, F_GETFD), EBADF);
	ERR("F_SETFD bad fd", syscall(SYS_fcntl, 999, F_SETFD, 1), EBADF);

	/* F_GETFL / F_SETFL (O_LARGEFILE is forced on by 64-bit kernels) */
	long fl = syscall(SYS_fcntl, fd, F_GETFL);
	say("F_GETFL O_RDWR file: %#lx\n", fl);
	say("F_GETFL O_RDONLY file: %#lx\n", syscall(SYS_fcntl, ro, F_GETFL));
	VAL("F_SETFL O_APPEND|O_NONBLOCK", syscall(SYS_fcntl, fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
	say("F_GETFL after: %#lx\n", syscall(SYS_fcntl, fd, F_GETFL));
	VAL("F_SETFL O_WRONLY|O_CREAT|O_TRUNC|O_EXCL (ignored bits)",
	    syscall(SYS_fcntl, fd, F_SETFL, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL), 0);
	say("F_GETFL after: %#lx\n", syscall(SYS_fcntl, fd, F_GETFL));
	VAL("F_SETFL O_RDONLY fd to O_RDWR does nothing", syscall(SYS_fcntl, ro, F_SETFL, O_RDWR), 0);
	VAL("access mode unchanged", syscall(SYS_fcntl, ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	ERR("write still refused", write(ro, "x", 1), EBADF);
	syscall(SYS_fcntl, fd, F_SETFL, O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "ab", 2);
	write(fd, "cd", 2);
	VAL("O_APPEND set by F_SETFL takes effect", lseek(fd, 0, SEEK_CUR), 4);
	syscall(SYS_fcntl, fd, F_SETFL, 0);
	lseek(fd, 0, SEEK_SET);
	write(fd, "X", 1);
	VAL("cleared O_APPEND: writes at offset", lseek(fd, 0, SEEK_CUR), 1);
	ERR("F_GETFL bad fd", syscall(SYS_fcntl, 999, F_GETFL), EBADF);
	ERR("F_SETFL bad fd", syscall(SYS_fcntl, 999, F_SETFL, 0), EBADF);
	int pfd = open(P("f"), O_PATH);
	say("F_GETFL O_PATH fd: %#lx\n", syscall(SYS_fcntl, pfd, F_GETFL));
	VAL("F_GETFD works on O_PATH fd", syscall(SYS_fcntl, pfd, F_GETFD), 0);
	ERR("F_SETFL on O_PATH fd", syscall(SYS_fcntl, pfd, F_SETFL, O_NONBLOCK), EBADF);
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	say("F_GETFL directory: %#lx\n", syscall(SYS_fcntl, dfd, F_GETFL));

	int p[2];
	syscall(SYS_pipe2, p, O_NONBLOCK);
	say("F_GETFL pipe read end: %#lx\n", syscall(SYS_fcntl, p[0], F_GETFL));
	say("F_GETFL pipe write end: %#lx\n", syscall(SYS_fcntl, p[1], F_GETFL));
	syscall(SYS_fcntl, p[0], F_SETFL, 0);
	say("F_GETFL pipe after clearing O_NONBLOCK: %#lx\n", syscall(SYS_fcntl, p[0], F_GETFL));
	VAL("F_GETPIPE_SZ", syscall(SYS_fcntl, p[0], F_GETPIPE_SZ), 65536);
	ERR("F_GETPIPE_SZ on a file", syscall(SYS_fcntl, fd, F_GETPIPE_SZ), EBADF);

	/* F_DUPFD / F_DUPFD_CLOEXEC */
	syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	VAL("F_DUPFD 0 gives lowest free", syscall(SYS_fcntl, fd, F_DUPFD, 0), p[1] + 1);
	VAL("F_DUPFD 100", syscall(SYS_fcntl, fd, F_DUPFD, 100), 100);
	VAL("F_DUPFD 100 again skips used 100", syscall(SYS_fcntl, fd, F_DUPFD, 100), 101);
	VAL("F_DUPFD clears FD_CLOEXEC", syscall(SYS_fcntl, 100, F_GETFD), 0);
	VAL("F_DUPFD_CLOEXEC 100", syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 100), 102);
	VAL("F_DUPFD_CLOEXEC sets FD_CLOEXEC", syscall(SYS_fcntl, 102, F_GETFD), FD_CLOEXEC);
	lseek(fd, 3, SEEK_SET);
	VAL("duplicate shares the offset", lseek(100, 0, SEEK_CUR), 3);
	close(101);
	VAL("F_DUPFD 100 reuses 101", syscall(SYS_fcntl, fd, F_DUPFD, 100), 101);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	ERR("F_DUPFD arg == RLIMIT_NOFILE", syscall(SYS_fcntl, fd, F_DUPFD, rl.rlim_cur), EINVAL);
	ERR("F_DUPFD arg -1", syscall(SYS_fcntl, fd, F_DUPFD, -1), EINVAL);
	ERR("F_DUPFD_CLOEXEC arg INT_MAX", syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, INT_MAX), EINVAL);
	ERR("F_DUPFD bad fd", syscall(SYS_fcntl, 999, F_DUPFD, 0), EBADF);
	VAL("F_DUPFD on O_PATH fd", syscall(SYS_fcntl, pfd, F_DUPFD, 200), 200);

	/* unknown commands */
	ERR("cmd 9999", syscall(SYS_fcntl, fd, 9999), EINVAL);
	ERR("cmd -1", syscall(SYS_fcntl, fd, -1), EINVAL);
	ERR("cmd 9999 on bad fd", syscall(SYS_fcntl, 999, 9999), EBADF);

	scratch_cleanup();
	return finish();
}
