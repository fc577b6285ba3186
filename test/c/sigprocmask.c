// rt_sigprocmask, rt_sigpending: block/unblock/setmask round trips, SIGKILL/SIGSTOP never
// blocked, bad how, bad sigsetsize, EFAULT.  No signal is delivered.
#include "common.h"

#define BIT(s) (1ULL << ((s) - 1))

static long pm(int how, const uint64_t *set, uint64_t *old, size_t sz)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, sz);
}

static uint64_t cur(void)
{
	uint64_t m = 0xdead;
	pm(SIG_BLOCK, NULL, &m, 8);
	return m;
}

static void showmask(const char *label) { say("%s: %#llx\n", label, (unsigned long long)cur()); }

int main(void)
{
	uint64_t empty = 0, set, old;
	VAL("SETMASK empty", pm(SIG_SETMASK, &empty, NULL, 8), 0);
	showmask("mask");

	set = BIT(SIGUSR1);
	old = 0xdead;
	VAL("BLOCK USR1", pm(SIG_BLOCK, &set, &old, 8), 0);
	VAL("old was empty", old, 0);
	showmask("mask");
	set = BIT(SIGUSR2) | BIT(SIGTERM) | BIT(40);
	VAL("BLOCK USR2|TERM|40", pm(SIG_BLOCK, &set, &old, 8), 0);
	CHECK("old was USR1", old == BIT(SIGUSR1));
	showmask("mask (union)");
	set = BIT(SIGUSR1) | BIT(SIGHUP);
	VAL("UNBLOCK USR1|HUP (HUP not blocked)", pm(SIG_UNBLOCK, &set, NULL, 8), 0);
	showmask("mask");
	set = BIT(SIGINT);
	VAL("SETMASK INT", pm(SIG_SETMASK, &set, &old, 8), 0);
	CHECK("old was USR2|TERM|40", old == (BIT(SIGUSR2) | BIT(SIGTERM) | BIT(40)));
	showmask("mask");

	/* SIGKILL and SIGSTOP are silently dropped */
	set = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGQUIT);
	VAL("BLOCK KILL|STOP|QUIT", pm(SIG_BLOCK, &set, NULL, 8), 0);
	showmask("mask (no KILL/STOP)");
	set = ~0ULL;
	VAL("SETMASK all", pm(SIG_SETMASK, &set, NULL, 8), 0);
	showmask("mask (all but KILL/STOP)");
	VAL("UNBLOCK all", pm(SIG_UNBLOCK, &set, NULL, 8), 0);
	showmask("mask");

	/* reading only */
	set = BIT(SIGALRM);
	pm(SIG_SETMASK, &set, NULL, 8);
	VAL("how is ignored when set is NULL", pm(99, NULL, &old, 8), 0);
	CHECK("and old is still reported", old == BIT(SIGALRM));
	VAL("both NULL", pm(SIG_BLOCK, NULL, NULL, 8), 0);

	/* errors */
	ERR("how 3", pm(3, &set, NULL, 8), EINVAL);
	ERR("how -1", pm(-1, &set, NULL, 8), EINVAL);
	ERR("sigsetsize 4", pm(SIG_BLOCK, &set, NULL, 4), EINVAL);
	ERR("sigsetsize 16", pm(SIG_BLOCK, NULL, &old, 16), EINVAL);
	ERR("sigsetsize 0", pm(SIG_BLOCK, NULL, NULL, 0), EINVAL);
	ERR("bad set pointer", pm(SIG_BLOCK, BADPTR, NULL, 8), EFAULT);
	showmask("mask unchanged");
	set = BIT(SIGUSR1);
	ERR("bad oldset pointer", pm(SIG_SETMASK, &set, BADPTR, 8), EFAULT);
	showmask("mask after bad oldset");

	/* rt_sigpending: nothing pending */
	uint64_t pend = 0xdead;
	VAL("rt_sigpending", syscall(SYS_rt_sigpending, &pend, 8), 0);
	VAL("nothing pending", pend, 0);
	VAL("rt_sigpending sigsetsize 4 (smaller is allowed)", syscall(SYS_rt_sigpending, &pend, 4), 0);
	ERR("rt_sigpending sigsetsize 16", syscall(SYS_rt_sigpending, &pend, 16), EINVAL);
	ERR("rt_sigpending bad pointer", syscall(SYS_rt_sigpending, BADPTR, 8), EFAULT);

	/* libc wrappers agree */
	sigset_t ls;
	sigemptyset(&ls);
	sigaddset(&ls, SIGWINCH);
	VAL("libc sigprocmask SIG_SETMASK WINCH", sigprocmask(SIG_SETMASK, &ls, NULL), 0);
	showmask("kernel mask");
	pm(SIG_SETMASK, &empty, NULL, 8);
	return finish();
}
