// A load from an unmapped address kills the process with SIGSEGV (exit status 128+11).
// expect-exit: 139
#include "common.h"

int main(void)
{
	no_core();
	say("about to touch an unmapped address\n");
	volatile int *bad = (volatile int *)16;
	int v = *bad;
	say("survived (must not print) %d\n", v);
	return 0;
}
