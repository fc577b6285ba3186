// mmap anonymous: private/shared, zero fill, page rounding, PROT_NONE, flag/argument errnos.
#include "common.h"

#define PG 4096UL
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif

static void *mm(void *a, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)syscall(SYS_mmap, a, len, prot, flags, fd, off);
}

static int allzero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	const int RW = PROT_READ | PROT_WRITE;
	const int PA = MAP_PRIVATE | MAP_ANONYMOUS;

	char *p = mm(NULL, 8 * PG, RW, PA, -1, 0);
	CHECK("private anonymous 8 pages", p != MAP_FAILED);
	CHECK("page aligned", ((uintptr_t)p & (PG - 1)) == 0);
	CHECK("zero filled", allzero(p, 8 * PG));
	memset(p, 0x5a, 8 * PG);
	CHECK("writable everywhere", p[0] == 0x5a && p[8 * PG - 1] == 0x5a);
	VAL("munmap", syscall(SYS_munmap, p, 8 * PG), 0);

	/* length is rounded up to a page */
	p = mm(NULL, 1, RW, PA, -1, 0);
	CHECK("1-byte mapping", p != MAP_FAILED);
	CHECK("whole first page usable", mem_writable(p + PG - 1) == 1);
	munmap(p, 1);
	CHECK("munmap(len 1) removed the page", !mem_mapped(p));

	/* fd and offset are ignored for MAP_ANONYMOUS (offset must still be aligned) */
	p = mm(NULL, PG, RW, PA, 12345, 0);
	CHECK("anonymous with junk fd", p != MAP_FAILED);
	munmap(p, PG);
	p = mm(NULL, PG, RW, PA, -1, 7 * PG);
	CHECK("anonymous with aligned offset", p != MAP_FAILED);
	munmap(p, PG);

	/* protections */
	p = mm(NULL, 3 * PG, PROT_NONE, PA, -1, 0);
	CHECK("PROT_NONE mapping exists", p != MAP_FAILED && mem_mapped(p));
	CHECK("PROT_NONE not readable", mem_readable(p) == 0);
	CHECK("PROT_NONE not writable", mem_writable(p) == 0);
	munmap(p, 3 * PG);
	p = mm(NULL, PG, PROT_READ, PA, -1, 0);
	CHECK("PROT_READ readable, zero", mem_readable(p) == 1 && p[0] == 0);
	CHECK("PROT_READ not writable", mem_writable(p) == 0);
	munmap(p, PG);
	p = mm(NULL, PG, PROT_WRITE, PA, -1, 0);
	CHECK("PROT_WRITE alone is writable (and readable on x86)", mem_writable(p) == 1 && mem_readable(p) == 1);
	munmap(p, PG);
	p = mm(NULL, PG, PROT_READ | PROT_EXEC, PA, -1, 0);
	CHECK("PROT_READ|PROT_EXEC", p != MAP_FAILED && mem_readable(p) == 1);
	munmap(p, PG);

	/* shared anonymous */
	char *s = mm(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK("shared anonymous", s != MAP_FAILED && allzero(s, 2 * PG));
	strcpy(s + PG, "shared");
	CHECK("shared data visible", !strcmp(s + PG, "shared"));
	/* mremap(old_size 0) of a shared mapping makes a second view of the same pages */
	char *s2 = (char *)syscall(SYS_mremap, s, 0, 2 * PG, MREMAP_MAYMOVE);
	CHECK("second view via mremap(old_size=0)", s2 != MAP_FAILED && s2 != s);
	strcpy(s2, "through view 2");
	CHECK("writes through one view show in the other", !strcmp(s, "through view 2") && !strcmp(s2 + PG, "shared"));
	munmap(s, 2 * PG);
	CHECK("view 2 survives unmapping view 1", !strcmp(s2 + PG, "shared"));
	munmap(s2, 2 * PG);
	ERR("MAP_SHARED_VALIDATE is for files only", (long)mm(NULL, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);

	/* accepted flags */
	p = mm(NULL, 4 * PG, RW, PA | MAP_POPULATE, -1, 0);
	CHECK("MAP_POPULATE", p != MAP_FAILED && allzero(p, 4 * PG));
	munmap(p, 4 * PG);
	p = mm(NULL, PG, RW, PA | MAP_NORESERVE, -1, 0);
	CHECK("MAP_NORESERVE", p != MAP_FAILED);
	munmap(p, PG);
	p = mm(NULL, 1UL << 36, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	CHECK("64 GiB PROT_NONE reservation", p != MAP_FAILED);
	munmap(p, 1UL << 36);
	p = mm(NULL, PG, RW, PA | MAP_STACK, -1, 0);
	CHECK("MAP_STACK", p != MAP_FAILED);
	munmap(p, PG);
	p = mm(NULL, PG, RW, PA | MAP_UNINITIALIZED, -1, 0);
	CHECK("MAP_UNINITIALIZED is ignored (still zero)", p != MAP_FAILED && allzero(p, PG));
	munmap(p, PG);

	/* errors */
	ERR("length 0", (long)mm(NULL, 0, RW, PA, -1, 0), EINVAL);
	ERR("neither PRIVATE nor SHARED", (long)mm(NULL, PG, RW, MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR("unaligned offset", (long)mm(NULL, PG, RW, PA, -1, 123), EINVAL);
	ERR("length near 2^64", (long)mm(NULL, -PG, RW, PA, -1, 0), ENOMEM);
	ERR("length 2^63", (long)mm(NULL, 1UL << 63, RW, PA, -1, 0), ENOMEM);
	ERR("length 2^47 (larger than user space)", (long)mm(NULL, 1UL << 47, PROT_NONE, PA | MAP_NORESERVE, -1, 0), ENOMEM);
	ERR("MAP_FIXED unaligned address", (long)mm((void *)0x10000123, PG, RW, PA | MAP_FIXED, -1, 0), EINVAL);
	ERR("MAP_FIXED in kernel space", (long)mm((void *)0xffff800000000000UL, PG, RW, PA | MAP_FIXED, -1, 0), ENOMEM);
	ERR("MAP_FIXED crossing the top of user space", (long)mm((void *)(0x7ffffffff000UL - PG), 4 * PG, RW, PA | MAP_FIXED, -1, 0), ENOMEM);
	ERR("file mapping with bad fd", (long)mm(NULL, PG, RW, MAP_PRIVATE, 999, 0), EBADF);
	ERR("file mapping with fd -1", (long)mm(NULL, PG, RW, MAP_PRIVATE, -1, 0), EBADF);
	return finish();
}
