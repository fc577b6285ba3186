// AF_UNIX SOCK_SEQPACKET: record boundaries, MSG_TRUNC/PEEK, zero-length records, msg_flags, EOF and EPIPE (no SIGPIPE) after the peer closes, poll bits, listen/connect/accept with ENOTCONN rules, blocking I/O across fork.
#include "common.h"
#include <sys/ioctl.h>
#include <sys/wait.h>

int main(void)
{
	char buf[4096];
	int sv[2], n;
	signal(SIGPIPE, ct_on_pipe);

	VAL("socketpair", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	int ty = 0;
	socklen_t tl = sizeof ty;
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &ty, &tl);
	VAL("SO_TYPE", ty, SOCK_SEQPACKET);
	VAL("poll fresh", poll_now(sv[0], POLLIN | POLLOUT), POLLOUT);
	VAL("write 5", write(sv[0], "hello", 5), 5);
	VAL("write 3", write(sv[0], "abc", 3), 3);
	VAL("write 0", write(sv[0], "", 0), 0);
	n = -1;
	ioctl(sv[1], FIONREAD, &n);
	VAL("FIONREAD counts all records", n, 8);
	VAL("peek", recv(sv[1], buf, sizeof buf, MSG_PEEK), 5);
	VAL("read stops at the record", read(sv[1], buf, sizeof buf), 5);
	struct iovec iov = { buf, 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	VAL("recvmsg truncates", recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC), 2);
	VALX("msg_flags", m.msg_flags, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	VAL("zero-length record", read(sv[1], buf, sizeof buf), 0);
	ERR("empty", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	send(sv[0], "wxyz", 4, 0);
	VAL("MSG_TRUNC size", recv(sv[1], buf, 1, MSG_TRUNC), 4);
	static char huge[300000];
	ERR("record too large", send(sv[0], huge, sizeof huge, 0), EMSGSIZE);
	struct sockaddr_un x;
	socklen_t xl = unix_abstract(&x, "ignored");
	VAL("sendto ignores the address", sendto(sv[0], "ab", 2, 0, (void *)&x, xl), 2);
	VAL("got it", recv(sv[1], buf, sizeof buf, 0), 2);

	/* peer closes */
	write(sv[1], "last", 4);
	close(sv[1]);
	VAL("poll after peer close", poll_now(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	VAL("queued record still readable", read(sv[0], buf, sizeof buf), 4);
	VAL("then EOF", read(sv[0], buf, sizeof buf), 0);
	VAL("EOF even nonblocking", recv(sv[0], buf, 1, MSG_DONTWAIT), 0);
	ERR("write EPIPE", write(sv[0], "x", 1), EPIPE);
	VAL("no SIGPIPE", ct_sigpipes, 0);
	close(sv[0]);

	/* listener */
	struct sockaddr_un a;
	socklen_t alen = unix_abstract(&a, "seq");
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ERR("send unconnected", send(c, "x", 1, 0), ENOTCONN);
	ERR("recv unconnected", recv(c, buf, 1, MSG_DONTWAIT), ENOTCONN);
	VAL("poll unconnected", poll_now(c, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	VAL("bind", bind(l, (void *)&a, alen), 0);
	VAL("listen", listen(l, 4), 0);
	ERR("recv on listener", recv(l, buf, 1, MSG_DONTWAIT), ENOTCONN);
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("stream cannot reach a seqpacket name", connect(st, (void *)&a, alen), ECONNREFUSED);
	close(st);
	pid_t pid = fork();
	if (pid == 0) {
		int s = accept(l, NULL, NULL);
		char b[64];
		ssize_t k;
		while ((k = read(s, b, sizeof b)) > 0)
			write(s, b, k);
		_exit(0);
	}
	VAL("connect", connect(c, (void *)&a, alen), 0);
	VAL("send record 1", send(c, "one", 3, 0), 3);
	VAL("send record 2", send(c, "three", 5, 0), 5);
	VAL("echo 1 keeps its size", recv(c, buf, sizeof buf, 0), 3);
	VAL("echo 2 keeps its size", recv(c, buf, sizeof buf, 0), 5);
	CHECK("echo data", !memcmp(buf, "three", 5));
	shutdown(c, SHUT_WR);
	VAL("EOF from the child", recv(c, buf, sizeof buf, 0), 0);
	int status = -1;
	waitpid(pid, &status, 0);
	VAL("child exit", status, 0);
	close(c);
	close(l);
	return finish();
}
