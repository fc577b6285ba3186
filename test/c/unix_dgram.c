// AF_UNIX SOCK_DGRAM: message boundaries, MSG_TRUNC/PEEK, FIONREAD, sendto/recvfrom addresses (abstract, path, autobind, unnamed), connect/AF_UNSPEC, EPERM/ECONNREFUSED/ENOTCONN/EMSGSIZE, shutdown, queue limits and POLLOUT, blocking recv across fork.
#include "common.h"
#include <sys/ioctl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	char buf[4096];
	int sv[2], n;
	struct sockaddr_un a, b, got;
	socklen_t alen, blen, glen;
	signal(SIGPIPE, ct_on_pipe);
	scratch_init("unix_dgram", argc, argv);

	/* socketpair: boundaries */
	VAL("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	VAL("send 5", send(sv[0], "hello", 5, 0), 5);
	VAL("send 3", send(sv[0], "abc", 3, 0), 3);
	VAL("send empty", send(sv[0], "", 0, 0), 0);
	n = -1;
	ioctl(sv[1], FIONREAD, &n);
	VAL("FIONREAD is the first message", n, 5);
	VAL("poll", poll_now(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);
	VAL("peek 2", recv(sv[1], buf, 2, MSG_PEEK), 2);
	VAL("recv 2 truncates", recv(sv[1], buf, 2, 0), 2);
	CHECK("data", !memcmp(buf, "he", 2));
	VAL("MSG_TRUNC gives the real size", recv(sv[1], buf, 1, MSG_TRUNC), 3);
	VAL("empty datagram", recv(sv[1], buf, sizeof buf, 0), 0);
	ERR("nothing left", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	struct iovec iov = { buf, 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	send(sv[0], "xyz", 3, 0);
	VAL("recvmsg short", recvmsg(sv[1], &m, 0), 2);
	VALX("msg_flags MSG_TRUNC", m.msg_flags, MSG_TRUNC);
	int big = 300000;
	static char huge[300000];
	ERR("larger than the send buffer", send(sv[0], huge, big, 0), EMSGSIZE);
	VAL("getsockname unnamed", (glen = sizeof got, getsockname(sv[0], (void *)&got, &glen)), 0);
	VAL("length", glen, 2);
	VAL("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR), 0);
	ERR("send after SHUT_WR", send(sv[0], "x", 1, 0), EPIPE);
	VAL("no SIGPIPE for datagrams", ct_sigpipes, 0);
	VAL("shutdown SHUT_RD", shutdown(sv[1], SHUT_RD), 0);
	ERR("nonblocking recv after SHUT_RD", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	VAL("blocking recv after SHUT_RD", recv(sv[1], buf, 1, 0), 0);
	VAL("poll after SHUT_RD", poll_now(sv[1], POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
	close(sv[0]);
	close(sv[1]);

	/* peer gone */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	close(sv[1]);
	ERR("send to closed peer", send(sv[0], "x", 1, 0), ECONNREFUSED);
	ERR("then not connected", send(sv[0], "x", 1, 0), ENOTCONN);
	ERR("getpeername", (glen = sizeof got, getpeername(sv[0], (void *)&got, &glen)), ENOTCONN);
	close(sv[0]);

	/* named sockets */
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	alen = unix_abstract(&a, "recv");
	blen = unix_abstract(&b, "send");
	ERR("send unconnected", send(s, "x", 1, 0), ENOTCONN);
	ERR("sendto unbound name", sendto(s, "x", 1, 0, (void *)&a, alen), ECONNREFUSED);
	VAL("bind receiver", bind(r, (void *)&a, alen), 0);
	VAL("sendto from unnamed", sendto(s, "one", 3, 0, (void *)&a, alen), 3);
	glen = sizeof got;
	VAL("recvfrom", recvfrom(r, buf, sizeof buf, 0, (void *)&got, &glen), 3);
	VAL("unnamed sender: no address", glen, 0);
	VAL("bind sender", bind(s, (void *)&b, blen), 0);
	sendto(s, "two", 3, 0, (void *)&a, alen);
	glen = sizeof got;
	recvfrom(r, buf, sizeof buf, 0, (void *)&got, &glen);
	CHECK("sender's address", glen == blen && !memcmp(&got, &b, blen));
	sendto(s, "three", 5, 0, (void *)&a, alen);
	glen = 4;
	VAL("recvfrom short name buffer", recvfrom(r, buf, sizeof buf, 0, (void *)&got, &glen), 5);
	CHECK("full length reported", glen == blen);
	int t = socket(AF_UNIX, SOCK_DGRAM, 0);
	VAL("connect receiver to sender", connect(r, (void *)&b, blen), 0);
	ERR("others may not send", sendto(t, "x", 1, 0, (void *)&a, alen), EPERM);
	VAL("its peer may", sendto(s, "ok", 2, 0, (void *)&a, alen), 2);
	glen = sizeof got;
	getpeername(r, (void *)&got, &glen);
	CHECK("getpeername", glen == blen && !memcmp(&got, &b, blen));
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	VAL("AF_UNSPEC disconnects", connect(r, &unspec, sizeof unspec), 0);
	glen = sizeof got;
	ERR("no peer now", getpeername(r, (void *)&got, &glen), ENOTCONN);
	VAL("others may send again", sendto(t, "x", 1, 0, (void *)&a, alen), 1);
	close(t);

	/* queue limit for senders the receiver is not connected to */
	int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	VAL("connect to receiver", connect(d, (void *)&a, alen), 0);
	while (recv(r, buf, sizeof buf, MSG_DONTWAIT) >= 0)
		;
	int sent = 0;
	while (send(d, "q", 1, 0) == 1)
		sent++;
	CHECK("queue fills, then EAGAIN", sent > 0 && sent < 10000 && errno == EAGAIN);
	VAL("not writable while full", poll_now(d, POLLOUT), 0);
	recv(r, buf, sizeof buf, 0);
	VAL("writable after a receive", poll_now(d, POLLOUT), POLLOUT);
	close(d);
	while (recv(r, buf, sizeof buf, MSG_DONTWAIT) >= 0)
		;

	/* autobind */
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un fam = { .sun_family = AF_UNIX };
	VAL("bind with only the family autobinds", bind(u, (void *)&fam, 2), 0);
	glen = sizeof got;
	getsockname(u, (void *)&got, &glen);
	CHECK("autobind name", glen == 8 && got.sun_path[0] == 0);
	VAL("autobind again is a no-op", bind(u, (void *)&fam, 2), 0);
	ERR("bind a bound socket", bind(u, (void *)&b, blen), EINVAL);
	close(u);
	u = socket(AF_UNIX, SOCK_DGRAM, 0);
	int one = 1;
	setsockopt(u, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	sendto(u, "p", 1, 0, (void *)&a, alen);
	glen = sizeof got;
	getsockname(u, (void *)&got, &glen);
	VAL("SO_PASSCRED autobinds on send", glen, 8);
	glen = sizeof got;
	recvfrom(r, buf, sizeof buf, 0, (void *)&got, &glen);
	VAL("receiver sees the autobound name", glen, 8);
	close(u);

	/* path names */
	const char *path = P("dsock");
	struct sockaddr_un pa = { .sun_family = AF_UNIX };
	strcpy(pa.sun_path, path);
	int pr = socket(AF_UNIX, SOCK_DGRAM, 0);
	VAL("bind path", bind(pr, (void *)&pa, sizeof pa), 0);
	VAL("sendto path", sendto(s, "path", 4, 0, (void *)&pa, sizeof pa), 4);
	VAL("recv", recv(pr, buf, sizeof buf, 0), 4);
	struct sockaddr_un nope = { .sun_family = AF_UNIX };
	strcpy(nope.sun_path, P("missing"));
	ERR("sendto missing path", sendto(s, "x", 1, 0, (void *)&nope, sizeof nope), ENOENT);
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("stream to dgram path", connect(st, (void *)&pa, sizeof pa), EPROTOTYPE);
	close(st);
	close(pr);
	ERR("sendto closed path socket", sendto(s, "x", 1, 0, (void *)&pa, sizeof pa), ECONNREFUSED);

	/* blocking receive woken by another process */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		send(sv[1], "wake", 4, 0);
		_exit(0);
	}
	VAL("blocking recv", recv(sv[0], buf, sizeof buf, 0), 4);
	waitpid(pid, NULL, 0);
	int ty = 0;
	socklen_t tl = sizeof ty;
	int raw = socket(AF_UNIX, SOCK_RAW, 0);
	getsockopt(raw, SOL_SOCKET, SO_TYPE, &ty, &tl);
	VAL("SOCK_RAW is SOCK_DGRAM", ty, SOCK_DGRAM);

	scratch_cleanup();
	return finish();
}
