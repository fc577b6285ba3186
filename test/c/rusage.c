// getrusage (SELF, THREAD, CHILDREN) and times: CPU time after busy work agrees with the CPU
// clocks, user time dominates a busy loop, maxrss grows with touched memory, children's times
// after wait, voluntary context switches, errnos.
#include "common.h"
#include <sys/times.h>
#include <sys/wait.h>
static long long tv_ns(struct timeval tv) { return (tv.tv_sec * 1000000LL + tv.tv_usec) * 1000LL; }
static long long total_ns(const struct rusage *r) { return tv_ns(r->ru_utime) + tv_ns(r->ru_stime); }

/* Burns `ns` of process CPU time, mostly in user mode (the clock is read rarely: each read is a
 * syscall, which a sandbox serves in its kernel, as system time). */
static void burn(long long ns)
{
	long long end = now_ns(CLOCK_PROCESS_CPUTIME_ID) + ns;
	volatile unsigned long x = 0;
	while (now_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 1000000; i++)
			x += i;
}

int main(void)
{
	struct rusage a, b, th, ch;

	/* before any child: RUSAGE_CHILDREN is all zero */
	memset(&ch, 0x55, sizeof ch);
	OK("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &ch));
	CHECK("  zero before any child", total_ns(&ch) == 0 && ch.ru_maxrss == 0);

	/* busy work shows up as user time, consistent with the CPU clock */
	OK("getrusage SELF", getrusage(RUSAGE_SELF, &a));
	CHECK("  maxrss > 0", a.ru_maxrss > 0);
	burn(50000000);
	long long before = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	getrusage(RUSAGE_SELF, &b);
	long long after = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	/* Linux rounds and keeps utime/stime monotonic (cputime_adjust): allow 10ms either way */
	CHECK("utime+stime agrees with the CPU clock", total_ns(&b) >= before - 10000000 && total_ns(&b) <= after + 10000000);
	long long du = tv_ns(b.ru_utime) - tv_ns(a.ru_utime);
	long long ds = tv_ns(b.ru_stime) - tv_ns(a.ru_stime);
	CHECK("busy loop: utime grew >= 40ms", du >= 40000000);
	CHECK("busy loop: utime grew more than stime", du > ds);
	CHECK("times never go backwards", tv_ns(b.ru_utime) >= tv_ns(a.ru_utime) && tv_ns(b.ru_stime) >= tv_ns(a.ru_stime));
	CHECK("usec fields < 1000000", b.ru_utime.tv_usec < 1000000 && b.ru_stime.tv_usec < 1000000);

	/* RUSAGE_THREAD: the only thread has the process's time */
	OK("getrusage THREAD", getrusage(RUSAGE_THREAD, &th));
	getrusage(RUSAGE_SELF, &b);
	CHECK("  thread time <= process time", total_ns(&th) <= total_ns(&b));
	CHECK("  thread time >= 40ms", total_ns(&th) >= 40000000);
	long long tclk = now_ns(CLOCK_THREAD_CPUTIME_ID);
	CHECK("  CLOCK_THREAD_CPUTIME_ID >= thread time", tclk >= total_ns(&th));

	/* maxrss follows touched memory (in a child: a process inherits its peak from before exec,
	 * which here may be the test runner's) */
	pid_t pid = fork();
	if (pid == 0) {
		struct rusage x, y, z;
		getrusage(RUSAGE_SELF, &x);
		size_t len = 16 << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
		getrusage(RUSAGE_SELF, &y);
		munmap(p, len);
		getrusage(RUSAGE_SELF, &z);
		_exit((y.ru_maxrss - x.ru_maxrss >= 15 * 1024 ? 0 : 1) | (z.ru_maxrss >= y.ru_maxrss ? 0 : 2));
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("maxrss grew by >= 15 MiB after touching 16 MiB", WIFEXITED(st) && !(WEXITSTATUS(st) & 1));
	CHECK("maxrss is a peak: unmapping does not lower it", WIFEXITED(st) && !(WEXITSTATUS(st) & 2));

	/* blocking waits are voluntary context switches */
	getrusage(RUSAGE_SELF, &a);
	for (int i = 0; i < 5; i++)
		usleep(1000);
	getrusage(RUSAGE_SELF, &b);
	CHECK("5 sleeps: nvcsw grew by >= 5", b.ru_nvcsw - a.ru_nvcsw >= 5);

	/* children: counted once reaped */
	struct rusage ch0;
	getrusage(RUSAGE_CHILDREN, &ch0);
	pid = fork();
	if (pid == 0) {
		burn(40000000);
		_exit(0);
	}
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	getrusage(RUSAGE_CHILDREN, &ch);
	CHECK("exited but not reaped: not counted", total_ns(&ch) == total_ns(&ch0));
	waitpid(pid, &st, 0);
	getrusage(RUSAGE_CHILDREN, &ch);
	CHECK("reaped child: children time grew >= 40ms", total_ns(&ch) - total_ns(&ch0) >= 40000000);
	CHECK("reaped child: children utime grew more than stime",
	      tv_ns(ch.ru_utime) - tv_ns(ch0.ru_utime) > tv_ns(ch.ru_stime) - tv_ns(ch0.ru_stime));

	/* times(2) agrees with getrusage */
	struct tms tm;
	OK("times", times(&tm));
	long hz = sysconf(_SC_CLK_TCK);
	VAL("clock ticks per second", hz, 100);
	getrusage(RUSAGE_SELF, &b);
	CHECK("tms_utime+tms_stime within a tick of getrusage",
	      llabs((long long)(tm.tms_utime + tm.tms_stime) * 10000000LL - total_ns(&b)) <= 20000000LL);
	CHECK("tms_cutime+tms_cstime >= 3 ticks", tm.tms_cutime + tm.tms_cstime >= 3);
	CHECK("tms_cutime+tms_cstime agrees with RUSAGE_CHILDREN",
	      llabs((long long)(tm.tms_cutime + tm.tms_cstime) * 10000000LL - total_ns(&ch)) <= 20000000LL);
	clock_t t1 = times(NULL);
	usleep(30000);
	clock_t t2 = times(NULL);
	CHECK("times(NULL) counts elapsed ticks", t2 - t1 >= 2 && t2 - t1 < 500);

	/* errnos */
	ERR("getrusage who 2", getrusage(2, &a), EINVAL);
	ERR("getrusage who -2 (RUSAGE_BOTH)", getrusage(-2, &a), EINVAL);
	ERR("getrusage bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, BADPTR), EFAULT);
	ERR("times bad pointer", syscall(SYS_times, BADPTR), EFAULT);
	return finish();
}
