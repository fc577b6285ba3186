/* sendfile, splice, tee, vmsplice, copy_file_range: offsets, pipes, blocking, signals and errnos. */
#include "common.h"
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define K_SPLICE_F_NONBLOCK 2
static long spl(int in, long long *oin, int out, long long *oout, size_t len, unsigned fl)
{
	return syscall(SYS_splice, in, oin, out, oout, len, fl);
}
static long tee_(int in, int out, size_t len, unsigned fl) { return syscall(SYS_tee, in, out, len, fl); }
static long cfr(int in, long long *oin, int out, long long *oout, size_t len, unsigned fl)
{
	return syscall(SYS_copy_file_range, in, oin, out, oout, len, fl);
}
static long long pos(int fd) { return lseek(fd, 0, SEEK_CUR); }
static int drain(int fd, char *buf, int max)
{
	int n = 0, r;
	while (n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += r;
	return n;
}

int main(int argc, char **argv)
{
	scratch_init("splice", argc, argv);
	char big[100000], buf[100000];
	for (int i = 0; i < (int)sizeof big; i++)
		big[i] = 'a' + i % 26;
	OK("put src", put_file(P("src"), big, sizeof big, 0644));
	int src = open(P("src"), O_RDONLY);
	int dst = open(P("dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int p[2], q[2];
	OK("pipe p", pipe(p));
	OK("pipe q", pipe(q));

	say("-- sendfile\n");
	VAL("file->file", sendfile(dst, src, NULL, 1000), 1000);
	VAL("in pos advanced", pos(src), 1000);
	VAL("out pos advanced", pos(dst), 1000);
	off_t o = 50000;
	VAL("with offset", sendfile(dst, src, &o, 500), 500);
	VAL("offset updated", o, 50500);
	VAL("in pos unchanged", pos(src), 1000);
	VAL("pread dst", pread(dst, buf, 1500, 0), 1500);
	CHECK("dst contents", !memcmp(buf, big, 1000) && !memcmp(buf + 1000, big + 50000, 500));
	o = 99990;
	VAL("short at EOF", sendfile(dst, src, &o, 100), 10);
	o = 200000;
	VAL("past EOF", sendfile(dst, src, &o, 100), 0);
	VAL("count 0", sendfile(dst, src, NULL, 0), 0);
	/* Page-aligned, so Linux's page buffers hold exactly the pipe's 64 KiB. */
	VAL("seek", lseek(src, 4096, SEEK_SET), 4096);
	VAL("file->pipe fills pipe", sendfile(p[1], src, NULL, sizeof big), 65536);
	VAL("pipe pos", pos(src), 4096 + 65536);
	VAL("drain", drain(p[0], buf, 65536), 65536);
	CHECK("pipe contents", !memcmp(buf, big + 4096, 65536));
	o = -1;
	ERR("negative offset", sendfile(dst, src, &o, 10), EINVAL);
	ERR("bad offset ptr", sendfile(dst, src, BADPTR, 10), EFAULT);
	ERR("bad in fd", sendfile(dst, -1, NULL, 10), EBADF);
	ERR("bad out fd", sendfile(-1, src, NULL, 10), EBADF);
	ERR("in write-only", sendfile(dst, p[1], NULL, 10), EBADF);
	ERR("out read-only", sendfile(src, src, NULL, 10), EBADF);
	o = 0;
	ERR("offset on pipe in", sendfile(dst, p[0], &o, 10), ESPIPE);
	ERR("pipe in", sendfile(dst, p[0], NULL, 10), EINVAL);
	int app = open(P("dst"), O_WRONLY | O_APPEND);
	ERR("O_APPEND out", sendfile(app, src, NULL, 10), EINVAL);
	int dir = open(scratch, O_RDONLY | O_DIRECTORY);
	ERR("dir in", sendfile(dst, dir, NULL, 10), EINVAL);
	OK("nonblock pipe", fcntl(p[1], F_SETFL, O_NONBLOCK));
	o = 0;
	VAL("fill", sendfile(p[1], src, &o, 70000), 65536);
	ERR("full nonblocking pipe", sendfile(p[1], src, NULL, 10), EAGAIN);
	VAL("drain again", drain(p[0], buf, 65536), 65536);
	OK("blocking pipe", fcntl(p[1], F_SETFL, 0));
	o = 0;
	VAL("fill blocking", sendfile(p[1], src, &o, 65536), 65536);
	pid_t rd = fork();
	if (rd == 0) {
		usleep(20000);
		_exit(drain(p[0], buf, 65536) == 65536 ? 0 : 1);
	}
	VAL("full pipe waits for the reader", sendfile(p[1], src, &o, 1000), 1000);
	int ws;
	waitpid(rd, &ws, 0);
	VAL("reader status", ws, 0);
	VAL("rest", drain(p[0], buf, 1000), 1000);
	CHECK("rest contents", !memcmp(buf, big + 65536, 1000));
	int sv[2];
	OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	o = 0;
	VAL("file->socket", sendfile(sv[0], src, &o, 3000), 3000);
	VAL("socket got", read(sv[1], buf, 5000), 3000);
	CHECK("socket contents", !memcmp(buf, big, 3000));

	say("-- splice\n");
	long long oi = 10, oo;
	VAL("file->pipe", spl(src, &oi, p[1], NULL, 300, 0), 300);
	VAL("off_in updated", oi, 310);
	VAL("pipe->pipe", spl(p[0], NULL, q[1], NULL, 100, 0), 100);
	oo = 1000;
	VAL("pipe->file", spl(q[0], NULL, dst, &oo, 4096, 0), 100);
	VAL("off_out updated", oo, 1100);
	VAL("seek dst", lseek(dst, 1100, SEEK_SET), 1100);
	VAL("rest to file pos", spl(p[0], NULL, dst, NULL, 4096, 0), 200);
	VAL("dst pos", pos(dst), 1300);
	VAL("pread", pread(dst, buf, 300, 1000), 300);
	CHECK("spliced contents", !memcmp(buf, big + 10, 300));
	ERR("empty pipe nonblock flag", spl(p[0], NULL, dst, NULL, 10, K_SPLICE_F_NONBLOCK), EAGAIN);
	ERR("pipe->pipe empty nonblock", spl(p[0], NULL, q[1], NULL, 10, K_SPLICE_F_NONBLOCK), EAGAIN);
	VAL("len 0", spl(-1, NULL, -1, NULL, 0, 0xff), 0);
	ERR("bad flags", spl(p[0], NULL, dst, NULL, 10, 0x10), EINVAL);
	ERR("bad fd", spl(-1, NULL, dst, NULL, 10, 0), EBADF);
	ERR("offset on pipe", spl(p[0], &oi, dst, NULL, 10, 0), ESPIPE);
	ERR("ESPIPE before EFAULT", spl(src, BADPTR, p[1], &oo, 10, 0), ESPIPE);
	ERR("bad off ptr", spl(src, BADPTR, p[1], NULL, 10, 0), EFAULT);
	ERR("file->file", spl(src, NULL, dst, NULL, 10, 0), EINVAL);
	ERR("same pipe", spl(p[0], NULL, p[1], NULL, 10, 0), EINVAL);
	ERR("wrong ends", spl(p[1], NULL, q[1], NULL, 10, 0), EBADF);
	ERR("O_APPEND out", spl(p[0], NULL, app, NULL, 10, 0), EINVAL);
	oi = -5;
	ERR("negative offset", spl(src, &oi, p[1], NULL, 10, 0), EINVAL);
	ERR("dir in", spl(dir, NULL, p[1], NULL, 10, 0), EINVAL);
	oo = 0;
	ERR("socket with offset", spl(p[0], NULL, sv[0], &oo, 10, 0), EINVAL);
	VAL("write p", write(p[1], "socket!", 7), 7);
	VAL("pipe->socket", spl(p[0], NULL, sv[0], NULL, 100, 0), 7);
	VAL("socket->pipe", spl(sv[1], NULL, q[1], NULL, 100, 0), 7);
	VAL("read q", read(q[0], buf, 100), 7);
	CHECK("through socket", !memcmp(buf, "socket!", 7));
	/* A blocked splice wakes when a child writes, and a signal interrupts it. */
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		write(p[1], "late", 4);
		_exit(0);
	}
	VAL("blocking splice woken", spl(p[0], NULL, dst, NULL, 100, 0), 4);
	waitpid(c, NULL, 0);
	alarm_in_ms(30, 0);
	ERR("interrupted splice", spl(p[0], NULL, q[1], NULL, 100, 0), EINTR);
	alarm_in_ms(30, 0);
	ERR("interrupted tee", tee_(p[0], q[1], 100, 0), EINTR);

	say("-- tee\n");
	VAL("write", write(p[1], "duplicate", 9), 9);
	VAL("tee", tee_(p[0], q[1], 100, 0), 9);
	VAL("tee limited", tee_(p[0], q[1], 3, 0), 3);
	int n = read(q[0], buf, 100);
	VAL("copy read", n, 12);
	CHECK("copy contents", !memcmp(buf, "duplicatedup", 12));
	VAL("original kept", read(p[0], buf, 100), 9);
	ERR("empty nonblock", tee_(p[0], q[1], 10, K_SPLICE_F_NONBLOCK), EAGAIN);
	ERR("bad flags before len", tee_(p[0], q[1], 0, 0x10), EINVAL);
	VAL("len 0", tee_(-1, -1, 0, 0), 0);
	ERR("same pipe", tee_(p[0], p[1], 10, 0), EINVAL);
	ERR("file in", tee_(src, q[1], 10, 0), EINVAL);
	ERR("bad fd", tee_(-1, q[1], 10, 0), EBADF);
	ERR("wrong ends", tee_(p[1], q[1], 10, 0), EBADF);
	close(q[0]);
	signal(SIGPIPE, ct_on_pipe);
	VAL("write", write(p[1], "x", 1), 1);
	ERR("no reader", tee_(p[0], q[1], 10, 0), EPIPE);
	ERR("splice no reader", spl(p[0], NULL, q[1], NULL, 10, 0), EPIPE);
	ERR("sendfile no reader", sendfile(q[1], src, NULL, 10), EPIPE);
	VAL("SIGPIPEs", ct_sigpipes, 3);
	VAL("take x", read(p[0], buf, 10), 1);
	close(p[1]);
	int r[2];
	OK("pipe r", pipe(r));
	VAL("tee at EOF", tee_(p[0], r[1], 10, 0), 0);
	VAL("splice at EOF", spl(p[0], NULL, r[1], NULL, 10, 0), 0);
	VAL("splice to file at EOF", spl(p[0], NULL, dst, NULL, 10, 0), 0);

	say("-- vmsplice\n");
	int v[2];
	OK("pipe v", pipe(v));
	struct iovec iv[2] = { { "vm", 2 }, { "splice", 6 } };
	VAL("to pipe", syscall(SYS_vmsplice, v[1], iv, 2, 0), 8);
	char vb[4] = { 0 }, vc[8] = { 0 };
	struct iovec ov[2] = { { vb, 3 }, { vc, 8 } };
	VAL("to user", syscall(SYS_vmsplice, v[0], ov, 2, 0), 8);
	CHECK("scattered", !memcmp(vb, "vms", 3) && !memcmp(vc, "plice", 5));
	ERR("empty nonblock", syscall(SYS_vmsplice, v[0], ov, 2, K_SPLICE_F_NONBLOCK), EAGAIN);
	ERR("bad flags", syscall(SYS_vmsplice, v[1], iv, 2, 0x10), EINVAL);
	ERR("not a pipe", syscall(SYS_vmsplice, dst, iv, 2, 0), EBADF);
	VAL("not a pipe, nothing to move", syscall(SYS_vmsplice, dst, iv, 0, 0), 0);
	ERR("bad iov", syscall(SYS_vmsplice, v[1], BADPTR, 2, 0), EFAULT);

	say("-- copy_file_range\n");
	int cp = open(P("cp"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	OK("rewind", lseek(src, 0, SEEK_SET));
	VAL("copy", cfr(src, NULL, cp, NULL, 5000, 0), 5000);
	VAL("in pos", pos(src), 5000);
	VAL("out pos", pos(cp), 5000);
	oi = 90000;
	oo = 20000;
	VAL("copy to EOF", cfr(src, &oi, cp, &oo, 1 << 20, 0), 10000);
	VAL("off_in", oi, 100000);
	VAL("off_out", oo, 30000);
	VAL("in pos unchanged", pos(src), 5000);
	VAL("past EOF", cfr(src, &oi, cp, &oo, 100, 0), 0);
	VAL("pread", pread(cp, buf, 30000, 0), 30000);
	CHECK("contents", !memcmp(buf, big, 5000) && !memcmp(buf + 20000, big + 90000, 10000));
	CHECK("gap zero", buf[5000] == 0 && buf[19999] == 0);
	oi = 0;
	oo = 100;
	ERR("overlap same file", cfr(cp, &oi, cp, &oo, 200, 0), EINVAL);
	oo = 200;
	VAL("same file apart", cfr(cp, &oi, cp, &oo, 200, 0), 200);
	ERR("flags", cfr(src, NULL, cp, NULL, 10, 1), EINVAL);
	ERR("bad fd", cfr(-1, NULL, cp, NULL, 10, 0), EBADF);
	ERR("read-only out", cfr(src, NULL, src, NULL, 10, 0), EBADF);
	ERR("O_APPEND out", cfr(src, NULL, app, NULL, 10, 0), EBADF);
	ERR("pipe", cfr(p[0], NULL, cp, NULL, 10, 0), EINVAL);
	ERR("dir", cfr(dir, NULL, cp, NULL, 10, 0), EISDIR);
	oi = -1;
	ERR("negative offset wraps", cfr(src, &oi, cp, NULL, 10, 0), EOVERFLOW);
	oi = -100;
	ERR("negative offset", cfr(src, &oi, cp, NULL, 10, 0), EINVAL);
	ERR("bad ptr", cfr(src, BADPTR, cp, NULL, 10, 0), EFAULT);
	int shm = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	if (shm >= 0) {
		int other = openat(shm, "tsvisor-ctest-splice", O_RDWR | O_CREAT | O_TRUNC, 0600);
		unlinkat(shm, "tsvisor-ctest-splice", 0);
		oi = 0;
		ERR("cross file system", cfr(src, &oi, other, NULL, 10, 0), EXDEV);
		oi = 200000;
		ERR("cross fs at EOF", cfr(src, &oi, other, NULL, 10, 0), EXDEV);
	} else {
		say("cross file system: EXDEV\ncross fs at EOF: EXDEV\n");
	}
	scratch_cleanup();
	return finish();
}
