// signalfd, signalfd4: reading pending signals as signalfd_siginfo (kill, tgkill, sigqueue, itimer), mask updates, errnos, poll/epoll readiness, blocking reads.
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/time.h>

static struct signalfd_siginfo si[4];

static long rd(int fd, int n)
{
	memset(si, 0, sizeof si);
	return read(fd, si, n * sizeof si[0]);
}

static int pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	return poll(&p, 1, 0) < 0 ? -errno : p.revents;
}

int main(void)
{
	sigset_t all, usr1, usr2;
	char link[64], target[64] = "";
	sigemptyset(&all);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGUSR2);
	sigaddset(&all, SIGALRM);
	sigaddset(&all, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	uint64_t raw = 1ULL << (SIGUSR1 - 1);

	/* errors */
	ERR("sizemask 4", syscall(SYS_signalfd4, -1, &raw, 4, 0), EINVAL);
	ERR("bad flags", syscall(SYS_signalfd4, -1, &raw, 8, 1), EINVAL);
	ERR("bad mask pointer", syscall(SYS_signalfd4, -1, BADPTR, 8, 0), EFAULT);
	ERR("update a closed fd", syscall(SYS_signalfd4, 999, &raw, 8, 0), EBADF);
	int p[2];
	pipe(p);
	ERR("update a pipe", syscall(SYS_signalfd4, p[0], &raw, 8, 0), EINVAL);
	OK("signalfd (no flags)", syscall(SYS_signalfd, -1, &raw, 8));
	close(LAST);

	int fd = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
	OK("signalfd4", fd);
	VAL("SFD_NONBLOCK", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	VAL("SFD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	readlink(link, target, sizeof target - 1);
	say("link: %s\n", target);
	ERR("nothing pending", rd(fd, 1), EAGAIN);
	ERR("buffer smaller than one record", read(fd, si, 100), EINVAL);
	VALX("poll: not readable, never writable", readable(fd), 0);

	/* kill */
	kill(getpid(), SIGUSR1);
	VALX("poll: readable", readable(fd), POLLIN);
	VAL("read one", rd(fd, 1), sizeof si[0]);
	VAL("ssi_signo", si[0].ssi_signo, SIGUSR1);
	VAL("ssi_code SI_USER", si[0].ssi_code, SI_USER);
	CHECK("ssi_pid is us", si[0].ssi_pid == (uint32_t)getpid());
	CHECK("ssi_uid is us", si[0].ssi_uid == getuid());
	CHECK("no longer pending", !pending(SIGUSR1));
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	VAL("standard signals coalesce", rd(fd, 4), sizeof si[0]);

	/* signals outside the mask stay pending */
	kill(getpid(), SIGUSR2);
	ERR("SIGUSR2 not in the mask", rd(fd, 1), EAGAIN);
	CHECK("SIGUSR2 still pending", pending(SIGUSR2));
	VAL("new mask on the same fd", signalfd(fd, &usr2, 0), fd);
	VAL("now readable", rd(fd, 1), sizeof si[0]);
	VAL("SIGUSR2", si[0].ssi_signo, SIGUSR2);
	CHECK("flags unchanged by the update", fcntl(fd, F_GETFL) & O_NONBLOCK);
	fdinfo_line("fdinfo", fd, "sigmask");

	/* tgkill and sigqueue */
	signalfd(fd, &all, 0);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	VAL("tgkill", rd(fd, 1), sizeof si[0]);
	VAL("ssi_code SI_TKILL", si[0].ssi_code, SI_TKILL);
	CHECK("ssi_pid", si[0].ssi_pid == (uint32_t)getpid());
	for (int i = 1; i <= 3; i++)
		sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i * 100 });
	VAL("two of three queued", rd(fd, 2), 2 * sizeof si[0]);
	CHECK("in order", si[0].ssi_int == 100 && si[1].ssi_int == 200);
	VAL("ssi_code SI_QUEUE", si[0].ssi_code, SI_QUEUE);
	CHECK("ssi_ptr holds the value", si[1].ssi_ptr == 200);
	VAL("the third", rd(fd, 4), sizeof si[0]);
	VAL("value", si[0].ssi_int, 300);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	VAL("lowest number first", rd(fd, 4), 2 * sizeof si[0]);
	CHECK("SIGUSR1 then SIGUSR2", si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2);

	/* SIGKILL and SIGSTOP are dropped from the mask silently */
	uint64_t withkill = raw | (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));
	int kfd = syscall(SYS_signalfd4, -1, &withkill, 8, SFD_NONBLOCK);
	OK("mask with SIGKILL|SIGSTOP", kfd);
	close(kfd);

	/* epoll */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 9 };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	VAL("epoll: nothing", epoll_wait(ep, &ev, 1, 0), 0);
	kill(getpid(), SIGUSR1);
	VAL("epoll: readable", epoll_wait(ep, &ev, 1, 0), 1);
	CHECK("event", ev.data.u64 == 9 && ev.events == EPOLLIN);
	rd(fd, 1);
	VAL("epoll: drained", epoll_wait(ep, &ev, 1, 0), 0);

	/* blocking: an itimer's SIGALRM arrives while we wait */
	int bfd = signalfd(-1, &all, 0);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	VAL("blocking read", rd(bfd, 1), sizeof si[0]);
	VAL("SIGALRM", si[0].ssi_signo, SIGALRM);
	VAL("ssi_code SI_KERNEL", si[0].ssi_code, SI_KERNEL);
	setitimer(ITIMER_REAL, &it, NULL);
	VAL("epoll_wait(-1) wakes for it", epoll_wait(ep, &ev, 1, -1), 1);
	VAL("read", rd(fd, 1), sizeof si[0]);
	VAL("SIGALRM", si[0].ssi_signo, SIGALRM);

	close(ep);
	close(bfd);
	close(fd);
	return finish();
}
