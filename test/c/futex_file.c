// futex_file: a non-private futex in a MAP_SHARED file mapping is keyed by (file, offset): processes mapping the file separately, at different addresses, meet on it.
#include "common.h"
#include <sys/wait.h>

#define F_WAIT 0
#define F_WAKE 1
#define F_CMP_REQUEUE 4

static int park;
/* Number of waiters blocked on u (moved to a parking futex and back, none woken). */
static int waiters_on(int *u)
{
	long n = syscall(SYS_futex, u, F_CMP_REQUEUE, 0, (void *)(long)INT_MAX, &park, *u);
	if (n > 0)
		syscall(SYS_futex, &park, F_CMP_REQUEUE, 0, (void *)(long)INT_MAX, u, park);
	return (int)n;
}

int main(int argc, char **argv)
{
	scratch_init("futex_file", argc, argv);
	int ffd = open(P("fx"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (ffd < 0 || ftruncate(ffd, 8192) != 0) say("file setup failed\n");
	int *fa = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	pid_t c = fork();
	if (c == 0) {
		int fd2 = open(P("fx"), O_RDWR);
		/* another address, and the word at another offset into the mapping */
		char *fb = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
		int *w = (int *)(fb + 4096) + 10;
		_exit(fb != MAP_FAILED && syscall(SYS_futex, w, F_WAIT, 0, NULL, NULL, 0) == 0 && *w == 1 ? 0 : 1);
	}
	int *w = (int *)((char *)fa + 4096) + 10;
	for (int i = 0; i < 5000 && waiters_on(w) < 1; i++)     /* gives up after ~5s */
		usleep(1000);
	VAL("one waiter on the file word, seen through our own mapping", waiters_on(w), 1);
	VAL("  none on the word next to it", waiters_on(w + 1), 0);
	*w = 1;
	VAL("WAKE from another mapping of the file", syscall(SYS_futex, w, F_WAKE, 1, NULL, NULL, 0), 1);
	if (LAST != 1)
		kill(c, SIGKILL);
	int st;
	CHECK("  child woke and saw the new value", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ffd);
	scratch_cleanup();
	return finish();
}
