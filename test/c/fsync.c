/* fsync, fdatasync, sync, syncfs, sync_file_range: success on files and directories, errnos elsewhere. */
#include "common.h"

#ifndef SYNC_FILE_RANGE_WAIT_BEFORE
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4
#endif

static long sfr(int fd, long long off, long long n, unsigned flags)
{
	return syscall(SYS_sync_file_range, fd, off, n, flags);
}

int main(int argc, char **argv)
{
	scratch_init("fsync", argc, argv);
	int fd = open(P("f"), O_RDWR | O_CREAT, 0644);
	OK("open", fd);
	VAL("write", write(fd, "hello world", 11), 11);

	say("-- fsync/fdatasync\n");
	OK("fsync file", fsync(fd));
	OK("fdatasync file", fdatasync(fd));
	int ro = open(P("f"), O_RDONLY);
	OK("fsync read-only fd", fsync(ro));
	OK("fdatasync read-only fd", fdatasync(ro));
	int dir = open(scratch, O_RDONLY | O_DIRECTORY);
	OK("fsync directory", fsync(dir));
	int path = open(P("f"), O_PATH);
	ERR("fsync O_PATH", fsync(path), EBADF);
	ERR("fsync bad fd", fsync(-1), EBADF);
	ERR("fsync closed fd", fsync(999), EBADF);
	ERR("fdatasync bad fd", fdatasync(12345), EBADF);
	int p[2];
	OK("pipe", pipe(p));
	ERR("fsync pipe read end", fsync(p[0]), EINVAL);
	ERR("fsync pipe write end", fsync(p[1]), EINVAL);
	ERR("fdatasync pipe", fdatasync(p[0]), EINVAL);
	int null = open("/dev/null", O_WRONLY);
	ERR("fsync /dev/null", fsync(null), EINVAL);
	int sv[2];
	OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ERR("fsync socket", fsync(sv[0]), EINVAL);

	say("-- sync/syncfs\n");
	sync();
	say("sync: returned\n");
	OK("syncfs file", syscall(SYS_syncfs, fd));
	OK("syncfs dir", syscall(SYS_syncfs, dir));
	OK("syncfs pipe", syscall(SYS_syncfs, p[0]));
	ERR("syncfs bad fd", syscall(SYS_syncfs, -1), EBADF);
	ERR("syncfs O_PATH", syscall(SYS_syncfs, path), EBADF);

	say("-- sync_file_range\n");
	OK("sfr write", sfr(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	OK("sfr all flags", sfr(fd, 0, 11, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
	OK("sfr no flags", sfr(fd, 4, 4, 0));
	OK("sfr past EOF", sfr(fd, 1 << 20, 4096, SYNC_FILE_RANGE_WRITE));
	OK("sfr read-only fd", sfr(ro, 0, 0, SYNC_FILE_RANGE_WRITE));
	OK("sfr directory", sfr(dir, 0, 0, SYNC_FILE_RANGE_WRITE));
	ERR("sfr bad flags", sfr(fd, 0, 0, 8), EINVAL);
	ERR("sfr bad flags high", sfr(fd, 0, 0, 0x80000000u), EINVAL);
	ERR("sfr negative offset", sfr(fd, -1, 0, SYNC_FILE_RANGE_WRITE), EINVAL);
	ERR("sfr negative length", sfr(fd, 0, -1, SYNC_FILE_RANGE_WRITE), EINVAL);
	ERR("sfr wraps", sfr(fd, 0x7fffffffffffff00LL, 0x1000, SYNC_FILE_RANGE_WRITE), EINVAL);
	ERR("sfr pipe", sfr(p[0], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
	ERR("sfr pipe bad flags first", sfr(p[0], 0, 0, 8), EINVAL);
	ERR("sfr socket", sfr(sv[0], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
	ERR("sfr /dev/null", sfr(null, 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
	ERR("sfr bad fd", sfr(-1, 0, 0, 8), EBADF);
	ERR("sfr O_PATH", sfr(path, 0, 0, SYNC_FILE_RANGE_WRITE), EBADF);

	say("-- data survives\n");
	char buf[16] = { 0 };
	VAL("pread after syncs", pread(ro, buf, sizeof buf, 0), 11);
	CHECK("contents", memcmp(buf, "hello world", 11) == 0);
	scratch_cleanup();
	return finish();
}
