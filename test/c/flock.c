// flock(2): shared/exclusive locks owned by the open file description (shared by dup and fork,
// not by a second open), LOCK_NB and EWOULDBLOCK, non-atomic conversion, release on the last
// close of the description, a blocked flock woken by an unlock, EINTR from a handler without
// SA_RESTART and a restart with it, flock and fcntl locks independent, errnos.
#include "common.h"
#include <sys/file.h>
#include <sys/wait.h>

static volatile int got;
static void on_usr1(int s) { (void)s; got++; }

static void handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
}

/* Child: flock(path, LOCK_EX) on a fresh description; exits 0 on success, 10+errno-ish code otherwise. */
static pid_t blocker(const char *path, int sa_flags)
{
	pid_t pid = fork();
	if (pid == 0) {
		handler(sa_flags);
		int fd = open(path, O_RDONLY);
		if (flock(fd, LOCK_EX) == 0)
			_exit(got ? 3 : 0);
		_exit(errno == EINTR ? (got ? 4 : 5) : 6);
	}
	return pid;
}

int main(int argc, char **argv)
{
	scratch_init("flock", argc, argv);
	const char *f = P("f");
	put_file(f, "data", 4, 0644);
	int a = open(f, O_RDWR), b = open(f, O_RDONLY);

	say("-- shared and exclusive\n");
	OK("a LOCK_SH", flock(a, LOCK_SH));
	OK("b LOCK_SH|NB (shared with a)", flock(b, LOCK_SH | LOCK_NB));
	ERR("a LOCK_EX|NB while b shares: EWOULDBLOCK", flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* The failed conversion dropped a's shared lock (Linux converts non-atomically). */
	OK("b converts to LOCK_EX|NB (a's lock is gone)", flock(b, LOCK_EX | LOCK_NB));
	ERR("a LOCK_SH|NB vs b exclusive", flock(a, LOCK_SH | LOCK_NB), EAGAIN);
	OK("b LOCK_EX again (no-op)", flock(b, LOCK_EX | LOCK_NB));
	OK("b LOCK_SH (downgrade)", flock(b, LOCK_SH | LOCK_NB));
	OK("a LOCK_SH|NB now", flock(a, LOCK_SH | LOCK_NB));
	OK("a LOCK_UN", flock(a, LOCK_UN));
	OK("a LOCK_UN again", flock(a, LOCK_UN));
	OK("b LOCK_UN", flock(b, LOCK_UN));
	OK("read-only fd may take LOCK_EX", flock(b, LOCK_EX | LOCK_NB));
	OK("b LOCK_UN", flock(b, LOCK_UN));

	say("-- owned by the description\n");
	int d = dup(a);
	OK("a LOCK_EX", flock(a, LOCK_EX));
	OK("dup of a LOCK_EX|NB (same lock)", flock(d, LOCK_EX | LOCK_NB));
	ERR("b LOCK_SH|NB", flock(b, LOCK_SH | LOCK_NB), EAGAIN);
	OK("close(a): the dup keeps the description", close(a));
	ERR("b still blocked out", flock(b, LOCK_SH | LOCK_NB), EAGAIN);
	OK("close(dup): last reference", close(d));
	OK("b LOCK_EX|NB after last close", flock(b, LOCK_EX | LOCK_NB));
	OK("unlock through a dup of b", flock(d = dup(b), LOCK_UN));
	close(d);
	a = open(f, O_RDWR);
	OK("a LOCK_EX|NB: unlocked via the dup", flock(a, LOCK_EX | LOCK_NB));

	say("-- fork shares the description\n");
	pid_t pid = fork();
	if (pid == 0) {
		int r1 = flock(a, LOCK_SH | LOCK_NB);     /* same description: converts the lock */
		int fresh = open(f, O_RDONLY);
		int r2 = flock(fresh, LOCK_EX | LOCK_NB);  /* conflicts with the (now shared) lock */
		int e2 = errno;
		int r3 = flock(fresh, LOCK_SH | LOCK_NB);
		_exit(r1 == 0 && r2 == -1 && e2 == EAGAIN && r3 == 0 ? 0 : 1);
	}
	VAL("child: inherited fd converts, fresh open conflicts", reap(pid), 0);
	ERR("b LOCK_EX|NB (a shared)", flock(b, LOCK_EX | LOCK_NB), EAGAIN);
	OK("b LOCK_SH|NB (a shared; child's lock gone with its exit)", flock(b, LOCK_SH | LOCK_NB));
	OK("b LOCK_UN", flock(b, LOCK_UN));

	say("-- flock and fcntl locks do not interact\n");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	OK("fcntl F_SETLK write lock on b's file via a", fcntl(a, F_SETLK, &fl));
	OK("a LOCK_EX still fine", flock(a, LOCK_EX | LOCK_NB));
	fl.l_type = F_UNLCK;
	fcntl(a, F_SETLK, &fl);

	say("-- blocking\n");
	pid = blocker(f, 0);
	CHECK("child blocks in flock(LOCK_EX)", wait_blocked(pid));
	OK("a LOCK_UN wakes it", flock(a, LOCK_UN));
	VAL("child got the lock", reap(pid), 0);

	OK("a LOCK_EX", flock(a, LOCK_EX));
	pid = blocker(f, 0);
	CHECK("child blocks", wait_blocked(pid));
	kill(pid, SIGUSR1);
	VAL("handler without SA_RESTART: EINTR", reap(pid), 4);

	pid = blocker(f, SA_RESTART);
	CHECK("child blocks (SA_RESTART)", wait_blocked(pid));
	kill(pid, SIGUSR1);
	CHECK("after the handler it blocks again", wait_blocked(pid));
	OK("a LOCK_UN", flock(a, LOCK_UN));
	VAL("restarted flock got the lock after the handler", reap(pid), 3);

	say("-- errors\n");
	ERR("bad fd", flock(-1, LOCK_SH), EBADF);
	ERR("closed fd", flock(999, LOCK_SH), EBADF);
	ERR("op 0", flock(a, 0), EINVAL);
	ERR("LOCK_SH|LOCK_EX", flock(a, LOCK_SH | LOCK_EX), EINVAL);
	ERR("LOCK_NB alone", flock(a, LOCK_NB), EINVAL);
	int p = open(f, O_PATH);
	ERR("O_PATH fd", flock(p, LOCK_SH), EBADF);
	int pp[2];
	pipe(pp);
	OK("a pipe can be flocked", flock(pp[0], LOCK_EX | LOCK_NB));

	scratch_cleanup();
	return finish();
}
