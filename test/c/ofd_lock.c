// Open file description locks: F_OFD_GETLK/F_OFD_SETLK/F_OFD_SETLKW owned by the description
// (two opens in one process conflict, dup and fork share), l_pid must be 0 (EINVAL), F_GETLK
// reports l_pid -1 for them, OFD and POSIX locks conflict with each other, close of another fd
// keeps them, the last close releases them, F_OFD_SETLKW waits and is interrupted by a handler.
#include "common.h"
#include <sys/wait.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

static void on_usr1(int s) { (void)s; }

static int lk(int f, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(f, cmd, &fl);
}
/* What F_OFD_GETLK (or F_GETLK) through fd reports for a write lock on [start, start+len). */
static void probe(const char *label, int f, int cmd, off_t start, off_t len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(f, cmd, &fl) != 0)
		say("%s: %s\n", label, errname(errno));
	else if (fl.l_type == F_UNLCK)
		say("%s: unlocked\n", label);
	else
		say("%s: %s start=%ld len=%ld pid=%s\n", label, fl.l_type == F_RDLCK ? "rd" : "wr", (long)fl.l_start,
		    (long)fl.l_len, fl.l_pid == -1 ? "-1" : fl.l_pid == getpid() ? "self" : fl.l_pid == 0 ? "0" : "other");
}

int main(int argc, char **argv)
{
	scratch_init("ofd_lock", argc, argv);
	const char *f = P("f");
	put_file(f, "0123456789", 10, 0644);
	int a = open(f, O_RDWR), b = open(f, O_RDWR);
	struct flock fl;

	say("-- owned by the description\n");
	OK("a OFD W [0,5)", lk(a, F_OFD_SETLK, F_WRLCK, 0, 5));
	ERR("b OFD W [4,6): same process, other description", lk(b, F_OFD_SETLK, F_WRLCK, 4, 2), EAGAIN);
	ERR("b OFD R [0,1)", lk(b, F_OFD_SETLK, F_RDLCK, 0, 1), EAGAIN);
	OK("b OFD W [5,10)", lk(b, F_OFD_SETLK, F_WRLCK, 5, 5));
	probe("b OFD_GETLK [0,10)", b, F_OFD_GETLK, 0, 10);
	probe("a OFD_GETLK [0,10)", a, F_OFD_GETLK, 0, 10);
	probe("a F_GETLK [0,10): OFD locks report pid -1", a, F_GETLK, 0, 10);
	ERR("POSIX W [0,1) vs a's OFD lock", lk(b, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	ERR("a OFD W [5,6): b holds it", lk(a, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	OK("a OFD R [0,5) downgrades its own lock", lk(a, F_OFD_SETLK, F_RDLCK, 0, 5));
	OK("POSIX R [0,1) now shares it", lk(b, F_SETLK, F_RDLCK, 0, 1));
	ERR("a OFD W [0,1) vs this process's POSIX read lock", lk(a, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);
	probe("a OFD_GETLK [0,1): the POSIX lock", a, F_OFD_GETLK, 0, 1);
	OK("POSIX U [0,1)", lk(b, F_SETLK, F_UNLCK, 0, 1));
	OK("a OFD U [0,5)", lk(a, F_OFD_SETLK, F_UNLCK, 0, 5));

	say("-- dup, close and fork\n");
	int d = dup(b);
	OK("dup of b unlocks part of b's lock [5,7)", lk(d, F_OFD_SETLK, F_UNLCK, 5, 2));
	probe("a OFD_GETLK [5,10)", a, F_OFD_GETLK, 5, 5);
	int c = open(f, O_RDONLY);
	close(c);
	probe("closing another fd of the file keeps it", a, F_OFD_GETLK, 5, 5);
	close(b);
	probe("closing b keeps it (the dup remains)", a, F_OFD_GETLK, 5, 5);
	close(d);
	probe("last close releases it", a, F_OFD_GETLK, 0, 0);

	OK("a OFD W [0,10)", lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
	pid_t pid = fork();
	if (pid == 0) {
		int r1 = lk(a, F_OFD_SETLK, F_WRLCK, 0, 10);   /* same description: its own lock */
		int n = open(f, O_RDWR);
		int r2 = lk(n, F_OFD_SETLK, F_RDLCK, 0, 1);
		int r3 = lk(a, F_OFD_SETLK, F_UNLCK, 0, 5);   /* the child may unlock it */
		_exit(r1 == 0 && r2 == -1 && errno == EAGAIN && r3 == 0 ? 0 : 1);
	}
	VAL("child shares the description's lock", reap(pid), 0);
	probe("after the child unlocked [0,5)", open(f, O_RDWR), F_OFD_GETLK, 0, 10);

	say("-- F_OFD_SETLKW\n");
	pid = fork();
	if (pid == 0) {
		int n = open(f, O_RDWR);
		_exit(lk(n, F_OFD_SETLKW, F_WRLCK, 5, 1) == 0 ? 0 : 1);
	}
	CHECK("child sleeps in F_OFD_SETLKW", wait_blocked(pid));
	OK("a OFD U everything wakes it", lk(a, F_OFD_SETLK, F_UNLCK, 0, 0));
	VAL("child got it", reap(pid), 0);
	OK("a OFD W [0,1)", lk(a, F_OFD_SETLK, F_WRLCK, 0, 1));
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		int n = open(f, O_RDWR);
		int r = lk(n, F_OFD_SETLKW, F_WRLCK, 0, 1);
		_exit(r == -1 && errno == EINTR ? 0 : 1);
	}
	CHECK("child sleeps", wait_blocked(pid));
	kill(pid, SIGUSR1);
	VAL("EINTR after a handler", reap(pid), 0);
	b = open(f, O_RDWR);
	ERR("same process, other description: b OFD W [0,1)", lk(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);

	say("-- errors\n");
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1 };
	ERR("OFD_SETLK with l_pid != 0", fcntl(b, F_OFD_SETLK, &fl), EINVAL);
	ERR("OFD_GETLK with l_pid != 0", fcntl(b, F_OFD_GETLK, &fl), EINVAL);
	fl.l_pid = 0;
	fl.l_type = 9;
	ERR("OFD_SETLK bad l_type", fcntl(b, F_OFD_SETLK, &fl), EINVAL);
	int ro = open(f, O_RDONLY);
	ERR("OFD write lock on O_RDONLY", lk(ro, F_OFD_SETLK, F_WRLCK, 0, 1), EBADF);
	OK("OFD read lock on O_RDONLY [5,6)", lk(ro, F_OFD_SETLK, F_RDLCK, 5, 1));
	ERR("bad pointer", fcntl(b, F_OFD_SETLK, BADPTR), EFAULT);

	scratch_cleanup();
	return finish();
}
