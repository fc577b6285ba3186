// read, write, readv, writev, pread64, pwrite64: data, offsets, EOF, errnos.
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv)
{
	char buf[64];
	scratch_init("rw", argc, argv);
	const char *f = P("file");
	int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("open scratch file", fd >= 0);

	/* write / read basics */
	VAL("write 10", syscall(SYS_write, fd, "0123456789", 10), 10);
	VAL("write 0 bytes", syscall(SYS_write, fd, "x", 0), 0);
	VAL("offset after write", lseek(fd, 0, SEEK_CUR), 10);
	VAL("read at EOF", syscall(SYS_read, fd, buf, sizeof buf), 0);
	lseek(fd, 0, SEEK_SET);
	VAL("read 4", syscall(SYS_read, fd, buf, 4), 4);
	CHECK("read 4 data", memcmp(buf, "0123", 4) == 0);
	VAL("read 0 bytes", syscall(SYS_read, fd, buf, 0), 0);
	VAL("read rest (short)", syscall(SYS_read, fd, buf, sizeof buf), 6);
	CHECK("read rest data", memcmp(buf, "456789", 6) == 0);

	/* errnos */
	ERR("read bad fd", syscall(SYS_read, 999, buf, 1), EBADF);
	ERR("read fd -1", syscall(SYS_read, -1, buf, 1), EBADF);
	ERR("write bad fd", syscall(SYS_write, 999, "x", 1), EBADF);
	lseek(fd, 0, SEEK_SET);
	ERR("read into bad pointer", syscall(SYS_read, fd, BADPTR, 4), EFAULT);
	ERR("read into kernel pointer", syscall(SYS_read, fd, KPTR, 4), EFAULT);
	ERR("write from bad pointer", syscall(SYS_write, fd, BADPTR, 4), EFAULT);
	VAL("offset unchanged after EFAULT", lseek(fd, 0, SEEK_CUR), 0);
	VAL("read bad pointer, 0 bytes", syscall(SYS_read, fd, BADPTR, 0), 0);

	int ro = open(f, O_RDONLY);
	int wo = open(f, O_WRONLY);
	ERR("write to O_RDONLY fd", syscall(SYS_write, ro, "x", 1), EBADF);
	ERR("read from O_WRONLY fd", syscall(SYS_read, wo, buf, 1), EBADF);
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	ERR("read a directory", syscall(SYS_read, dfd, buf, 1), EISDIR);
	ERR("write a directory fd", syscall(SYS_write, dfd, "x", 1), EBADF);
	int pfd = open(f, O_PATH);
	ERR("read O_PATH fd", syscall(SYS_read, pfd, buf, 1), EBADF);
	close(pfd);

	/* pread64 / pwrite64 */
	lseek(fd, 2, SEEK_SET);
	VAL("pread 3 at 5", syscall(SYS_pread64, fd, buf, 3, 5), 3);
	CHECK("pread data", memcmp(buf, "567", 3) == 0);
	VAL("pread leaves offset", lseek(fd, 0, SEEK_CUR), 2);
	VAL("pread past EOF", syscall(SYS_pread64, fd, buf, 3, 100), 0);
	VAL("pread straddling EOF", syscall(SYS_pread64, fd, buf, 8, 7), 3);
	VAL("pwrite 2 at 8", syscall(SYS_pwrite64, fd, "AB", 2, 8), 2);
	VAL("pwrite leaves offset", lseek(fd, 0, SEEK_CUR), 2);
	VAL("pwrite past EOF (hole)", syscall(SYS_pwrite64, fd, "Z", 1, 20), 1);
	VAL("size after hole", lseek(fd, 0, SEEK_END), 21);
	memset(buf, 'x', sizeof buf);
	VAL("pread over hole", syscall(SYS_pread64, fd, buf, 21, 0), 21);
	CHECK("hole reads as zeros",
	      memcmp(buf, "01234567AB", 10) == 0 && buf[10] == 0 && buf[19] == 0 && buf[20] == 'Z');
	ERR("pread negative offset", syscall(SYS_pread64, fd, buf, 1, -1L), EINVAL);
	ERR("pwrite negative offset", syscall(SYS_pwrite64, fd, "x", 1, -1L), EINVAL);
	ERR("pread bad fd", syscall(SYS_pread64, 999, buf, 1, 0), EBADF);
	ERR("pread bad pointer", syscall(SYS_pread64, fd, BADPTR, 1, 0), EFAULT);
	ERR("pread directory", syscall(SYS_pread64, dfd, buf, 1, 0), EISDIR);
	ERR("pwrite O_RDONLY fd", syscall(SYS_pwrite64, ro, "x", 1, 0), EBADF);
	int p[2];
	pipe(p);
	ERR("pread on pipe", syscall(SYS_pread64, p[0], buf, 1, 0), ESPIPE);
	ERR("pwrite on pipe", syscall(SYS_pwrite64, p[1], "x", 1, 0), ESPIPE);

	/* readv / writev */
	int g = open(P("vec"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct iovec wv[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	VAL("writev 3 iovecs", syscall(SYS_writev, g, wv, 3), 8);
	VAL("writev 0 iovecs", syscall(SYS_writev, g, wv, 0), 0);
	char a[2], b[4], c[10];
	struct iovec rv[3] = { { a, 2 }, { b, 4 }, { c, 10 } };
	lseek(g, 0, SEEK_SET);
	VAL("readv scatters (short)", syscall(SYS_readv, g, rv, 3), 8);
	CHECK("readv data", memcmp(a, "ab", 2) == 0 && memcmp(b, "cdef", 4) == 0 && memcmp(c, "gh", 2) == 0);
	VAL("readv at EOF", syscall(SYS_readv, g, rv, 3), 0);
	ERR("readv iovcnt > IOV_MAX", syscall(SYS_readv, g, rv, 1025), EINVAL);
	ERR("readv iovcnt -1", syscall(SYS_readv, g, rv, -1), EINVAL);
	struct iovec neg[1] = { { a, (size_t)-1 } };
	ERR("readv negative iov_len", syscall(SYS_readv, g, neg, 1), EINVAL);
	ERR("readv iov array bad pointer", syscall(SYS_readv, g, BADPTR, 1), EFAULT);
	lseek(g, 0, SEEK_SET);
	struct iovec badbuf[1] = { { BADPTR, 4 } };
	ERR("readv iov_base bad pointer", syscall(SYS_readv, g, badbuf, 1), EFAULT);
	struct iovec part[2] = { { a, 2 }, { BADPTR, 4 } };
	VAL("readv partial before bad iov_base", syscall(SYS_readv, g, part, 2), 2);
	ERR("writev bad fd", syscall(SYS_writev, 999, wv, 1), EBADF);
	ERR("writev iov_base bad pointer", syscall(SYS_writev, g, badbuf, 1), EFAULT);
	ERR("readv O_WRONLY fd", syscall(SYS_readv, wo, rv, 1), EBADF);

	/* O_APPEND: write always goes to the end */
	int ap = open(P("vec"), O_WRONLY | O_APPEND);
	lseek(ap, 0, SEEK_SET);
	VAL("append write", syscall(SYS_write, ap, "IJ", 2), 2);
	VAL("append offset is end", lseek(ap, 0, SEEK_CUR), 10);
	VAL("pwrite with O_APPEND still appends", syscall(SYS_pwrite64, ap, "K", 1, 0), 1);
	VAL("size after append pwrite", lseek(g, 0, SEEK_END), 11);

	/* the file offset is shared by dup'ed fds, not by separate opens */
	int d = dup(g), h = open(P("vec"), O_RDONLY);
	lseek(g, 3, SEEK_SET);
	VAL("dup shares offset", lseek(d, 0, SEEK_CUR), 3);
	VAL("separate open has own offset", lseek(h, 0, SEEK_CUR), 0);

	/* big write then read back */
	static char big[200000], big2[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + 3);
	int bf = open(P("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	VAL("big write", syscall(SYS_write, bf, big, sizeof big), (long)sizeof big);
	VAL("big pread", syscall(SYS_pread64, bf, big2, sizeof big2, 0), (long)sizeof big2);
	CHECK("big data matches", memcmp(big, big2, sizeof big) == 0);

	VAL("close", close(fd), 0);
	scratch_cleanup();
	return finish();
}
