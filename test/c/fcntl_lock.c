// fcntl POSIX record locks: F_GETLK/F_SETLK/F_SETLKW with l_whence SEEK_SET/CUR/END, len 0 (to
// EOF) and negative lengths, splitting and merging a process's ranges, conflicts (EAGAIN) seen from
// another process, release on close of ANY fd of the file and at exit, no inheritance by fork,
// F_SETLKW woken by an unlock and interrupted by a handler (EINTR), EDEADLK between two processes,
// EBADF for a lock type the access mode does not allow, EINVAL/EOVERFLOW/EFAULT.
#include "common.h"
#include <sys/wait.h>

static int fd;
static void on_usr1(int s) { (void)s; }

static int lk(int f, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fcntl(f, cmd, &fl);
}
/* From a child: the parent's locks on bytes 0..39 ('.' none, 'r', 'w') and at a far offset. */
static void show(const char *label)
{
	pid_t pid = fork();
	if (pid == 0) {
		char map[42];
		for (int i = 0; i <= 40; i++) {
			struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = i == 40 ? 1000000 : i, .l_len = 1 };
			fcntl(fd, F_GETLK, &fl);
			map[i] = fl.l_type == F_UNLCK ? '.' : fl.l_type == F_RDLCK ? 'r' : 'w';
		}
		map[40] = map[40] == '.' ? '.' : 'E';
		map[41] = 0;
		say("%s: %.40s far:%c\n", label, map, map[40]);
		_exit(0);
	}
	reap(pid);
}

/* From a child: F_GETLK for a write lock at [start, start+len): what it reports. */
static void probe(const char *label, off_t start, off_t len)
{
	pid_t ppid = getpid(), pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 4242 };
		if (fcntl(fd, F_GETLK, &fl) != 0)
			say("%s: %s\n", label, errname(errno));
		else if (fl.l_type == F_UNLCK)
			say("%s: unlocked (pid field kept: %d)\n", label, fl.l_pid == 4242);
		else
			say("%s: %s start=%ld len=%ld whence=%d pid-is-parent=%d\n", label, fl.l_type == F_RDLCK ? "rd" : "wr",
			    (long)fl.l_start, (long)fl.l_len, fl.l_whence, fl.l_pid == ppid);
		_exit(0);
	}
	reap(pid);
}

int main(int argc, char **argv)
{
	scratch_init("fcntl_lock", argc, argv);
	const char *f = P("f");
	char buf[100] = { 0 };
	put_file(f, buf, sizeof buf, 0644);
	fd = open(f, O_RDWR);
	struct flock fl;

	say("-- ranges\n");
	probe("nothing locked", 0, 0);
	OK("W [10,20)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
	show("map");
	probe("getlk [0,100)", 0, 100);
	OK("R [15,25) splits the write lock", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 15, 10));
	show("map");
	OK("U [12,13)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 12, 1));
	show("map");
	OK("W [0,5)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 5));
	OK("W [5,10) merges with its neighbours", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 5));
	probe("getlk [0,1) reports the merged lock", 0, 1);
	OK("W start 30 len -5 = [25,30)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 30, -5));
	lseek(fd, 35, SEEK_SET);
	OK("R SEEK_CUR+0 len 2 = [35,37)", lk(fd, F_SETLK, F_RDLCK, SEEK_CUR, 0, 2));
	OK("W SEEK_END-10 len 0 = [90,EOF]", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 0));
	show("map");
	probe("getlk [95,96)", 95, 1);
	probe("getlk [24,26)", 24, 2);
	OK("own locks never conflict: getlk", (fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET }, fcntl(fd, F_GETLK, &fl)));
	VAL("  l_type", fl.l_type, F_UNLCK);
	OK("R over everything (own write locks become read)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
	show("map");
	probe("getlk [3,4) one merged read lock", 3, 1);
	OK("U everything", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	show("map");

	say("-- conflicts from another process\n");
	OK("W [0,10) R [20,30)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) | lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	pid_t pid = fork();
	if (pid == 0) {
		int c = open(f, O_RDWR);
		ERR("  child W [5,6)", lk(c, F_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);
		ERR("  child R [5,6)", lk(c, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
		OK("  child R [25,26) shares", lk(c, F_SETLK, F_RDLCK, SEEK_SET, 25, 1));
		ERR("  child W [29,31)", lk(c, F_SETLK, F_WRLCK, SEEK_SET, 29, 2), EAGAIN);
		OK("  child W [50,60)", lk(c, F_SETLK, F_WRLCK, SEEK_SET, 50, 10));
		_exit(finish());
	}
	VAL("child", reap(pid), 0);
	OK("child's locks went at exit: W [50,60)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, 10));
	int other = open(P("g"), O_RDWR | O_CREAT, 0644);
	close(other);
	show("after closing an fd of another file");
	int second = open(f, O_RDONLY);
	close(second);
	show("after closing a second fd of this file");

	say("-- F_SETLKW\n");
	OK("W [0,1)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	pid = fork();
	if (pid == 0)
		_exit(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 1);
	CHECK("child sleeps in F_SETLKW", wait_blocked(pid));
	OK("unlock wakes it", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	VAL("child got the lock", reap(pid), 0);

	OK("W [0,1)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
		_exit(r == -1 && errno == EINTR ? 0 : 1);
	}
	CHECK("child sleeps in F_SETLKW", wait_blocked(pid));
	kill(pid, SIGUSR1);
	VAL("handler without SA_RESTART: EINTR", reap(pid), 0);

	say("-- EDEADLK\n");
	int pp[2];
	pipe(pp);
	pid = fork();
	if (pid == 0) {
		char c = 0;
		int ok = lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) == 0;
		write(pp[1], &c, 1);
		ok = ok && lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0;  /* waits for the parent */
		_exit(ok ? 0 : 1);
	}
	char c;
	read(pp[0], &c, 1);
	CHECK("child holds [1,2) and sleeps waiting for [0,1)", wait_blocked(pid));
	ERR("parent F_SETLKW [1,2) would deadlock", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
	ERR("parent F_SETLK [1,2): plain conflict", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1), EAGAIN);
	OK("parent unlocks [0,1)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	VAL("child got [0,1)", reap(pid), 0);
	OK("parent F_SETLKW [0,2) after the child's exit", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 2));

	say("-- errors\n");
	int ro = open(f, O_RDONLY), wo = open(f, O_WRONLY), pa = open(f, O_PATH);
	ERR("write lock on O_RDONLY fd", lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	ERR("read lock on O_WRONLY fd", lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
	OK("unlock on O_RDONLY fd", lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	OK("read lock on O_RDONLY fd", lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	ERR("O_PATH fd", lk(pa, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
	ERR("bad fd", lk(-1, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
	ERR("l_type 7", lk(fd, F_SETLK, 7, SEEK_SET, 0, 1), EINVAL);
	ERR("getlk F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1), EINVAL);
	ERR("l_whence 9", lk(fd, F_SETLK, F_RDLCK, 9, 0, 1), EINVAL);
	ERR("start -1", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, -1, 1), EINVAL);
	ERR("start 2 len -3", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 2, -3), EINVAL);
	ERR("start LLONG_MAX len 2", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, LLONG_MAX, 2), EOVERFLOW);
	ERR("SEEK_END + LLONG_MAX", lk(fd, F_SETLK, F_RDLCK, SEEK_END, LLONG_MAX, 1), EOVERFLOW);
	ERR("bad pointer", fcntl(fd, F_SETLK, BADPTR), EFAULT);
	ERR("getlk bad pointer", fcntl(fd, F_GETLK, BADPTR), EFAULT);

	scratch_cleanup();
	return finish();
}
