// mmap of host files (through the gofer): shared stores reach the file on msync, munmap, close and exit; file writes reach mappings; truncation makes pages past EOF fault.
// do-flags: --force-overlay=false
#include "common.h"
#include <sys/wait.h>

#define PG 4096UL

static char buf[64];

/* The file's bytes at off, through a fresh descriptor (no mapping alive). */
static const char *at(long off, int n)
{
	int fd = open(P("f"), O_RDONLY);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, n, off);
	close(fd);
	return buf;
}

/* Exit status of a child that reads p[off] (135 = killed by SIGBUS). */
static int touch(volatile char *p, long off)
{
	pid_t c = fork();
	if (c == 0)
		_exit(p[off] == 0x7f ? 3 : 0);
	int st;
	waitpid(c, &st, 0);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	scratch_init("mmap_host_file", argc, argv);
	static char data[2 * PG + 10];
	memset(data, '.', sizeof data);
	put_file(P("f"), data, sizeof data, 0644);
	int rw = open(P("f"), O_RDWR);

	char *s = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	CHECK("MAP_SHARED of a host file", s != MAP_FAILED);
	memcpy(s + 100, "msync", 5);
	VAL("msync MS_SYNC", msync(s, PG, MS_SYNC), 0);
	CHECK("msync: the file has it", !memcmp(at(100, 5), "msync", 5));
	pwrite(rw, "pwrite", 6, PG + 1);
	CHECK("the mapping sees pwrite", !memcmp(s + PG + 1, "pwrite", 6));
	memcpy(s + 200, "fsync", 5);
	VAL("fsync", fsync(rw), 0);
	CHECK("fsync: the file has it", !memcmp(at(200, 5), "fsync", 5));

	/* private: untouched pages follow the file, written ones keep their copy */
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, rw, 0);
	memcpy(p, "mine", 4);
	pwrite(rw, "both", 4, 0);
	pwrite(rw, "late", 4, PG + 20);
	CHECK("private: untouched page sees a later write", !memcmp(p + PG + 20, "late", 4));
	CHECK("private: written page keeps its copy", !memcmp(p, "mine", 4));
	CHECK("shared: sees the write", !memcmp(s, "both", 4));
	munmap(p, 2 * PG);

	/* the last munmap writes back, even after close */
	memcpy(s + 300, "unmap", 5);
	close(rw);
	munmap(s, 3 * PG);
	CHECK("munmap after close: the file has it", !memcmp(at(300, 5), "unmap", 5));

	/* a process that exits with the mapping still there */
	pid_t c = fork();
	if (c == 0) {
		int fd = open(P("f"), O_RDWR);
		char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		memcpy(q + 400, "child", 5);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	CHECK("exit: the file has the child's store", !memcmp(at(400, 5), "child", 5));

	/* truncation: pages wholly past EOF fault, the one holding EOF stays */
	rw = open(P("f"), O_RDWR);
	s = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	VAL("page 3 (holds EOF) readable", touch(s, 3 * PG - 1), 0);
	VAL("page 4 (past EOF) is SIGBUS", touch(s, 3 * PG + 5), 135);
	VAL("ftruncate to 1 page + 1", ftruncate(rw, PG + 1), 0);
	VAL("page 2 now holds EOF", touch(s, PG + 100), 0);
	VAL("  and the bytes past EOF in it read as zero", s[PG + 100], 0);
	VAL("page 3 is now past EOF: SIGBUS", touch(s, 2 * PG + 5), 135);
	VAL("ftruncate to 3 pages", ftruncate(rw, 3 * PG), 0);
	VAL("grown: page 3 readable again, zero", touch(s, 2 * PG + 5), 0);
	s[2 * PG + 5] = 'G';
	munmap(s, 4 * PG);
	close(rw);
	CHECK("store into the grown part reaches the file", at(2 * PG + 5, 1)[0] == 'G');

	scratch_cleanup();
	return finish();
}
