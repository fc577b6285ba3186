// A store to a page made read-only with mprotect kills the process with SIGSEGV,
// after the same store succeeded while the page was writable.
// expect-exit: 139
#include "common.h"

int main(void)
{
	no_core();
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	say("store to a writable page: ok\n");
	mprotect((void *)p, 4096, PROT_READ);
	say("read after mprotect(PROT_READ): %d\n", p[0]);
	say("about to store to the read-only page\n");
	p[1] = 2;
	say("survived (must not print)\n");
	return 0;
}
