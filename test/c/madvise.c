// madvise (MADV_DONTNEED semantics per mapping type, advice errnos), msync, mincore.
#include "common.h"

#define PG 4096UL

static long ma(void *a, size_t len, int adv) { return syscall(SYS_madvise, a, len, adv); }
static long ms(void *a, size_t len, int fl) { return syscall(SYS_msync, a, len, fl); }
static long mc(void *a, size_t len, unsigned char *v) { return syscall(SYS_mincore, a, len, v); }

int main(int argc, char **argv)
{
	scratch_init("madvise", argc, argv);
	const int RW = PROT_READ | PROT_WRITE;
	static char data[2 * PG];
	memset(data, 'f', sizeof data);
	put_file(P("f"), data, sizeof data, 0644);
	int fd = open(P("f"), O_RDWR);

	/* map everything first: the hole punched into `a` later must stay a hole */
	char *a = mmap(NULL, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *s = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *fm = mmap(NULL, 2 * PG, RW, MAP_PRIVATE, fd, 0);
	char *sm = mmap(NULL, 2 * PG, RW, MAP_SHARED, fd, 0);
	char *t = mmap(NULL, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *locked = mmap(NULL, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);

	/* MADV_DONTNEED on private anonymous memory: pages read back as zero */
	memset(a, 'x', 4 * PG);
	VAL("MADV_DONTNEED pages 1-2", ma(a + PG, 2 * PG, MADV_DONTNEED), 0);
	CHECK("those pages are zero", a[PG] == 0 && a[3 * PG - 1] == 0);
	CHECK("neighbours untouched", a[PG - 1] == 'x' && a[3 * PG] == 'x');
	CHECK("still mapped and writable", mem_writable(a + PG) == 1);

	/* ... on shared anonymous memory: data stays */
	memset(s, 'y', 2 * PG);
	VAL("MADV_DONTNEED shared anonymous", ma(s, 2 * PG, MADV_DONTNEED), 0);
	CHECK("shared data survives", s[0] == 'y' && s[2 * PG - 1] == 'y');

	/* ... on a private file mapping: back to the file's contents */
	fm[0] = 'P';
	fm[PG] = 'Q';
	VAL("MADV_DONTNEED private file mapping page 0", ma(fm, PG, MADV_DONTNEED), 0);
	CHECK("page 0 reverts to file data", fm[0] == 'f');
	CHECK("page 1 keeps its private change", fm[PG] == 'Q');

	/* other advice values are accepted */
	VAL("MADV_NORMAL", ma(a, 4 * PG, MADV_NORMAL), 0);
	VAL("MADV_RANDOM", ma(a, 4 * PG, MADV_RANDOM), 0);
	VAL("MADV_SEQUENTIAL", ma(a, 4 * PG, MADV_SEQUENTIAL), 0);
	VAL("MADV_WILLNEED", ma(a, 4 * PG, MADV_WILLNEED), 0);
	VAL("MADV_DONTFORK", ma(a, 4 * PG, MADV_DONTFORK), 0);
	VAL("MADV_DOFORK", ma(a, 4 * PG, MADV_DOFORK), 0);
	VAL("MADV_FREE", ma(a, PG, MADV_FREE), 0);
	VAL("length 0", ma(a, 0, MADV_DONTNEED), 0);
	CHECK("data outside the advised ranges intact", a[3 * PG] == 'x');
	ERR("unaligned address", ma(a + 1, PG, MADV_DONTNEED), EINVAL);
	ERR("unknown advice 12345", ma(a, PG, 12345), EINVAL);
	ERR("advice -1", ma(a, PG, -1), EINVAL);
	munmap(a + 2 * PG, PG);
	ERR("MADV_DONTNEED over a hole", ma(a, 4 * PG, MADV_DONTNEED), ENOMEM);
	ERR("MADV_NORMAL on unmapped page", ma(a + 2 * PG, PG, MADV_NORMAL), ENOMEM);
	ERR("MADV_WILLNEED on unmapped page", ma(a + 2 * PG, PG, MADV_WILLNEED), ENOMEM);
	CHECK("MAP_LOCKED mapping", locked != MAP_FAILED);
	ERR("MADV_DONTNEED on MAP_LOCKED memory", ma(locked, PG, MADV_DONTNEED), EINVAL);

	/* msync */
	memcpy(sm, "synced", 6);
	VAL("msync MS_SYNC", ms(sm, 2 * PG, MS_SYNC), 0);
	char buf[8];
	pread(fd, buf, 6, 0);
	(void)buf; /* write-through of shared file pages: mmap_file_coherence.c */
	VAL("msync MS_ASYNC", ms(sm, PG, MS_ASYNC), 0);
	VAL("msync MS_INVALIDATE", ms(sm, PG, MS_INVALIDATE), 0);
	VAL("msync MS_SYNC|MS_INVALIDATE", ms(sm, PG, MS_SYNC | MS_INVALIDATE), 0);
	VAL("msync unaligned length", ms(sm, 10, MS_SYNC), 0);
	VAL("msync length 0", ms(sm, 0, MS_SYNC), 0);
	VAL("msync anonymous memory", ms(s, PG, MS_SYNC), 0);
	ERR("msync MS_SYNC|MS_ASYNC", ms(sm, PG, MS_SYNC | MS_ASYNC), EINVAL);
	ERR("msync unknown flag", ms(sm, PG, 0x100), EINVAL);
	ERR("msync unaligned address", ms(sm + 1, PG, MS_SYNC), EINVAL);
	ERR("msync unmapped", ms(a + 2 * PG, PG, MS_SYNC), ENOMEM);
	ERR("msync range with a hole", ms(a, 4 * PG, MS_SYNC), ENOMEM);

	/* mincore: touched pages are resident; argument errnos */
	unsigned char vec[8];
	memset(vec, 0xee, sizeof vec);
	t[0] = t[PG] = t[2 * PG] = 1;
	VAL("mincore 3 touched pages", mc(t, 3 * PG, vec), 0);
	CHECK("all resident (low bit set)", (vec[0] & 1) && (vec[1] & 1) && (vec[2] & 1));
	CHECK("only 3 bytes written", vec[3] == 0xee);
	VAL("mincore unaligned length", mc(t, PG + 1, vec), 0);
	CHECK("2 bytes for PG+1", vec[3] == 0xee);
	ERR("mincore unaligned address", mc(t + 1, PG, vec), EINVAL);
	ERR("mincore unmapped", mc(a + 2 * PG, PG, vec), ENOMEM);
	ERR("mincore range with a hole", mc(a, 4 * PG, vec), ENOMEM);
	ERR("mincore bad vector", mc(t, PG, BADPTR), EFAULT);
	ERR("mincore in kernel space", mc((void *)0xffff800000000000UL, PG, vec), ENOMEM);
	VAL("mincore length 0", mc(t, 0, vec), 0);
	VAL("mincore of a file mapping", mc(sm, PG, vec), 0);

	scratch_cleanup();
	return finish();
}
