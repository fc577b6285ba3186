// epoll_pwait, epoll_pwait2: the temporary sigmask, pending signals (EINTR vs events vs zero timeout), timespec timeouts, EINTR from a SA_RESTART handler.
#include "common.h"
#include <sys/epoll.h>
#include <sys/time.h>
#include <sys/timerfd.h>

static volatile int got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }

static int blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

int main(void)
{
	struct epoll_event evs[8];
	int p[2];
	char c;
	uint64_t v;
	pipe(p);
	int ep = epoll_create1(0);
	int ep2 = epoll_create1(0);
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000000 } };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 14 };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	ev.data.u64 = 40;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.u64 = 20;
	epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev);

	sigset_t usr1 = block_with_handler(SIGUSR1, on_usr1), none;
	sigemptyset(&none);
	uint64_t mask = 0;
	ERR("pwait sigsetsize 4", syscall(SYS_epoll_pwait, ep, evs, 8, 0, &mask, 4), EINVAL);
	ERR("pwait bad sigmask pointer", syscall(SYS_epoll_pwait, ep, evs, 8, 0, BADPTR, 8), EFAULT);
	ERR("pwait: sigmask read before maxevents is checked", syscall(SYS_epoll_pwait, ep, evs, 0, 0, BADPTR, 8), EFAULT);
	VAL("pwait NULL sigmask", epoll_pwait(ep, evs, 8, 0, NULL), 0);
	kill(getpid(), SIGUSR1);
	VAL("pwait zero timeout, signal pending: 0", epoll_pwait(ep, evs, 8, 0, &none), 0);
	CHECK("handler not run", got_usr1 == 0);
	CHECK("mask restored", blocked(SIGUSR1));
	ERR("pwait blocks, signal pending", epoll_pwait(ep, evs, 8, 5000, &none), EINTR);
	CHECK("handler ran", got_usr1 == 1);
	CHECK("mask restored after handler", blocked(SIGUSR1));
	kill(getpid(), SIGUSR1);
	write(p[1], "w", 1);
	VAL("pwait with an event ready", epoll_pwait(ep, evs, 8, -1, &none), 1);
	CHECK("the pipe", evs[0].data.u64 == 14);
	CHECK("handler not run", got_usr1 == 1);
	read(p[0], &c, 1);
	struct timespec ts = { 0, 1000000000 };
	ERR("pwait2 bad timespec", syscall(SYS_epoll_pwait2, ep, evs, 8, &ts, NULL, 8), EINVAL);
	ERR("pwait2 bad timespec pointer", syscall(SYS_epoll_pwait2, ep, evs, 8, BADPTR, NULL, 8), EFAULT);
	ts = (struct timespec){ 0, 0 };
	VAL("pwait2 zero timeout", syscall(SYS_epoll_pwait2, ep, evs, 8, &ts, NULL, 8), 0);
	ts = (struct timespec){ 0, 30000000 };
	VAL("pwait2 30ms timeout", syscall(SYS_epoll_pwait2, ep, evs, 8, &ts, NULL, 8), 0);
	CHECK("timeout not written back", ts.tv_sec == 0 && ts.tv_nsec == 30000000);
	ERR("pwait2 NULL timeout, signal pending", syscall(SYS_epoll_pwait2, ep, evs, 8, NULL, &mask, 8), EINTR);
	CHECK("handler ran", got_usr1 == 2);
	timerfd_settime(tfd, 0, &its, NULL);
	VAL("pwait2 NULL timeout, timer", syscall(SYS_epoll_pwait2, ep, evs, 8, NULL, &mask, 8), 1);
	CHECK("the timer", evs[0].data.u64 == 40);
	read(tfd, &v, 8);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);

	/* a handler interrupting a blocked wait */
	alarm_in_ms(20, 1);
	ERR("epoll_wait(-1) interrupted by SIGALRM", epoll_wait(ep, evs, 8, -1), EINTR);
	alarm_in_ms(20, 1);
	ERR("nested epoll_wait interrupted", epoll_wait(ep2, evs, 8, 5000), EINTR);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	alarm_in_ms(20, 1);
	ERR("epoll_pwait interrupted, mask kept", epoll_pwait(ep, evs, 8, -1, &usr1), EINTR);
	CHECK("mask restored", blocked(SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);

	close(tfd);
	close(ep2);
	close(ep);
	return finish();
}
