// sessions and process groups: setsid (EPERM for a group leader), setpgid rules (EACCES after exec, EPERM across sessions, ESRCH for non-children, EINVAL), getpgid/getsid/getpgrp (also of zombies), killing a process group.
#include "common.h"
#include <sys/wait.h>
/* A child that runs fn, then waits for *hold to close, then exits 0. */
static pid_t child(int (*fn)(void), int *ready, int *hold)
{
	pid_t c = fork();
	if (c == 0) {
		close(ready[0]);
		close(hold[1]);
		char r = fn ? (char)fn() : 0, ch;
		if (write(ready[1], &r, 1) != 1) _exit(99);
		while (read(hold[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	char r = 0;
	if (read(ready[0], &r, 1) != 1) say("child did not report\n");
	return c;
}
static int do_setsid(void) { return setsid() == getpid() ? 1 : 2; }
static int do_leader_setsid(void)
{
	if (setpgid(0, 0) != 0) return 3;
	return setsid() == -1 && errno == EPERM ? 1 : 2;
}
static int do_nothing(void) { return 1; }

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "execd")) {
		int fd = atoi(argv[2]);
		char ch = 'e';
		if (write(fd, &ch, 1) != 1) return 1;
		for (;;)
			pause();       /* killed by the parent */
	}
	pid_t me = getpid(), mysid = getsid(0), mypg = getpgrp();
	int rd[2], hold[2];
	OK("pipes", pipe(rd) | pipe(hold));

	/* --- getters --- */
	CHECK("getpgid(0) == getpgrp()", getpgid(0) == mypg);
	CHECK("getpgid(getpid()) == getpgrp()", getpgid(me) == mypg);
	CHECK("getsid(getpid()) == getsid(0)", getsid(me) == mysid);
	ERR("getpgid of a pid that does not exist", getpgid(0x3ffffff), ESRCH);
	ERR("getsid of a pid that does not exist", getsid(0x3ffffff), ESRCH);
	ERR("getpgid(-1)", getpgid(-1), ESRCH);

	/* --- a plain child inherits group and session --- */
	pid_t a = child(do_nothing, rd, hold);
	CHECK("child inherits our group and session", getpgid(a) == mypg && getsid(a) == mysid);

	/* --- setpgid by the parent; moving a second child into the first one's group --- */
	VAL("setpgid(child, child)", setpgid(a, a), 0);
	CHECK("  getpgid(child) == child", getpgid(a) == a);
	VAL("  again (no-op)", setpgid(a, 0), 0);
	pid_t b = child(do_nothing, rd, hold);
	VAL("setpgid(child2, child1's group)", setpgid(b, a), 0);
	CHECK("  getpgid(child2) == child1", getpgid(b) == a);
	VAL("move child2 back to our group", setpgid(b, mypg), 0);
	ERR("setpgid into a group that does not exist", setpgid(b, 0x3ffffff), EPERM);
	ERR("setpgid negative pgid", setpgid(b, -1), EINVAL);
	ERR("setpgid of a pid that does not exist", setpgid(0x3ffffff, 0), ESRCH);
	VAL("setpgid(child2, child1) again", setpgid(b, a), 0);

	/* --- kill a process group --- */
	pid_t c3 = child(do_nothing, rd, hold);
	setpgid(c3, a);
	VAL("kill(-group, 0)", kill(-a, 0), 0);
	VAL("kill(-group, SIGTERM)", kill(-a, SIGTERM), 0);
	VAL("  member 1 killed", reap(a), 128 + SIGTERM);
	VAL("  member 2 killed", reap(b), 128 + SIGTERM);
	VAL("  member 3 killed", reap(c3), 128 + SIGTERM);
	ERR("kill(-group) once it is empty", kill(-a, 0), ESRCH);
	CHECK("we were not in it", getpgid(0) == mypg);

	/* --- a group outlives its leader while a member remains --- */
	a = child(do_nothing, rd, hold);
	setpgid(a, a);
	b = child(do_nothing, rd, hold);
	setpgid(b, a);
	kill(a, SIGKILL);
	VAL("group leader killed", reap(a), 128 + SIGKILL);
	c3 = child(do_nothing, rd, hold);
	VAL("setpgid into the leaderless group", setpgid(c3, a), 0);
	VAL("kill(-group, SIGKILL) reaches the remaining members", kill(-a, SIGKILL), 0);
	VAL("  member", reap(b), 128 + SIGKILL);
	VAL("  member", reap(c3), 128 + SIGKILL);

	/* --- setsid --- */
	a = child(do_setsid, rd, hold);
	CHECK("child's setsid returns its pid; it leads a new session and group", getsid(a) == a && getpgid(a) == a);
	ERR("parent cannot setpgid a child in another session", setpgid(a, a), EPERM);
	ERR("  nor move it into our group", setpgid(a, mypg), EPERM);
	b = child(do_nothing, rd, hold);
	ERR("nor move another child into that session's group", setpgid(b, a), EPERM);
	pid_t c4 = child(do_leader_setsid, rd, hold);
	CHECK("setsid in a group leader fails with EPERM", getpgid(c4) == c4 && getsid(c4) == mysid);
	pid_t c5 = fork();
	if (c5 == 0) {
		if (setsid() != getpid()) _exit(1);
		if (setpgid(0, 0) != -1 || errno != EPERM) _exit(2);     /* a session leader stays put */
		if (setsid() != -1 || errno != EPERM) _exit(3);
		if (setpgid(getppid(), 0) != -1 || errno != ESRCH) _exit(4); /* parent: not our child */
		if (open("/dev/tty", O_RDWR) != -1 || errno != ENXIO) _exit(5);             /* no controlling tty */
		pid_t g = fork();
		if (g == 0) {
			_exit(getsid(0) == getppid() && getpgrp() == getppid() ? 0 : 1);
		}
		_exit(reap(g) == 0 ? 0 : 6);
	}
	VAL("session leader: setpgid/setsid EPERM, ESRCH for its parent, no tty, child inherits the session", reap(c5), 0);

	/* --- setpgid after exec: EACCES --- */
	int ep[2];
	OK("pipe", pipe(ep));
	pid_t e = fork();
	if (e == 0) {
		char fd[16];
		close(ep[0]);
		snprintf(fd, sizeof fd, "%d", ep[1]);
		execl(argv[0], argv[0], "execd", fd, (char *)NULL);
		_exit(127);
	}
	close(ep[1]);
	char ch;
	VAL("child exec'd", read(ep[0], &ch, 1), 1);
	ERR("setpgid of a child after it exec'd", setpgid(e, e), EACCES);
	kill(e, SIGKILL);
	reap(e);
	close(ep[0]);

	/* --- ESRCH for a grandchild; zombies keep their group and session --- */
	int gp[2], gq[2];
	OK("pipes", pipe(gp) | pipe(gq));
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) { pause(); _exit(0); }
		if (write(gp[1], &g, sizeof g) != sizeof g) _exit(1);
		char x;
		if (read(gq[0], &x, 1) != 1) {}
		kill(g, SIGKILL);
		reap(g);
		_exit(0);
	}
	pid_t g = 0;
	VAL("grandchild pid", read(gp[0], &g, sizeof g), sizeof g);
	ERR("setpgid of a grandchild", setpgid(g, g), ESRCH);
	CHECK("getpgid of a grandchild works", getpgid(g) == mypg);
	if (write(gq[1], "x", 1) != 1) {}
	siginfo_t si;
	waitid(P_PID, mid, &si, WEXITED | WNOWAIT);
	CHECK("getpgid of a zombie child", getpgid(mid) == mypg);
	CHECK("getsid of a zombie child", getsid(mid) == mysid);
	VAL("kill(zombie, 0)", kill(mid, 0), 0);
	VAL("setpgid of a zombie child", setpgid(mid, mid), 0);
	VAL("kill(-group of a lone zombie, 0)", kill(-mid, 0), 0);
	VAL("  reap it", reap(mid), 0);

	/* release the held children */
	close(hold[1]);
	close(hold[0]);
	int n = 0;
	while (wait(NULL) > 0)
		n++;
	VAL("remaining children exit", n, 3);
	return finish();
}
