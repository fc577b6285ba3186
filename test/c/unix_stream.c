// AF_UNIX SOCK_STREAM: socketpair I/O, FIONREAD/SIOCOUTQ, poll bits, shutdown/EOF/EPIPE/SIGPIPE, ECONNRESET, abstract and path listeners (backlog, accept4 flags, names, peer creds), blocking accept/recv across fork, MSG_PEEK/WAITALL/DONTWAIT, SO_RCVTIMEO/SNDTIMEO, SA_RESTART, a blocked writer reset by the peer.
#include "common.h"
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>

static int alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static int inq(int fd) { int n = -1; return ioctl(fd, FIONREAD, &n) < 0 ? -errno : n; }
static int outq(int fd) { int n = -1; return ioctl(fd, TIOCOUTQ, &n) < 0 ? -errno : n; }

static void set_timeo(int fd, int opt, long usec)
{
	struct timeval tv = { usec / 1000000, usec % 1000000 };
	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

int main(int argc, char **argv)
{
	char buf[8192];
	int sv[2];
	struct sigaction sa = { 0 };
	sa.sa_handler = ct_on_pipe;
	sigaction(SIGPIPE, &sa, NULL);
	scratch_init("unix_stream", argc, argv);

	/* socketpair basics */
	VAL("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	VAL("F_GETFL is O_RDWR", fcntl(sv[0], F_GETFL) & O_ACCMODE, O_RDWR);
	VAL("poll fresh", poll_now(sv[0], POLLIN | POLLOUT), POLLOUT);
	VAL("write 5", write(sv[0], "hello", 5), 5);
	VAL("write 3", write(sv[0], "abc", 3), 3);
	CHECK("SIOCOUTQ counts queued data", outq(sv[0]) >= 8);
	VAL("FIONREAD", inq(sv[1]), 8);
	VAL("poll readable", poll_now(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);
	VAL("recv MSG_PEEK", recv(sv[1], buf, 3, MSG_PEEK), 3);
	VAL("read 6 across writes", read(sv[1], buf, 6), 6);
	CHECK("byte order", !memcmp(buf, "helloa", 6));
	VAL("read rest", read(sv[1], buf, sizeof buf), 2);
	VAL("SIOCOUTQ drained", outq(sv[0]), 0);
	ERR("recv MSG_DONTWAIT empty", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	VAL("send 0 bytes", send(sv[0], "", 0, 0), 0);
	VAL("writev", writev(sv[0], (struct iovec[]){ { "ab", 2 }, { "cd", 2 } }, 2), 4);
	VAL("readv", readv(sv[1], (struct iovec[]){ { buf, 1 }, { buf + 1, 10 } }, 2), 4);
	CHECK("readv data", !memcmp(buf, "abcd", 4));

	/* shutdown */
	VAL("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR), 0);
	VAL("peer sees RDHUP", poll_now(sv[1], POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
	VAL("read EOF", read(sv[1], buf, 1), 0);
	ERR("write after SHUT_WR", write(sv[0], "x", 1), EPIPE);
	VAL("SIGPIPE raised", ct_sigpipes, 1);
	ERR("send MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	VAL("no second SIGPIPE", ct_sigpipes, 1);
	VAL("the peer may still send", send(sv[1], "x", 1, MSG_NOSIGNAL), 1);
	VAL("and the shut-down writer read", read(sv[0], buf, 1), 1);
	close(sv[0]);
	close(sv[1]);

	/* closing with unread data resets the peer once */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "lost", 4);
	close(sv[1]);
	VAL("poll after reset", poll_now(sv[0], POLLIN | POLLOUT | POLLRDHUP),
	    POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR);
	ERR("read ECONNRESET", read(sv[0], buf, 1), ECONNRESET);
	VAL("then EOF", read(sv[0], buf, 1), 0);
	ERR("write EPIPE", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[0]);

	/* abstract listener */
	struct sockaddr_un la, got;
	socklen_t lalen = unix_abstract(&la, "listen"), glen;
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("connect unbound name", connect(c1, (void *)&la, lalen), ECONNREFUSED);
	VAL("bind abstract", bind(l, (void *)&la, lalen), 0);
	ERR("bind taken", bind(c1, (void *)&la, lalen), EADDRINUSE);
	ERR("connect before listen", connect(c1, (void *)&la, lalen), ECONNREFUSED);
	VAL("listen 1", listen(l, 1), 0);
	int v = -1;
	socklen_t vl = sizeof v;
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
	VAL("SO_ACCEPTCONN", v, 1);
	ERR("accept empty", accept(l, NULL, NULL), EAGAIN);
	VAL("poll listener empty", poll_now(l, POLLIN | POLLOUT), 0);
	VAL("connect", connect(c1, (void *)&la, lalen), 0);
	ERR("connect again", connect(c1, (void *)&la, lalen), EISCONN);
	VAL("send before accept", send(c1, "early", 5, 0), 5);
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	VAL("second connect fits backlog 1", connect(c2, (void *)&la, lalen), 0);
	int c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ERR("backlog full", connect(c3, (void *)&la, lalen), EAGAIN);
	VAL("poll listener pending", poll_now(l, POLLIN), POLLIN);
	glen = sizeof got;
	ERR("accept4 bad flags", syscall(SYS_accept4, l, NULL, NULL, 0x4), EINVAL);
	int a1 = accept4(l, (void *)&got, &glen, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK("accept4", a1 >= 0);
	VAL("peer address is unnamed", glen, 2);
	CHECK("accept4 flags", (fcntl(a1, F_GETFD) & FD_CLOEXEC) && (fcntl(a1, F_GETFL) & O_NONBLOCK));
	VAL("early data", recv(a1, buf, sizeof buf, 0), 5);
	glen = sizeof got;
	getsockname(a1, (void *)&got, &glen);
	CHECK("accepted name is listener's", glen == lalen && !memcmp(&got, &la, lalen));
	glen = sizeof got;
	getpeername(c1, (void *)&got, &glen);
	CHECK("client peer is listener", glen == lalen && !memcmp(&got, &la, lalen));
	glen = sizeof got;
	getsockname(c1, (void *)&got, &glen);
	VAL("client unnamed", glen, 2);
	struct ucred uc;
	vl = sizeof uc;
	getsockopt(a1, SOL_SOCKET, SO_PEERCRED, &uc, &vl);
	CHECK("SO_PEERCRED of client", vl == sizeof uc && uc.pid == getpid() && uc.uid == geteuid() && uc.gid == getegid());
	vl = sizeof uc;
	getsockopt(c1, SOL_SOCKET, SO_PEERCRED, &uc, &vl);
	CHECK("SO_PEERCRED of listener", uc.pid == getpid());
	int a2 = accept(l, NULL, NULL);
	CHECK("accept second", a2 >= 0);
	close(l);
	ERR("connect after listener closed", connect(c3, (void *)&la, lalen), ECONNREFUSED);
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(c3);

	/* path listener, blocking accept and I/O in a child */
	const char *path = P("sock");
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un pa = { .sun_family = AF_UNIX };
	strcpy(pa.sun_path, path);
	umask(022);
	VAL("bind path", bind(l, (void *)&pa, sizeof pa), 0);
	struct stat st;
	stat(path, &st);
	CHECK("S_ISSOCK", S_ISSOCK(st.st_mode));
	VALO("mode", st.st_mode & 0777, 0755);
	ERR("open socket file", open(path, O_RDWR), ENXIO);
	glen = sizeof got;
	getsockname(l, (void *)&got, &glen);
	CHECK("name length", glen == offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1 && !strcmp(got.sun_path, path));
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("bind path in use", bind(c1, (void *)&pa, sizeof pa), EADDRINUSE);
	listen(l, 5);
	pid_t pid = fork();
	if (pid == 0) {
		int a = accept(l, NULL, NULL);
		char b[256];
		ssize_t n;
		while ((n = read(a, b, sizeof b)) > 0)
			write(a, b, n);
		_exit(0);
	}
	usleep(20000);
	VAL("connect path", connect(c1, (void *)&pa, sizeof pa), 0);
	VAL("echo send", write(c1, "ping", 4), 4);
	VAL("echo recv", recv(c1, buf, 4, MSG_WAITALL), 4);
	CHECK("echo data", !memcmp(buf, "ping", 4));
	shutdown(c1, SHUT_WR);
	VAL("child EOF then exit", read(c1, buf, 1), 0);
	waitpid(pid, NULL, 0);
	close(c1);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	ERR("dgram to stream path", connect(d, (void *)&pa, sizeof pa), EPROTOTYPE);
	close(l);
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("connect to closed path", connect(c1, (void *)&pa, sizeof pa), ECONNREFUSED);
	unlink(path);
	ERR("connect to removed path", connect(c1, (void *)&pa, sizeof pa), ENOENT);
	close(c1);
	close(d);

	/* a 1 MiB transfer from a child; MSG_WAITALL collects it */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		for (int i = 0; i < 256; i++) {
			memset(buf, 'a' + i % 26, 4096);
			if (write(sv[1], buf, 4096) != 4096)
				_exit(1);
		}
		_exit(0);
	}
	close(sv[1]);
	static char big[1 << 20];
	VAL("MSG_WAITALL 1 MiB", recv(sv[0], big, sizeof big, MSG_WAITALL), 1 << 20);
	int okdata = 1;
	for (int i = 0; i < 256; i++)
		if (big[i * 4096] != 'a' + i % 26 || big[i * 4096 + 4095] != 'a' + i % 26)
			okdata = 0;
	CHECK("data intact", okdata);
	VAL("EOF", read(sv[0], buf, 1), 0);
	waitpid(pid, NULL, 0);
	close(sv[0]);

	/* a writer waiting for room when the peer closes with unread data: ECONNRESET, no SIGPIPE */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while (write(sv[0], buf, sizeof buf) > 0)
		;
	fcntl(sv[0], F_SETFL, 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		wait_blocked(getppid());
		_exit(0);
	}
	close(sv[1]);
	ct_sigpipes = 0;
	ERR("blocked write, peer gone", write(sv[0], buf, 10), ECONNRESET);
	VAL("no SIGPIPE for it", ct_sigpipes, 0);
	ERR("the next write", write(sv[0], buf, 10), EPIPE);
	VAL("raises SIGPIPE", ct_sigpipes, 1);
	waitpid(pid, NULL, 0);
	close(sv[0]);

	/* timeouts and signals */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	set_timeo(sv[0], SO_RCVTIMEO, 100000);
	ERR("recv SO_RCVTIMEO", recv(sv[0], buf, 1, 0), EAGAIN);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	while (write(sv[1], buf, sizeof buf) > 0)
		;
	fcntl(sv[1], F_SETFL, 0);
	set_timeo(sv[1], SO_SNDTIMEO, 100000);
	ERR("send SO_SNDTIMEO", write(sv[1], buf, 1), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	pid = fork();
	if (pid == 0) {
		usleep(250000);
		write(sv[1], "late", 4);
		_exit(0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	VAL("SA_RESTART read restarts", read(sv[0], buf, 4), 4);
	VAL("handler ran", alarms, 1);
	waitpid(pid, NULL, 0);
	set_timeo(sv[0], SO_RCVTIMEO, 2000000);
	setitimer(ITIMER_REAL, &it, NULL);
	ERR("with SO_RCVTIMEO a handler means EINTR", read(sv[0], buf, 4), EINTR);
	close(sv[0]);
	close(sv[1]);

	scratch_cleanup();
	return finish();
}
