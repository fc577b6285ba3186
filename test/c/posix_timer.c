// timer_create/settime/gettime/getoverrun/delete (raw syscalls): SIGEV_SIGNAL siginfo, NULL sevp,
// periodic timers, overruns while the signal is blocked, SIGEV_NONE, TIMER_ABSTIME, SIGEV_THREAD_ID,
// CPU-clock timers, fork, execve, errnos.
#include "common.h"
#include <sys/time.h>
#include <sys/wait.h>

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#ifndef TIMER_ABSTIME
#define TIMER_ABSTIME 1
#endif

#define SIG_A 40 /* real-time signals free in both glibc and musl */
#define SIG_B 41

/* The kernel's struct sigevent (musl's lacks sigev_notify_thread_id). */
struct k_sigevent {
	union sigval value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};

static volatile int count_a, count_b, count_alrm;
static volatile int a_code, a_overrun, a_timerid, a_getoverrun, alrm_value, alrm_code;
static volatile long a_value;
static volatile int kid; /* timer the SIG_A handler asks timer_getoverrun about */
static volatile int disarm_first; /* the SIG_A handler disarms kid after the first signal */

static long tcreate(int clk, struct k_sigevent *ev, int *id) { return syscall(SYS_timer_create, clk, ev, id); }
static long tset(int id, int flags, const struct itimerspec *n, struct itimerspec *o) { return syscall(SYS_timer_settime, id, flags, n, o); }
static long tget(int id, struct itimerspec *c) { return syscall(SYS_timer_gettime, id, c); }
static long tover(int id) { return syscall(SYS_timer_getoverrun, id); }
static long tdel(int id) { return syscall(SYS_timer_delete, id); }

static void on_a(int s, siginfo_t *si, void *uc)
{
	(void)s; (void)uc;
	if (count_a++ == 0) {
		a_code = si->si_code;
		a_overrun = si->si_overrun;
		a_timerid = si->si_timerid;
		a_value = (long)si->si_value.sival_ptr;
		a_getoverrun = (int)tover(kid);
		if (disarm_first) {
			struct itimerspec zero;
			memset(&zero, 0, sizeof zero);
			tset(kid, 0, &zero, NULL);
		}
	}
}
static void on_b(int s) { (void)s; count_b++; }
static void on_alrm(int s, siginfo_t *si, void *uc) { (void)s; (void)uc; count_alrm++; alrm_value = si->si_value.sival_int; alrm_code = si->si_code; }
static struct itimerspec its(long long value, long long interval)
{
	struct itimerspec s = { { interval / 1000000000LL, interval % 1000000000LL }, { value / 1000000000LL, value % 1000000000LL } };
	return s;
}

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static struct k_sigevent sev(int notify, int signo, long value)
{
	struct k_sigevent e;
	memset(&e, 0, sizeof e);
	e.notify = notify;
	e.signo = signo;
	e.value.sival_ptr = (void *)value;
	return e;
}

static void wait_for(volatile int *flag, int n)
{
	sigset_t none;
	sigemptyset(&none);
	while (*flag < n)
		sigsuspend(&none);
}
/* After execve: the POSIX timer is gone, the itimer is not. */
static int after_exec(const char *idstr)
{
	struct itimerspec c;
	struct itimerval v;
	int gone = tget(atoi(idstr), &c) == -1 && errno == EINVAL;
	getitimer(ITIMER_REAL, &v);
	int kept = v.it_value.tv_sec > 0 || v.it_value.tv_usec > 0;
	return (gone ? 0 : 1) | (kept ? 0 : 2);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "after-exec"))
		return after_exec(argv[2]);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = on_a;
	sigaction(SIG_A, &sa, NULL);
	sa.sa_sigaction = on_alrm;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIG_B, on_b);

	/* SIGEV_SIGNAL one-shot: the siginfo */
	int id = -1, id2 = -1;
	struct k_sigevent e = sev(SIGEV_SIGNAL, SIG_A, 1234);
	OK("timer_create MONOTONIC SIGEV_SIGNAL", tcreate(CLOCK_MONOTONIC, &e, &id));
	kid = id;
	struct itimerspec s = its(20000000, 0), cur, old;
	long long t0 = now_ns(CLOCK_MONOTONIC);
	OK("timer_settime 20ms", tset(id, 0, &s, NULL));
	wait_for(&count_a, 1);
	CHECK("signal after >= 20ms", now_ns(CLOCK_MONOTONIC) - t0 >= 20000000);
	VAL("si_code SI_TIMER", a_code, SI_TIMER);
	VAL("si_value", a_value, 1234);
	CHECK("si_timerid is the timer id", a_timerid == id);
	VAL("si_overrun", a_overrun, 0);
	OK("timer_gettime after firing", tget(id, &cur));
	CHECK("  disarmed", ns(cur.it_value) == 0 && ns(cur.it_interval) == 0);

	/* remaining time and old values */
	s = its(1000000000, 0);
	tset(id, 0, &s, NULL);
	tget(id, &cur);
	CHECK("timer_gettime value in (0.9s, 1s]", ns(cur.it_value) > 900000000 && ns(cur.it_value) <= 1000000000);
	s = its(2000000000, 300000000);
	OK("timer_settime with old value", tset(id, 0, &s, &old));
	CHECK("  old value in (0.9s, 1s]", ns(old.it_value) > 900000000 && ns(old.it_value) <= 1000000000);
	VAL("  old interval", ns(old.it_interval), 0);
	s = its(0, 500000000);
	OK("disarm", tset(id, 0, &s, &old));
	CHECK("  old value in (1.9s, 2s]", ns(old.it_value) > 1900000000 && ns(old.it_value) <= 2000000000);
	VAL("  old interval (ns)", ns(old.it_interval), 300000000);
	tget(id, &cur);
	CHECK("  disarming clears the interval", ns(cur.it_value) == 0 && ns(cur.it_interval) == 0);

	/* periodic */
	count_a = 0;
	s = its(10000000, 10000000);
	t0 = now_ns(CLOCK_MONOTONIC);
	tset(id, 0, &s, NULL);
	wait_for(&count_a, 5);
	CHECK("5 periodic signals take >= 50ms", now_ns(CLOCK_MONOTONIC) - t0 >= 50000000);
	tget(id, &cur);
	VAL("periodic interval", ns(cur.it_interval), 10000000);
	CHECK("periodic value in (0, 10ms]", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10000000);
	s = its(0, 0);
	tset(id, 0, &s, NULL);

	/* overruns: the signal stays queued once while blocked; expirations meanwhile are overruns */
	sigset_t blk, prev;
	sigemptyset(&blk);
	sigaddset(&blk, SIG_A);
	sigprocmask(SIG_BLOCK, &blk, &prev);
	count_a = 0;
	s = its(20000000, 20000000);
	tset(id, 0, &s, NULL);
	usleep(150000);
	sigset_t pend;
	sigpending(&pend);
	CHECK("blocked timer signal pending", sigismember(&pend, SIG_A));
	disarm_first = 1;
	sigprocmask(SIG_SETMASK, &prev, NULL);
	disarm_first = 0;
	VAL("one signal delivered on unblocking", count_a, 1);
	CHECK("si_overrun > 3", a_overrun > 3);
	CHECK("timer_getoverrun in the handler == si_overrun", a_getoverrun == a_overrun);
	VAL("timer_getoverrun after timer_settime", tover(id), 0);

	/* sigtimedwait takes the signal too */
	sigprocmask(SIG_BLOCK, &blk, &prev);
	s = its(5000000, 5000000);
	tset(id, 0, &s, NULL);
	usleep(30000);
	siginfo_t si;
	struct timespec to = { 1, 0 };
	VAL("sigtimedwait takes the timer signal", sigtimedwait(&blk, &si, &to), SIG_A);
	CHECK("  with overruns", si.si_overrun > 0 && tover(id) == si.si_overrun);
	s = its(0, 0);
	tset(id, 0, &s, NULL);
	while (sigtimedwait(&blk, &si, &(struct timespec){ 0, 0 }) > 0)
		;
	sigprocmask(SIG_SETMASK, &prev, NULL);

	/* TIMER_ABSTIME */
	count_a = 0;
	long long target = now_ns(CLOCK_MONOTONIC) + 20000000;
	s = its(target, 0);
	OK("timer_settime TIMER_ABSTIME +20ms", tset(id, TIMER_ABSTIME, &s, NULL));
	wait_for(&count_a, 1);
	CHECK("  fired at or after the deadline", now_ns(CLOCK_MONOTONIC) >= target);
	OK("timer_create REALTIME", tcreate(CLOCK_REALTIME, &e, &id2));
	kid = id2;
	count_a = 0;
	target = now_ns(CLOCK_REALTIME) + 20000000;
	s = its(target, 0);
	OK("timer_settime REALTIME TIMER_ABSTIME +20ms", tset(id2, TIMER_ABSTIME, &s, NULL));
	wait_for(&count_a, 1);
	CHECK("  fired at or after the deadline", now_ns(CLOCK_REALTIME) >= target);
	count_a = 0;
	s = its(now_ns(CLOCK_REALTIME) - 1000000000LL, 0);
	OK("absolute time in the past", tset(id2, TIMER_ABSTIME, &s, NULL));
	wait_for(&count_a, 1);
	CHECK("  fires at once", count_a == 1);
	OK("timer_delete", tdel(id2));
	ERR("timer_delete again", tdel(id2), EINVAL);
	kid = id;

	/* NULL sevp: SIGALRM to the process, sival_int = timer id */
	int id3 = -1;
	OK("timer_create NULL sevp", tcreate(CLOCK_MONOTONIC, NULL, &id3));
	CHECK("  a new id", id3 != id);
	s = its(10000000, 0);
	tset(id3, 0, &s, NULL);
	wait_for(&count_alrm, 1);
	VAL("  SIGALRM si_code SI_TIMER", alrm_code, SI_TIMER);
	CHECK("  sival_int is the timer id", alrm_value == id3);
	tdel(id3);

	/* SIGEV_NONE: never signals, timer_gettime tracks it */
	int idn = -1;
	e = sev(SIGEV_NONE, 0, 0);
	OK("timer_create SIGEV_NONE", tcreate(CLOCK_MONOTONIC, &e, &idn));
	s = its(1000000000, 0);
	tset(idn, 0, &s, NULL);
	tget(idn, &cur);
	CHECK("  value in (0.9s, 1s]", ns(cur.it_value) > 900000000 && ns(cur.it_value) <= 1000000000);
	s = its(10000000, 10000000);
	tset(idn, 0, &s, NULL);
	usleep(35000);
	tget(idn, &cur);
	CHECK("  periodic: value in (0, 10ms]", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10000000);
	VAL("  interval", ns(cur.it_interval), 10000000);
	VAL("  timer_getoverrun", tover(idn), 0);
	s = its(1000000, 0);
	tset(idn, 0, &s, NULL);
	usleep(5000);
	tget(idn, &cur);
	CHECK("  expired one-shot reads 0", ns(cur.it_value) == 0);
	tdel(idn);

	/* SIGEV_THREAD_ID */
	int idt = -1;
	e = sev(SIGEV_THREAD_ID, SIG_B, 0);
	e.tid = (int)syscall(SYS_gettid);
	OK("timer_create SIGEV_THREAD_ID self", tcreate(CLOCK_MONOTONIC, &e, &idt));
	s = its(10000000, 0);
	tset(idt, 0, &s, NULL);
	wait_for(&count_b, 1);
	VAL("  signal arrived", count_b, 1);
	tdel(idt);
	e.tid = getpid() + 100000;
	ERR("SIGEV_THREAD_ID with no such thread", tcreate(CLOCK_MONOTONIC, &e, &idt), EINVAL);

	/* CPU-time timers */
	int idc = -1;
	e = sev(SIGEV_SIGNAL, SIG_B, 0);
	count_b = 0;
	OK("timer_create PROCESS_CPUTIME_ID", tcreate(CLOCK_PROCESS_CPUTIME_ID, &e, &idc));
	long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	s = its(20000000, 0);
	tset(idc, 0, &s, NULL);
	CHECK("  fires after busy work", spin_until(&count_b, 1));
	CHECK("  process CPU time advanced >= 20ms", now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 20000000);
	s = its(c0 + 1000000000000LL, 0);
	tset(idc, TIMER_ABSTIME, &s, NULL);
	tget(idc, &cur);
	CHECK("  absolute CPU time: value > 900s", ns(cur.it_value) > 900000000000LL);
	tdel(idc);
	count_b = 0;
	OK("timer_create THREAD_CPUTIME_ID", tcreate(CLOCK_THREAD_CPUTIME_ID, &e, &idc));
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	s = its(20000000, 0);
	tset(idc, 0, &s, NULL);
	CHECK("  fires after busy work", spin_until(&count_b, 1));
	CHECK("  thread CPU time advanced >= 20ms", now_ns(CLOCK_THREAD_CPUTIME_ID) - c0 >= 20000000);
	tdel(idc);

	/* fork: POSIX timers are not inherited */
	pid_t pid = fork();
	if (pid == 0)
		_exit(tget(id, &cur) == -1 && errno == EINVAL ? 0 : 1);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("child has no timers", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	OK("parent still has its timer", tget(id, &cur));

	/* execve deletes POSIX timers but keeps itimers */
	pid = fork();
	if (pid == 0) {
		int cid = -1;
		e = sev(SIGEV_SIGNAL, SIG_A, 0);
		tcreate(CLOCK_MONOTONIC, &e, &cid);
		struct itimerval iv = { { 0, 0 }, { 10, 0 } };
		setitimer(ITIMER_REAL, &iv, NULL);
		char idstr[16];
		snprintf(idstr, sizeof idstr, "%d", cid);
		char *args[] = { "posix_timer", "after-exec", idstr, NULL };
		execv("/proc/self/exe", args);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	CHECK("after execve: POSIX timer deleted", WIFEXITED(st) && !(WEXITSTATUS(st) & 1) && WEXITSTATUS(st) != 99);
	CHECK("after execve: itimer kept", WIFEXITED(st) && !(WEXITSTATUS(st) & 2) && WEXITSTATUS(st) != 99);

	/* errnos */
	int x;
	e = sev(SIGEV_SIGNAL, SIG_A, 0);
	ERR("timer_create clock 100", tcreate(100, &e, &x), EINVAL);
	ERR("timer_create clock 10", tcreate(10, &e, &x), EINVAL);
	ERR2("timer_create MONOTONIC_RAW", tcreate(CLOCK_MONOTONIC_RAW, &e, &x), EINVAL, EOPNOTSUPP);
	ERR2("timer_create MONOTONIC_COARSE", tcreate(CLOCK_MONOTONIC_COARSE, &e, &x), EINVAL, EOPNOTSUPP);
	ERR("timer_create CPU clock of no process", tcreate((int)((~0x3ffffffU) << 3) | 2, &e, &x), EINVAL);
	e = sev(99, SIG_A, 0);
	ERR("sigev_notify 99", tcreate(CLOCK_MONOTONIC, &e, &x), EINVAL);
	e = sev(SIGEV_SIGNAL, 0, 0);
	ERR("sigev_signo 0", tcreate(CLOCK_MONOTONIC, &e, &x), EINVAL);
	e = sev(SIGEV_SIGNAL, 65, 0);
	ERR("sigev_signo 65", tcreate(CLOCK_MONOTONIC, &e, &x), EINVAL);
	ERR("bad sevp", tcreate(CLOCK_MONOTONIC, BADPTR, &x), EFAULT);
	e = sev(SIGEV_SIGNAL, SIG_A, 0);
	ERR("bad timerid pointer", tcreate(CLOCK_MONOTONIC, &e, BADPTR), EFAULT);
	s = its(1000000, 0);
	ERR("timer_settime unknown id", tset(id + 1000, 0, &s, NULL), EINVAL);
	ERR("timer_settime NULL new value", tset(id, 0, NULL, NULL), EINVAL);
	ERR("timer_settime bad new value", tset(id, 0, BADPTR, NULL), EFAULT);
	s.it_value.tv_nsec = 1000000000;
	ERR("timer_settime nsec 1e9", tset(id, 0, &s, NULL), EINVAL);
	s = its(0, 0);
	s.it_interval.tv_sec = -1;
	ERR("timer_settime interval sec -1", tset(id, 0, &s, NULL), EINVAL);
	ERR("timer_gettime unknown id", tget(-1, &cur), EINVAL);
	ERR("timer_gettime bad pointer", tget(id, BADPTR), EFAULT);
	ERR("timer_getoverrun unknown id", tover(id + 1000), EINVAL);
	ERR("timer_delete unknown id", tdel(id + 1000), EINVAL);
	OK("timer_delete", tdel(id));
	ERR("timer_gettime deleted", tget(id, &cur), EINVAL);
	return finish();
}
