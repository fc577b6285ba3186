// POSIX message queues in one process (raw syscalls): mq_open names/attrs/errnos, priority order, EMSGSIZE, EAGAIN/ETIMEDOUT, the QSIZE line, poll, mq_notify (SIGEV_SIGNAL, SIGEV_NONE, EBUSY), mq_getsetattr, mq_unlink, RLIMIT_MSGQUEUE.
#include "common.h"
#include <poll.h>

#ifndef SIGEV_SIGNAL
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#endif
#define K_SI_MESGQ (-3)

/* The kernel's struct mq_attr and struct sigevent (x86_64). */
struct k_mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, reserved[4]; };
struct k_sigevent { uint64_t value; int signo; int notify; int pad[12]; };

static char names[4][64];

static int mqopen(const char *name, int flags, int mode, struct k_mq_attr *attr)
{
	return syscall(SYS_mq_open, name, flags, mode, attr);
}

static long mqsend(int fd, const char *msg, size_t len, unsigned prio, const struct timespec *ts)
{
	return syscall(SYS_mq_timedsend, fd, msg, len, prio, ts);
}

static char rbuf[256];
static unsigned rprio;
static long mqrecv(int fd, size_t len, const struct timespec *ts)
{
	memset(rbuf, 0, sizeof rbuf);
	rprio = 12345;
	return syscall(SYS_mq_timedreceive, fd, rbuf, len, &rprio, ts);
}

static long getattr(int fd, struct k_mq_attr *a)
{
	return syscall(SYS_mq_getsetattr, fd, NULL, a);
}

static long notify(int fd, int how, int signo, uint64_t value)
{
	struct k_sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.notify = how;
	ev.signo = signo;
	ev.value = value;
	return syscall(SYS_mq_notify, fd, &ev);
}

/* Prints the status line read(2) gives, with NOTIFY_PID as "self" or the number. */
static int status_pid;
static void show(const char *label, int fd)
{
	char line[128];
	memset(line, 0, sizeof line);
	if (pread(fd, line, sizeof line - 1, 0) < 0) {
		say("%s: %s\n", label, errname(errno));
		return;
	}
	char *p = strstr(line, "NOTIFY_PID:");
	status_pid = p ? atoi(p + 11) : -1;
	if (p)
		p[11] = 0;
	if (status_pid == getpid())
		say("%s: %sself\n", label, line);
	else
		say("%s: %s%d\n", label, line, status_pid);
}

static volatile int got_sig, got_code, got_value, got_pid;
static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
	got_pid = si->si_pid;
}

int main(void)
{
	for (int i = 0; i < 4; i++)
		snprintf(names[i], sizeof names[i], "tsvisor-ctest-mq-%d-%d", (int)getpid(), i);
	const char *n0 = names[0], *n1 = names[1];
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = 0;
	struct k_mq_attr attr = { 0, 4, 16, 0, { 0 } }, a;
	struct timespec past = { 1, 0 };

	/* names */
	ERR("empty name", mqopen("", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
	ERR("name with a slash", mqopen("a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	ERR("name .", mqopen(".", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	ERR("name ..", mqopen("..", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	ERR("name too long", mqopen(longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
	ERR("bad name pointer", mqopen(BADPTR, O_RDWR | O_CREAT, 0600, NULL), EFAULT);
	ERR("missing queue", mqopen(n0, O_RDWR, 0, NULL), ENOENT);
	ERR("bad attr pointer", mqopen(n0, O_RDWR | O_CREAT, 0600, BADPTR), EFAULT);

	/* attributes */
	struct k_mq_attr bad = { 0, 0, 16, 0, { 0 } };
	ERR("maxmsg 0", mqopen(n0, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	bad.mq_maxmsg = 4;
	bad.mq_msgsize = -1;
	ERR("msgsize -1", mqopen(n0, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	bad.mq_msgsize = 16;
	bad.mq_maxmsg = 65537;
	ERR("maxmsg above the hard limit", mqopen(n0, O_RDWR | O_CREAT, 0600, &bad), EINVAL);
	int q = mqopen(n0, O_RDWR | O_CREAT | O_EXCL, 0640, &attr);
	CHECK("create", q >= 0);
	VAL("close-on-exec", fcntl(q, F_GETFD), FD_CLOEXEC);
	VALO("F_GETFL", fcntl(q, F_GETFL), O_RDWR);
	ERR("O_EXCL again", mqopen(n0, O_RDWR | O_CREAT | O_EXCL, 0600, &attr), EEXIST);
	ERR("O_WRONLY|O_RDWR", mqopen(n0, O_WRONLY | O_RDWR, 0, NULL), EINVAL);
	int rd = mqopen(n0, O_RDONLY, 0, NULL);
	int wr = mqopen(n0, O_WRONLY | O_CREAT, 0600, NULL);
	CHECK("open existing twice", rd >= 0 && wr >= 0);
	struct stat st;
	VAL("fstat", fstat(q, &st), 0);
	CHECK("regular file", S_ISREG(st.st_mode));
	VALO("permissions", st.st_mode & 07777, 0640);
	char link[128] = { 0 }, path[64], want[80];
	snprintf(path, sizeof path, "/proc/self/fd/%d", q);
	snprintf(want, sizeof want, "/%s", n0);
	CHECK("/proc/self/fd link", readlink(path, link, sizeof link - 1) > 0 && !strcmp(link, want));

	/* mq_getsetattr */
	VAL("getattr", getattr(q, &a), 0);
	CHECK("attr", a.mq_flags == 0 && a.mq_maxmsg == 4 && a.mq_msgsize == 16 && a.mq_curmsgs == 0);
	struct k_mq_attr nb = { O_NONBLOCK, 0, 0, 0, { 0 } };
	VAL("set O_NONBLOCK", syscall(SYS_mq_getsetattr, q, &nb, &a), 0);
	VAL("old flags returned", a.mq_flags, 0);
	getattr(q, &a);
	VALO("flags now", a.mq_flags, O_NONBLOCK);
	VALO("F_GETFL sees it", fcntl(q, F_GETFL), O_RDWR | O_NONBLOCK);
	nb.mq_flags = O_NONBLOCK | O_APPEND;
	ERR("other flags", syscall(SYS_mq_getsetattr, q, &nb, NULL), EINVAL);
	ERR("not a queue", getattr(0, &a), EBADF);
	ERR("closed fd", getattr(999, &a), EBADF);
	ERR("bad new attr", syscall(SYS_mq_getsetattr, q, BADPTR, NULL), EFAULT);
	ERR("bad old attr", syscall(SYS_mq_getsetattr, q, NULL, BADPTR), EFAULT);

	/* send and receive */
	show("empty status", q);
	ERR("priority too high", mqsend(q, "x", 1, 32768, NULL), EINVAL);
	ERR("message too long", mqsend(q, "0123456789abcdefg", 17, 0, NULL), EMSGSIZE);
	ERR("send on O_RDONLY", mqsend(rd, "x", 1, 0, NULL), EBADF);
	ERR("send on a pipe", mqsend(0, "x", 1, 0, NULL), EBADF);
	VAL("send p1 a", mqsend(q, "a1", 2, 1, NULL), 0);
	VAL("send p5", mqsend(wr, "b5", 2, 5, NULL), 0);
	VAL("send p1 c", mqsend(q, "c1x", 3, 1, NULL), 0);
	VAL("send p0 empty", mqsend(q, "", 0, 0, NULL), 0);
	getattr(q, &a);
	VAL("curmsgs", a.mq_curmsgs, 4);
	show("status", q);
	ERR("full, O_NONBLOCK", mqsend(q, "d", 1, 0, NULL), EAGAIN);
	ERR("full, timeout passed", mqsend(wr, "d", 1, 0, &past), ETIMEDOUT);
	struct timespec badts = { 0, 1000000000 };
	ERR("bad timeout", mqsend(wr, "d", 1, 0, &badts), EINVAL);
	ERR("bad timeout pointer", mqsend(wr, "d", 1, 0, BADPTR), EFAULT);
	ERR("receive buffer too small", mqrecv(q, 15, NULL), EMSGSIZE);
	ERR("receive on O_WRONLY", mqrecv(wr, 16, NULL), EBADF);
	VAL("highest priority first", mqrecv(rd, 16, NULL), 2);
	CHECK("b5", !strcmp(rbuf, "b5") && rprio == 5);
	VAL("then FIFO", mqrecv(q, 16, NULL), 2);
	CHECK("a1", !strcmp(rbuf, "a1") && rprio == 1);
	VAL("next", mqrecv(q, 200, NULL), 3);
	CHECK("c1x", !strcmp(rbuf, "c1x") && rprio == 1);
	VAL("empty message", mqrecv(q, 16, NULL), 0);
	CHECK("prio 0", rprio == 0);
	ERR("empty, O_NONBLOCK", mqrecv(q, 16, NULL), EAGAIN);
	ERR("empty, timeout passed", mqrecv(rd, 16, &past), ETIMEDOUT);
	struct timespec soon;
	clock_gettime(CLOCK_REALTIME, &soon);
	soon.tv_nsec += 20 * 1000 * 1000;
	if (soon.tv_nsec >= 1000000000) {
		soon.tv_sec++;
		soon.tv_nsec -= 1000000000;
	}
	ERR("empty, 20 ms timeout", mqrecv(rd, 16, &soon), ETIMEDOUT);
	ERR("receive into a bad buffer", (mqsend(q, "zz", 2, 0, NULL), syscall(SYS_mq_timedreceive, q, BADPTR, 16, NULL, NULL)), EFAULT);
	getattr(q, &a);
	VAL("message consumed anyway", a.mq_curmsgs, 0);

	/* poll */
	struct pollfd pf = { q, POLLIN | POLLOUT, 0 };
	VAL("poll empty", poll(&pf, 1, 0), 1);
	VALX("POLLOUT only", pf.revents, POLLOUT);
	mqsend(q, "p", 1, 0, NULL);
	pf.revents = 0;
	poll(&pf, 1, 0);
	VALX("POLLIN and POLLOUT", pf.revents, POLLIN | POLLOUT);
	for (int i = 0; i < 3; i++)
		mqsend(q, "p", 1, 0, NULL);
	pf.revents = 0;
	poll(&pf, 1, 0);
	VALX("full: POLLIN only", pf.revents, POLLIN);
	for (int i = 0; i < 4; i++)
		mqrecv(q, 16, NULL);

	/* mq_notify */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	ERR("bad sigev_notify", notify(q, 7, SIGUSR1, 0), EINVAL);
	ERR("bad signal", notify(q, SIGEV_SIGNAL, 65, 0), EINVAL);
	ERR("bad sigevent pointer", syscall(SYS_mq_notify, q, BADPTR), EFAULT);
	ERR("notify on a non-queue", notify(0, SIGEV_SIGNAL, SIGUSR1, 0), EBADF);
	VAL("register SIGEV_SIGNAL", notify(q, SIGEV_SIGNAL, SIGUSR1, 42), 0);
	show("registered", q);
	ERR("second registration", notify(rd, SIGEV_SIGNAL, SIGUSR1, 1), EBUSY);
	VAL("send to the empty queue", mqsend(wr, "n", 1, 0, NULL), 0);
	CHECK("signal arrived", got_sig == SIGUSR1);
	CHECK("si_code SI_MESGQ", got_code == K_SI_MESGQ);
	VAL("si_value", got_value, 42);
	CHECK("si_pid is the sender", got_pid == getpid());
	show("after firing", q);
	got_sig = 0;
	VAL("register again", notify(q, SIGEV_SIGNAL, SIGUSR1, 43), 0);
	VAL("send to a non-empty queue", mqsend(wr, "m", 1, 0, NULL), 0);
	CHECK("no signal", got_sig == 0);
	VAL("unregister", syscall(SYS_mq_notify, q, NULL), 0);
	show("unregistered", q);
	VAL("SIGEV_NONE", notify(q, SIGEV_NONE, 0, 0), 0);
	show("SIGEV_NONE registered", q);
	mqrecv(q, 16, NULL);
	mqrecv(q, 16, NULL);
	mqsend(q, "o", 1, 0, NULL);
	show("SIGEV_NONE fired", q);
	CHECK("no signal for SIGEV_NONE", got_sig == 0);
	VAL("signal 0 accepted", notify(q, SIGEV_SIGNAL, 0, 0), 0);
	VAL("close drops the registration", close(q), 0);
	q = mqopen(n0, O_RDWR, 0, NULL);
	show("reopened", q);

	/* RLIMIT_MSGQUEUE */
	struct rlimit old, zero;
	getrlimit(RLIMIT_MSGQUEUE, &old);
	zero = old;
	zero.rlim_cur = 0;
	setrlimit(RLIMIT_MSGQUEUE, &zero);
	ERR("RLIMIT_MSGQUEUE", mqopen(n1, O_RDWR | O_CREAT, 0600, &attr), EMFILE);
	setrlimit(RLIMIT_MSGQUEUE, &old);
	int q1 = mqopen(n1, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	CHECK("default attributes", q1 >= 0 && getattr(q1, &a) == 0);
	CHECK("defaults as /proc/sys/fs/mqueue", a.mq_maxmsg > 0 && a.mq_msgsize > 0);
	ERR("read-only queue file is not writable", write(q1, "x", 1), EINVAL);

	/* mq_unlink */
	ERR("unlink missing", syscall(SYS_mq_unlink, names[2]), ENOENT);
	ERR("unlink empty name", syscall(SYS_mq_unlink, ""), ENOENT);
	ERR("unlink name with a slash", syscall(SYS_mq_unlink, "a/b"), EACCES);
	ERR("unlink bad pointer", syscall(SYS_mq_unlink, BADPTR), EFAULT);
	VAL("unlink", syscall(SYS_mq_unlink, n0), 0);
	ERR("gone", mqopen(n0, O_RDWR, 0, NULL), ENOENT);
	VAL("open queue still works", mqsend(q, "u", 1, 0, NULL), 0);
	VAL("and receives", mqrecv(rd, 16, NULL), 1);
	int again = mqopen(n0, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	CHECK("a new queue of the same name", again >= 0);
	getattr(again, &a);
	VAL("new queue is empty", a.mq_curmsgs, 0);
	VAL("unlink again", syscall(SYS_mq_unlink, n0), 0);
	VAL("unlink second", syscall(SYS_mq_unlink, n1), 0);
	close(q);
	close(rd);
	close(wr);
	close(q1);
	close(again);
	return finish();
}
