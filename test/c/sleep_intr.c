// Sleeps interrupted by signals: nanosleep and clock_nanosleep return EINTR (even with SA_RESTART)
// and report the time left in rem for relative sleeps; ignored and blocked signals do not cut a
// sleep short; pause, usleep, sleep; clock_nanosleep on the process CPU clock.
#include "common.h"
#include <sys/time.h>

#ifndef TIMER_ABSTIME
#define TIMER_ABSTIME 1
#endif

static volatile int hits;
static void on_alrm(int s) { (void)s; hits++; }
static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static void handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alrm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
}

/* SIGALRM in `us` microseconds. */
static void alarm_in(long us)
{
	struct itimerval v = { { 0, 0 }, { us / 1000000, us % 1000000 } };
	setitimer(ITIMER_REAL, &v, NULL);
}

int main(void)
{
	struct timespec req = { 1, 0 }, rem;

	handler(0);
	alarm_in(30000);
	rem.tv_sec = rem.tv_nsec = 77;
	long long t0 = now_ns(CLOCK_MONOTONIC);
	ERR("nanosleep 1s, SIGALRM after 30ms", syscall(SYS_nanosleep, &req, &rem), EINTR);
	long long el = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK("  woke early (< 900ms)", el < 900000000);
	VAL("  handler ran", hits, 1);
	CHECK("  rem in (0, 1s)", ns(rem) > 0 && ns(rem) < 1000000000);
	CHECK("  rem + elapsed >= 1s", ns(rem) + el >= 1000000000 - 1000000);
	CHECK("  rem.tv_nsec valid", rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000);

	handler(SA_RESTART);
	alarm_in(20000);
	ERR("nanosleep with SA_RESTART still EINTR", syscall(SYS_nanosleep, &req, &rem), EINTR);
	alarm_in(20000);
	ERR("nanosleep rem NULL", syscall(SYS_nanosleep, &req, NULL), EINTR);
	handler(0);

	/* clock_nanosleep: relative reports rem, absolute does not touch it */
	alarm_in(20000);
	rem.tv_sec = rem.tv_nsec = 77;
	ERR("clock_nanosleep MONOTONIC 1s", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
	CHECK("  rem in (0.9s, 1s)", ns(rem) > 900000000 && ns(rem) < 1000000000);
	alarm_in(20000);
	ERR("clock_nanosleep REALTIME 1s", syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &req, &rem), EINTR);
	CHECK("  rem in (0.9s, 1s)", ns(rem) > 900000000 && ns(rem) < 1000000000);
	struct timespec abs = { 0, 0 };
	long long target = now_ns(CLOCK_MONOTONIC) + 1000000000LL;
	abs.tv_sec = target / 1000000000LL;
	abs.tv_nsec = target % 1000000000LL;
	alarm_in(20000);
	rem.tv_sec = rem.tv_nsec = 77;
	ERR("clock_nanosleep TIMER_ABSTIME", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, &rem), EINTR);
	CHECK("  rem untouched", rem.tv_sec == 77 && rem.tv_nsec == 77);
	alarm_in(20000);
	int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	say("libc clock_nanosleep interrupted returns: %s\n", errname(e));

	/* an ignored signal does not interrupt */
	signal(SIGALRM, SIG_IGN);
	alarm_in(10000);
	req.tv_sec = 0;
	req.tv_nsec = 50000000;
	t0 = now_ns(CLOCK_MONOTONIC);
	VAL("nanosleep 50ms, ignored SIGALRM at 10ms", syscall(SYS_nanosleep, &req, &rem), 0);
	CHECK("  slept >= 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50000000);

	/* a blocked signal does not interrupt; it is taken when unblocked */
	handler(0);
	hits = 0;
	sigset_t blk, prev, pend;
	sigemptyset(&blk);
	sigaddset(&blk, SIGALRM);
	sigprocmask(SIG_BLOCK, &blk, &prev);
	alarm_in(10000);
	t0 = now_ns(CLOCK_MONOTONIC);
	VAL("nanosleep 50ms, blocked SIGALRM at 10ms", syscall(SYS_nanosleep, &req, &rem), 0);
	CHECK("  slept >= 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50000000);
	sigpending(&pend);
	CHECK("  SIGALRM pending", sigismember(&pend, SIGALRM));
	sigprocmask(SIG_SETMASK, &prev, NULL);
	VAL("  handler ran on unblocking", hits, 1);

	/* pause, usleep, sleep */
	alarm_in(20000);
	ERR("pause", pause(), EINTR);
	alarm_in(20000);
	ERR("usleep 1s", usleep(1000000), EINTR);
	alarm_in(20000);
	unsigned left = sleep(2);
	CHECK("sleep(2) interrupted reports 1 or 2 s left", left == 1 || left == 2);

	/* the process CPU clock does not advance while its only thread sleeps on it */
	alarm_in(30000);
	req.tv_sec = 0;
	req.tv_nsec = 10000000;
	rem.tv_sec = rem.tv_nsec = 77;
	ERR("clock_nanosleep PROCESS_CPUTIME_ID 10ms", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &req, &rem), EINTR);
	CHECK("  rem in (0, 10ms]", ns(rem) > 0 && ns(rem) <= 10000000);
	long long cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	abs.tv_sec = (cpu - 1000000) / 1000000000LL;
	abs.tv_nsec = (cpu - 1000000) % 1000000000LL;
	VAL("clock_nanosleep PROCESS_CPUTIME_ID absolute, in the past", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &abs, NULL), 0);
	return finish();
}
