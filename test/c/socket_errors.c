// Socket errnos and generic socket state: socket()/socketpair() argument checks, EBADF/ENOTSOCK, address lengths, listen/accept/shutdown rules, sendmsg/recvmsg header checks, cmsg validation, SOL_SOCKET options (sizes, clamps, timeouts, linger), fstat, /proc/self/fd, F_GETFL, lseek.
#include "common.h"
#include <sys/time.h>
#include <sys/uio.h>

static int geti(int fd, int opt)
{
	int v = -12345;
	socklen_t l = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) < 0)
		return -errno - 100000;
	return v;
}

static int seti(int fd, int opt, int v)
{
	return setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v);
}

int main(void)
{
	int sv[2], p[2];
	char buf[256];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	pipe(p);

	/* socket(2) */
	ERR("family -1", socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	ERR("family AF_MAX", socket(46, SOCK_STREAM, 0), EAFNOSUPPORT);
	ERR("type 11", socket(AF_UNIX, 11, 0), EINVAL);
	ERR("type 7", socket(AF_UNIX, 7, 0), ESOCKTNOSUPPORT);
	ERR("SOCK_RDM", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	ERR("protocol 5", socket(AF_UNIX, SOCK_STREAM, 5), EPROTONOSUPPORT);
	ERR("protocol before type", socket(AF_UNIX, SOCK_RDM, 5), EPROTONOSUPPORT);
	ERR("bad type flag", socket(AF_UNIX, SOCK_STREAM | O_APPEND, 0), EINVAL);
	int s = socket(AF_UNIX, SOCK_STREAM, PF_UNIX);
	CHECK("protocol PF_UNIX", s >= 0);
	VAL("SO_PROTOCOL", geti(s, SO_PROTOCOL), 0);
	VAL("SO_DOMAIN", geti(s, SO_DOMAIN), AF_UNIX);
	VAL("SO_TYPE", geti(s, SO_TYPE), SOCK_STREAM);
	close(s);
	ERR("socketpair bad pointer", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADPTR), EFAULT);
	ERR("socketpair bad type", socketpair(AF_UNIX, 9, 0, sv), ESOCKTNOSUPPORT);
	VAL("socketpair NONBLOCK|CLOEXEC", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	CHECK("flags", (fcntl(sv[0], F_GETFL) & (O_NONBLOCK | O_ACCMODE)) == (O_NONBLOCK | O_RDWR) &&
	      fcntl(sv[1], F_GETFD) == FD_CLOEXEC);

	/* file-level behaviour */
	struct stat st;
	fstat(sv[0], &st);
	CHECK("S_ISSOCK", S_ISSOCK(st.st_mode));
	VALO("mode", st.st_mode & 07777, 0777);
	CHECK("distinct inodes", (fstat(sv[1], &st), 1));
	char link[64], lp[64];
	snprintf(lp, sizeof lp, "/proc/self/fd/%d", sv[0]);
	ssize_t ln = readlink(lp, link, sizeof link - 1);
	link[ln > 0 ? ln : 0] = 0;
	CHECK("/proc/self/fd shows socket:[ino]", !strncmp(link, "socket:[", 8));
	ERR("open via /proc/self/fd", open(lp, O_RDWR), ENXIO);
	ERR("lseek", lseek(sv[0], 0, SEEK_SET), ESPIPE);
	ERR("pread", pread(sv[0], buf, 1, 0), ESPIPE);

	/* EBADF / ENOTSOCK */
	ERR("bind EBADF", bind(99, (void *)&a, sizeof a), EBADF);
	ERR("bind ENOTSOCK", bind(p[0], (void *)&a, sizeof a), ENOTSOCK);
	ERR("listen ENOTSOCK", listen(p[0], 1), ENOTSOCK);
	ERR("accept ENOTSOCK", accept(p[0], NULL, NULL), ENOTSOCK);
	ERR("accept4 EBADF before EINVAL", syscall(SYS_accept4, 99, NULL, NULL, 0x4), EBADF);
	ERR("connect ENOTSOCK", connect(p[0], (void *)&a, sizeof a), ENOTSOCK);
	ERR("shutdown ENOTSOCK", shutdown(p[0], SHUT_RD), ENOTSOCK);
	ERR("getsockname ENOTSOCK", getsockname(p[0], NULL, NULL), ENOTSOCK);
	ERR("sendto ENOTSOCK", sendto(p[1], "x", 1, 0, NULL, 0), ENOTSOCK);
	ERR("recvfrom ENOTSOCK", recvfrom(p[0], buf, 1, 0, NULL, NULL), ENOTSOCK);
	ERR("setsockopt ENOTSOCK", seti(p[0], SO_KEEPALIVE, 1), ENOTSOCK);

	/* addresses */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("bind len 0", bind(s, (void *)&a, 0), EINVAL);
	ERR("bind len 1", bind(s, (void *)&a, 1), EINVAL);
	ERR("bind len 111", bind(s, (void *)&a, 111), EINVAL);
	ERR("bind len 200", bind(s, (void *)&a, 200), EINVAL);
	ERR("bind bad pointer", bind(s, BADPTR, sizeof a), EFAULT);
	a.sun_family = AF_INET;
	ERR("bind wrong family", bind(s, (void *)&a, sizeof a), EINVAL);
	a.sun_family = AF_UNIX;
	ERR("connect len 2", connect(s, (void *)&a, 2), EINVAL);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	ERR("stream connect AF_UNSPEC", connect(s, &unspec, sizeof unspec), EINVAL);
	strcpy(a.sun_path, "/nonexistent-dir-tsvisor/sock");
	ERR("bind in a missing directory", bind(s, (void *)&a, sizeof a), ENOENT);
	ERR("connect to a missing path", connect(s, (void *)&a, sizeof a), ENOENT);
	socklen_t al = 1;
	VAL("getsockname short buffer", getsockname(s, (void *)&a, &al), 0);
	VAL("reports full length", al, 2);
	al = -1;
	ERR("getsockname negative length", getsockname(s, (void *)&a, &al), EINVAL);
	ERR("getsockname bad length pointer", getsockname(s, (void *)&a, BADPTR), EFAULT);
	al = sizeof a;
	ERR("getpeername unconnected", getpeername(s, (void *)&a, &al), ENOTCONN);

	/* state rules */
	ERR("listen unbound", listen(s, 1), EINVAL);
	ERR("accept not listening", accept(s, NULL, NULL), EINVAL);
	ERR("recv unconnected stream", recv(s, buf, 1, MSG_DONTWAIT), EINVAL);
	ERR("send unconnected stream", send(s, "x", 1, 0), ENOTCONN);
	a.sun_path[0] = 0;
	ERR("sendto unconnected stream", sendto(s, "x", 1, 0, (void *)&a, 8), EOPNOTSUPP);
	ERR("sendto connected stream", sendto(sv[0], "x", 1, 0, (void *)&a, 8), EISCONN);
	VAL("shutdown unconnected is fine", shutdown(s, SHUT_RDWR), 0);
	ERR("shutdown how 3", shutdown(s, 3), EINVAL);
	ERR("shutdown how -1", shutdown(s, -1), EINVAL);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	ERR("listen dgram", listen(d, 1), EOPNOTSUPP);
	ERR("accept dgram", accept(d, NULL, NULL), EOPNOTSUPP);
	ERR("MSG_OOB dgram", send(d, "x", 1, MSG_OOB), EOPNOTSUPP);

	/* msghdr checks */
	struct iovec iov[1025];
	for (int i = 0; i < 1025; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = 1;
	}
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 1025 };
	ERR("iovlen > UIO_MAXIOV", sendmsg(sv[0], &m, 0), EMSGSIZE);
	ERR("recvmsg iovlen > UIO_MAXIOV", recvmsg(sv[1], &m, 0), EMSGSIZE);
	m.msg_iovlen = 1;
	ERR("MSG_CMSG_COMPAT", syscall(SYS_sendmsg, sv[0], &m, 0x80000000), EINVAL);
	ERR("sendmsg bad header", syscall(SYS_sendmsg, sv[0], BADPTR, 0), EFAULT);
	union { char b[64]; struct cmsghdr align; } u;
	memset(&u, 0, sizeof u);
	m.msg_control = u.b;
	m.msg_controllen = 16;
	ERR("cmsg_len 0", syscall(SYS_sendmsg, sv[0], &m, 0), EINVAL);
	m.msg_controllen = 8;
	VAL("controllen below a header is ignored", syscall(SYS_sendmsg, sv[0], &m, 0), 1);
	struct cmsghdr *c = (struct cmsghdr *)u.b;
	c->cmsg_len = CMSG_LEN(4);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = 99;
	m.msg_controllen = CMSG_SPACE(4);
	ERR("unknown SOL_SOCKET cmsg", syscall(SYS_sendmsg, sv[0], &m, 0), EINVAL);
	c->cmsg_level = 6;
	VAL("other levels are skipped", syscall(SYS_sendmsg, sv[0], &m, 0), 1);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	ERR("SCM_CREDENTIALS wrong size", syscall(SYS_sendmsg, sv[0], &m, 0), EINVAL);
	c->cmsg_len = CMSG_LEN(4) + 64;
	ERR("cmsg_len past the buffer", syscall(SYS_sendmsg, sv[0], &m, 0), EINVAL);

	/* SOL_SOCKET options */
	int t = socket(AF_UNIX, SOCK_STREAM, 0);
	ERR("unknown option", seti(t, 999, 1), ENOPROTOOPT);
	VAL("get unknown option", geti(t, 999), -ENOPROTOOPT - 100000);
	ERR("other level on AF_UNIX", setsockopt(t, 6, 1, &(int){ 1 }, 4), EOPNOTSUPP);
	ERR("short optlen", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, 2), EINVAL);
	ERR("negative optlen", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, -1), EINVAL);
	ERR("bad optval", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, BADPTR, 4), EFAULT);
	ERR("set SO_TYPE", seti(t, SO_TYPE, 1), ENOPROTOOPT);
	ERR("set SO_PEERCRED", seti(t, SO_PEERCRED, 1), ENOPROTOOPT);
	ERR("set SO_SNDLOWAT", seti(t, SO_SNDLOWAT, 1), ENOPROTOOPT);
	int v = 7;
	socklen_t vl = 2;
	VAL("get with a short length", getsockopt(t, SOL_SOCKET, SO_TYPE, &v, &vl), 0);
	CHECK("two bytes written", vl == 2 && v == SOCK_STREAM);
	vl = -1;
	ERR("get negative length", getsockopt(t, SOL_SOCKET, SO_TYPE, &v, &vl), EINVAL);
	VAL("SO_ERROR", geti(t, SO_ERROR), 0);
	VAL("SO_ACCEPTCONN", geti(t, SO_ACCEPTCONN), 0);
	VAL("SO_PASSCRED default", geti(t, SO_PASSCRED), 0);
	VAL("SO_PEEK_OFF default", geti(t, SO_PEEK_OFF), -1);
	VAL("SO_SNDLOWAT", geti(t, SO_SNDLOWAT), 1);
	VAL("SO_RCVLOWAT", geti(t, SO_RCVLOWAT), 1);
	seti(t, SO_RCVLOWAT, 0);
	VAL("SO_RCVLOWAT 0 means 1", geti(t, SO_RCVLOWAT), 1);
	seti(t, SO_KEEPALIVE, 5);
	VAL("SO_KEEPALIVE is boolean", geti(t, SO_KEEPALIVE), 1);
	seti(t, SO_REUSEADDR, 1);
	VAL("SO_REUSEADDR", geti(t, SO_REUSEADDR), 1);
	seti(t, SO_SNDBUF, 10000);
	VAL("SO_SNDBUF doubled", geti(t, SO_SNDBUF), 20000);
	seti(t, SO_RCVBUF, 10000);
	VAL("SO_RCVBUF doubled", geti(t, SO_RCVBUF), 20000);
	seti(t, SO_SNDBUF, 1);
	CHECK("SO_SNDBUF minimum", geti(t, SO_SNDBUF) > 2);
	seti(t, SO_PEEK_OFF, 3);
	VAL("SO_PEEK_OFF", geti(t, SO_PEEK_OFF), 3);
	struct linger lg = { 1, 5 };
	setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	lg = (struct linger){ 0, 9 };
	setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	vl = sizeof lg;
	getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &vl);
	CHECK("SO_LINGER off keeps the time", lg.l_onoff == 0 && lg.l_linger == 5);
	ERR("SO_LINGER short", setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);
	struct timeval tv = { 2, 500000 };
	VAL("SO_RCVTIMEO", setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
	tv = (struct timeval){ 0, 0 };
	vl = sizeof tv;
	getsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, &vl);
	CHECK("SO_RCVTIMEO reads back", tv.tv_sec == 2 && tv.tv_usec == 500000 && vl == sizeof tv);
	tv = (struct timeval){ 1, 1000000 };
	ERR("SO_SNDTIMEO usec out of range", setsockopt(t, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), EDOM);
	ERR("SO_SNDTIMEO short", setsockopt(t, SOL_SOCKET, SO_SNDTIMEO, &tv, 8), EINVAL);
	tv = (struct timeval){ -1, 0 };
	setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	vl = sizeof tv;
	getsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, &vl);
	CHECK("negative timeout clears it", tv.tv_sec == 0 && tv.tv_usec == 0);
	struct ucred uc;
	vl = sizeof uc;
	getsockopt(t, SOL_SOCKET, SO_PEERCRED, &uc, &vl);
	CHECK("SO_PEERCRED unconnected", vl == sizeof uc && uc.pid == 0 && uc.uid == (uid_t)-1 && uc.gid == (gid_t)-1);
	vl = sizeof uc;
	getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &vl);
	CHECK("SO_PEERCRED socketpair", uc.pid == getpid() && uc.uid == geteuid() && uc.gid == getegid());
	return finish();
}
