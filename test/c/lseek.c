// lseek: SEEK_SET/CUR/END, seeking past EOF, SEEK_DATA/SEEK_HOLE, errnos.
#include "common.h"

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

static long sk(int fd, long off, int whence) { return syscall(SYS_lseek, fd, off, whence); }

int main(int argc, char **argv)
{
	char buf[32];
	scratch_init("lseek", argc, argv);
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "abcdefghij", 10);

	VAL("SEEK_SET 3", sk(fd, 3, SEEK_SET), 3);
	read(fd, buf, 2);
	VAL("SEEK_CUR 0 after read 2", sk(fd, 0, SEEK_CUR), 5);
	VAL("SEEK_CUR -2", sk(fd, -2, SEEK_CUR), 3);
	VAL("SEEK_END 0", sk(fd, 0, SEEK_END), 10);
	VAL("SEEK_END -4", sk(fd, -4, SEEK_END), 6);
	VAL("read after SEEK_END -4", read(fd, buf, 32), 4);
	CHECK("data", memcmp(buf, "ghij", 4) == 0);
	VAL("SEEK_SET 0", sk(fd, 0, SEEK_SET), 0);

	ERR("SEEK_SET -1", sk(fd, -1, SEEK_SET), EINVAL);
	VAL("offset unchanged after EINVAL", sk(fd, 0, SEEK_CUR), 0);
	ERR("SEEK_CUR to negative", sk(fd, -1, SEEK_CUR), EINVAL);
	ERR("SEEK_END to negative", sk(fd, -11, SEEK_END), EINVAL);
	ERR("whence 5", sk(fd, 0, 5), EINVAL);
	ERR("whence -1", sk(fd, 0, -1), EINVAL);
	ERR("bad fd", sk(999, 0, SEEK_SET), EBADF);
	/* (the maximum offset is filesystem-specific: only a modest one here) */
	VAL("SEEK_SET 1<<30 on regular file", sk(fd, 1L << 30, SEEK_SET), 1L << 30);
	VAL("SEEK_CUR +5", sk(fd, 5, SEEK_CUR), (1L << 30) + 5);

	/* seek past EOF, write: creates a hole that reads as zeros */
	VAL("SEEK_SET 100 (past EOF)", sk(fd, 100, SEEK_SET), 100);
	VAL("read past EOF", read(fd, buf, 4), 0);
	struct stat st;
	fstat(fd, &st);
	VAL("size unchanged by seeking", st.st_size, 10);
	VAL("write at 100", write(fd, "Z", 1), 1);
	fstat(fd, &st);
	VAL("size after write", st.st_size, 101);
	sk(fd, 50, SEEK_SET);
	memset(buf, 'x', sizeof buf);
	VAL("read in hole", read(fd, buf, 8), 8);
	CHECK("hole zeros", memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);

	/* SEEK_DATA / SEEK_HOLE on a file without holes */
	int g = open(P("g"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(g, "0123456789", 10);
	VAL("SEEK_DATA 0", sk(g, 0, SEEK_DATA), 0);
	VAL("SEEK_DATA 4", sk(g, 4, SEEK_DATA), 4);
	VAL("SEEK_HOLE 0 -> EOF", sk(g, 0, SEEK_HOLE), 10);
	ERR("SEEK_DATA at EOF", sk(g, 10, SEEK_DATA), ENXIO);
	ERR("SEEK_HOLE past EOF", sk(g, 11, SEEK_HOLE), ENXIO);
	ERR("SEEK_DATA negative", sk(g, -1, SEEK_DATA), ENXIO);

	/* non-seekable and special files */
	int p[2];
	pipe(p);
	ERR("lseek on pipe read end", sk(p[0], 0, SEEK_CUR), ESPIPE);
	ERR("lseek on pipe write end", sk(p[1], 0, SEEK_SET), ESPIPE);
	int n = open("/dev/null", O_RDWR);
	VAL("lseek /dev/null", sk(n, 123, SEEK_SET), 0);
	int z = open("/dev/zero", O_RDONLY);
	VAL("lseek /dev/zero", sk(z, 4096, SEEK_SET), 0);
	int d = open(scratch, O_RDONLY | O_DIRECTORY);
	VAL("lseek directory SEEK_SET 0", sk(d, 0, SEEK_SET), 0);
	int pf = open(P("f"), O_PATH);
	ERR("lseek O_PATH fd", sk(pf, 0, SEEK_SET), EBADF);

	/* O_APPEND: lseek works, but writes go to EOF */
	int ap = open(P("f"), O_WRONLY | O_APPEND);
	VAL("lseek on O_APPEND fd", sk(ap, 5, SEEK_SET), 5);
	write(ap, "E", 1);
	VAL("offset after append write", sk(ap, 0, SEEK_CUR), 102);

	scratch_cleanup();
	return finish();
}
