// pty waits: blocking reads woken by the other end, poll and epoll readiness edges, EINTR from a handler, VMIN/VTIME inter-byte timer, large transfers with flow control in both directions, O_NONBLOCK EAGAIN when full.
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static int m, s;

static long ms_since(struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* A child that sleeps ms, then writes str to fd. */
static pid_t later(int ms, int fd, const char *str)
{
	pid_t c = fork();
	if (c == 0) {
		usleep(ms * 1000);
		_exit(write(fd, str, strlen(str)) == (ssize_t)strlen(str) ? 0 : 1);
	}
	return c;
}

static void onalrm(int sig) { (void)sig; }

int main(void)
{
	char buf[4096], name[64];
	struct termios t, raw;
	struct timespec a;
	int n;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	OK("grantpt/unlockpt", grantpt(m) | unlockpt(m));
	ptsname_r(m, name, sizeof name);
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK("slave", s >= 0);
	tcgetattr(s, &t);

	/* A blocked canonical read wakes for a line written later. */
	pid_t c = later(50, m, "late\n");
	VAL("blocking slave read", read(s, buf, sizeof buf), 5);
	waitpid(c, NULL, 0);
	n = 0;
	while (n < 6) { int r = read(m, buf, sizeof buf); if (r <= 0) break; n += r; } /* echo "late\r\n" */

	/* poll and epoll on the master wake when the slave writes. */
	c = later(50, s, "out");
	struct pollfd p = { m, POLLIN, 0 };
	VAL("poll master wakes", poll(&p, 1, 5000), 1);
	VAL("revents", p.revents, POLLIN);
	VAL("read it", read(m, buf, sizeof buf), 3);
	waitpid(c, NULL, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 }, got;
	OK("epoll_ctl master", epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev));
	ev.events = EPOLLIN;
	ev.data.u32 = 9;
	OK("epoll_ctl slave", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	VAL("nothing ready", epoll_wait(ep, &got, 1, 0), 0);
	c = later(50, s, "x");
	VAL("epoll wakes for the master", epoll_wait(ep, &got, 1, 5000), 1);
	CHECK("master, EPOLLIN", got.data.u32 == 7 && got.events == EPOLLIN);
	VAL("edge-triggered: no second report", epoll_wait(ep, &got, 1, 0), 0);
	waitpid(c, NULL, 0);
	read(m, buf, sizeof buf);
	c = later(50, m, "line\n");
	VAL("epoll wakes for the slave", epoll_wait(ep, &got, 1, 5000), 1);
	CHECK("slave, EPOLLIN", got.data.u32 == 9 && got.events == EPOLLIN);
	waitpid(c, NULL, 0);
	read(s, buf, sizeof buf);
	usleep(20000);
	read(m, buf, sizeof buf);
	close(ep);

	/* A handler without SA_RESTART interrupts a blocked read. */
	struct sigaction sa = { .sa_handler = onalrm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ERR("read interrupted", read(s, buf, sizeof buf), EINTR);
	alarm(1);
	ERR("master read interrupted", read(m, buf, sizeof buf), EINTR);

	/* VMIN 5, VTIME 2: what arrived is returned 0.2 s after the last byte. */
	raw = t;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 5;
	raw.c_cc[VTIME] = 2;
	tcsetattr(s, TCSANOW, &raw);
	c = later(0, m, "ab");
	clock_gettime(CLOCK_MONOTONIC, &a);
	VAL("VMIN 5 VTIME 2 gets the 2 bytes", read(s, buf, sizeof buf), 2);
	CHECK("after the inter-byte timer", ms_since(&a) >= 150);
	waitpid(c, NULL, 0);
	c = later(0, m, "abcdefg");
	VAL("VMIN 5 satisfied at once", read(s, buf, 5), 5);
	waitpid(c, NULL, 0);
	usleep(20000);
	VAL("the rest", read(s, buf, sizeof buf), 2);

	/* Large transfers: the writer blocks until the reader catches up. */
	enum { BIG = 200000 };
	c = fork();
	if (c == 0) {
		static char big[BIG];
		memset(big, 'z', sizeof big);
		_exit(write(s, big, sizeof big) == BIG ? 0 : 1);
	}
	long total = 0;
	while (total < BIG && (n = read(m, buf, sizeof buf)) > 0) total += n;
	VAL("master read everything", total, BIG);
	int st;
	waitpid(c, &st, 0);
	VAL("slave writer", st, 0);
	c = fork();
	if (c == 0) {
		static char big[BIG];
		memset(big, 'y', sizeof big);
		_exit(write(m, big, sizeof big) == BIG ? 0 : 1);
	}
	total = 0;
	while (total < BIG && (n = read(s, buf, sizeof buf)) > 0) total += n;
	VAL("slave read everything", total, BIG);
	waitpid(c, &st, 0);
	VAL("master writer", st, 0);

	/* Nobody reading: non-blocking writes fill up, then EAGAIN. */
	fcntl(s, F_SETFL, O_NONBLOCK);
	total = 0;
	while ((n = write(s, buf, sizeof buf)) > 0) total += n;
	CHECK("slave output fills up", n < 0 && errno == EAGAIN && total >= 4096);
	long drained = 0;
	p = (struct pollfd){ m, POLLIN, 0 };
	while (poll(&p, 1, 100) == 1 && (n = read(m, buf, sizeof buf)) > 0) drained += n;
	CHECK("master drains it", drained == total);
	p = (struct pollfd){ s, POLLOUT, 0 };
	VAL("slave writable again", poll(&p, 1, 1000), 1);
	close(s);
	close(m);
	return finish();
}
