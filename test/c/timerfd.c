// timerfd: create/settime/gettime errnos, relative and absolute, one-shot and periodic expirations, reads (u64, EAGAIN, blocking), poll and epoll.
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif
#define MS 1000000L

static struct itimerspec spec(long value_ns, long interval_ns)
{
	struct itimerspec s = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
				{ value_ns / 1000000000L, value_ns % 1000000000L } };
	return s;
}

static long ns_of(struct timespec t)
{
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static long settime(int fd, int flags, long value_ns, long interval_ns)
{
	struct itimerspec s = spec(value_ns, interval_ns);
	return timerfd_settime(fd, flags, &s, NULL);
}

int main(void)
{
	uint64_t ticks = 0;
	struct itimerspec cur, old;
	char link[64], target[64] = "";

	/* creation */
	ERR("CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	ERR("clock 42", timerfd_create(42, 0), EINVAL);
	ERR("bad flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	int alarmfd = timerfd_create(CLOCK_REALTIME_ALARM, 0);
	CHECK("CLOCK_REALTIME_ALARM: ok or EPERM", alarmfd >= 0 || errno == EPERM);
	if (alarmfd >= 0)
		close(alarmfd);
	int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	OK("CLOCK_REALTIME", rt);
	VAL("TFD_NONBLOCK", fcntl(rt, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	VAL("TFD_CLOEXEC", fcntl(rt, F_GETFD), FD_CLOEXEC);
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int bt = timerfd_create(CLOCK_BOOTTIME, 0);
	OK("CLOCK_BOOTTIME", bt);
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	readlink(link, target, sizeof target - 1);
	say("link: %s\n", target);

	/* a fresh timer is disarmed */
	OK("gettime", timerfd_gettime(fd, &cur));
	CHECK("disarmed", ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0);
	ERR("read: EAGAIN", read(fd, &ticks, 8), EAGAIN);
	ERR("read 4 bytes", read(fd, &ticks, 4), EINVAL);
	struct pollfd pf = { fd, POLLIN, 0 };
	VAL("poll: not ready", poll(&pf, 1, 0), 0);

	/* settime errors */
	struct itimerspec s = spec(10 * MS, 0);
	ERR("bad flags", timerfd_settime(fd, 4, &s, NULL), EINVAL);
	s.it_value.tv_nsec = 1000000000L;
	ERR("tv_nsec 1e9", timerfd_settime(fd, 0, &s, NULL), EINVAL);
	s = spec(10 * MS, 0);
	s.it_interval.tv_sec = -1;
	ERR("negative interval", timerfd_settime(fd, 0, &s, NULL), EINVAL);
	s = spec(10 * MS, 0);
	ERR("NULL new value", syscall(SYS_timerfd_settime, fd, 0, NULL, NULL), EFAULT);
	int p[2];
	pipe(p);
	ERR("settime on a pipe", timerfd_settime(p[0], 0, &s, NULL), EINVAL);
	ERR("gettime on a pipe", timerfd_gettime(p[0], &cur), EINVAL);
	ERR("settime on a bad fd", timerfd_settime(999, 0, &s, NULL), EBADF);
	ERR("gettime bad pointer", timerfd_gettime(fd, BADPTR), EFAULT);

	/* one-shot, relative */
	OK("settime 50ms", settime(fd, 0, 50 * MS, 0));
	timerfd_gettime(fd, &cur);
	CHECK("0 < it_value <= 50ms", ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 50 * MS);
	CHECK("no interval", ns_of(cur.it_interval) == 0);
	ERR("not expired yet", read(fd, &ticks, 8), EAGAIN);
	VAL("poll waits for it", poll(&pf, 1, 1000), 1);
	VALX("POLLIN only", pf.revents, POLLIN);
	VAL("read", read(fd, &ticks, 8), 8);
	VAL("one expiration", ticks, 1);
	ERR("read again", read(fd, &ticks, 8), EAGAIN);
	timerfd_gettime(fd, &cur);
	CHECK("disarmed after expiry", ns_of(cur.it_value) == 0);

	/* blocking read */
	OK("settime 20ms on the blocking timer", settime(bt, 0, 20 * MS, 0));
	VAL("blocking read", read(bt, &ticks, 8), 8);
	VAL("one expiration", ticks, 1);

	/* periodic */
	OK("settime 10ms every 10ms", settime(fd, 0, 10 * MS, 10 * MS));
	timerfd_gettime(fd, &cur);
	CHECK("interval 10ms", ns_of(cur.it_interval) == 10 * MS);
	usleep(75 * 1000);
	VAL("read", read(fd, &ticks, 8), 8);
	CHECK("several expirations (>= 4)", ticks >= 4);
	VAL("blocking poll for the next", poll(&pf, 1, 1000), 1);
	read(fd, &ticks, 8);
	CHECK("then at least one", ticks >= 1);

	/* old value, disarm, reset of pending expirations */
	OK("settime 1s", settime(fd, 0, 1000 * MS, 0));
	s = spec(0, 0);
	OK("disarm, old value", timerfd_settime(fd, 0, &s, &old));
	CHECK("old it_value 0.5s..1s", ns_of(old.it_value) > 500 * MS && ns_of(old.it_value) <= 1000 * MS);
	timerfd_gettime(fd, &cur);
	CHECK("disarmed", ns_of(cur.it_value) == 0);
	settime(fd, 0, 1 * MS, 0);
	usleep(20 * 1000);
	OK("settime again before reading", settime(fd, 0, 1000 * MS, 0));
	ERR("pending expiration discarded", read(fd, &ticks, 8), EAGAIN);

	/* absolute */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long abs_ns = ns_of(now) + 30 * MS;
	s = spec(abs_ns, 0);
	OK("TFD_TIMER_ABSTIME +30ms", timerfd_settime(bt, TFD_TIMER_ABSTIME, &s, NULL));
	timerfd_gettime(bt, &cur);
	CHECK("gettime is relative", ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 30 * MS);
	VAL("blocking read", read(bt, &ticks, 8), 8);
	clock_gettime(CLOCK_MONOTONIC, &now);
	CHECK("not before the deadline", ns_of(now) >= abs_ns);
	clock_gettime(CLOCK_MONOTONIC, &now);
	s = spec(ns_of(now) - 1000 * MS, 100 * MS);
	OK("absolute, 1s in the past, every 100ms", timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, NULL));
	VAL("read at once", read(fd, &ticks, 8), 8);
	CHECK("missed periods counted (10..15)", ticks >= 10 && ticks <= 15);
	clock_gettime(CLOCK_REALTIME, &now);
	s = spec(ns_of(now) + 20 * MS, 0);
	OK("REALTIME absolute with CANCEL_ON_SET", timerfd_settime(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
	pf.fd = rt;
	VAL("expires", poll(&pf, 1, 1000), 1);
	VAL("read", read(rt, &ticks, 8), 8);
	VAL("once", ticks, 1);
	fdinfo_line("fdinfo clockid", rt, "clockid");
	fdinfo_line("fdinfo flags", rt, "settime flags");
	fdinfo_line("fdinfo ticks", rt, "ticks");

	/* epoll */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	settime(fd, 0, 10 * MS, 0);
	VAL("epoll_wait wakes on expiry", epoll_wait(ep, &ev, 1, 1000), 1);
	CHECK("event", ev.data.u64 == 7 && ev.events == EPOLLIN);
	VAL("edge consumed", epoll_wait(ep, &ev, 1, 0), 0);
	read(fd, &ticks, 8);

	close(ep);
	close(p[0]);
	close(p[1]);
	close(fd);
	close(bt);
	close(rt);
	return finish();
}
