// pty job control: setsid + open acquires the controlling terminal, /dev/tty, TIOCGSID/tcgetpgrp/tcsetpgrp, background reads (SIGTTIN, EIO when ignored) and TOSTOP writes (SIGTTOU), ^C to the foreground group, SIGWINCH, TIOCNOTTY, TIOCSCTTY rules, SIGHUP when the master closes.
#include "common.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static int m;
static char name[64];
static int up[2], down[2]; /* child -> parent, parent -> child */

static void tell(int fd) { if (write(fd, "x", 1) != 1) _exit(90); }
static void hear(int fd) { char c; while (read(fd, &c, 1) < 0 && errno == EINTR) ; }

static const char *how(int st)
{
	static char buf[64];
	if (WIFEXITED(st)) snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st)) snprintf(buf, sizeof buf, "killed by %d", WTERMSIG(st));
	else if (WIFSTOPPED(st)) snprintf(buf, sizeof buf, "stopped by %d", WSTOPSIG(st));
	else snprintf(buf, sizeof buf, "?");
	return buf;
}

/* Forks a process in a new background group that runs fn; returns how it ended or stopped. */
static const char *bg(int (*fn)(int), int fd)
{
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		_exit(fn(fd));
	}
	setpgid(c, c);
	int st;
	waitpid(c, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
	}
	return how(st);
}

static int bg_read(int fd) { char c; return read(fd, &c, 1) < 0 ? 100 + errno : 0; }
static int bg_read_ignored(int fd) { signal(SIGTTIN, SIG_IGN); return bg_read(fd); }
static int bg_write(int fd) { return write(fd, "", 0) == 0 && write(fd, "bg\n", 3) == 3 ? 0 : 100 + errno; }
static int bg_setpgrp(int fd) { return tcsetpgrp(fd, getpgrp()) < 0 ? 100 + errno : 0; }

static volatile sig_atomic_t got_hup, got_winch;
static void on_sig(int sig) { if (sig == SIGHUP) got_hup++; else got_winch++; }

/* The controlling process: a session leader with the slave as its terminal. */
static int leader(void)
{
	setsid();
	int fd = open(name, O_RDWR);
	CHECK("open without O_NOCTTY", fd >= 0);
	pid_t me = getpid();
	int sid;
	VAL("tcgetpgrp is the leader's group", tcgetpgrp(fd) == me, 1);
	VAL("TIOCGSID", ioctl(fd, TIOCGSID, &sid) == 0 && sid == me, 1);
	VAL("tcgetpgrp via the master", tcgetpgrp(m) == me, 1);
	OK("TIOCSCTTY on our own terminal", ioctl(fd, TIOCSCTTY, 0));
	int tty = open("/dev/tty", O_RDWR);
	struct stat st;
	CHECK("/dev/tty opens the pty", tty >= 0 && isatty(tty) && fstat(tty, &st) == 0 && major(st.st_rdev) == 5 && minor(st.st_rdev) == 0);
	CHECK("/dev/tty writes reach the master", write(tty, "via tty\n", 8) == 8);
	close(tty);

	say("background read: %s\n", bg(bg_read, fd));
	say("background read, SIGTTIN ignored: %s\n", bg(bg_read_ignored, fd));
	say("background write: %s\n", bg(bg_write, fd));
	say("background tcsetpgrp: %s\n", bg(bg_setpgrp, fd));
	struct termios t;
	tcgetattr(fd, &t);
	t.c_lflag |= TOSTOP;
	tcsetattr(fd, TCSANOW, &t);
	say("background write with TOSTOP: %s\n", bg(bg_write, fd));
	t.c_lflag &= ~TOSTOP;
	tcsetattr(fd, TCSANOW, &t);

	/* A foreground job killed by ^C from the master. */
	signal(SIGTTOU, SIG_IGN);
	pid_t fg = fork();
	if (fg == 0) {
		setpgid(0, 0);
		char c;
		while (tcgetpgrp(fd) != getpid()) /* reading before that would stop us with SIGTTIN */
			usleep(1000);
		for (;;) if (read(fd, &c, 1) < 0 && errno != EINTR) _exit(100 + errno);
	}
	setpgid(fg, fg);
	OK("tcsetpgrp to the job", tcsetpgrp(fd, fg));
	VAL("tcgetpgrp", tcgetpgrp(fd) == fg, 1);
	ERR("tcsetpgrp to a group that does not exist", tcsetpgrp(fd, 0x3ffffff), ESRCH);
	ERR("tcsetpgrp(-1)", tcsetpgrp(fd, -1), EINVAL);
	tell(up[1]);                      /* the parent types ^C */
	int status;
	waitpid(fg, &status, 0);
	say("foreground job: %s\n", how(status));
	OK("tcsetpgrp back", tcsetpgrp(fd, me));

	/* SIGWINCH to the foreground group when the size changes. */
	signal(SIGWINCH, on_sig);
	signal(SIGHUP, on_sig);
	tell(up[1]);
	hear(down[0]);                    /* the parent resized */
	VAL("SIGWINCH", got_winch, 1);

	/* TIOCNOTTY by the leader: SIGHUP to the foreground group (us), terminal gone. */
	OK("TIOCNOTTY", ioctl(fd, TIOCNOTTY));
	VAL("SIGHUP after TIOCNOTTY", got_hup, 1);
	ERR("/dev/tty without a terminal", open("/dev/tty", O_RDWR), ENXIO);
	ERR("tcgetpgrp without a terminal", tcgetpgrp(fd), ENOTTY);
	ERR("TIOCNOTTY again", ioctl(fd, TIOCNOTTY), ENOTTY);
	return 0;
}

/* Takes the terminal with TIOCSCTTY, then is hung up when the master closes. */
static int taker(void)
{
	close(m);                         /* only the parent holds the master */
	int fd = open(name, O_RDWR | O_NOCTTY);
	ERR("TIOCSCTTY when not a session leader", ioctl(fd, TIOCSCTTY, 0), EPERM);
	setsid();
	ERR("tcgetpgrp before TIOCSCTTY", tcgetpgrp(fd), ENOTTY);
	OK("TIOCSCTTY", ioctl(fd, TIOCSCTTY, 0));
	VAL("tcgetpgrp", tcgetpgrp(fd) == getpid(), 1);
	signal(SIGHUP, on_sig);
	tell(up[1]);
	hear(down[0]);                    /* the master is closed */
	VAL("SIGHUP on hang-up", got_hup, 1);
	char c;
	VAL("read after hang-up", read(fd, &c, 1), 0);
	ERR("/dev/tty after hang-up", open("/dev/tty", O_RDWR), ENXIO);
	return 0;
}

/* A session leader whose foreground job outlives it: the job gets SIGHUP when it exits. */
static void hup_note(int sig) { (void)sig; if (write(up[1], "H", 1)) {} _exit(0); }
static int exiter(void)
{
	setsid();
	int fd = open(name, O_RDWR);
	signal(SIGTTOU, SIG_IGN);
	pid_t job = fork();
	if (job == 0) {
		signal(SIGHUP, hup_note);
		setpgid(0, 0);
		tell(up[1]);
		for (;;) pause();
	}
	setpgid(job, job);
	hear(up[0]);                      /* the job's handler is in place */
	OK("job to the foreground", tcsetpgrp(fd, job));
	return 0;
}

static void run(int (*fn)(void), pid_t *pid)
{
	*pid = fork();
	if (*pid == 0) {
		int r = fn();
		_exit(finish() ? 1 : r);
	}
}

int main(void)
{
	int st;
	pid_t c;
	OK("pipes", pipe(up) | pipe(down));
	m = posix_openpt(O_RDWR | O_NOCTTY);
	OK("grantpt/unlockpt", grantpt(m) | unlockpt(m));
	ptsname_r(m, name, sizeof name);

	run(leader, &c);
	hear(up[0]);
	if (write(m, "\x03", 1) != 1) say("^C not written\n"); /* silent: the leader is printing */
	hear(up[0]);
	struct winsize ws = { 30, 100, 0, 0 };
	if (ioctl(m, TIOCSWINSZ, &ws) != 0) say("TIOCSWINSZ failed\n");
	tell(down[1]);
	waitpid(c, &st, 0);
	say("leader: %s\n", how(st));
	/* What the session wrote, with the echo of ^C. */
	char buf[256];
	int n = read(m, buf, sizeof buf - 1);
	for (int i = 0; i < n; i++) if (buf[i] == '\r') buf[i] = '~';
	say("master read: [%.*s]\n", n > 0 ? n : 0, buf);

	run(taker, &c);
	hear(up[0]);
	close(m);
	tell(down[1]);
	waitpid(c, &st, 0);
	say("taker: %s\n", how(st));

	m = posix_openpt(O_RDWR | O_NOCTTY);
	OK("second pty", grantpt(m) | unlockpt(m) | ptsname_r(m, name, sizeof name));
	run(exiter, &c);
	waitpid(c, &st, 0);
	say("exiter: %s\n", how(st));
	char h = 0;
	struct pollfd p = { up[0], POLLIN, 0 };
	CHECK("the orphaned job got SIGHUP", poll(&p, 1, 5000) == 1 && read(up[0], &h, 1) == 1 && h == 'H');
	return finish();
}
