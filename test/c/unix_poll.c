// AF_UNIX readiness and batches: epoll (level and edge triggered, EPOLLRDHUP/HUP, listeners, a full datagram receiver draining), select, a blocked epoll_wait woken from a child, sendmmsg/recvmmsg (MSG_WAITFORONE, partial batches), /proc/net/unix lines.
#include "common.h"
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>

/* The events epoll_wait reports for its only fd right now, 0 if none. */
static int ep_now(int ep)
{
	struct epoll_event e;
	return epoll_wait(ep, &e, 1, 0) == 1 ? (int)e.events : 0;
}

static int ep_for(int fd, unsigned events)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event e = { .events = events, .data.fd = fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	return ep;
}

/* select(2) of one fd without waiting: 1 readable, 2 writable. */
static int sel_now(int fd)
{
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	struct timeval tv = { 0, 0 };
	if (select(fd + 1, &r, &w, NULL, &tv) < 0)
		return -errno;
	return (FD_ISSET(fd, &r) ? 1 : 0) | (FD_ISSET(fd, &w) ? 2 : 0);
}

/* The Flags, Type and St columns of the /proc/net/unix line whose path is `name`. */
static void procnet(const char *label, const char *name, int fd)
{
	static char buf[1 << 20];
	int f = open("/proc/net/unix", O_RDONLY);
	long n = 0, k;
	while (f >= 0 && (k = read(f, buf + n, sizeof buf - 1 - n)) > 0)
		n += k;
	close(f);
	buf[n] = 0;
	struct stat st;
	fstat(fd, &st);
	CHECK("proc/net/unix header", !strncmp(buf, "Num       RefCount Protocol Flags    Type St Inode Path\n", 56));
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *p = strrchr(l, ' ');
		unsigned long ino;
		char flags[16], type[8], state[8];
		if (!p || strcmp(p + 1, name) || sscanf(l, "%*s %*s %*s %15s %7s %7s %lu", flags, type, state, &ino) != 4)
			continue;
		say("%s: flags %s type %s st %s inode matches %d\n", label, flags, type, state, ino == st.st_ino);
		return;
	}
	say("%s: missing\n", label);
}

int main(void)
{
	char buf[256];
	int sv[2];
	signal(SIGPIPE, ct_on_pipe);

	/* stream socketpair: level-triggered epoll and select */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	int ep = ep_for(sv[1], EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	VALX("epoll fresh", ep_now(ep), EPOLLOUT);
	VAL("select fresh", sel_now(sv[1]), 2);
	write(sv[0], "abc", 3);
	VALX("epoll data", ep_now(ep), EPOLLIN | EPOLLOUT);
	VAL("select data", sel_now(sv[1]), 3);
	read(sv[1], buf, 3);
	shutdown(sv[0], SHUT_WR);
	VALX("epoll peer SHUT_WR", ep_now(ep), EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	close(sv[0]);
	VALX("epoll peer closed", ep_now(ep), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP);
	VAL("select peer closed", sel_now(sv[1]), 3);
	close(ep);
	close(sv[1]);

	/* edge triggered: one event per arrival */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	ep = ep_for(sv[1], EPOLLIN | EPOLLET);
	VALX("ET empty", ep_now(ep), 0);
	write(sv[0], "abcd", 4);
	VALX("ET data", ep_now(ep), EPOLLIN);
	VALX("ET no repeat", ep_now(ep), 0);
	read(sv[1], buf, 2);
	VALX("ET partial read, nothing new", ep_now(ep), 0);
	write(sv[0], "e", 1);
	VALX("ET new data", ep_now(ep), EPOLLIN);
	close(ep);

	/* a blocked epoll_wait is woken by a child's write */
	ep = ep_for(sv[1], EPOLLIN);
	read(sv[1], buf, sizeof buf);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		write(sv[0], "late", 4);
		_exit(0);
	}
	struct epoll_event ev;
	VAL("epoll_wait blocks until data", epoll_wait(ep, &ev, 1, 5000), 1);
	VAL("read it", read(sv[1], buf, sizeof buf), 4);
	waitpid(pid, NULL, 0);
	close(ep);
	close(sv[0]);
	close(sv[1]);

	/* listener readiness and /proc/net/unix */
	struct sockaddr_un la;
	socklen_t lalen = unix_abstract(&la, "poll");
	char lname[120];
	snprintf(lname, sizeof lname, "@%s", la.sun_path + 1);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	bind(l, (void *)&la, lalen);
	procnet("bound stream", lname, l);
	listen(l, 4);
	procnet("listening stream", lname, l);
	ep = ep_for(l, EPOLLIN | EPOLLOUT);
	VALX("listener idle", ep_now(ep), 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (void *)&la, lalen);
	VALX("listener pending", ep_now(ep), EPOLLIN);
	VAL("select listener", sel_now(l), 1);
	int a = accept(l, NULL, NULL);
	VALX("listener drained", ep_now(ep), 0);
	close(ep);
	close(a);
	close(c);
	close(l);
	procnet("closed stream", lname, -1);

	/* a datagram receiver with a full queue: POLLOUT comes back when it drains */
	struct sockaddr_un ra;
	socklen_t ralen = unix_abstract(&ra, "dgram");
	char rname[120];
	snprintf(rname, sizeof rname, "@%s", ra.sun_path + 1);
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(r, (void *)&ra, ralen);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	connect(s, (void *)&ra, ralen);
	procnet("bound dgram", rname, r);
	ep = ep_for(s, EPOLLOUT | EPOLLET);
	VALX("sender writable", ep_now(ep), EPOLLOUT);
	int sent = 0;
	while (send(s, "x", 1, 0) == 1 && sent < 1000)
		sent++;
	CHECK("receiver queue filled", errno == EAGAIN && sent > 0 && sent < 1000);
	VALX("sender blocked", ep_now(ep), 0);
	recv(r, buf, sizeof buf, 0);
	VALX("a receive wakes the sender", ep_now(ep), EPOLLOUT);
	VAL("and it may send one more", send(s, "y", 1, 0), 1);
	close(ep);
	close(s);

	/* sendmmsg / recvmmsg */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	char d0[] = "one", d1[] = "three", d2[] = "fivefive";
	struct iovec iv[3] = { { d0, 3 }, { d1, 5 }, { d2, 8 } };
	struct mmsghdr mm[4];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &iv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	VAL("sendmmsg 3", sendmmsg(sv[0], mm, 3, 0), 3);
	say("msg_len %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	char rb[4][16];
	struct iovec ri[4];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 4; i++) {
		ri[i] = (struct iovec){ rb[i], i == 2 ? 4 : 16 };
		mm[i].msg_hdr.msg_iov = &ri[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	VAL("recvmmsg takes what is there", recvmmsg(sv[1], mm, 4, MSG_DONTWAIT, NULL), 3);
	say("msg_len %u %u %u flags %#x\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len, mm[2].msg_hdr.msg_flags);
	CHECK("recvmmsg data", !memcmp(rb[0], "one", 3) && !memcmp(rb[1], "three", 5) && !memcmp(rb[2], "five", 4));
	ERR("recvmmsg empty", recvmmsg(sv[1], mm, 4, MSG_DONTWAIT, NULL), EAGAIN);
	send(sv[0], "w", 1, 0);
	VAL("MSG_WAITFORONE", recvmmsg(sv[1], mm, 4, MSG_WAITFORONE, NULL), 1);
	static char huge[300000];
	struct iovec hv[2] = { { d0, 3 }, { huge, sizeof huge } };
	mm[0].msg_hdr.msg_iov = &hv[0];
	mm[1].msg_hdr.msg_iov = &hv[1];
	VAL("sendmmsg stops at EMSGSIZE", sendmmsg(sv[0], mm, 2, 0), 1);
	ERR("sendmmsg first fails", sendmmsg(sv[0], &mm[1], 1, 0), EMSGSIZE);
	ERR("recvmmsg bad flags", recvmmsg(sv[1], mm, 1, 0x80000000, NULL), EINVAL);
	struct timespec bad = { 0, 2000000000L };
	ERR("recvmmsg bad timeout", recvmmsg(sv[1], mm, 1, 0, &bad), EINVAL);
	VAL("sendmmsg vlen 0", sendmmsg(sv[0], mm, 0, 0), 0);
	close(sv[0]);
	close(sv[1]);
	close(r);
	return finish();
}
