// pseudo-terminals: posix_openpt/grantpt/unlockpt/ptsname, TIOCGPTN/TIOCSPTLCK, termios defaults and round trip, canonical editing (ERASE, KILL, EOF, short reads), echo (ECHOCTL, ECHONL), ICRNL/IGNCR/INLCR, ONLCR/OPOST, raw VMIN/VTIME, FIONREAD, window size, TIOCPKT, hang-up (EIO, POLLHUP), TIOCGPTPEER.
#include "common.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int m, s;
static char name[64];

/* Reads what fd has until it stays quiet (natively the tty delivers asynchronously). */
static int slurp(int fd, char *buf, int max)
{
	int n = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	while (n < max && poll(&p, 1, n ? 30 : 200) == 1 && (p.revents & POLLIN)) {
		int r = read(fd, buf + n, max - n);
		if (r <= 0) break;
		n += r;
	}
	return n;
}

static const char *esc(const char *buf, int n)
{
	static char out[1024];
	int o = 0;
	for (int i = 0; i < n; i++) {
		unsigned char c = buf[i];
		o += (c < 32 || c > 126) ? sprintf(out + o, "\\%o", c) : sprintf(out + o, "%c", c);
	}
	out[o] = 0;
	return out;
}

/* Prints what the master has to read. */
static void master_sees(const char *label)
{
	char buf[256];
	int n = slurp(m, buf, sizeof buf);
	say("%s: master reads [%s]\n", label, esc(buf, n));
}

static void slave_reads(const char *label, int max)
{
	char buf[256];
	int n = read(s, buf, max);
	say("%s: slave read %d [%s]%s\n", label, n, esc(buf, n > 0 ? n : 0), n < 0 ? errname(errno) : "");
}

enum { IF, OF, LF };
static void setflags(int which, tcflag_t on, tcflag_t off)
{
	struct termios t;
	tcgetattr(s, &t);
	tcflag_t *f = which == IF ? &t.c_iflag : which == OF ? &t.c_oflag : &t.c_lflag;
	*f = (*f | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void put(const char *str) { if (write(m, str, strlen(str)) != (ssize_t)strlen(str)) say("short write\n"); }

int main(void)
{
	struct stat st;
	struct termios t, t2;
	int n, one = 1, zero = 0;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt", m >= 0);
	OK("grantpt", grantpt(m));
	OK("unlockpt", unlockpt(m));
	CHECK("ptsname", ptsname_r(m, name, sizeof name) == 0 && !strncmp(name, "/dev/pts/", 9));
	OK("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
	CHECK("TIOCGPTN matches ptsname", n == atoi(name + 9));
	OK("fstat master", fstat(m, &st));
	CHECK("master is ptmx (c 5:2)", S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2);
	OK("stat slave", stat(name, &st));
	CHECK("slave is c 136:N", S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && (int)minor(st.st_rdev) == n);
	VAL("F_GETFL master", fcntl(m, F_GETFL) & ~0100000, O_RDWR);

	/* locking */
	OK("TIOCSPTLCK 1", ioctl(m, TIOCSPTLCK, &one));
	VAL("TIOCGPTLCK", (ioctl(m, TIOCGPTLCK, &n), n), 1);
	ERR("open locked slave", open(name, O_RDWR | O_NOCTTY), EIO);
	OK("TIOCSPTLCK 0", ioctl(m, TIOCSPTLCK, &zero));
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK("open slave", s >= 0);
	CHECK("isatty both", isatty(m) && isatty(s));
	CHECK("ttyname(slave) == ptsname", ttyname(s) && !strcmp(ttyname(s), name));
	ERR("TIOCGPTN on slave", ioctl(s, TIOCGPTN, &n), ENOTTY);
	ERR("TIOCGPGRP on slave that is not our ctty", ioctl(s, TIOCGPGRP, &n), ENOTTY);
	ERR("TIOCGSID on master without session", ioctl(m, TIOCGSID, &n), ENOTTY);

	/* termios defaults, shared by both ends */
	OK("tcgetattr slave", tcgetattr(s, &t));
	say("iflag %#o oflag %#o cflag %#o lflag %#o\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
	say("cc intr %d quit %d erase %d kill %d eof %d min %d time %d susp %d\n", t.c_cc[VINTR], t.c_cc[VQUIT],
	    t.c_cc[VERASE], t.c_cc[VKILL], t.c_cc[VEOF], t.c_cc[VMIN], t.c_cc[VTIME], t.c_cc[VSUSP]);
	CHECK("speed 38400", cfgetospeed(&t) == B38400 && cfgetispeed(&t) == B38400);
	OK("tcgetattr master", tcgetattr(m, &t2));
	CHECK("master reports the slave's termios", t.c_lflag == t2.c_lflag && t.c_iflag == t2.c_iflag);
	t2 = t;
	t2.c_cflag = (t2.c_cflag & ~CSIZE) | CS7 | PARENB;
	t2.c_cc[VERASE] = 8;
	cfsetospeed(&t2, B9600);
	OK("tcsetattr via master", tcsetattr(m, TCSANOW, &t2));
	OK("tcgetattr", tcgetattr(s, &t2));
	CHECK("pty stays CS8 without parity", (t2.c_cflag & CSIZE) == CS8 && !(t2.c_cflag & PARENB));
	CHECK("VERASE and speed round trip", t2.c_cc[VERASE] == 8 && cfgetospeed(&t2) == B9600);
	OK("restore", tcsetattr(s, TCSAFLUSH, &t));

	/* canonical mode and echo */
	put("hello\n");
	slave_reads("line", 100);
	master_sees("echo of hello");
	put("abc\x7f\x7f" "d\n");
	slave_reads("erase", 100);
	master_sees("echo of erase");
	put("xyz\x15ok\n");
	slave_reads("kill", 100);
	master_sees("echo of kill");
	put("w1 w2\x17z\n");
	slave_reads("werase", 100);
	master_sees("echo of werase");
	put("partial\x04");
	slave_reads("eof after text", 100);
	put("\x04");
	slave_reads("eof alone", 100);
	put("longline\n");
	slave_reads("short read", 4);
	slave_reads("rest", 100);
	master_sees("echoes");
	put("\x01\t\n");
	slave_reads("ctl chars", 100);
	master_sees("echoctl");
	setflags(LF, ECHONL, ECHO);
	put("quiet\n");
	slave_reads("no echo", 100);
	master_sees("echonl");
	setflags(LF, ECHO, ECHONL);

	/* input and output processing */
	put("cr\r");
	slave_reads("icrnl", 100);
	setflags(IF, IGNCR, 0);
	put("ig\rn\n");
	slave_reads("igncr", 100);
	setflags(IF, INLCR, IGNCR | ICRNL);
	put("nl\n\x04");
	slave_reads("inlcr", 100);
	setflags(IF, ICRNL, INLCR);
	master_sees("echoes");
	CHECK("slave write", write(s, "a\nb\n", 4) == 4);
	master_sees("onlcr");
	setflags(OF, 0, OPOST);
	CHECK("slave write", write(s, "a\nb\n", 4) == 4);
	master_sees("no opost");
	setflags(OF, OPOST, 0);

	/* FIONREAD on both ends */
	put("12345\n");
	slurp(m, (char[64]){ 0 }, 64);
	VAL("FIONREAD slave", (ioctl(s, FIONREAD, &n), n), 6);
	slave_reads("drain", 100);
	CHECK("slave write", write(s, "xyz", 3) == 3);
	poll(&(struct pollfd){ m, POLLIN, 0 }, 1, 1000);
	VAL("FIONREAD master", (ioctl(m, FIONREAD, &n), n), 3);
	VAL("TIOCOUTQ slave", (ioctl(s, TIOCOUTQ, &n), n), 0);
	master_sees("drain");

	/* raw mode: VMIN/VTIME */
	t2 = t;
	cfmakeraw(&t2);
	t2.c_cc[VMIN] = 0;
	t2.c_cc[VTIME] = 0;
	OK("raw", tcsetattr(s, TCSANOW, &t2));
	slave_reads("VMIN 0 VTIME 0, nothing there", 100);
	t2.c_cc[VTIME] = 1;
	tcsetattr(s, TCSANOW, &t2);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	slave_reads("VMIN 0 VTIME 1", 100);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("waited about 0.1 s", (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 80);
	t2.c_cc[VMIN] = 3;
	t2.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &t2);
	put("abc");
	slave_reads("VMIN 3", 100);
	put("\x03\x7f");
	poll(&(struct pollfd){ s, POLLIN, 0 }, 1, 1000);
	t2.c_cc[VMIN] = 1;
	tcsetattr(s, TCSANOW, &t2);
	slave_reads("raw keeps control chars", 100);
	master_sees("no echo in raw");
	OK("cooked again", tcsetattr(s, TCSANOW, &t));

	/* window size */
	struct winsize ws = { 24, 80, 0, 0 }, ws2;
	OK("TIOCSWINSZ master", ioctl(m, TIOCSWINSZ, &ws));
	OK("TIOCGWINSZ slave", ioctl(s, TIOCGWINSZ, &ws2));
	CHECK("winsize shared", ws2.ws_row == 24 && ws2.ws_col == 80);

	/* packet mode */
	OK("TIOCPKT", ioctl(m, TIOCPKT, &one));
	VAL("TIOCGPKT", (ioctl(m, TIOCGPKT, &n), n), 1);
	CHECK("slave write", write(s, "hi", 2) == 2);
	master_sees("packet data");
	OK("tcflush slave input", tcflush(s, TCIFLUSH));
	master_sees("packet flushread");
	struct pollfd p = { m, POLLIN | POLLPRI, 0 };
	OK("tcflow TCOOFF", tcflow(s, TCOOFF));
	VAL("poll sees POLLPRI", (poll(&p, 1, 1000), p.revents & (POLLIN | POLLPRI)), POLLIN | POLLPRI);
	master_sees("packet stop");
	fcntl(s, F_SETFL, O_NONBLOCK);
	ERR("write while stopped", write(s, "w", 1), EAGAIN);
	fcntl(s, F_SETFL, 0);
	OK("tcflow TCOON", tcflow(s, TCOON));
	master_sees("packet start");
	OK("TIOCPKT off", ioctl(m, TIOCPKT, &zero));

	/* hang-up */
	fcntl(m, F_SETFL, O_NONBLOCK);
	ERR("master read, nothing there", read(m, &n, 1), EAGAIN);
	close(s);
	p = (struct pollfd){ m, POLLIN | POLLOUT, 0 };
	VAL("poll master after slave close", (poll(&p, 1, 1000), p.revents), POLLOUT | POLLHUP);
	ERR("master read after slave close", read(m, &n, 1), EIO);
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK("TIOCGPTPEER", s >= 0 && isatty(s));
	VAL("poll master after reopen", (poll(&p, 1, 0), p.revents), POLLOUT);
	close(m);
	p = (struct pollfd){ s, POLLIN | POLLOUT, 0 };
	VALX("poll slave after master close", (poll(&p, 1, 1000), p.revents), POLLIN | POLLOUT | POLLERR | POLLHUP);
	VAL("slave read after hang-up", read(s, &n, 1), 0);
	ERR("slave write after hang-up", write(s, "x", 1), EIO);
	ERR("tcgetattr after hang-up", tcgetattr(s, &t), EIO);
	ERR("slave node is gone", stat(name, &st), ENOENT);
	close(s);
	return finish();
}
