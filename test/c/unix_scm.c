// SCM_RIGHTS and SCM_CREDENTIALS: passing pipes, files and sockets across fork, MSG_CTRUNC with a short control buffer, MSG_CMSG_CLOEXEC, MSG_PEEK duplicates, stream reads stopping at passed fds, in-flight references dropped with the queue, SO_PASSCRED defaults, explicit creds and their checks, creds keeping writers apart, garbage collection of in-flight cycles.
#include "common.h"
#include <sys/wait.h>

/* Sends data with up to 8 fds (nfds may be 0) and optional explicit creds. */
static long send_scm(int s, const char *data, size_t len, const int *fds, int nfds, const struct ucred *uc)
{
	union { char b[CMSG_SPACE(8 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } u;
	struct iovec iov = { (void *)data, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = 0 };
	memset(u.b, 0, sizeof u.b);
	struct cmsghdr *c = (struct cmsghdr *)u.b;
	if (nfds) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		m.msg_controllen += CMSG_SPACE(nfds * sizeof(int));
		c = (struct cmsghdr *)(u.b + m.msg_controllen);
	}
	if (uc) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof *uc);
		memcpy(CMSG_DATA(c), uc, sizeof *uc);
		m.msg_controllen += CMSG_SPACE(sizeof *uc);
	}
	if (!m.msg_controllen)
		m.msg_control = NULL;
	return sendmsg(s, &m, 0);
}

struct got { long n; int flags; int nfds; int fds[8]; int has_cred; struct ucred cred; };

static struct got recv_scm(int s, char *buf, size_t len, size_t ctl, int flags)
{
	union { char b[512]; struct cmsghdr align; } u;
	struct got g = { 0 };
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl ? u.b : NULL, .msg_controllen = ctl };
	g.n = recvmsg(s, &m, flags);
	g.flags = m.msg_flags;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); g.n >= 0 && c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (int i = 0; i < k && g.nfds < 8; i++)
				memcpy(&g.fds[g.nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			g.has_cred = 1;
			memcpy(&g.cred, CMSG_DATA(c), sizeof g.cred);
		}
	}
	return g;
}

static int hup(int fd) { return (poll_now(fd, POLLIN) & POLLHUP) != 0; }

int main(int argc, char **argv)
{
	char buf[64];
	int sv[2], p[2], one = 1;
	struct got g;
	scratch_init("unix_scm", argc, argv);
	put_file(P("f"), "file-data", 9, 0644);

	/* a child passes a pipe end, a file and a socket to the parent */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int inner[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, inner);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		pipe(p);
		int fds[3] = { p[0], open(P("f"), O_RDONLY), inner[1] };
		write(p[1], "via-pipe", 8);
		if (send_scm(sv[1], "F", 1, fds, 3, NULL) != 1)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	close(inner[1]);
	g = recv_scm(sv[0], buf, sizeof buf, 128, 0);
	VAL("data with the fds", g.n, 1);
	VAL("three fds", g.nfds, 3);
	VAL("no MSG_CTRUNC", g.flags, 0);
	waitpid(pid, NULL, 0);
	VAL("read the passed pipe end", read(g.fds[0], buf, sizeof buf), 8);
	CHECK("pipe data", !memcmp(buf, "via-pipe", 8));
	VAL("passed file reads", read(g.fds[1], buf, sizeof buf), 9);
	CHECK("file contents", !memcmp(buf, "file-data", 9));
	VAL("passed socket works", write(g.fds[2], "sock", 4), 4);
	VAL("its peer gets it", read(inner[0], buf, sizeof buf), 4);
	VAL("no FD_CLOEXEC", fcntl(g.fds[0], F_GETFD), 0);
	for (int i = 0; i < 3; i++)
		close(g.fds[i]);
	close(inner[0]);
	close(sv[0]);

	/* control buffer too small: MSG_CTRUNC, extra fds closed */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	int three[3] = { p[1], p[1], p[1] };
	VAL("send 3 fds", send_scm(sv[0], "x", 1, three, 3, NULL), 1);
	close(p[1]);
	g = recv_scm(sv[1], buf, sizeof buf, CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC);
	VAL("two fds fit in CMSG_SPACE(sizeof(int))", g.nfds, 2);
	VALX("MSG_CTRUNC (and MSG_CMSG_CLOEXEC echoed)", g.flags, MSG_CTRUNC | MSG_CMSG_CLOEXEC);
	VAL("MSG_CMSG_CLOEXEC", fcntl(g.fds[0], F_GETFD), FD_CLOEXEC);
	CHECK("pipe still has a writer", !hup(p[0]));
	close(g.fds[0]);
	close(g.fds[1]);
	CHECK("dropped fds were closed", hup(p[0]));
	close(p[0]);
	pipe(p);
	send_scm(sv[0], "y", 1, &p[1], 1, NULL);
	g = recv_scm(sv[1], buf, sizeof buf, 0, 0);
	VAL("no control buffer", g.nfds, 0);
	VALX("MSG_CTRUNC", g.flags, MSG_CTRUNC);
	close(p[1]);
	CHECK("fd dropped", hup(p[0]));
	close(p[0]);

	/* MSG_PEEK installs duplicates and leaves the message */
	pipe(p);
	send_scm(sv[0], "z", 1, &p[1], 1, NULL);
	g = recv_scm(sv[1], buf, sizeof buf, 64, MSG_PEEK);
	CHECK("peek fd", g.n == 1 && g.nfds == 1);
	close(g.fds[0]);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("receive fd", g.n == 1 && g.nfds == 1);
	close(g.fds[0]);

	/* in flight until received: closing the receiver drops them */
	send_scm(sv[0], "w", 1, &p[1], 1, NULL);
	close(p[1]);
	CHECK("writer in flight", !hup(p[0]));
	close(sv[1]);
	CHECK("dropped with the queue", hup(p[0]));
	close(p[0]);
	close(sv[0]);

	/* errors */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int bad = 999;
	ERR("bad fd", send_scm(sv[0], "x", 1, &bad, 1, NULL), EBADF);
	int many[254];
	for (int i = 0; i < 254; i++)
		many[i] = 0;
	{
		union { char b[CMSG_SPACE(254 * sizeof(int))]; struct cmsghdr align; } u;
		struct iovec iov = { "x", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof many);
		memcpy(CMSG_DATA(c), many, sizeof many);
		ERR("254 fds", syscall(SYS_sendmsg, sv[0], &m, 0), EINVAL);
	}

	/* a stream read stops after data that carries fds */
	pipe(p);
	write(sv[0], "ab", 2);
	send_scm(sv[0], "cd", 2, &p[1], 1, NULL);
	send_scm(sv[0], "ef", 2, &p[1], 1, NULL);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("first read ends with the fds", g.n == 4 && !memcmp(buf, "abcd", 4) && g.nfds == 1);
	close(g.fds[0]);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("second read", g.n == 2 && g.nfds == 1);
	close(g.fds[0]);
	close(p[0]);
	close(p[1]);

	/* SCM_CREDENTIALS */
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	write(sv[0], "c", 1);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("default creds", g.has_cred && g.cred.pid == getpid() && g.cred.uid == getuid() && g.cred.gid == getgid());
	struct ucred mine = { getpid(), getuid(), getgid() };
	VAL("explicit own creds", send_scm(sv[0], "e", 1, NULL, 0, &mine), 1);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("received", g.has_cred && g.cred.pid == getpid());
	g = (write(sv[0], "t", 1), recv_scm(sv[1], buf, sizeof buf, 20, 0));
	VALX("creds truncated", g.flags, MSG_CTRUNC);
	pid = fork();
	if (pid == 0) {
		if (getuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(2);
		struct ucred other = { getppid(), getuid(), getgid() };
		ERR("unprivileged: another pid", send_scm(sv[0], "x", 1, NULL, 0, &other), EPERM);
		struct ucred root = { getpid(), 0, getgid() };
		ERR("unprivileged: another uid", send_scm(sv[0], "x", 1, NULL, 0, &root), EPERM);
		write(sv[0], "B", 1);
		_exit(finish());
	}
	int st = -1;
	waitpid(pid, &st, 0);
	VAL("child checks", st, 0);
	write(sv[0], "A", 1);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("writers are not glued together", g.n == 1 && buf[0] == 'B' && g.cred.pid == pid);
	g = recv_scm(sv[1], buf, sizeof buf, 64, 0);
	CHECK("then the parent's", g.n == 1 && buf[0] == 'A' && g.cred.pid == getpid());
	close(sv[0]);
	close(sv[1]);

	/* garbage collection: sockets reachable only through descriptors in flight */
	int p2[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	socketpair(AF_UNIX, SOCK_STREAM, 0, p2);
	send_scm(sv[0], "s", 1, &sv[1], 1, NULL);   /* sv[1] in its own queue */
	send_scm(p2[0], "c", 1, &sv[0], 1, NULL);   /* a cycle: sv[0] ... */
	send_scm(sv[0], "c", 1, &p2[1], 1, NULL);   /* ... and p2[1] hold each other */
	close(sv[1]);
	close(sv[0]);
	VAL("still held while in flight", hup(p2[0]), 0);
	close(p2[1]);
	int x = socket(AF_UNIX, SOCK_DGRAM, 0);
	close(x); /* any unix socket's release runs the collector */
	struct pollfd pf = { p2[0], POLLIN, 0 };
	VAL("cycle collected: the peer hangs up", poll(&pf, 1, 2000), 1);
	CHECK("POLLHUP", pf.revents & POLLHUP);
	close(p2[0]);

	scratch_cleanup();
	return finish();
}
