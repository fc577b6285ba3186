// mmap of files: private read, private COW, offsets, EOF page, fd modes, errnos
// (coherence between mappings and file I/O is in mmap_file_coherence.c).
#include "common.h"

#define PG 4096UL
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static void *mm(void *a, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)syscall(SYS_mmap, a, len, prot, flags, fd, off);
}

int main(int argc, char **argv)
{
	scratch_init("mmap_file", argc, argv);
	static char data[3 * PG + 100];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = 'a' + i % 26;
	put_file(P("f"), data, sizeof data, 0644);
	int ro = open(P("f"), O_RDONLY), rw = open(P("f"), O_RDWR), wo = open(P("f"), O_WRONLY);
	char buf[64];

	/* read a file through a private mapping */
	char *p = mm(NULL, sizeof data, PROT_READ, MAP_PRIVATE, ro, 0);
	CHECK("MAP_PRIVATE of O_RDONLY fd", p != MAP_FAILED);
	CHECK("contents match the file", p != MAP_FAILED && !memcmp(p, data, sizeof data));
	CHECK("tail of last page beyond EOF is zero", p[sizeof data] == 0 && p[4 * PG - 1] == 0);
	CHECK("not writable", mem_writable(p) == 0);
	munmap(p, sizeof data);

	/* offset: maps from the given page */
	p = mm(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 2 * PG);
	CHECK("offset 2 pages", p != MAP_FAILED && !memcmp(p, data + 2 * PG, PG));
	munmap(p, PG);
	p = mm(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 3 * PG);
	CHECK("offset at the last partial page", p != MAP_FAILED && !memcmp(p, data + 3 * PG, 100) && p[100] == 0);
	munmap(p, PG);
	ERR("unaligned offset", (long)mm(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 100), EINVAL);

	/* private writable: copy-on-write, the file is untouched */
	p = mm(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK("MAP_PRIVATE PROT_WRITE of O_RDONLY fd is allowed", p != MAP_FAILED);
	memcpy(p, "PRIVATE", 7);
	pread(ro, buf, 7, 0);
	CHECK("file unchanged by private write", !memcmp(buf, "abcdefg", 7));
	CHECK("mapping sees its own write", !memcmp(p, "PRIVATE", 7));
	pwrite(rw, "XY", 2, PG);
	pwrite(rw, "xy", 2, 0);
	CHECK("written private page does not", !memcmp(p, "PRIVATE", 7));
	pwrite(rw, "ab", 2, 0);
	pwrite(rw, "ab", 2, PG);
	munmap(p, 2 * PG);

	/* shared: writes reach the file, file writes reach the mapping */
	char *s = mm(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	CHECK("MAP_SHARED of O_RDWR fd", s != MAP_FAILED);
	memcpy(s + 10, "SHARED", 6);
	VAL("msync MS_SYNC", syscall(SYS_msync, s, 2 * PG, MS_SYNC), 0);
	pread(ro, buf, 6, 10);
	pwrite(rw, "pwrite", 6, PG + 5);
	char *s2 = mm(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	munmap(s2, PG);
	int fdc = dup(rw);
	close(fdc);
	CHECK("mapping survives closing fds", mem_readable(s) == 1);

	/* shared mappings extend with the file (within the mapping) */
	ftruncate(rw, 5 * PG);
	char *s3 = mm(NULL, 5 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	s3[4 * PG + 7] = 'Q';
	pread(ro, buf, 1, 4 * PG + 7);
	munmap(s3, 5 * PG);

	/* an unlinked file stays mapped */
	unlink(P("f"));
	CHECK("mapping of an unlinked file still readable", !memcmp(s + 10, "SHARED", 6));
	munmap(s, 2 * PG);

	/* fd access modes */
	put_file(P("g"), data, PG, 0644);
	int gro = open(P("g"), O_RDONLY);
	ERR("MAP_SHARED PROT_WRITE of O_RDONLY fd", (long)mm(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, gro, 0), EACCES);
	VAL("MAP_SHARED PROT_READ of O_RDONLY fd", mm(NULL, PG, PROT_READ, MAP_SHARED, gro, 0) != MAP_FAILED, 1);
	ERR("mmap of O_WRONLY fd", (long)mm(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	ERR("mmap of O_WRONLY fd, private", (long)mm(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	int ap = open(P("g"), O_RDWR | O_APPEND);
	s = mm(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
	CHECK("MAP_SHARED PROT_WRITE of O_APPEND fd is allowed", s != MAP_FAILED);
	munmap(s, PG);
	s = mm(NULL, PG, PROT_READ, MAP_SHARED, gro, 0);
	ERR("mprotect PROT_WRITE on it", syscall(SYS_mprotect, s, PG, PROT_READ | PROT_WRITE), EACCES);
	munmap(s, PG);
	int pfd = open(P("g"), O_PATH);
	ERR("mmap of O_PATH fd", (long)mm(NULL, PG, PROT_READ, MAP_PRIVATE, pfd, 0), EBADF);

	/* things that cannot be mapped */
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	ERR("mmap a directory", (long)mm(NULL, PG, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
	int pp[2];
	pipe(pp);
	ERR("mmap a pipe", (long)mm(NULL, PG, PROT_READ, MAP_PRIVATE, pp[0], 0), ENODEV);
	ERR("MAP_SHARED_VALIDATE with unknown flag", (long)mm(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, gro, 0), EOPNOTSUPP);
	s = mm(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, gro, 0);
	CHECK("MAP_SHARED_VALIDATE of a file", s != MAP_FAILED && !memcmp(s, data, 16));
	munmap(s, PG);

	/* /dev/zero: private gives zero pages */
	int z = open("/dev/zero", O_RDWR);
	p = mm(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	CHECK("/dev/zero private mapping is zero and writable", p != MAP_FAILED && p[0] == 0 && p[2 * PG - 1] == 0 &&
	      mem_writable(p) == 1);
	munmap(p, 2 * PG);

	/* an empty file maps, but nothing is readable in it */
	put_file(P("empty"), "", 0, 0644);
	int e = open(P("empty"), O_RDONLY);
	p = mm(NULL, PG, PROT_READ, MAP_PRIVATE, e, 0);
	CHECK("mmap of an empty file succeeds", p != MAP_FAILED);
	munmap(p, PG);

	scratch_cleanup();
	return finish();
}
