/* memfd_create and file seals: flags, names in /proc, F_ADD_SEALS/F_GET_SEALS enforced on write, truncate, fallocate, mmap. */
#include "common.h"

#define K_MFD_CLOEXEC 1U
#define K_MFD_ALLOW_SEALING 2U
#define K_MFD_NOEXEC_SEAL 8U
#define K_MFD_EXEC 0x10U
#define K_F_ADD_SEALS 1033
#define K_F_GET_SEALS 1034
#define K_SEAL_SEAL 1
#define K_SEAL_SHRINK 2
#define K_SEAL_GROW 4
#define K_SEAL_WRITE 8
#define K_SEAL_FUTURE_WRITE 0x10
#define K_SEAL_EXEC 0x20

static int mfd(const char *name, unsigned flags) { return syscall(SYS_memfd_create, name, flags); }
static long add(int fd, int s) { return fcntl(fd, K_F_ADD_SEALS, s); }
static long get(int fd) { return fcntl(fd, K_F_GET_SEALS); }
static long long fsize(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}
static int maps_has(const char *s)
{
	char buf[65536];
	int f = open("/proc/self/maps", O_RDONLY), n = 0, r;
	while (f >= 0 && n < (int)sizeof buf - 1 && (r = read(f, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(f);
	buf[n] = 0;
	return strstr(buf, s) != NULL;
}

int main(void)
{
	say("-- create\n");
	int fd = mfd("plain", 0);
	OK("memfd_create", fd);
	VAL("no cloexec", fcntl(fd, F_GETFD), 0);
	struct stat st;
	OK("fstat", fstat(fd, &st));
	VALO("mode", st.st_mode, 0100777);
	VAL("nlink", st.st_nlink, 0);
	VAL("size", st.st_size, 0);
	VALX("flags", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_RDWR);
	VAL("write", write(fd, "hello memfd", 11), 11);
	char buf[256] = { 0 }, path[64];
	VAL("pread", pread(fd, buf, sizeof buf, 0), 11);
	CHECK("contents", !memcmp(buf, "hello memfd", 11));
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	long n = readlink(path, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	say("readlink: %s\n", buf);
	int again = open(path, O_RDWR);
	OK("reopen via /proc", again);
	VAL("reopened reads", pread(again, buf, 5, 6), 5);
	CHECK("same file", !memcmp(buf, "memfd", 5));
	snprintf(path, sizeof path, "/proc/self/fd/%d", again);
	n = readlink(path, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	say("reopened readlink: %s\n", buf);
	char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("mmap", m != MAP_FAILED);
	CHECK("mapped data", !memcmp(m, "hello", 5));
	CHECK("maps name", maps_has("/memfd:plain (deleted)"));
	munmap(m, 4096);
	int ce = mfd("ce", K_MFD_CLOEXEC);
	VAL("MFD_CLOEXEC", fcntl(ce, F_GETFD), FD_CLOEXEC);
	OK("empty name", mfd("", 0));
	char longname[300];
	memset(longname, 'n', sizeof longname);
	longname[249] = 0;
	OK("name of 249", mfd(longname, 0));
	longname[249] = 'n';
	longname[250] = 0;
	ERR("name of 250", mfd(longname, 0), EINVAL);
	ERR("bad name ptr", mfd(BADPTR, 0), EFAULT);
	ERR("unknown flag", mfd("x", 0x100), EINVAL);
	ERR("EXEC|NOEXEC_SEAL", mfd("x", K_MFD_EXEC | K_MFD_NOEXEC_SEAL), EINVAL);

	say("-- seals not allowed\n");
	VAL("default seals", get(fd), K_SEAL_SEAL);
	ERR("add refused", add(fd, K_SEAL_WRITE), EPERM);
	int p[2];
	OK("pipe", pipe(p));
	ERR("pipe get", get(p[0]), EINVAL);
	ERR("pipe add", add(p[1], K_SEAL_WRITE), EINVAL);
	int shm = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	if (shm >= 0) {
		int sf = openat(shm, "tsvisor-ctest-memfd", O_RDWR | O_CREAT | O_TRUNC, 0600);
		unlinkat(shm, "tsvisor-ctest-memfd", 0);
		VAL("tmpfs file seals", get(sf), K_SEAL_SEAL);
	} else {
		say("tmpfs file seals: = 1\n");
	}

	say("-- shrink and grow\n");
	int s = mfd("sealed", K_MFD_ALLOW_SEALING);
	VAL("sealing allowed", get(s), 0);
	OK("truncate 8192", ftruncate(s, 8192));
	OK("seal shrink", add(s, K_SEAL_SHRINK));
	VAL("seals", get(s), K_SEAL_SHRINK);
	ERR("shrink", ftruncate(s, 4096), EPERM);
	OK("same size", ftruncate(s, 8192));
	OK("grow", ftruncate(s, 12288));
	OK("seal grow", add(s, K_SEAL_GROW));
	ERR("grow sealed", ftruncate(s, 16384), EPERM);
	ERR("write past EOF", pwrite(s, "x", 1, 12288), EPERM);
	VAL("write inside", pwrite(s, "abc", 3, 100), 3);
	VAL("write up to EOF", pwrite(s, "xyz", 3, 12285), 3);
	ERR("fallocate past EOF", syscall(SYS_fallocate, s, 0, 12000, 1000), EPERM);
	ERR("fallocate keep size past EOF", syscall(SYS_fallocate, s, 1, 12000, 1000), EPERM);
	OK("fallocate inside", syscall(SYS_fallocate, s, 0, 0, 4096));
	VAL("size", fsize(s), 12288);

	say("-- write\n");
	char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	CHECK("shared writable map", w != MAP_FAILED);
	ERR("seal write while mapped", add(s, K_SEAL_WRITE), EBUSY);
	munmap(w, 4096);
	char *pr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, s, 0);
	CHECK("private map", pr != MAP_FAILED);
	OK("seal write", add(s, K_SEAL_WRITE));
	pr[0] = 'P'; /* private copies stay writable */
	munmap(pr, 4096);
	ERR("write", write(s, "x", 1), EPERM);
	ERR("pwrite", pwrite(s, "x", 1, 0), EPERM);
	VAL("empty write", write(s, "", 0), 0);
	ERR("punch hole", syscall(SYS_fallocate, s, 3, 0, 4096), EPERM);
	errno = 0;
	void *sw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	say("shared writable map: %s\n", sw == MAP_FAILED ? errname(errno) : "mapped");
	char *sr = mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0);
	CHECK("shared read-only map", sr != MAP_FAILED);
	CHECK("data kept", !memcmp(sr + 100, "abc", 3));
	ERR("mprotect to write", mprotect(sr, 4096, PROT_READ | PROT_WRITE), EACCES);
	munmap(sr, 4096);
	VAL("read still works", pread(s, buf, 3, 100), 3);
	VAL("seals now", get(s), K_SEAL_SHRINK | K_SEAL_GROW | K_SEAL_WRITE);
	OK("seal seal", add(s, K_SEAL_SEAL));
	ERR("sealed for good", add(s, K_SEAL_FUTURE_WRITE), EPERM);
	ERR("even nothing", add(s, 0), EPERM);

	say("-- future write, errors\n");
	int f = mfd("future", K_MFD_ALLOW_SEALING);
	VAL("write", write(f, "data", 4), 4);
	char *fw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	OK("future write with a writable map", add(f, K_SEAL_FUTURE_WRITE));
	munmap(fw, 4096);
	ERR("write", write(f, "x", 1), EPERM);
	errno = 0;
	sw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	say("new shared writable map: %s\n", sw == MAP_FAILED ? errname(errno) : "mapped");
	OK("truncate allowed", ftruncate(f, 100));
	ERR("unknown seal", add(f, 0x40), EINVAL);
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	int ro = open(path, O_RDONLY);
	ERR("add on read-only fd", add(ro, K_SEAL_GROW), EPERM);
	VAL("get on read-only fd", get(ro), K_SEAL_FUTURE_WRITE);
	int op = open(path, O_PATH);
	ERR("get on O_PATH fd", get(op), EBADF);
	ERR("add on O_PATH fd", add(op, K_SEAL_GROW), EBADF);

	say("-- exec seals\n");
	int ne = mfd("noexec", K_MFD_NOEXEC_SEAL);
	OK("MFD_NOEXEC_SEAL", ne);
	OK("fstat", fstat(ne, &st));
	VALO("mode", st.st_mode & 07777, 0666);
	VAL("seals", get(ne), K_SEAL_EXEC);
	ERR("chmod +x", fchmod(ne, 0755), EPERM);
	OK("chmod without x", fchmod(ne, 0600));
	OK("more seals allowed", add(ne, K_SEAL_GROW));
	int ex = mfd("exec", K_MFD_EXEC | K_MFD_ALLOW_SEALING);
	VAL("MFD_EXEC seals", get(ex), 0);
	OK("seal exec", add(ex, K_SEAL_EXEC));
	VAL("exec implies write seals", get(ex), K_SEAL_EXEC | K_SEAL_SHRINK | K_SEAL_GROW | K_SEAL_WRITE | K_SEAL_FUTURE_WRITE);
	ERR("write", write(ex, "x", 1), EPERM);
	int ex2 = mfd("exec2", K_MFD_EXEC);
	VAL("MFD_EXEC alone", get(ex2), K_SEAL_SEAL);
	return finish();
}
