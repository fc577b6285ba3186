// poll, ppoll: revents of pipes, eventfds, timerfds and files, POLLNVAL/POLLHUP/POLLERR, timeouts, ppoll's sigmask and EINTR, errnos.
#include "common.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>

static volatile int got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }

static long ms_since(struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static int poll1(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0x7777 };
	int r = poll(&p, 1, timeout);
	return r < 0 ? -errno : p.revents;
}

static long sys_ppoll(struct pollfd *fds, unsigned n, struct timespec *ts, uint64_t *mask, size_t size)
{
	return syscall(SYS_ppoll, fds, n, ts, mask, size);
}

static int blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

int main(void)
{
	int p[2];
	char c;
	struct timespec t0;
	if (pipe(p))
		return 2;

	/* pipes */
	VALX("empty read end, timeout 0", poll1(p[0], POLLIN, 0), 0);
	VALX("write end POLLOUT", poll1(p[1], POLLOUT, 0), POLLOUT);
	VALX("write end POLLWRNORM", poll1(p[1], POLLWRNORM, 0), POLLWRNORM);
	VALX("write end asked POLLIN", poll1(p[1], POLLIN, 0), 0);
	write(p[1], "x", 1);
	VALX("read end POLLIN", poll1(p[0], POLLIN, 0), POLLIN);
	VALX("read end POLLIN|POLLRDNORM", poll1(p[0], POLLIN | POLLRDNORM, 0), POLLIN | POLLRDNORM);
	VALX("read end POLLPRI only", poll1(p[0], POLLPRI, 0), 0);
	VALX("read end events 0", poll1(p[0], 0, 0), 0);

	struct pollfd set[4] = {
		{ p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { -1, POLLIN, 0x55 }, { p[0], POLLIN | POLLOUT, 0 },
	};
	VAL("four entries, three ready", poll(set, 4, 0), 3);
	VALX("negative fd: revents cleared", set[2].revents, 0);
	VALX("same fd twice", set[3].revents, POLLIN);
	VAL("nfds 0, timeout 0", poll(NULL, 0, 0), 0);

	int closed = dup(p[0]);
	close(closed);
	struct pollfd nv = { closed, POLLIN, 0 };
	VAL("closed fd counts", poll(&nv, 1, 0), 1);
	VALX("closed fd: POLLNVAL", nv.revents, POLLNVAL);
	ERR("bad pollfd pointer", syscall(SYS_poll, BADPTR, 1, 0), EFAULT);

	struct rlimit old, rl;
	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = 8;
	setrlimit(RLIMIT_NOFILE, &rl);
	struct pollfd many[9];
	for (int i = 0; i < 9; i++)
		many[i] = (struct pollfd){ -1, 0, 0 };
	VAL("nfds == RLIMIT_NOFILE", poll(many, 8, 0), 0);
	ERR("nfds > RLIMIT_NOFILE", poll(many, 9, 0), EINVAL);
	setrlimit(RLIMIT_NOFILE, &old);

	/* hang-up and error are reported even when not asked for */
	read(p[0], &c, 1);
	close(p[1]);
	VALX("writer gone: POLLHUP", poll1(p[0], POLLIN, 0), POLLHUP);
	VALX("writer gone, events 0", poll1(p[0], 0, 0), POLLHUP);
	close(p[0]);
	pipe(p);
	close(p[0]);
	VALX("reader gone: POLLOUT|POLLERR", poll1(p[1], POLLOUT, 0), POLLOUT | POLLERR);
	close(p[1]);
	pipe(p);

	/* files without ->poll are always ready */
	int null = open("/dev/null", O_RDWR);
	VALX("/dev/null", poll1(null, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI, 0),
	     POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	close(null);
	int devz = open("/dev/zero", O_RDONLY);
	VALX("/dev/zero POLLIN", poll1(devz, POLLIN, 0), POLLIN);
	close(devz);

	/* eventfd and timerfd */
	int efd = eventfd(0, EFD_NONBLOCK);
	VALX("eventfd 0: POLLOUT only", poll1(efd, POLLIN | POLLOUT, 0), POLLOUT);
	VALX("eventfd: no POLLWRNORM", poll1(efd, POLLWRNORM | POLLRDNORM, 0), 0);
	uint64_t one = 1;
	write(efd, &one, 8);
	VALX("eventfd 1: POLLIN|POLLOUT", poll1(efd, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct itimerspec its = { { 0, 0 }, { 0, 30 * 1000000 } };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	timerfd_settime(tfd, 0, &its, NULL);
	VALX("timerfd wakes a blocking poll", poll1(tfd, POLLIN, -1), POLLIN);
	CHECK("after the expiry", ms_since(&t0) >= 25);

	/* timeouts */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	VAL("timeout 50ms", poll1(p[0], POLLIN, 50), 0);
	CHECK("waited about 50ms", ms_since(&t0) >= 45);
	struct pollfd two[2] = { { p[0], POLLIN, 0 }, { efd, POLLIN, 0 } };
	VAL("one of two ready", poll(two, 2, 1000), 1);
	CHECK("which: the eventfd", two[0].revents == 0 && two[1].revents == POLLIN);

	/* ppoll: timeout written back, sigmask, EINTR */
	struct pollfd rp = { p[0], POLLIN, 0 };
	struct timespec ts = { 0, 1000000000 };
	ERR("ppoll tv_nsec 1e9", sys_ppoll(&rp, 1, &ts, NULL, 8), EINVAL);
	ts = (struct timespec){ -1, 0 };
	ERR("ppoll negative timeout", sys_ppoll(&rp, 1, &ts, NULL, 8), EINVAL);
	ERR("ppoll bad timeout pointer", sys_ppoll(&rp, 1, BADPTR, NULL, 8), EFAULT);
	uint64_t mask = 0;
	ERR("ppoll sigsetsize 4", sys_ppoll(&rp, 1, NULL, &mask, 4), EINVAL);
	ts = (struct timespec){ 0, 20 * 1000000 };
	VAL("ppoll times out", sys_ppoll(&rp, 1, &ts, NULL, 8), 0);
	CHECK("remaining time written: 0", ts.tv_sec == 0 && ts.tv_nsec == 0);
	ts = (struct timespec){ 10, 0 };
	struct pollfd ep = { efd, POLLIN, 0 };
	VAL("ppoll ready at once", sys_ppoll(&ep, 1, &ts, NULL, 8), 1);
	CHECK("remaining time written: 9s < left <= 10s", ts.tv_sec == 9 || (ts.tv_sec == 10 && ts.tv_nsec == 0));
	ts = (struct timespec){ 0, 0 };
	VAL("ppoll zero timeout", sys_ppoll(&rp, 1, &ts, NULL, 8), 0);

	sigset_t usr1 = block_with_handler(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1);
	CHECK("SIGUSR1 pending, not run", got_usr1 == 0);
	mask = 0;
	VAL("ppoll, fd ready, mask unblocks a pending signal", sys_ppoll(&ep, 1, NULL, &mask, 8), 1);
	CHECK("handler did not run", got_usr1 == 0);
	CHECK("mask restored", blocked(SIGUSR1));
	ts = (struct timespec){ 0, 0 };
	ERR("ppoll zero timeout, signal pending", sys_ppoll(&rp, 1, &ts, &mask, 8), EINTR);
	CHECK("handler ran once", got_usr1 == 1);
	CHECK("mask restored after handler", blocked(SIGUSR1));
	kill(getpid(), SIGUSR1);
	ts = (struct timespec){ 5, 0 };
	ERR("ppoll blocks, signal pending", sys_ppoll(&rp, 1, &ts, &mask, 8), EINTR);
	CHECK("handler ran again", got_usr1 == 2);
	CHECK("remaining time written after EINTR", ts.tv_sec >= 4 && ts.tv_sec <= 5);
	CHECK("mask restored again", blocked(SIGUSR1));
	kill(getpid(), SIGUSR1);
	uint64_t keep = 1ULL << (SIGUSR1 - 1);
	ts = (struct timespec){ 0, 10 * 1000000 };
	VAL("ppoll mask keeps it blocked", sys_ppoll(&rp, 1, &ts, &keep, 8), 0);
	CHECK("still pending", got_usr1 == 2);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	CHECK("delivered on unblock", got_usr1 == 3);

	/* a handler interrupting a blocked wait */
	alarm_in_ms(20, 1);
	ERR("poll(-1) interrupted by SIGALRM", poll(&rp, 1, -1), EINTR);
	alarm_in_ms(20, 1);
	ts = (struct timespec){ 5, 0 };
	ERR("ppoll interrupted by SIGALRM", sys_ppoll(&rp, 1, &ts, NULL, 8), EINTR);
	CHECK("remaining time written", ts.tv_sec >= 4 && ts.tv_sec <= 5);

	close(efd);
	close(tfd);
	close(p[0]);
	close(p[1]);
	return finish();
}
