// munmap (splits, holes, EINVAL) and mprotect (permission changes, ENOMEM on unmapped, EINVAL).
#include "common.h"

#define PG 4096UL

static char *R;
static char *pg(int i) { return R + i * PG; }
static void layout(const char *label) { mem_layout(label, R, 16); }
static long mp(void *a, size_t len, int prot) { return syscall(SYS_mprotect, a, len, prot); }
static long mu(void *a, size_t len) { return syscall(SYS_munmap, a, len); }

int main(void)
{
	const int RW = PROT_READ | PROT_WRITE;
	R = mmap(NULL, 16 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 16; i++)
		pg(i)[0] = 'A' + i;
	layout("initial");

	/* munmap */
	VAL("munmap middle page 5", mu(pg(5), PG), 0);
	layout("after");
	VAL("munmap unaligned length rounds up (page 7, len 1)", mu(pg(7), 1), 0);
	layout("after");
	VAL("munmap an already unmapped page", mu(pg(5), PG), 0);
	VAL("munmap across a hole [4,9)", mu(pg(4), 5 * PG), 0);
	layout("after");
	CHECK("neighbours keep their data", pg(3)[0] == 'D' && pg(9)[0] == 'J');
	ERR("munmap unaligned address", mu(pg(10) + 1, PG), EINVAL);
	ERR("munmap length 0", mu(pg(10), 0), EINVAL);
	ERR("munmap in kernel space", mu((void *)0xffff800000000000UL, PG), EINVAL);
	ERR("munmap wrapping length", mu(pg(10), -PG), EINVAL);
	layout("unchanged");

	/* mprotect */
	VAL("mprotect page 10 read-only", mp(pg(10), PG, PROT_READ), 0);
	layout("after");
	CHECK("data kept", pg(10)[0] == 'K');
	VAL("mprotect [11,13) PROT_NONE", mp(pg(11), 2 * PG, PROT_NONE), 0);
	layout("after");
	VAL("mprotect [11,13) back to RW", mp(pg(11), 2 * PG, RW), 0);
	CHECK("data survives PROT_NONE", pg(11)[0] == 'L' && pg(12)[0] == 'M');
	VAL("mprotect length 0", mp(pg(13), 0, PROT_NONE), 0);
	VAL("mprotect length 1 covers the page", mp(pg(13), 1, PROT_READ), 0);
	layout("after");
	VAL("mprotect PROT_WRITE only (implies read on x86)", mp(pg(14), PG, PROT_WRITE), 0);
	VAL("mprotect PROT_EXEC|PROT_READ", mp(pg(15), PG, PROT_READ | PROT_EXEC), 0);
	layout("after");
	CHECK("exec page readable", pg(15)[0] == 'P');

	ERR("mprotect unaligned address", mp(pg(10) + 8, PG, RW), EINVAL);
	ERR("mprotect unknown prot bit", mp(pg(10), PG, 0x100), EINVAL);
	ERR("mprotect PROT_GROWSDOWN on a normal mapping", mp(pg(10), PG, PROT_READ | PROT_GROWSDOWN), EINVAL);
	ERR("mprotect PROT_GROWSUP|PROT_GROWSDOWN", mp(pg(10), PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
	ERR("mprotect unmapped page", mp(pg(5), PG, PROT_READ), ENOMEM);
	ERR("mprotect in kernel space", mp((void *)0xffff800000000000UL, PG, PROT_READ), ENOMEM);
	ERR("mprotect wrapping length", mp(pg(10), -PG, PROT_READ), ENOMEM);
	/* a range running into a hole fails, but the part before the hole was changed */
	ERR("mprotect [0,6) across the hole at 4", mp(pg(0), 6 * PG, PROT_READ), ENOMEM);
	layout("after (pages 0-3 changed)");
	ERR("mprotect starting in the hole", mp(pg(8), 3 * PG, PROT_READ), ENOMEM);
	layout("after (unchanged)");

	/* splitting and re-merging leaves consistent permissions */
	mp(pg(0), 4 * PG, RW);
	mp(pg(9), 7 * PG, RW);
	for (int i = 0; i < 16; i += 2)
		mp(pg(i), PG, PROT_READ);
	layout("checkerboard");
	mp(pg(9), 7 * PG, RW);
	mp(pg(0), 4 * PG, RW);
	layout("all RW again");
	CHECK("data intact after all that", pg(0)[0] == 'A' && pg(15)[0] == 'P' && pg(10)[0] == 'K');
	VAL("munmap everything", mu(R, 16 * PG), 0);
	layout("end");
	return finish();
}
