// mremap: grow in place, shrink, MREMAP_MAYMOVE, MREMAP_FIXED, file mappings, errnos.
#include "common.h"

#define PG 4096UL

static char *R;   /* 32 pages reserved for exact placement */
static char *pg(int i) { return R + i * PG; }
static void layout(const char *label) { mem_layout(label, R, 24); }

static char *mr(void *old, size_t os, size_t ns, int flags, void *na)
{
	return (char *)syscall(SYS_mremap, old, os, ns, flags, na);
}

static char *fixed(int i, int n, int prot)
{
	return mmap(pg(i), n * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

int main(int argc, char **argv)
{
	scratch_init("mremap", argc, argv);
	const int RW = PROT_READ | PROT_WRITE;
	R = mmap(NULL, 32 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(R, 32 * PG);   /* now a free area we place things in */
	fixed(0, 2, RW);
	strcpy(pg(0), "page zero");
	strcpy(pg(1), "page one");
	fixed(8, 1, RW);
	strcpy(pg(8), "movable");
	fixed(9, 1, PROT_READ);
	fixed(23, 1, PROT_READ);
	layout("initial");

	/* grow in place and shrink */
	CHECK("grow [0,2) to 4 pages in place", mr(pg(0), 2 * PG, 4 * PG, 0, NULL) == pg(0));
	layout("after");
	CHECK("data kept, new pages zero", !strcmp(pg(1), "page one") && pg(3)[0] == 0);
	CHECK("shrink to 1 page", mr(pg(0), 4 * PG, PG, 0, NULL) == pg(0));
	layout("after");
	CHECK("shrink with MAYMOVE stays put", (fixed(1, 1, RW), mr(pg(0), 2 * PG, PG, MREMAP_MAYMOVE, NULL)) == pg(0));
	CHECK("unaligned new size rounds up", mr(pg(0), PG, PG + 1, 0, NULL) == pg(0));
	layout("after");
	CHECK("same size is a no-op", mr(pg(0), 2 * PG, 2 * PG, 0, NULL) == pg(0));

	/* growth blocked by the next mapping */
	ERR("grow [8] into [9] without MAYMOVE", (long)mr(pg(8), PG, 2 * PG, 0, NULL), ENOMEM);
	/* (40 pages: too big for any hole in our area, so it lands outside it) */
	char *m = mr(pg(8), PG, 40 * PG, MREMAP_MAYMOVE, NULL);
	CHECK("with MAYMOVE it moves", m != MAP_FAILED && m != pg(8));
	CHECK("data moved along", m != MAP_FAILED && !strcmp(m, "movable") && m[39 * PG] == 0);
	layout("after move (8 is gone)");

	/* MREMAP_FIXED */
	char *f = mr(m, 40 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, pg(12));
	CHECK("MREMAP_FIXED to page 12 (shrinking)", f == pg(12));
	CHECK("data there", !strcmp(pg(12), "movable"));
	CHECK("source gone", !mem_mapped(m));
	layout("after");
	fixed(16, 2, RW);
	strcpy(pg(16), "will be replaced");
	CHECK("MREMAP_FIXED onto an existing mapping replaces it", mr(pg(12), 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, pg(16)) == pg(16));
	CHECK("replaced contents", !strcmp(pg(16), "movable"));
	layout("after");
	ERR("MREMAP_FIXED without MAYMOVE", (long)mr(pg(16), PG, PG, MREMAP_FIXED, pg(12)), EINVAL);
	ERR("MREMAP_FIXED overlapping the source", (long)mr(pg(16), 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, pg(17)), EINVAL);
	ERR("MREMAP_FIXED unaligned target", (long)mr(pg(16), PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, pg(12) + 1), EINVAL);

	/* errors */
	ERR("unaligned old address", (long)mr(pg(0) + 1, PG, 2 * PG, MREMAP_MAYMOVE, NULL), EINVAL);
	ERR("new size 0", (long)mr(pg(0), PG, 0, MREMAP_MAYMOVE, NULL), EINVAL);
	ERR("unknown flag", (long)mr(pg(0), PG, PG, 0x80, NULL), EINVAL);
	ERR("old address unmapped", (long)mr(pg(5), PG, 2 * PG, MREMAP_MAYMOVE, NULL), EFAULT);
	ERR("old range runs past its mapping", (long)mr(pg(0), 6 * PG, 8 * PG, MREMAP_MAYMOVE, NULL), EFAULT);
	ERR("old size 0 on a private mapping", (long)mr(pg(0), 0, PG, MREMAP_MAYMOVE, NULL), EINVAL);
	ERR("huge new size", (long)mr(pg(0), PG, 1UL << 62, MREMAP_MAYMOVE, NULL), EINVAL);
	layout("unchanged");

	/* part of a mapping can be moved: splits it */
	fixed(20, 3, RW);
	strcpy(pg(21), "middle");
	CHECK("move the middle page of [20,23) to 14", mr(pg(21), PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, pg(14)) == pg(14));
	CHECK("moved", !strcmp(pg(14), "middle"));
	layout("after");

	/* file-backed: growing exposes more of the file */
	static char data[4 * PG];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = 'a' + i / PG;
	put_file(P("f"), data, sizeof data, 0644);
	int fd = open(P("f"), O_RDONLY);
	char *fm = mmap(pg(4), PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	fixed(5, 1, PROT_READ);
	char *g = mr(fm, PG, 4 * PG, MREMAP_MAYMOVE, NULL);
	CHECK("grow a file mapping (moves)", g != MAP_FAILED && g != fm);
	CHECK("it shows the following file pages", g != MAP_FAILED && g[0] == 'a' && g[PG] == 'b' && g[3 * PG] == 'd');
	munmap(g, 4 * PG);
	munmap(R, 32 * PG);
	scratch_cleanup();
	return finish();
}
