// exit (the thread-exit syscall) from the only thread ends the process with that status;
// libc's atexit handlers are bypassed.
// expect-exit: 7
#include "common.h"

static void handler(void) { say("atexit handler ran (must not print)\n"); }

int main(void)
{
	atexit(handler);
	say("before exit\n");
	syscall(SYS_exit, 7);
	say("after exit (must not print)\n");
	return 3;
}
