// seccomp strict mode: read, write still work; any other syscall (getpid) kills the process with SIGKILL.
// expect-exit: 137
#include "common.h"
#include <sys/prctl.h>

int main(void)
{
	no_core();
	int p[2];
	char c = 0;
	VAL("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
	OK("pipe", pipe(p));
	ERR("PR_SET_SECCOMP bad mode", prctl(PR_SET_SECCOMP, 7, 0, 0, 0), EINVAL);
	OK("PR_SET_SECCOMP strict", prctl(PR_SET_SECCOMP, 1, 0, 0, 0));
	/* From here on only read, write, exit and rt_sigreturn. */
	VAL("write", write(p[1], "x", 1), 1);
	VAL("read", read(p[0], &c, 1), 1);
	say("read back: %c\n", c);
	say("calling getpid\n");
	syscall(SYS_getpid);
	say("still alive\n");
	return 1;
}
