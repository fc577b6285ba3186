// select, pselect6: fd_set results, EBADF, nfds bounds, timeouts (normalised and written back), pselect6's sigmask and EINTR.
#include "common.h"
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/timerfd.h>

static volatile int got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1++; }

/* Raw syscalls: libc wrappers may go through pselect6 or hide the written-back timeout. */
static long sys_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	return syscall(SYS_select, n, r, w, e, tv);
}

struct sigdata { const uint64_t *ss; size_t len; };

static long sys_pselect(int n, fd_set *r, fd_set *w, fd_set *e, struct timespec *ts, struct sigdata *sd)
{
	return syscall(SYS_pselect6, n, r, w, e, ts, sd);
}

static int blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

static long ms_since(struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void)
{
	int p[2];
	fd_set r, w, e;
	struct timeval tv;
	struct timespec t0;
	if (pipe(p))
		return 2;
	int n = (p[0] > p[1] ? p[0] : p[1]) + 1;

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	tv = (struct timeval){ 0, 0 };
	VAL("pipe: only the write end ready", sys_select(n, &r, &w, NULL, &tv), 1);
	CHECK("read end cleared, write end set", !FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));

	write(p[1], "x", 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &e);
	VAL("both ends ready", sys_select(n, &r, &w, &e, &tv), 2);
	CHECK("sets", FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &e));

	int efd = eventfd(1, 0);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(efd, &r);
	FD_SET(efd, &w);
	VAL("one fd readable and writable counts 2", sys_select(efd + 1, &r, &w, NULL, &tv), 2);

	/* errors */
	int closed = dup(p[0]);
	close(closed);
	FD_ZERO(&r);
	FD_SET(closed, &r);
	ERR("closed fd in a set", sys_select(closed + 1, &r, NULL, NULL, &tv), EBADF);
	VAL("closed fd above nfds is ignored", sys_select(closed, &r, NULL, NULL, &tv), 0);
	ERR("nfds < 0", sys_select(-1, NULL, NULL, NULL, &tv), EINVAL);
	ERR("bad fd_set pointer", sys_select(n, BADPTR, NULL, NULL, &tv), EFAULT);
	tv = (struct timeval){ 0, -1 };
	ERR("negative tv_usec", sys_select(0, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){ -1, 0 };
	ERR("negative tv_sec", sys_select(0, NULL, NULL, NULL, &tv), EINVAL);
	ERR("bad timeval pointer", sys_select(0, NULL, NULL, NULL, BADPTR), EFAULT);

	/* a big fd works; nfds far beyond the table is clamped */
	VAL("dup2 to 100", dup2(efd, 100), 100);
	FD_ZERO(&r);
	FD_SET(100, &r);
	tv = (struct timeval){ 0, 0 };
	VAL("fd 100 readable", sys_select(101, &r, NULL, NULL, &tv), 1);
	VAL("nfds 1024", sys_select(1024, &r, NULL, NULL, &tv), 1);
	close(100);

	/* hang-up counts as readable, a vanished reader as writable */
	char c;
	read(p[0], &c, 1);
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	VAL("writer gone: readable", sys_select(p[0] + 1, &r, NULL, NULL, &tv), 1);
	close(p[0]);
	pipe(p);
	n = (p[0] > p[1] ? p[0] : p[1]) + 1;

	/* timeouts */
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 30000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	VAL("timeout 30ms", sys_select(n, &r, NULL, NULL, &tv), 0);
	CHECK("waited", ms_since(&t0) >= 25);
	CHECK("set cleared at timeout", !FD_ISSET(p[0], &r));
	CHECK("remaining time 0", tv.tv_sec == 0 && tv.tv_usec == 0);
	tv = (struct timeval){ 0, 20000 };
	VAL("no sets: a sleep", sys_select(0, NULL, NULL, NULL, &tv), 0);
	tv = (struct timeval){ 0, 1500000 };
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	VAL("tv_usec 1.5s is normalised", sys_select(n, NULL, &w, NULL, &tv), 1);
	CHECK("remaining 1s..1.5s", tv.tv_sec == 1 && tv.tv_usec <= 500000);
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000000 } };
	timerfd_settime(tfd, 0, &its, NULL);
	FD_ZERO(&r);
	FD_SET(tfd, &r);
	VAL("timerfd wakes a blocking select", sys_select(tfd + 1, &r, NULL, NULL, NULL), 1);

	/* pselect6 */
	struct timespec ts = { 0, 1000000000 };
	ERR("pselect6 tv_nsec 1e9", sys_pselect(0, NULL, NULL, NULL, &ts, NULL), EINVAL);
	uint64_t mask = 0;
	struct sigdata sd = { &mask, 4 };
	ts = (struct timespec){ 0, 0 };
	ERR("pselect6 sigsetsize 4", sys_pselect(0, NULL, NULL, NULL, &ts, &sd), EINVAL);
	ERR("pselect6 bad sigdata pointer", sys_pselect(0, NULL, NULL, NULL, &ts, BADPTR), EFAULT);
	ts = (struct timespec){ 0, 10000000 };
	VAL("pselect6 times out", sys_pselect(0, NULL, NULL, NULL, &ts, NULL), 0);
	CHECK("remaining time 0", ts.tv_sec == 0 && ts.tv_nsec == 0);

	sigset_t usr1 = block_with_handler(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1);
	sd.len = 8;
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	VAL("pselect6 ready, mask unblocks a pending signal", sys_pselect(n, NULL, &w, NULL, NULL, &sd), 1);
	CHECK("handler did not run", got_usr1 == 0);
	CHECK("mask restored", blocked(SIGUSR1));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ts = (struct timespec){ 5, 0 };
	ERR("pselect6 blocks, signal pending", sys_pselect(n, &r, NULL, NULL, &ts, &sd), EINTR);
	CHECK("handler ran", got_usr1 == 1);
	CHECK("read set untouched after EINTR", FD_ISSET(p[0], &r));
	CHECK("remaining time written", ts.tv_sec >= 4 && ts.tv_sec <= 5);
	CHECK("mask restored after handler", blocked(SIGUSR1));
	kill(getpid(), SIGUSR1);
	ts = (struct timespec){ 0, 0 };
	ERR("pselect6 zero timeout, signal pending", sys_pselect(n, &r, NULL, NULL, &ts, &sd), EINTR);
	CHECK("handler ran again", got_usr1 == 2);
	sd.ss = NULL;
	kill(getpid(), SIGUSR1);
	ts = (struct timespec){ 0, 5000000 };
	VAL("pselect6 NULL mask keeps the signal blocked", sys_pselect(n, &r, NULL, NULL, &ts, &sd), 0);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	CHECK("delivered on unblock", got_usr1 == 3);

	/* a handler interrupting a blocked wait */
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	alarm_in_ms(20, 1);
	ERR("select(NULL timeout) interrupted by SIGALRM", sys_select(n, &r, NULL, NULL, NULL), EINTR);
	CHECK("set untouched", FD_ISSET(p[0], &r));
	alarm_in_ms(20, 1);
	tv = (struct timeval){ 5, 0 };
	ERR("select(5s) interrupted", sys_select(n, &r, NULL, NULL, &tv), EINTR);
	CHECK("remaining time written", tv.tv_sec >= 4 && tv.tv_sec <= 5);
	alarm_in_ms(20, 1);
	ts = (struct timespec){ 5, 0 };
	ERR("pselect6 interrupted", sys_pselect(n, &r, NULL, NULL, &ts, NULL), EINTR);
	CHECK("remaining time written", ts.tv_sec >= 4 && ts.tv_sec <= 5);

	close(tfd);
	close(efd);
	return finish();
}
