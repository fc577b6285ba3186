// MAP_FIXED, MAP_FIXED_NOREPLACE (EEXIST) and address hints, inside a reserved region.
#include "common.h"

#define PG 4096UL

static char *R;   /* 32-page region: [0,8) mapped PROT_NONE, [8,24) a hole, [24,32) PROT_NONE guard */

static void *mm(void *a, size_t len, int prot, int flags)
{
	return (void *)syscall(SYS_mmap, a, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static char *pg(int i) { return R + i * PG; }

static void layout(const char *label, int lo, int hi) { mem_layout(label, pg(lo), hi - lo); }

int main(void)
{
	const int RW = PROT_READ | PROT_WRITE;
	R = mm(NULL, 32 * PG, PROT_NONE, 0);
	CHECK("reserve 32 pages", R != MAP_FAILED);
	munmap(pg(8), 16 * PG);
	layout("initial", 0, 32);

	/* MAP_FIXED inside the reservation */
	char *p = mm(pg(4), 2 * PG, RW, MAP_FIXED);
	CHECK("MAP_FIXED returns exactly the address", p == pg(4));
	layout("after MAP_FIXED [4,6)", 0, 10);
	strcpy(pg(4), "old contents");
	p = mm(pg(4), PG, RW, MAP_FIXED);
	CHECK("MAP_FIXED over it again", p == pg(4));
	CHECK("old contents discarded (zero page)", pg(4)[0] == 0);
	strcpy(pg(5), "page five");

	/* MAP_FIXED_NOREPLACE */
	ERR("NOREPLACE over a mapping", (long)mm(pg(4), PG, RW, MAP_FIXED_NOREPLACE), EEXIST);
	ERR("NOREPLACE over a PROT_NONE mapping", (long)mm(pg(0), PG, RW, MAP_FIXED_NOREPLACE), EEXIST);
	ERR("NOREPLACE overlapping the hole's start", (long)mm(pg(7), 2 * PG, RW, MAP_FIXED_NOREPLACE), EEXIST);
	ERR("NOREPLACE overlapping the hole's end", (long)mm(pg(22), 4 * PG, RW, MAP_FIXED_NOREPLACE), EEXIST);
	ERR("NOREPLACE|FIXED over a mapping", (long)mm(pg(4), PG, RW, MAP_FIXED_NOREPLACE | MAP_FIXED), EEXIST);
	CHECK("failed NOREPLACE left data alone", !strcmp(pg(5), "page five"));
	p = mm(pg(8), 2 * PG, RW, MAP_FIXED_NOREPLACE);
	CHECK("NOREPLACE in the hole returns exactly the address", p == pg(8));
	ERR("NOREPLACE unaligned", (long)mm(pg(10) + 1, PG, RW, MAP_FIXED_NOREPLACE), EINVAL);
	layout("after NOREPLACE [8,10)", 0, 32);

	/* hints: used when free, page-aligned up, ignored when taken */
	p = mm(pg(12), 2 * PG, RW, 0);
	CHECK("free hint is used", p == pg(12));
	p = mm(pg(16) + 0x123, PG, RW, 0);
	CHECK("unaligned free hint is rounded down to its page (x86_64)", p == pg(16));
	p = mm(pg(4), PG, RW, 0);
	CHECK("hint on a mapping is not used", p != MAP_FAILED && p != pg(4));
	CHECK("and the mapping there is intact", !strcmp(pg(5), "page five"));
	munmap(p, PG);
	p = mm(pg(20), 6 * PG, RW, 0);
	CHECK("hint whose range is not all free is not used", p != MAP_FAILED && p != pg(20));
	munmap(p, 6 * PG);
	p = mm((void *)0x1000, PG, RW, 0);
	CHECK("hint below mmap_min_addr is not used", p != MAP_FAILED && p != (void *)0x1000);
	munmap(p, PG);
	p = mm(NULL, PG, RW, 0);
	CHECK("NULL hint gives a page-aligned address", p != MAP_FAILED && ((uintptr_t)p & (PG - 1)) == 0);
	munmap(p, PG);
	layout("after hints", 0, 32);

	/* one MAP_FIXED replacing several mappings and a hole at once */
	p = mm(pg(2), 18 * PG, PROT_READ, MAP_FIXED);
	CHECK("MAP_FIXED over [2,20)", p == pg(2));
	layout("after MAP_FIXED [2,20) read-only", 0, 32);
	CHECK("replaced pages read as zero", pg(5)[0] == 0 && pg(12)[0] == 0);

	/* munmap over several mappings and holes */
	VAL("munmap [0,32)", syscall(SYS_munmap, R, 32 * PG), 0);
	layout("after munmap", 0, 32);
	return finish();
}
