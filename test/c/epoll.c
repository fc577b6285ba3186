// epoll: ctl errnos, level/edge/oneshot with pipes and eventfds, ready-list order, close removal, nesting, fdinfo, timeouts, timer wake-ups.
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, op, fd, &ev);
}

static struct epoll_event evs[8];

/* epoll_wait with timeout 0; prints the events as "data:events" pairs. */
static void show(const char *label, int ep, int max)
{
	int n = epoll_wait(ep, evs, max, 0);
	char buf[256];
	int k = 0;
	if (n < 0) {
		say("%s: %s\n", label, errname(errno));
		return;
	}
	k += snprintf(buf + k, sizeof buf - k, "%d", n);
	for (int i = 0; i < n; i++)
		k += snprintf(buf + k, sizeof buf - k, " %llu:%#x", (unsigned long long)evs[i].data.u64, evs[i].events);
	say("%s: %s\n", label, buf);
}

/* "events: ... data: ..." of the first item in /proc/self/fdinfo/EP (fd numbers, inodes left out). */
static void fdinfo_item(const char *label, int ep)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ep);
	int f = open(path, O_RDONLY);
	long n = f < 0 ? -1 : read(f, buf, sizeof buf - 1);
	if (f >= 0)
		close(f);
	buf[n > 0 ? n : 0] = 0;
	char *a = strstr(buf, "events:"), *b = a ? strstr(a, "  pos:") : NULL;
	if (b)
		*b = 0;
	say("%s: %s\n", label, b ? a : "(missing)");
}

int main(void)
{
	int p[2], q[2], r[2];
	uint64_t v = 1;
	char c, link[64];
	pipe(p);
	pipe(q);
	pipe(r);

	/* creation */
	ERR("epoll_create(0)", syscall(SYS_epoll_create, 0), EINVAL);
	ERR("epoll_create1 bad flags", epoll_create1(1), EINVAL);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	VAL("EPOLL_CLOEXEC", fcntl(ep, F_GETFD), FD_CLOEXEC);
	snprintf(link, sizeof link, "/proc/self/fd/%d", ep);
	char target[64] = "";
	readlink(link, target, sizeof target - 1);
	say("link: %s\n", target);
	ERR("read an epoll fd", read(ep, &v, 8), EINVAL);
	int ep2 = epoll_create(1);
	OK("epoll_create(1)", ep2);

	/* epoll_ctl errors */
	int file = open("/proc/self/cmdline", O_RDONLY);
	ERR("ADD a regular file", ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN, 0), EPERM);
	ERR("ADD itself", ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), EINVAL);
	ERR("epfd not an epoll", ctl(p[0], EPOLL_CTL_ADD, q[0], EPOLLIN, 0), EINVAL);
	ERR("bad epfd", ctl(999, EPOLL_CTL_ADD, q[0], EPOLLIN, 0), EBADF);
	ERR("bad fd", ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 0), EBADF);
	ERR("bad event pointer", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BADPTR), EFAULT);
	ERR("DEL missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	ERR("MOD missing", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), ENOENT);
	ERR("bad op", ctl(ep, 42, p[0], EPOLLIN, 0), EINVAL);
	OK("ADD", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
	ERR("ADD again", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), EEXIST);
	OK("DEL with NULL event", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	ERR("EXCLUSIVE|ONESHOT", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0), EINVAL);
	ERR("EXCLUSIVE|RDHUP", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP, 0), EINVAL);
	ERR("EXCLUSIVE on an epoll", ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN | EPOLLEXCLUSIVE, 0), EINVAL);
	OK("ADD EXCLUSIVE|ET", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 0));
	ERR("MOD an exclusive item", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), EINVAL);
	ERR("MOD to EXCLUSIVE", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0), EINVAL);
	OK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	OK("EPOLLWAKEUP accepted", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLWAKEUP | EPOLLRDHUP, 0));
	OK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	OK("nest ep in ep2", ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 0));
	ERR("loop ep2 in ep", ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 0), ELOOP);
	OK("unnest", epoll_ctl(ep2, EPOLL_CTL_DEL, ep, NULL));

	/* epoll_wait errors */
	ERR("maxevents 0", syscall(SYS_epoll_wait, ep, evs, 0, 0), EINVAL);
	ERR("maxevents -1", syscall(SYS_epoll_wait, ep, evs, -1, 0), EINVAL);
	ERR("wait on a pipe", syscall(SYS_epoll_wait, p[0], evs, 1, 0), EINVAL);
	ERR("wait on a bad fd", syscall(SYS_epoll_wait, 999, evs, 1, 0), EBADF);
	ERR("events in the kernel half", syscall(SYS_epoll_wait, ep, KPTR, 1, 0), EFAULT);
	show("empty", ep, 8);

	/* level-triggered */
	OK("ADD p[0] LT", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x1122334455667788ULL));
	show("nothing yet", ep, 8);
	fdinfo_item("fdinfo", ep);
	write(p[1], "ab", 2);
	show("readable", ep, 8);
	show("still readable (level)", ep, 8);
	ERR("NULL events with one ready", syscall(SYS_epoll_wait, ep, NULL, 1, 0), EFAULT);
	show("event kept after EFAULT", ep, 8);
	read(p[0], &c, 1);
	show("one byte left", ep, 8);
	read(p[0], &c, 1);
	show("drained", ep, 8);
	OK("MOD to IN|OUT on the read end", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLOUT, 7));
	show("read end never writable", ep, 8);
	OK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

	/* edge-triggered pipe */
	OK("ADD p[0] ET", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 2));
	write(p[1], "abc", 3);
	show("edge", ep, 8);
	show("no new edge", ep, 8);
	read(p[0], &c, 1);
	show("partial read: no edge", ep, 8);
	write(p[1], "d", 1);
	show("new data: edge", ep, 8);
	write(p[1], "e", 1);
	read(p[0], link, sizeof link);
	show("data came and went", ep, 8);
	OK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

	/* edge-triggered eventfd */
	int efd = eventfd(0, EFD_NONBLOCK);
	OK("ADD eventfd IN|OUT ET", ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLOUT | EPOLLET, 3));
	show("writable at ADD", ep, 8);
	show("no new edge", ep, 8);
	write(efd, &v, 8);
	show("write: IN|OUT", ep, 8);
	v = 0;
	write(efd, &v, 8);
	show("write of 0 is an edge too", ep, 8);
	read(efd, &v, 8);
	show("read: OUT", ep, 8);
	OK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

	/* oneshot */
	OK("ADD ONESHOT", ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLONESHOT, 4));
	v = 5;
	write(efd, &v, 8);
	show("fires once", ep, 8);
	show("then disabled", ep, 8);
	write(efd, &v, 8);
	show("disabled even on new events", ep, 8);
	ERR("ADD again", ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 4), EEXIST);
	OK("MOD rearms", ctl(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLONESHOT, 5));
	show("ready again", ep, 8);
	show("and disabled", ep, 8);
	OK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
	read(efd, &v, 8);

	/* ready list order: unreported items first, level items go to the back */
	write(p[1], "x", 1);
	write(q[1], "x", 1);
	write(r[1], "x", 1);
	ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 10);
	ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 11);
	ctl(ep, EPOLL_CTL_ADD, r[0], EPOLLIN, 12);
	show("max 2", ep, 2);
	show("max 2 again", ep, 2);
	show("max 3", ep, 3);
	epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, r[0], NULL);

	/* hang-up is always reported */
	close(p[1]);
	read(p[0], &c, 1);
	show("writer gone", ep, 8);
	ctl(ep, EPOLL_CTL_MOD, p[0], 0, 13);
	show("events 0 still gets HUP", ep, 8);

	/* closing the last reference removes the item */
	int d = dup(p[0]);
	close(p[0]);
	show("dup keeps the item alive", ep, 8);
	ERR("DEL through the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
	close(d);
	show("last close removed it", ep, 8);
	pipe(p);
	OK("same fd number can be added again", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 14));
	int p0dup = dup(p[0]);
	OK("a dup is a different item", ctl(ep, EPOLL_CTL_ADD, p0dup, EPOLLIN, 15));
	write(p[1], "y", 1);
	/* wake-up order differs between kernels' wait queues: check the set */
	VAL("both items", epoll_wait(ep, evs, 8, 0), 2);
	CHECK("14 and 15", evs[0].data.u64 + evs[1].data.u64 == 29 && evs[0].events == EPOLLIN);
	read(p[0], &c, 1);
	OK("DEL the dup", epoll_ctl(ep, EPOLL_CTL_DEL, p0dup, NULL));
	close(p0dup);

	/* nesting */
	OK("nest ep in ep2", ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 20));
	show("inner not ready", ep2, 8);
	write(p[1], "z", 1);
	show("inner ready", ep2, 8);
	struct pollfd pf = { ep, POLLIN | POLLOUT, 0 };
	VAL("poll an epoll fd", poll(&pf, 1, 0), 1);
	VALX("POLLIN only", pf.revents, POLLIN);
	read(p[0], &c, 1);
	show("inner drained", ep2, 8);
	int ep3 = epoll_create1(0);
	OK("three levels", ctl(ep3, EPOLL_CTL_ADD, ep2, EPOLLIN, 30));
	ERR("loop through two levels", ctl(ep, EPOLL_CTL_ADD, ep3, EPOLLIN, 0), ELOOP);
	write(p[1], "z", 1);
	show("outermost sees it", ep3, 8);
	read(p[0], &c, 1);
	close(ep3);
	int chain[7];
	chain[0] = epoll_create1(0);
	for (int i = 1; i < 7; i++) {
		char label[32];
		chain[i] = epoll_create1(0);
		snprintf(label, sizeof label, "chain depth %d", i);
		CT_RUN(ctl(chain[i], EPOLL_CTL_ADD, chain[i - 1], EPOLLIN, i));
		say("%s: %s\n", label, ct_ret == 0 ? "ok" : errname(ct_err));
	}
	for (int i = 0; i < 7; i++)
		close(chain[i]);

	/* blocking, timeouts */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	VAL("timeout 40ms", epoll_wait(ep, evs, 8, 40), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK("waited", (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 35);
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000000 } };
	timerfd_settime(tfd, 0, &its, NULL);
	ctl(ep, EPOLL_CTL_ADD, tfd, EPOLLIN, 40);
	VAL("timerfd wakes epoll_wait(-1)", epoll_wait(ep, evs, 8, -1), 1);
	CHECK("the timer", evs[0].data.u64 == 40 && evs[0].events == EPOLLIN);
	read(tfd, &v, 8);
	timerfd_settime(tfd, 0, &its, NULL);
	VAL("nested: wakes the outer epoll", epoll_wait(ep2, evs, 8, -1), 1);
	read(tfd, &v, 8);

	close(tfd);
	close(efd);
	close(ep2);
	close(ep);
	close(file);
	return finish();
}
