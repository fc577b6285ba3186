// POSIX message queues between processes: a sleeping receiver gets the message, a sleeping sender's message moves in when room appears (priority order kept), mq_notify from another process's send (si_pid), EBUSY across processes, registration dropped at the owner's exit.
#include "common.h"
#include <sys/wait.h>

#define K_SI_MESGQ (-3)
#ifndef SIGEV_SIGNAL
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#endif

struct k_mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, reserved[4]; };
struct k_sigevent { uint64_t value; int signo; int notify; int pad[12]; };

static char name[64];
static int q;
static long mq_put(int fd, const char *s, unsigned prio)
{
	return syscall(SYS_mq_timedsend, fd, s, strlen(s), prio, NULL);
}

static char buf[64];
static unsigned prio;
static long mq_take(int fd)
{
	memset(buf, 0, sizeof buf);
	return syscall(SYS_mq_timedreceive, fd, buf, sizeof buf, &prio, NULL);
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

static volatile int got_sig, got_code, got_pid, got_value;
static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_value = si->si_value.sival_int;
}

int main(void)
{
	snprintf(name, sizeof name, "tsvisor-ctest-mqfork-%d", (int)getpid());
	struct k_mq_attr attr = { 0, 2, 64, 0, { 0 } };
	q = syscall(SYS_mq_open, name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	CHECK("mq_open", q >= 0);

	/* a sleeping receiver */
	pid_t r = fork();
	if (r == 0)
		_exit(mq_take(q) == 5 && !strcmp(buf, "hello") && prio == 7 ? 0 : 1);
	CHECK("receiver sleeps", wait_blocked(r));
	VAL("send", mq_put(q, "hello", 7), 0);
	VAL("receiver got it", reap(r), 0);

	/* a sleeping sender */
	mq_put(q, "low", 1);
	mq_put(q, "mid", 5);
	pid_t s = fork();
	if (s == 0)
		_exit(mq_put(q, "high", 9) == 0 ? 0 : 1);
	CHECK("sender sleeps on a full queue", wait_blocked(s));
	VAL("receive", mq_take(q), 3);
	CHECK("mid first", !strcmp(buf, "mid"));
	VAL("sender done", reap(s), 0);
	VAL("then its message", mq_take(q), 4);
	CHECK("high", !strcmp(buf, "high") && prio == 9);
	VAL("then low", mq_take(q), 3);

	/* notification of another process's send */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	/* SA_RESTART: the signal may interrupt our waitpid, or not, depending on timing. */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	VAL("register", notify(q, SIGEV_SIGNAL, SIGUSR1, 77), 0);
	pid_t o = fork();
	if (o == 0)
		_exit(notify(q, SIGEV_NONE, 0, 0) == -1 && errno == EBUSY ? 0 : 1);
	VAL("another process gets EBUSY", reap(o), 0);
	pid_t w = fork();
	if (w == 0)
		_exit(mq_put(q, "ping", 0) == 0 ? 0 : 1);
	VAL("child sends", reap(w), 0);
	CHECK("signal", got_sig == SIGUSR1 && got_code == K_SI_MESGQ && got_value == 77);
	CHECK("si_pid is the child", got_pid == w);
	mq_take(q);

	/* a registration dies with its owner */
	pid_t d = fork();
	if (d == 0)
		_exit(notify(q, SIGEV_NONE, 0, 0) == 0 ? 0 : 1);
	VAL("child registers and exits", reap(d), 0);
	VAL("free again", notify(q, SIGEV_NONE, 0, 0), 0);
	VAL("unlink", syscall(SYS_mq_unlink, name), 0);
	close(q);
	return finish();
}
