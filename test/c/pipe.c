// pipe, pipe2 within one process: data order, capacity, O_NONBLOCK/EAGAIN, FIONREAD, EOF, EPIPE.
#include "common.h"
#include <sys/ioctl.h>

static int nread(int fd)
{
	int n = -1;
	if (ioctl(fd, K_FIONREAD, &n) < 0)
		return -errno;
	return n;
}

int main(void)
{
	int p[2];
	char buf[8192];

	/* pipe */
	VAL("pipe", syscall(SYS_pipe, p), 0);
	CHECK("two distinct fds", p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
	VAL("read end is O_RDONLY", fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	VAL("write end is O_WRONLY", fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	VAL("no FD_CLOEXEC", fcntl(p[0], F_GETFD), 0);
	VAL("FIONREAD empty", nread(p[0]), 0);
	VAL("write 5", write(p[1], "hello", 5), 5);
	VAL("write 3", write(p[1], "abc", 3), 3);
	VAL("FIONREAD after writes", nread(p[0]), 8);
	VAL("FIONREAD on write end", nread(p[1]), 8);
	VAL("read 6 (crosses writes)", read(p[0], buf, 6), 6);
	CHECK("FIFO order", !memcmp(buf, "helloa", 6));
	VAL("read rest, short", read(p[0], buf, sizeof buf), 2);
	CHECK("data", !memcmp(buf, "bc", 2));
	ERR("read from write end", read(p[1], buf, 1), EBADF);
	ERR("write to read end", write(p[0], "x", 1), EBADF);
	VAL("write 0 bytes", write(p[1], "", 0), 0);
	VAL("read 0 bytes", read(p[0], buf, 0), 0);
	ERR("pipe bad pointer", syscall(SYS_pipe, BADPTR), EFAULT);

	/* pipe2 flags */
	int q[2];
	VAL("pipe2 O_CLOEXEC", syscall(SYS_pipe2, q, O_CLOEXEC), 0);
	CHECK("both ends cloexec", fcntl(q[0], F_GETFD) == FD_CLOEXEC && fcntl(q[1], F_GETFD) == FD_CLOEXEC);
	close(q[0]);
	close(q[1]);
	VAL("pipe2 0", syscall(SYS_pipe2, q, 0), 0);
	close(q[0]);
	close(q[1]);
	ERR("pipe2 bad flags", syscall(SYS_pipe2, q, O_APPEND), EINVAL);
	ERR("pipe2 O_RDWR", syscall(SYS_pipe2, q, O_RDWR), EINVAL);
	ERR("pipe2 bad pointer", syscall(SYS_pipe2, BADPTR, 0), EFAULT);
	VAL("pipe2 O_NONBLOCK", syscall(SYS_pipe2, q, O_NONBLOCK), 0);
	CHECK("both ends nonblocking", (fcntl(q[0], F_GETFL) & O_NONBLOCK) && (fcntl(q[1], F_GETFL) & O_NONBLOCK));

	/* nonblocking: empty read gives EAGAIN, full pipe gives EAGAIN */
	ERR("read empty nonblocking pipe", read(q[0], buf, 1), EAGAIN);
	VAL("F_GETPIPE_SZ", fcntl(q[1], F_GETPIPE_SZ), 65536);
	memset(buf, 'z', sizeof buf);
	long total = 0, r;
	int e;
	while ((r = write(q[1], buf, 4096)) > 0)
		total += r;
	e = errno;
	VAL("bytes until full", total, 65536);
	CHECK("then EAGAIN", r == -1 && e == EAGAIN);
	VAL("FIONREAD full", nread(q[0]), 65536);
	ERR("1-byte write to full pipe", write(q[1], "x", 1), EAGAIN);
	VAL("drain 1 byte", read(q[0], buf, 1), 1);
	VAL("FIONREAD", nread(q[0]), 65535);
	total = 0;
	while ((r = read(q[0], buf, sizeof buf)) > 0)
		total += r;
	e = errno;
	VAL("drained", total, 65535);
	CHECK("then EAGAIN", r == -1 && e == EAGAIN);
	VAL("write 100000 to empty nonblocking pipe is partial", write(q[1], (char[100000]){0}, 100000), 65536);
	while (read(q[0], buf, sizeof buf) > 0)
		;

	/* EOF and EPIPE */
	write(q[1], "tail", 4);
	close(q[1]);
	VAL("data still readable after writer closes", read(q[0], buf, sizeof buf), 4);
	VAL("then EOF (not EAGAIN)", read(q[0], buf, sizeof buf), 0);
	close(q[0]);
	signal(SIGPIPE, SIG_IGN);
	syscall(SYS_pipe2, q, 0);
	close(q[0]);
	ERR("write with no reader (SIGPIPE ignored)", write(q[1], "x", 1), EPIPE);
	close(q[1]);

	/* fstat of pipe ends */
	struct stat s0, s1;
	fstat(p[0], &s0);
	fstat(p[1], &s1);
	CHECK("S_ISFIFO", S_ISFIFO(s0.st_mode) && S_ISFIFO(s1.st_mode));
	CHECK("both ends are the same inode", s0.st_ino == s1.st_ino && s0.st_dev == s1.st_dev);
	VAL("st_size is 0", s0.st_size, 0);

	/* large transfer through a blocking pipe, in chunks that fit */
	long sum_in = 0, sum_out = 0;
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 4000; i++)
			buf[i] = (char)(round * 31 + i), sum_in += (unsigned char)buf[i];
		write(p[1], buf, 4000);
		long got = 0;
		while (got < 4000) {
			long k = read(p[0], buf + got, 4000 - got);
			if (k <= 0)
				break;
			got += k;
		}
		for (int i = 0; i < 4000; i++)
			sum_out += (unsigned char)buf[i];
	}
	CHECK("200000 bytes through the pipe intact", sum_in == sum_out);
	return finish();
}
