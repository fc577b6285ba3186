// wait4/waitpid/waitid: pid selectors and process groups, WNOHANG, WNOWAIT, siginfo fields, stop/continue, killed children, SIGCHLD, auto-reap, reparenting to a subreaper, pidfds.
#include "common.h"
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define K_CLONE_PIDFD 0x1000
#define K_WNOTHREAD 0x20000000
#define K_WALL 0x40000000
#define K_WCLONE 0x80000000
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static pid_t me;

/* A child that exits with code once fd becomes readable/closed. */
static pid_t child_waiting(int *pp, int code)
{
	pid_t c = fork();
	if (c == 0) {
		int fd = pp[0];
		char ch;
		close(pp[1]);
		while (read(fd, &ch, 1) < 0 && errno == EINTR)
			;
		_exit(code);
	}
	return c;
}

static pid_t child_exit(int code)
{
	pid_t c = fork();
	if (c == 0)
		_exit(code);
	return c;
}

/* Wait until pid is a zombie without reaping it. */
static void until_zombie(pid_t pid)
{
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
}

static void show_si(const char *label, siginfo_t *si, pid_t pid)
{
	const char *code = si->si_code == CLD_EXITED ? "CLD_EXITED" : si->si_code == CLD_KILLED ? "CLD_KILLED"
		: si->si_code == CLD_DUMPED ? "CLD_DUMPED" : si->si_code == CLD_STOPPED ? "CLD_STOPPED"
		: si->si_code == CLD_CONTINUED ? "CLD_CONTINUED" : si->si_code == SI_USER ? "SI_USER" : "other";
	say("%s: signo=%s pid=%s code=%s status=%d\n", label, si->si_signo == SIGCHLD ? "SIGCHLD" : "other",
	    si->si_pid == pid ? "child" : si->si_pid == 0 ? "0" : "other", code, si->si_status);
}

static volatile int chld_code, chld_status, chld_count;
static volatile pid_t chld_pid;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	chld_code = si->si_code; chld_status = si->si_status; chld_pid = si->si_pid; chld_count++;
}

int main(int argc, char **argv)
{
	scratch_init("wait", argc, argv);
	me = getpid();
	int st;
	siginfo_t si;

	/* --- errnos with no children --- */
	ERR("wait4 -1 with no children", wait4(-1, &st, 0, NULL), ECHILD);
	ERR("waitpid WNOHANG with no children", waitpid(-1, &st, WNOHANG), ECHILD);
	ERR("waitid P_ALL with no children", waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	ERR("wait4 bad options", wait4(-1, &st, 0x100, NULL), EINVAL);
	ERR("waitid no WEXITED/WSTOPPED/WCONTINUED", waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	ERR("waitid bad idtype", waitid((idtype_t)42, 0, &si, WEXITED), EINVAL);
	ERR("wait4 INT_MIN", wait4(INT_MIN, &st, 0, NULL), ESRCH);

	/* --- pid > 0 and WNOHANG --- */
	int p[2];
	OK("pipe", pipe(p));
	pid_t c = child_waiting(p, 3);
	VAL("WNOHANG while child runs", waitpid(c, &st, WNOHANG), 0);
	memset(&si, 0xff, sizeof si);
	VAL("waitid WNOHANG while child runs", waitid(P_PID, c, &si, WEXITED | WNOHANG), 0);
	CHECK("  si_pid and si_signo zeroed", si.si_pid == 0 && si.si_signo == 0);
	ERR("waitpid of a non-child", waitpid(me, &st, WNOHANG), ECHILD);
	close(p[1]);
	CHECK("waitpid(c) returns c", waitpid(c, &st, 0) == c);
	CHECK("  WIFEXITED, code 3", WIFEXITED(st) && WEXITSTATUS(st) == 3 && !WIFSIGNALED(st));
	ERR("waitpid(c) again", waitpid(c, &st, 0), ECHILD);

	/* --- wait4 with a bad status pointer: the child is reaped anyway --- */
	c = child_exit(1);
	until_zombie(c);
	ERR("wait4 bad status pointer", wait4(c, BADPTR, 0, NULL), EFAULT);
	ERR("  child was reaped anyway", waitpid(c, &st, WNOHANG), ECHILD);

	/* --- pid 0, -1, < -1 with process groups --- */
	pid_t a = child_exit(10);               /* in our group */
	pid_t b = fork();                       /* in its own group */
	if (b == 0) {
		setpgid(0, 0);
		_exit(20);
	}
	setpgid(b, b);                          /* EACCES if it already did it; either way it's set */
	until_zombie(a);
	until_zombie(b);
	CHECK("waitpid(0) takes the child in our group", waitpid(0, &st, 0) == a && WEXITSTATUS(st) == 10);
	ERR("waitpid(0) WNOHANG: only another group's child left", waitpid(0, &st, WNOHANG), ECHILD);
	ERR("waitpid(-pgid) of a group that does not exist", waitpid(-0x3ffffff, &st, WNOHANG), ECHILD);
	CHECK("waitpid(-b) takes the other group's child", waitpid(-b, &st, 0) == b && WEXITSTATUS(st) == 20);
	a = child_exit(11);
	CHECK("waitpid(-1) takes any child", waitpid(-1, &st, 0) == a && WEXITSTATUS(st) == 11);

	/* --- waitid P_PID/P_ALL/P_PGID, WNOWAIT leaves the zombie --- */
	c = child_exit(5);
	memset(&si, 0, sizeof si);
	VAL("waitid P_PID WNOWAIT", waitid(P_PID, c, &si, WEXITED | WNOWAIT), 0);
	show_si("  info", &si, c);
	memset(&si, 0, sizeof si);
	VAL("waitid P_ALL WNOWAIT again", waitid(P_ALL, 0, &si, WEXITED | WNOWAIT), 0);
	show_si("  info", &si, c);
	memset(&si, 0, sizeof si);
	VAL("waitid P_PGID (our group) reaps", waitid(P_PGID, getpgrp(), &si, WEXITED), 0);
	show_si("  info", &si, c);
	ERR("  now gone", waitid(P_PID, c, &si, WEXITED | WNOHANG), ECHILD);

	/* --- children killed by signals --- */
	struct rlimit rl = { 0, 0 };
	int sigs[] = { SIGKILL, SIGTERM, SIGSEGV };
	const char *names[] = { "SIGKILL", "SIGTERM", "SIGSEGV(kill, RLIMIT_CORE 0)" };
	struct rlimit orl;
	getrlimit(RLIMIT_CORE, &orl);
	rl.rlim_max = orl.rlim_max;
	orl.rlim_cur = 0;
	setrlimit(RLIMIT_CORE, &orl);            /* soft limit 0: no core files */
	for (int i = 0; i < 3; i++) {
		OK("pipe", pipe(p));
		c = child_waiting(p, 0);
		close(p[0]);
		kill(c, sigs[i]);
		CHECK("waitpid killed child", waitpid(c, &st, 0) == c);
		say("  %s: WIFSIGNALED=%d WTERMSIG=%s WIFEXITED=%d WCOREDUMP=%d\n", names[i], WIFSIGNALED(st),
		    WTERMSIG(st) == sigs[i] ? "same" : "other", WIFEXITED(st), WCOREDUMP(st) ? 1 : 0);
		close(p[1]);
	}
	/* a real fault; core dumps go to the scratch dir (RLIMIT_CORE raised) so WCOREDUMP is set */
	rl.rlim_cur = rl.rlim_max;
	c = fork();
	if (c == 0) {
		setrlimit(RLIMIT_CORE, &rl);
		if (chdir(scratch) != 0) _exit(1);
		*(volatile int *)BADPTR = 1;
		_exit(2);
	}
	memset(&si, 0, sizeof si);
	VAL("waitid WNOWAIT on a segfaulted child", waitid(P_PID, c, &si, WEXITED | WNOWAIT), 0);
	say("  si_code=%s si_status is SIGSEGV=%d\n", si.si_code == CLD_DUMPED ? "CLD_DUMPED" : si.si_code == CLD_KILLED ? "CLD_KILLED" : "other",
	    si.si_status == SIGSEGV);
	CHECK("waitpid", waitpid(c, &st, 0) == c);
	CHECK("  WTERMSIG SIGSEGV, WCOREDUMP", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && WCOREDUMP(st));
	c = fork();
	if (c == 0) { setrlimit(RLIMIT_CORE, &rl); if (chdir(scratch) != 0) _exit(1); raise(SIGQUIT); _exit(2); }
	memset(&si, 0, sizeof si);
	VAL("waitid on a SIGQUIT child", waitid(P_PID, c, &si, WEXITED), 0);
	show_si("  info", &si, c);

	/* --- stop and continue: WUNTRACED / WSTOPPED / WCONTINUED --- */
	OK("pipe", pipe(p));
	c = child_waiting(p, 9);
	OK("kill SIGSTOP", kill(c, SIGSTOP));
	CHECK("waitpid WUNTRACED", waitpid(c, &st, WUNTRACED) == c);
	CHECK("  WIFSTOPPED, WSTOPSIG SIGSTOP", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	VAL("  stop reported only once", waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	OK("kill SIGCONT", kill(c, SIGCONT));
	CHECK("waitpid WCONTINUED", waitpid(c, &st, WCONTINUED) == c);
	CHECK("  WIFCONTINUED", WIFCONTINUED(st) && !WIFSTOPPED(st));
	OK("kill SIGSTOP again", kill(c, SIGSTOP));
	memset(&si, 0, sizeof si);
	VAL("waitid WSTOPPED", waitid(P_PID, c, &si, WSTOPPED), 0);
	show_si("  info", &si, c);
	OK("kill SIGCONT", kill(c, SIGCONT));
	memset(&si, 0, sizeof si);
	VAL("waitid WCONTINUED", waitid(P_PID, c, &si, WCONTINUED), 0);
	show_si("  info", &si, c);
	close(p[1]);
	memset(&si, 0, sizeof si);
	VAL("waitid WEXITED", waitid(P_PID, c, &si, WEXITED), 0);
	show_si("  info", &si, c);

	/* --- SIGCHLD to the parent: blocked and fetched with sigtimedwait --- */
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	struct timespec ts = { 5, 0 };
	OK("pipe", pipe(p));
	c = child_waiting(p, 0);
	kill(c, SIGSTOP);
	memset(&si, 0, sizeof si);
	VAL("SIGCHLD for stop", sigtimedwait(&chld, &si, &ts), SIGCHLD);
	show_si("  info", &si, c);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGKILL);
	memset(&si, 0, sizeof si);
	VAL("SIGCHLD for kill", sigtimedwait(&chld, &si, &ts), SIGCHLD);
	show_si("  info", &si, c);
	waitpid(c, &st, 0);
	close(p[1]);
	c = child_exit(4);
	memset(&si, 0, sizeof si);
	VAL("SIGCHLD for exit", sigtimedwait(&chld, &si, &ts), SIGCHLD);
	show_si("  info", &si, c);
	waitpid(c, &st, 0);
	/* SA_NOCLDSTOP: no SIGCHLD for stops */
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	OK("pipe", pipe(p));
	c = child_waiting(p, 6);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	sigset_t pend;
	sigpending(&pend);
	VAL("SA_NOCLDSTOP: no SIGCHLD pending after stop", sigismember(&pend, SIGCHLD), 0);
	kill(c, SIGCONT);
	close(p[1]);
	waitpid(c, &st, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);    /* the exit's SIGCHLD is delivered to the handler */
	CHECK("handler ran with CLD_EXITED, status 6", chld_count >= 1 && chld_code == CLD_EXITED && chld_status == 6 && chld_pid == c);

	/* a blocked wait whose child exits returns the child even though SIGCHLD's handler (no SA_RESTART) runs */
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGCHLD, &sa, NULL);
	chld_count = 0;
	OK("pipe", pipe(p));
	c = child_waiting(p, 7);
	close(p[0]);
	close(p[1]);
	pid_t r = waitpid(c, &st, 0);
	CHECK("blocking waitpid with a SIGCHLD handler returns the child, not EINTR", r == c && WEXITSTATUS(st) == 7);
	if (r != c)
		waitpid(c, &st, 0);
	CHECK("  and the handler ran", chld_count == 1);

	/* --- auto-reap: SIGCHLD SIG_IGN, then SA_NOCLDWAIT with a handler --- */
	signal(SIGCHLD, SIG_IGN);
	c = child_exit(1);
	ERR("SIG_IGN: wait blocks until exit, then ECHILD", waitpid(c, &st, 0), ECHILD);
	sa.sa_flags = SA_SIGINFO | SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	chld_count = 0;
	c = child_exit(2);
	ERR("SA_NOCLDWAIT: ECHILD", waitpid(-1, &st, 0), ECHILD);
	sigprocmask(SIG_BLOCK, &chld, NULL);     /* settle: the handler ran or SIGCHLD is pending */
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("SA_NOCLDWAIT still sends SIGCHLD", chld_count == 1 && chld_pid == c);
	signal(SIGCHLD, SIG_DFL);

	/* --- orphans are reparented to the nearest subreaper (us) --- */
	VAL("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	int sub = 0;
	VAL("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0), 0);
	VAL("  value", sub, 1);
	int q[2];
	OK("pipes", pipe(p) | pipe(q));
	c = fork();
	if (c == 0) {
		pid_t mid = getpid();
		pid_t g = fork();
		if (g == 0) {
			close(p[1]);
			char ch;
			if (read(p[0], &ch, 1) != 0) _exit(2);     /* until our parent has exited */
			while (getppid() == mid)
				usleep(1000);
			_exit(getppid() == me ? 33 : 34);
		}
		if (write(q[1], &g, sizeof g) != sizeof g) _exit(3);
		_exit(0);
	}
	close(p[0]);
	pid_t g = 0;
	VAL("grandchild pid", read(q[0], &g, sizeof g), sizeof g);
	CHECK("middle child exits", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 0);
	close(p[1]);
	CHECK("reparented grandchild is ours to wait for", waitpid(g, &st, 0) == g);
	VAL("  its getppid() became the subreaper", WEXITSTATUS(st), 33);
	close(q[0]); close(q[1]);

	/* --- pidfds --- */
	OK("pipe", pipe(p));
	c = child_waiting(p, 8);
	int pfd = syscall(SYS_pidfd_open, c, 0);
	OK("pidfd_open", pfd);
	ERR("pidfd_open bad flags", syscall(SYS_pidfd_open, c, 1), EINVAL);
	ERR("pidfd_open of a pid that does not exist", syscall(SYS_pidfd_open, 0x3ffffff, 0), ESRCH);
	struct pollfd pl = { pfd, POLLIN, 0 };
	VAL("poll pidfd while running", poll(&pl, 1, 0), 0);
	close(p[1]);
	VAL("poll pidfd until exit", poll(&pl, 1, 5000), 1);
	CHECK("  POLLIN", pl.revents & POLLIN);
	memset(&si, 0, sizeof si);
	VAL("waitid P_PIDFD", waitid((idtype_t)P_PIDFD, pfd, &si, WEXITED), 0);
	show_si("  info", &si, c);
	ERR("waitid P_PIDFD after reaping", waitid((idtype_t)P_PIDFD, pfd, &si, WEXITED | WNOHANG), ECHILD);
	ERR("waitid P_PIDFD bad fd", waitid((idtype_t)P_PIDFD, 999, &si, WEXITED), EBADF);
	ERR("waitid P_PIDFD on a pipe", waitid((idtype_t)P_PIDFD, p[0], &si, WEXITED), EBADF);
	close(pfd); close(p[0]);
	int cpfd = -1;
	c = syscall(SYS_clone, K_CLONE_PIDFD | SIGCHLD, 0, &cpfd, 0, 0);
	if (c == 0)
		_exit(12);
	CHECK("clone(CLONE_PIDFD) returned a pid and a pidfd", c > 0 && cpfd >= 0);
	VAL("  pidfd is close-on-exec", fcntl(cpfd, F_GETFD), FD_CLOEXEC);
	memset(&si, 0, sizeof si);
	VAL("waitid P_PIDFD on it", waitid((idtype_t)P_PIDFD, cpfd, &si, WEXITED), 0);
	show_si("  info", &si, c);
	close(cpfd);
	ERR("clone CLONE_PIDFD|CLONE_PARENT_SETTID with the same pointer", syscall(SYS_clone, K_CLONE_PIDFD | 0x00100000 | SIGCHLD, 0, &cpfd, 0, 0), EINVAL);

	/* --- pidfd_send_signal --- */
	OK("pipe", pipe(p));
	c = child_waiting(p, 0);
	pfd = syscall(SYS_pidfd_open, c, 0);
	ERR("pidfd_send_signal unknown flag 8", syscall(SYS_pidfd_send_signal, pfd, SIGUSR2, NULL, 8), EINVAL);
	ERR("pidfd_send_signal on a pipe", syscall(SYS_pidfd_send_signal, p[0], SIGUSR2, NULL, 0), EBADF);
	VAL("pidfd_send_signal sig 0", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0), 0);
	VAL("pidfd_send_signal SIGUSR2", syscall(SYS_pidfd_send_signal, pfd, SIGUSR2, NULL, 0), 0);
	memset(&si, 0, sizeof si);
	VAL("waitid P_PIDFD", waitid((idtype_t)P_PIDFD, pfd, &si, WEXITED), 0);
	show_si("  info", &si, c);
	ERR("pidfd_send_signal after reaping", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0), ESRCH);
	close(pfd); close(p[0]); close(p[1]);

	/* --- clone children (exit signal other than SIGCHLD): __WCLONE / __WALL --- */
	c = syscall(SYS_clone, 0, 0, 0, 0, 0);        /* exit signal 0 */
	if (c == 0)
		_exit(3);
	ERR("waitpid(clone child) without __WCLONE", waitpid(c, &st, 0), ECHILD);
	CHECK("waitpid(clone child, __WCLONE)", waitpid(c, &st, K_WCLONE) == c && WIFEXITED(st) && WEXITSTATUS(st) == 3);
	c = syscall(SYS_clone, 0, 0, 0, 0, 0);
	if (c == 0)
		_exit(4);
	CHECK("waitpid(-1, __WALL) takes a clone child", waitpid(-1, &st, K_WALL) == c && WEXITSTATUS(st) == 4);
	c = child_exit(5);
	until_zombie(c);
	ERR("__WCLONE does not take a normal child", waitpid(c, &st, K_WCLONE | WNOHANG), ECHILD);
	CHECK("__WALL does", waitpid(-1, &st, K_WALL) == c && WEXITSTATUS(st) == 5);
	sigset_t u1;
	sigemptyset(&u1);
	sigaddset(&u1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &u1, NULL);
	c = syscall(SYS_clone, SIGUSR1, 0, 0, 0, 0);    /* exit signal SIGUSR1 */
	if (c == 0)
		_exit(6);
	memset(&si, 0, sizeof si);
	VAL("exit signal SIGUSR1 sent to the parent", sigtimedwait(&u1, &si, &ts), SIGUSR1);
	show_si("  info", &si, c);
	memset(&si, 0, sizeof si);
	VAL("waitid P_PID __WCLONE", waitid(P_PID, c, &si, WEXITED | K_WCLONE), 0);
	show_si("  info", &si, c);
	sigprocmask(SIG_SETMASK, &old, NULL);

	ERR("no children left", wait(&st), ECHILD);
	scratch_cleanup();
	return finish();
}
