// mmap of files, coherence: shared mappings write through to the file and see file
// writes; untouched private pages see later file writes; pages past EOF fault.
#include "common.h"

#define PG 4096UL

static void *mm(void *a, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)syscall(SYS_mmap, a, len, prot, flags, fd, off);
}

int main(int argc, char **argv)
{
	scratch_init("mmap_file_coherence", argc, argv);
	static char data[3 * PG + 100];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = 'a' + i % 26;
	put_file(P("f"), data, sizeof data, 0644);
	int ro = open(P("f"), O_RDONLY), rw = open(P("f"), O_RDWR);
	char buf[64];

	/* private: pages not written yet still follow the file */
	char *p = mm(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK("MAP_PRIVATE PROT_WRITE of O_RDONLY fd", p != MAP_FAILED);
	memcpy(p, "PRIVATE", 7);
	pwrite(rw, "XY", 2, PG);
	CHECK("untouched private page sees a later file write", !memcmp(p + PG, "XY", 2));
	pwrite(rw, "xy", 2, 0);
	CHECK("written private page does not", !memcmp(p, "PRIVATE", 7));
	munmap(p, 2 * PG);

	/* shared: writes reach the file, file writes reach the mapping */
	char *s = mm(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	CHECK("MAP_SHARED of O_RDWR fd", s != MAP_FAILED);
	memcpy(s + 10, "SHARED", 6);
	VAL("msync MS_SYNC", syscall(SYS_msync, s, 2 * PG, MS_SYNC), 0);
	pread(ro, buf, 6, 10);
	CHECK("file sees the mapping's write", !memcmp(buf, "SHARED", 6));
	pwrite(rw, "pwrite", 6, PG + 5);
	CHECK("mapping sees pwrite", !memcmp(s + PG + 5, "pwrite", 6));
	char *s2 = mm(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	CHECK("second shared mapping sees it too", !memcmp(s2 + 10, "SHARED", 6));
	munmap(s2, PG);

	/* shared mappings extend with the file (within the mapping) */
	ftruncate(rw, 5 * PG);
	char *s3 = mm(NULL, 5 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	s3[4 * PG + 7] = 'Q';
	pread(ro, buf, 1, 4 * PG + 7);
	CHECK("write into the grown area reaches the file", buf[0] == 'Q');
	munmap(s3, 5 * PG);
	munmap(s, 2 * PG);

	/* an empty file maps, but nothing is readable in it */
	int pp[2];
	pipe(pp);
	put_file(P("empty"), "", 0, 0644);
	int e = open(P("empty"), O_RDONLY);
	p = mm(NULL, PG, PROT_READ, MAP_PRIVATE, e, 0);
	CHECK("mmap of an empty file succeeds", p != MAP_FAILED);
	ERR("but reading it (via the kernel) faults", write(pp[1], p, 1), EFAULT);
	munmap(p, PG);

	scratch_cleanup();
	return finish();
}
