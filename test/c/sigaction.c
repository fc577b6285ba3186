// rt_sigaction: store and read back handlers, flags, masks, restorers; SIGKILL/SIGSTOP,
// bad signals, bad sigsetsize, EFAULT.  No signal is delivered.
#include "common.h"

#define BIT(s) (1ULL << ((s) - 1))

static void h1(int s) { (void)s; }
static void h2(int s) { (void)s; }
static void restorer(void) {}

static long sa(int sig, const struct k_sigaction *act, struct k_sigaction *old, size_t sz)
{
	return syscall(SYS_rt_sigaction, sig, act, old, sz);
}

int main(void)
{
	struct k_sigaction act, old;

	/* store and read back */
	memset(&act, 0, sizeof act);
	act.handler = (void *)h1;
	act.flags = SA_SIGINFO | SA_RESTART | SA_RESTORER | SA_ONSTACK;
	act.restorer = (void *)restorer;
	act.mask = BIT(SIGUSR2) | BIT(SIGTERM) | BIT(37) /* a real-time signal; SIGRTMIN itself differs between glibc and musl */;
	VAL("set SIGUSR1 handler", sa(SIGUSR1, &act, NULL, 8), 0);
	memset(&old, 0x55, sizeof old);
	VAL("read SIGUSR1", sa(SIGUSR1, NULL, &old, 8), 0);
	CHECK("handler round trips", old.handler == (void *)h1);
	VALX("flags round trip", old.flags, SA_SIGINFO | SA_RESTART | SA_RESTORER | SA_ONSTACK);
	CHECK("restorer round trips", old.restorer == (void *)restorer);
	say("mask: %#llx\n", (unsigned long long)old.mask);

	/* replacing returns the previous action */
	struct k_sigaction act2 = { (void *)h2, SA_RESTORER | SA_NODEFER | SA_RESETHAND, (void *)restorer, 0 };
	VAL("replace SIGUSR1", sa(SIGUSR1, &act2, &old, 8), 0);
	CHECK("old action returned", old.handler == (void *)h1 && old.flags == act.flags && old.mask == act.mask);
	sa(SIGUSR1, NULL, &old, 8);
	VALX("SA_NODEFER|SA_RESETHAND stored", old.flags, SA_RESTORER | SA_NODEFER | SA_RESETHAND);

	/* SIGKILL and SIGSTOP can never be masked by sa_mask */
	act.mask = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGINT);
	sa(SIGUSR2, &act, NULL, 8);
	sa(SIGUSR2, NULL, &old, 8);
	say("mask with SIGKILL|SIGSTOP|SIGINT requested: %#llx\n", (unsigned long long)old.mask);

	/* SIG_IGN and SIG_DFL */
	struct k_sigaction ign = { SIG_IGN, SA_RESTORER, (void *)restorer, 0 };
	VAL("SIGCHLD -> SIG_IGN", sa(SIGCHLD, &ign, NULL, 8), 0);
	sa(SIGCHLD, NULL, &old, 8);
	CHECK("reads SIG_IGN", old.handler == SIG_IGN);
	struct k_sigaction dfl = { SIG_DFL, SA_RESTORER, (void *)restorer, 0 };
	VAL("SIGCHLD -> SIG_DFL", sa(SIGCHLD, &dfl, NULL, 8), 0);
	sa(SIGCHLD, NULL, &old, 8);
	CHECK("reads SIG_DFL", old.handler == SIG_DFL);

	/* (not checked: unknown sa_flags bits read back cleared only since Linux 5.11) */

	/* every catchable signal accepts a handler; real-time ones included */
	int okall = 1;
	for (int s = 1; s <= 64; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		if (sa(s, &act2, NULL, 8) != 0 || sa(s, NULL, &old, 8) != 0 || old.handler != (void *)h2)
			okall = 0;
		sa(s, &dfl, NULL, 8);
	}
	CHECK("signals 1..64 except KILL/STOP take a handler", okall);

	/* SIGKILL / SIGSTOP */
	ERR("SIGKILL handler", sa(SIGKILL, &act2, NULL, 8), EINVAL);
	ERR("SIGSTOP handler", sa(SIGSTOP, &act2, NULL, 8), EINVAL);
	ERR("SIGKILL -> SIG_IGN", sa(SIGKILL, &ign, NULL, 8), EINVAL);
	ERR("SIGKILL -> SIG_DFL", sa(SIGKILL, &dfl, NULL, 8), EINVAL);
	VAL("read SIGKILL", sa(SIGKILL, NULL, &old, 8), 0);
	CHECK("SIGKILL is SIG_DFL", old.handler == SIG_DFL);
	VAL("read SIGSTOP", sa(SIGSTOP, NULL, &old, 8), 0);

	/* bad signal numbers and sizes */
	ERR("signal 0", sa(0, &act2, NULL, 8), EINVAL);
	ERR("signal 0, read only", sa(0, NULL, &old, 8), EINVAL);
	ERR("signal 65", sa(65, &act2, NULL, 8), EINVAL);
	ERR("signal -1", sa(-1, NULL, &old, 8), EINVAL);
	ERR("sigsetsize 4", sa(SIGUSR1, &act2, NULL, 4), EINVAL);
	ERR("sigsetsize 16", sa(SIGUSR1, NULL, &old, 16), EINVAL);
	ERR("sigsetsize 0", sa(SIGUSR1, NULL, NULL, 0), EINVAL);
	VAL("both pointers NULL", sa(SIGUSR1, NULL, NULL, 8), 0);

	/* EFAULT: a bad act changes nothing; a bad oldact comes after the change */
	sa(SIGUSR1, &act2, NULL, 8);
	ERR("bad act pointer", sa(SIGUSR1, BADPTR, NULL, 8), EFAULT);
	sa(SIGUSR1, NULL, &old, 8);
	CHECK("action unchanged", old.handler == (void *)h2);
	ERR("bad oldact pointer", sa(SIGUSR1, &dfl, BADPTR, 8), EFAULT);
	sa(SIGUSR1, NULL, &old, 8);
	CHECK("new action was installed anyway", old.handler == SIG_DFL);

	/* libc's sigaction agrees with what the kernel stored */
	struct sigaction la;
	memset(&la, 0, sizeof la);
	la.sa_handler = h1;
	sigemptyset(&la.sa_mask);
	sigaddset(&la.sa_mask, SIGALRM);
	VAL("libc sigaction SIGUSR2", sigaction(SIGUSR2, &la, NULL), 0);
	sa(SIGUSR2, NULL, &old, 8);
	CHECK("kernel sees handler and mask", old.handler == (void *)h1 && (old.mask & BIT(SIGALRM)));
	CHECK("libc installed a restorer", (old.flags & SA_RESTORER) && old.restorer != NULL);
	return finish();
}
