// eventfd, eventfd2: counter reads and writes, semaphore mode, overflow at ULLONG_MAX-1, short buffers, flags, poll bits, blocking reads/writes woken by a SIGALRM handler.
#include "common.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/time.h>

/* SIGALRM from an itimer wakes blocked calls: the handler fills or drains the eventfd. */
static int alarm_fd;
static int alarm_drains;
static void on_alrm(int sig)
{
	uint64_t v = 1;
	(void)sig;
	if (alarm_drains)
		read(alarm_fd, &v, 8);
	else
		write(alarm_fd, &v, 8);
}

static int revents(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLERR, 0 };
	return poll(&p, 1, 0) < 0 ? -errno : p.revents;
}

static long rd(int fd, uint64_t *v)
{
	return read(fd, v, 8);
}

static long wr(int fd, uint64_t v)
{
	return write(fd, &v, 8);
}

int main(void)
{
	uint64_t v = 0;
	char link[64], target[64] = "";

	ERR("eventfd2 bad flags", syscall(SYS_eventfd2, 0, 0x10), EINVAL);
	ERR("eventfd2 O_RDWR is not a flag", syscall(SYS_eventfd2, 0, O_RDWR), EINVAL);
	int fd = syscall(SYS_eventfd, 5);
	OK("eventfd (no flags)", fd);
	VAL("O_RDWR, blocking", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	VAL("no FD_CLOEXEC", fcntl(fd, F_GETFD), 0);
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	readlink(link, target, sizeof target - 1);
	say("link: %s\n", target);
	struct stat st;
	fstat(fd, &st);
	VALO("st_mode", st.st_mode, 0600);
	VAL("st_size", st.st_size, 0);
	VAL("read the initial value", rd(fd, &v), 8);
	VAL("value", v, 5);
	close(fd);

	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	VAL("EFD_NONBLOCK", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	VAL("EFD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	ERR("read 0: EAGAIN", rd(fd, &v), EAGAIN);
	ERR("read with 4-byte buffer", read(fd, &v, 4), EINVAL);
	ERR("write with 4-byte buffer", write(fd, &v, 4), EINVAL);
	ERR("write bad pointer", syscall(SYS_write, fd, BADPTR, 8), EFAULT);
	VALX("poll: writable only", revents(fd), POLLOUT);
	VAL("write 3", wr(fd, 3), 8);
	VAL("write 4", wr(fd, 4), 8);
	fdinfo_line("fdinfo", fd, "eventfd-count");
	uint64_t two[2] = { 10, 20 };
	long r16 = write(fd, two, 16);
	int e16 = errno;
	/* Linux 6.9 made this EINVAL; before, the first 8 bytes counted. */
	CHECK("16-byte write: EINVAL or 8", r16 == 8 || (r16 == -1 && e16 == EINVAL));
	VALX("poll: readable and writable", revents(fd), POLLIN | POLLOUT);
	char big[16];
	VAL("16-byte read returns 8", read(fd, big, 16), 8);
	memcpy(&v, big, 8);
	CHECK("sum", v == (r16 == 8 ? 17 : 7));
	ERR("empty again", rd(fd, &v), EAGAIN);
	VAL("write 0", wr(fd, 0), 8);
	ERR("still empty", rd(fd, &v), EAGAIN);

	/* overflow: the counter tops out at ULLONG_MAX-1 */
	ERR("write ULLONG_MAX", wr(fd, UINT64_MAX), EINVAL);
	VAL("write ULLONG_MAX-1", wr(fd, UINT64_MAX - 1), 8);
	VALX("poll: readable, not writable", revents(fd), POLLIN);
	ERR("write 1 more: EAGAIN", wr(fd, 1), EAGAIN);
	VAL("write 0 still fits", wr(fd, 0), 8);
	VAL("read it all", rd(fd, &v), 8);
	CHECK("ULLONG_MAX-1", v == UINT64_MAX - 1);
	VAL("write 1 fits again", wr(fd, 1), 8);
	VAL("read", rd(fd, &v), 8);
	close(fd);

	/* semaphore mode */
	fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	VAL("sem read 1", rd(fd, &v), 8);
	VAL("gives 1", v, 1);
	rd(fd, &v);
	VAL("sem read 3", rd(fd, &v), 8);
	VAL("gives 1 again", v, 1);
	ERR("sem exhausted", rd(fd, &v), EAGAIN);
	wr(fd, 2);
	VALX("sem poll", revents(fd), POLLIN | POLLOUT);
	close(fd);

	/* blocking: a value already there is read at once; a blocking write that fits goes through */
	fd = eventfd(7, 0);
	VAL("blocking read with a value", rd(fd, &v), 8);
	VAL("blocking write that fits", wr(fd, 9), 8);
	VAL("read", rd(fd, &v), 8);
	VAL("value", v, 9);

	/* blocking on 0: a SA_RESTART handler adds 1, the read restarts and gets it */
	alarm_fd = fd;
	alarm_drains = 0;
	alarm_to(on_alrm, 20, 1);
	VAL("blocked read, restarted", rd(fd, &v), 8);
	VAL("got the handler's 1", v, 1);
	alarm_to(on_alrm, 20, 0);
	ERR("blocked read, no SA_RESTART", rd(fd, &v), EINTR);
	VAL("the handler's 1 is there", rd(fd, &v), 8);

	/* blocking at the maximum: the handler drains, the write restarts and fits */
	wr(fd, UINT64_MAX - 1);
	alarm_drains = 1;
	alarm_to(on_alrm, 20, 1);
	VAL("blocked write, restarted", wr(fd, 5), 8);
	VAL("read", rd(fd, &v), 8);
	VAL("only the new value", v, 5);
	close(fd);
	return finish();
}
