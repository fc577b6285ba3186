// clock_gettime, clock_getres, gettimeofday, time: monotonicity, consistency, errnos.
// Prints no absolute times: only orderings and bounds.
#include "common.h"
#include <sys/time.h>

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

/* settable: the clock may be stepped by NTP, so only validity is checked, not monotonicity */
static const struct { int id; const char *name; int hires, settable; } clocks[] = {
	{ CLOCK_REALTIME, "REALTIME", 1, 1 },
	{ CLOCK_MONOTONIC, "MONOTONIC", 1, 0 },
	{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID", 1, 0 },
	{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID", 1, 0 },
	{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW", 1, 0 },
	{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE", 0, 1 },
	{ CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE", 0, 0 },
	{ CLOCK_BOOTTIME, "BOOTTIME", 1, 0 },
	{ CLOCK_TAI, "TAI", 1, 1 },
};

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long cg(int id, struct timespec *t) { return syscall(SYS_clock_gettime, id, t); }

int main(void)
{
	struct timespec t, u, r;
	for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		char label[64];
		snprintf(label, sizeof label, "clock_gettime %s", clocks[i].name);
		OK(label, cg(clocks[i].id, &t));
		int mono = 1;
		struct timespec prev = t;
		for (int k = 0; k < 200; k++) {
			cg(clocks[i].id, &t);
			if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000 || (!clocks[i].settable && ns(t) < ns(prev)))
				mono = 0;
			prev = t;
		}
		snprintf(label, sizeof label, "  %s valid%s", clocks[i].name, clocks[i].settable ? "" : " and non-decreasing");
		CHECK(label, mono);
		r.tv_sec = -1;
		snprintf(label, sizeof label, "  clock_getres %s", clocks[i].name);
		OK(label, syscall(SYS_clock_getres, clocks[i].id, &r));
		snprintf(label, sizeof label, "  %s resolution %s", clocks[i].name,
			 clocks[i].hires ? "== 1ns" : "in (0, 10ms]");
		CHECK(label, clocks[i].hires ? (r.tv_sec == 0 && r.tv_nsec == 1)
					     : (r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 10000000));
	}

	/* errnos (raw syscalls: the vDSO would just crash on a bad pointer) */
	ERR("clock_gettime clock 100", cg(100, &t), EINVAL);
	ERR("clock_gettime clock 16 (MAX_CLOCKS)", cg(16, &t), EINVAL);
	ERR("clock_gettime clock 10 (unused)", cg(10, &t), EINVAL);
	ERR("clock_gettime bad pointer", cg(CLOCK_MONOTONIC, BADPTR), EFAULT);
	ERR("clock_gettime NULL", cg(CLOCK_REALTIME, NULL), EFAULT);
	ERR("clock_getres clock 100", syscall(SYS_clock_getres, 100, &r), EINVAL);
	VAL("clock_getres NULL is allowed", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
	ERR("clock_getres bad pointer", syscall(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR), EFAULT);
	/* CPU clock of the calling process: MAKE_PROCESS_CPUCLOCK(0, CPUCLOCK_SCHED) */
	VAL("clock_gettime own process CPU clock (-6)", cg(-6, &t), 0);
	ERR("clock_gettime CPU clock of a nonexistent pid",
	    cg((int)((~0x3ffffffU) << 3) | 2, &t), EINVAL);

	/* relationships between clocks */
	cg(CLOCK_MONOTONIC, &t);
	cg(CLOCK_BOOTTIME, &u);
	CHECK("BOOTTIME >= MONOTONIC", ns(u) >= ns(t));
	cg(CLOCK_REALTIME, &t);
	CHECK("REALTIME after 2020-01-01", t.tv_sec > 1577836800);
	cg(CLOCK_REALTIME_COARSE, &u);
	CHECK("REALTIME_COARSE within 1s of REALTIME", llabs(ns(u) - ns(t)) < 1000000000LL);
	cg(CLOCK_TAI, &u);
	CHECK("TAI within 60s of REALTIME", llabs(u.tv_sec - t.tv_sec) < 60);

	/* CPU time advances with work */
	struct timespec c0, c1;
	cg(CLOCK_PROCESS_CPUTIME_ID, &c0);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 20000000; i++)
		x += i;
	/* thread clock first: time spent between the two reads (a sandbox's syscall round trip) cannot skew it */
	cg(CLOCK_THREAD_CPUTIME_ID, &u);
	cg(CLOCK_PROCESS_CPUTIME_ID, &c1);
	CHECK("PROCESS_CPUTIME advanced by busy loop", ns(c1) > ns(c0));
	CHECK("THREAD_CPUTIME <= PROCESS_CPUTIME (+1ms)", ns(u) <= ns(c1) + 1000000);

	/* gettimeofday */
	struct timeval tv;
	struct { int minuteswest, dsttime; } tz = { 12345, 12345 };
	VAL("gettimeofday", syscall(SYS_gettimeofday, &tv, &tz), 0);
	CHECK("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK("tz filled in", tz.minuteswest != 12345);
	VAL("gettimeofday NULL, NULL", syscall(SYS_gettimeofday, NULL, NULL), 0);
	ERR("gettimeofday bad tv", syscall(SYS_gettimeofday, BADPTR, NULL), EFAULT);
	ERR("gettimeofday bad tz", syscall(SYS_gettimeofday, &tv, BADPTR), EFAULT);
	cg(CLOCK_REALTIME, &t);
	syscall(SYS_gettimeofday, &tv, NULL);
	CHECK("gettimeofday within 1s of REALTIME", llabs(tv.tv_sec - t.tv_sec) <= 1);
	CHECK("libc gettimeofday agrees", gettimeofday(&tv, NULL) == 0 && llabs(tv.tv_sec - t.tv_sec) <= 1);

	/* time */
	time_t tt = 0;
	long now = syscall(SYS_time, NULL);
	CHECK("time(NULL) within 1s of REALTIME", labs(now - t.tv_sec) <= 1);
	long now2 = syscall(SYS_time, &tt);
	CHECK("time(&t) stores the same value", now2 == tt);
	ERR("time(bad pointer)", syscall(SYS_time, BADPTR), EFAULT);
	CHECK("libc time() agrees", labs(time(NULL) - now) <= 1);
	CHECK("libc clock_gettime agrees", clock_gettime(CLOCK_REALTIME, &u) == 0 && llabs(u.tv_sec - t.tv_sec) <= 1);
	return finish();
}
