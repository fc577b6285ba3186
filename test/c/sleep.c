// nanosleep, clock_nanosleep: short sleeps last at least as asked, TIMER_ABSTIME, EINVAL, EFAULT.
#include "common.h"

#ifndef TIMER_ABSTIME
#define TIMER_ABSTIME 1
#endif

static long long now(int clk)
{
	struct timespec t;
	syscall(SYS_clock_gettime, clk, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct timespec ts(long long n) { return (struct timespec){ n / 1000000000LL, n % 1000000000LL }; }

int main(void)
{
	struct timespec req, rem;

	/* nanosleep */
	req = ts(2000000);
	rem.tv_sec = 77;
	rem.tv_nsec = 77;
	long long t0 = now(CLOCK_MONOTONIC);
	VAL("nanosleep 2ms", syscall(SYS_nanosleep, &req, &rem), 0);
	long long el = now(CLOCK_MONOTONIC) - t0;
	CHECK("slept >= 2ms", el >= 2000000);
	CHECK("slept < 5s", el < 5000000000LL);
	CHECK("rem untouched when not interrupted", rem.tv_sec == 77 && rem.tv_nsec == 77);
	req = ts(0);
	VAL("nanosleep 0", syscall(SYS_nanosleep, &req, NULL), 0);
	req = ts(1);
	VAL("nanosleep 1ns, rem NULL", syscall(SYS_nanosleep, &req, NULL), 0);
	req.tv_sec = 0;
	req.tv_nsec = 1000000000;
	ERR("nanosleep tv_nsec = 1e9", syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_nsec = -1;
	ERR("nanosleep tv_nsec = -1", syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	ERR("nanosleep tv_sec = -1", syscall(SYS_nanosleep, &req, NULL), EINVAL);
	ERR("nanosleep bad req", syscall(SYS_nanosleep, BADPTR, NULL), EFAULT);
	ERR("nanosleep NULL req", syscall(SYS_nanosleep, NULL, NULL), EFAULT);
	req = ts(1000);
	VAL("nanosleep bad rem (unused)", syscall(SYS_nanosleep, &req, BADPTR), 0);

	/* clock_nanosleep, relative */
	req = ts(3000000);
	t0 = now(CLOCK_MONOTONIC);
	VAL("clock_nanosleep MONOTONIC 3ms", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL), 0);
	CHECK("slept >= 3ms", now(CLOCK_MONOTONIC) - t0 >= 3000000);
	req = ts(1000000);
	t0 = now(CLOCK_MONOTONIC);
	VAL("clock_nanosleep REALTIME 1ms", syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &req, NULL), 0);
	CHECK("slept >= 1ms", now(CLOCK_MONOTONIC) - t0 >= 1000000);
	VAL("clock_nanosleep BOOTTIME 1ms", syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &req, NULL), 0);

	/* clock_nanosleep, absolute */
	long long target = now(CLOCK_MONOTONIC) + 3000000;
	req = ts(target);
	VAL("clock_nanosleep MONOTONIC abs +3ms",
	    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0);
	CHECK("woke at or after the deadline", now(CLOCK_MONOTONIC) >= target);
	req = ts(now(CLOCK_MONOTONIC) - 1000000000LL);
	t0 = now(CLOCK_MONOTONIC);
	VAL("clock_nanosleep abs in the past", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0);
	CHECK("returned promptly (< 1s)", now(CLOCK_MONOTONIC) - t0 < 1000000000LL);
	req = ts(0);
	VAL("clock_nanosleep abs time 0", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0);
	target = now(CLOCK_REALTIME) + 2000000;
	req = ts(target);
	VAL("clock_nanosleep REALTIME abs +2ms",
	    syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &req, NULL), 0);
	CHECK("woke at or after the deadline", now(CLOCK_REALTIME) >= target);

	/* errnos */
	req = ts(1000);
	ERR("clock_nanosleep clock 100", syscall(SYS_clock_nanosleep, 100, 0, &req, NULL), EINVAL);
	/* clocks that cannot sleep: EINVAL in old kernels and the man page, EOPNOTSUPP in current ones */
	ERR2("clock_nanosleep THREAD_CPUTIME_ID", syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL, EOPNOTSUPP);
	ERR2("clock_nanosleep MONOTONIC_RAW", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &req, NULL), EINVAL, EOPNOTSUPP);
	ERR2("clock_nanosleep MONOTONIC_COARSE", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &req, NULL), EINVAL, EOPNOTSUPP);
	req.tv_nsec = 1000000000;
	ERR("clock_nanosleep tv_nsec = 1e9", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
	req.tv_nsec = -5;
	ERR("clock_nanosleep tv_nsec < 0", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	ERR("clock_nanosleep tv_sec = -1 (relative)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
	ERR("clock_nanosleep bad req", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR, NULL), EFAULT);

	/* libc wrapper returns the error number instead of setting errno */
	req.tv_sec = 0;
	req.tv_nsec = 1000000000;
	int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	say("libc clock_nanosleep bad nsec returns: %s\n", errname(e));
	req = ts(1000);
	VAL("libc nanosleep 1us", nanosleep(&req, NULL), 0);
	VAL("usleep(1000)", usleep(1000), 0);
	return finish();
}
