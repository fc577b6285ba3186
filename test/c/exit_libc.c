// libc exit(): atexit handlers run in reverse order, stdio buffers are flushed at exit,
// the status is truncated to 8 bits.  Uses only stdio so glibc and musl agree on order.
// expect-exit: 1
#include "common.h"

static void h1(void) { printf("atexit 1\n"); }
static void h2(void) { printf("atexit 2\n"); }

int main(void)
{
	atexit(h1);
	atexit(h2);
	printf("stdio line 1\n");
	printf("stdio line 2 (flushed at exit)\n");
	exit(257);
}
