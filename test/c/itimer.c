// setitimer, getitimer, alarm: ITIMER_REAL one-shot and periodic with a handler, old values,
// alarm rounding, CPU-time itimers (VIRTUAL, PROF) after busy work, SI_KERNEL, fork, errnos.
#include "common.h"
#include <sys/time.h>
#include <sys/wait.h>

static volatile int alrm, vtalrm, prof, alrm_code;

static void on_alrm(int s, siginfo_t *si, void *uc) { (void)s; (void)uc; alrm++; alrm_code = si->si_code; }
static void on_vtalrm(int s) { (void)s; vtalrm++; }
static void on_prof(int s) { (void)s; prof++; }
static long long tv_us(struct timeval tv) { return tv.tv_sec * 1000000LL + tv.tv_usec; }

static struct itimerval itv(long value_us, long interval_us)
{
	struct itimerval v = { { interval_us / 1000000, interval_us % 1000000 }, { value_us / 1000000, value_us % 1000000 } };
	return v;
}

int main(void)
{
	struct itimerval v, old;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_alrm;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGVTALRM, on_vtalrm);
	signal(SIGPROF, on_prof);

	/* nothing armed at start */
	for (int w = 0; w <= 2; w++) {
		memset(&v, 0x55, sizeof v);
		char label[64];
		snprintf(label, sizeof label, "getitimer %d at start", w);
		OK(label, getitimer(w, &v));
		CHECK("  all zero", tv_us(v.it_value) == 0 && tv_us(v.it_interval) == 0);
	}

	/* ITIMER_REAL one-shot */
	sigset_t none;
	sigemptyset(&none);
	v = itv(30000, 0);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	OK("setitimer REAL 30ms", setitimer(ITIMER_REAL, &v, NULL));
	while (!alrm)
		sigsuspend(&none);
	CHECK("SIGALRM after >= 30ms", now_ns(CLOCK_MONOTONIC) - t0 >= 30000000);
	VAL("handler ran once", alrm, 1);
	VALX("si_code is SI_KERNEL", alrm_code, 0x80);
	getitimer(ITIMER_REAL, &v);
	CHECK("one-shot disarmed after firing", tv_us(v.it_value) == 0 && tv_us(v.it_interval) == 0);

	/* ITIMER_REAL periodic */
	alrm = 0;
	v = itv(20000, 20000);
	t0 = now_ns(CLOCK_MONOTONIC);
	OK("setitimer REAL 20ms every 20ms", setitimer(ITIMER_REAL, &v, NULL));
	while (alrm < 5)
		sigsuspend(&none);
	CHECK("5 expiries take >= 100ms", now_ns(CLOCK_MONOTONIC) - t0 >= 100000000);
	v = itv(0, 0);
	OK("disarm", setitimer(ITIMER_REAL, &v, &old));
	VAL("old interval (us)", tv_us(old.it_interval), 20000);
	CHECK("old value in (0, 20ms]", tv_us(old.it_value) > 0 && tv_us(old.it_value) <= 20000);
	int fired = alrm;
	usleep(50000);
	CHECK("no SIGALRM after disarming", alrm == fired);

	/* remaining time and old values */
	v = itv(1000000, 500000);
	setitimer(ITIMER_REAL, &v, NULL);
	getitimer(ITIMER_REAL, &v);
	CHECK("getitimer REAL value in (0.9s, 1s]", tv_us(v.it_value) > 900000 && tv_us(v.it_value) <= 1000000);
	VAL("getitimer REAL interval (us)", tv_us(v.it_interval), 500000);
	v = itv(2000000, 0);
	setitimer(ITIMER_REAL, &v, &old);
	CHECK("old value in (0.9s, 1s]", tv_us(old.it_value) > 900000 && tv_us(old.it_value) <= 1000000);
	VAL("old interval (us)", tv_us(old.it_interval), 500000);
	v = itv(0, 700000);
	setitimer(ITIMER_REAL, &v, &old);
	CHECK("old value in (1.9s, 2s]", tv_us(old.it_value) > 1900000 && tv_us(old.it_value) <= 2000000);
	getitimer(ITIMER_REAL, &v);
	VAL("REAL disarmed with an interval keeps no interval", tv_us(v.it_interval), 0);
	OK("setitimer NULL new value disarms", syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));

	/* alarm(2) is ITIMER_REAL in seconds */
	VAL("alarm(5) with none pending", alarm(5), 0);
	VAL("alarm(3) returns 5 (rounded)", alarm(3), 5);
	getitimer(ITIMER_REAL, &v);
	CHECK("getitimer sees the alarm", v.it_value.tv_sec == 2 || v.it_value.tv_sec == 3);
	v = itv(2700000, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	VAL("alarm(0) after setitimer 2.7s returns 3", alarm(0), 3);
	v = itv(300000, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	VAL("alarm(0) with 0.3s left returns 1", alarm(0), 1);
	VAL("alarm(0) with nothing pending", alarm(0), 0);

	/* CPU-time timers fire after busy work */
	v = itv(30000, 0);
	long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	OK("setitimer VIRTUAL 30ms", setitimer(ITIMER_VIRTUAL, &v, NULL));
	CHECK("SIGVTALRM after busy work", spin_until(&vtalrm, 1));
	/* itimers count tick-sampled user time natively: allow two ticks of slack */
	CHECK("  process CPU time advanced >= 20ms", now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 20000000);
	getitimer(ITIMER_VIRTUAL, &v);
	CHECK("  one-shot VIRTUAL disarmed", tv_us(v.it_value) == 0);
	v = itv(10000, 10000);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	OK("setitimer PROF 10ms every 10ms", setitimer(ITIMER_PROF, &v, NULL));
	CHECK("3 SIGPROFs after busy work", spin_until(&prof, 3));
	CHECK("  process CPU time advanced >= 20ms", now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 20000000);
	getitimer(ITIMER_PROF, &v);
	VAL("  PROF interval (us)", tv_us(v.it_interval), 10000);
	CHECK("  PROF value in (0, 20ms]", tv_us(v.it_value) > 0 && tv_us(v.it_value) <= 20000);
	v = itv(0, 0);
	setitimer(ITIMER_PROF, &v, NULL);

	/* CPU itimers: set and read back; disarming keeps the interval */
	v = itv(1000000, 250000);
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	getitimer(ITIMER_VIRTUAL, &v);
	CHECK("getitimer VIRTUAL value > 0.9s", tv_us(v.it_value) > 900000);
	VAL("getitimer VIRTUAL interval (us)", tv_us(v.it_interval), 250000);
	v = itv(0, 250000);
	setitimer(ITIMER_VIRTUAL, &v, &old);
	CHECK("old VIRTUAL value > 0.9s", tv_us(old.it_value) > 900000);
	getitimer(ITIMER_VIRTUAL, &v);
	CHECK("VIRTUAL disarmed", tv_us(v.it_value) == 0);
	VAL("VIRTUAL disarmed keeps its interval (us)", tv_us(v.it_interval), 250000);
	v = itv(0, 0);
	setitimer(ITIMER_VIRTUAL, &v, NULL);

	/* fork: itimers are not inherited; SIGALRM's default action kills */
	v = itv(5000000, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct itimerval c;
		getitimer(ITIMER_REAL, &c);
		if (tv_us(c.it_value) != 0)
			_exit(1);
		signal(SIGALRM, SIG_DFL);
		c = itv(10000, 0);
		setitimer(ITIMER_REAL, &c, NULL);
		for (;;)
			pause();
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("child: no inherited itimer, killed by its own SIGALRM", WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
	getitimer(ITIMER_REAL, &v);
	CHECK("parent's itimer still armed", tv_us(v.it_value) > 0);
	alarm(0);

	/* errnos */
	v = itv(0, 0);
	ERR("getitimer which 3", getitimer(3, &v), EINVAL);
	ERR("getitimer which -1", getitimer(-1, &v), EINVAL);
	ERR("setitimer which 3", setitimer(3, &v, NULL), EINVAL);
	ERR("getitimer bad pointer", syscall(SYS_getitimer, ITIMER_REAL, BADPTR), EFAULT);
	ERR("setitimer bad new value", syscall(SYS_setitimer, ITIMER_REAL, BADPTR, NULL), EFAULT);
	v.it_value.tv_usec = 1000000;
	ERR("setitimer usec 1000000", setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	v.it_value.tv_usec = -1;
	ERR("setitimer usec -1", setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	v = itv(0, 0);
	v.it_interval.tv_sec = -1;
	ERR("setitimer interval sec -1", setitimer(ITIMER_VIRTUAL, &v, NULL), EINVAL);
	v = itv(100000, 0);
	ERR("setitimer bad old value", syscall(SYS_setitimer, ITIMER_REAL, &v, BADPTR), EFAULT);
	getitimer(ITIMER_REAL, &v);
	CHECK("  ...but the timer was set", tv_us(v.it_value) > 0);
	alarm(0);
	return finish();
}
