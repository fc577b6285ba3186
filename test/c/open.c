// open, openat, creat: flags, creation modes, lowest-fd rule, path errnos.
#include "common.h"

static int getfl(int fd) { return fcntl(fd, F_GETFL); }

int main(int argc, char **argv)
{
	char buf[16];
	scratch_init("open", argc, argv);
	umask(022);

	/* creation and O_EXCL */
	ERR("open missing file", syscall(SYS_open, P("nope"), O_RDONLY), ENOENT);
	int fd = syscall(SYS_open, P("a"), O_RDWR | O_CREAT | O_EXCL, 0666);
	CHECK("O_CREAT|O_EXCL creates", fd >= 0);
	struct stat st;
	fstat(fd, &st);
	VALO("mode is 0666 & ~umask", st.st_mode & 07777, 0644);
	CHECK("is regular", S_ISREG(st.st_mode));
	ERR("O_CREAT|O_EXCL on existing", syscall(SYS_open, P("a"), O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST);
	write(fd, "hello", 5);
	close(fd);
	fd = syscall(SYS_open, P("a"), O_RDWR | O_CREAT, 0600);
	fstat(fd, &st);
	VAL("O_CREAT on existing keeps size", st.st_size, 5);
	VALO("O_CREAT on existing keeps mode", st.st_mode & 07777, 0644);
	close(fd);
	fd = syscall(SYS_open, P("a"), O_RDWR | O_TRUNC);
	fstat(fd, &st);
	VAL("O_TRUNC empties", st.st_size, 0);
	close(fd);

	/* creat() == open(O_CREAT|O_WRONLY|O_TRUNC) */
	put_file(P("c"), "data", 4, 0644);
	fd = syscall(SYS_creat, P("c"), 0600);
	CHECK("creat ok", fd >= 0);
	VAL("creat access mode is O_WRONLY", getfl(fd) & O_ACCMODE, O_WRONLY);
	fstat(fd, &st);
	VAL("creat truncates", st.st_size, 0);
	ERR("creat fd is not readable", read(fd, buf, 1), EBADF);
	close(fd);
	fd = syscall(SYS_creat, P("c2"), 0640);
	fstat(fd, &st);
	VALO("creat new mode", st.st_mode & 07777, 0640);
	close(fd);
	ERR("creat in missing dir", syscall(SYS_creat, P("nodir/x"), 0644), ENOENT);

	/* access modes and status flags as reported by F_GETFL */
	fd = open(P("a"), O_RDONLY);
	VAL("O_RDONLY accmode", getfl(fd) & O_ACCMODE, O_RDONLY);
	close(fd);
	fd = open(P("a"), O_WRONLY | O_APPEND | O_NONBLOCK);
	VAL("O_WRONLY accmode", getfl(fd) & O_ACCMODE, O_WRONLY);
	CHECK("O_APPEND reported", getfl(fd) & O_APPEND);
	CHECK("O_NONBLOCK reported", getfl(fd) & O_NONBLOCK);
	CHECK("O_CREAT not reported", !(getfl(fd) & O_CREAT));
	close(fd);
	fd = open(P("a"), O_RDONLY | O_CLOEXEC);
	VAL("O_CLOEXEC sets FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	fd = open(P("a"), O_RDONLY);
	VAL("no O_CLOEXEC, fd flags 0", fcntl(fd, F_GETFD), 0);
	close(fd);

	/* lowest free fd is used */
	int f1 = open(P("a"), O_RDONLY), f2 = open(P("a"), O_RDONLY), f3 = open(P("a"), O_RDONLY);
	CHECK("consecutive fds", f2 == f1 + 1 && f3 == f2 + 1);
	close(f2);
	int f4 = open(P("a"), O_RDONLY);
	CHECK("reuses lowest hole", f4 == f2);
	close(f1); close(f3); close(f4);

	/* directories */
	mkdir(P("d"), 0755);
	ERR("open dir O_WRONLY", syscall(SYS_open, P("d"), O_WRONLY), EISDIR);
	ERR("open dir O_RDWR", syscall(SYS_open, P("d"), O_RDWR), EISDIR);
	ERR("open dir O_CREAT", syscall(SYS_open, P("d"), O_RDONLY | O_CREAT, 0644), EISDIR);
	fd = syscall(SYS_open, P("d"), O_RDONLY);
	CHECK("open dir O_RDONLY ok", fd >= 0);
	close(fd);
	OK("O_DIRECTORY on dir", (fd = open(P("d"), O_RDONLY | O_DIRECTORY)));
	close(fd);
	ERR("O_DIRECTORY on file", syscall(SYS_open, P("a"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	ERR("file as path component", syscall(SYS_open, P("a/x"), O_RDONLY), ENOTDIR);
	ERR("trailing slash on file", syscall(SYS_open, P("a/"), O_RDONLY), ENOTDIR);
	ERR("O_CREAT with trailing slash", syscall(SYS_open, P("new/"), O_RDWR | O_CREAT, 0644), EISDIR);
	ERR("O_CREAT in missing dir", syscall(SYS_open, P("nodir/x"), O_RDWR | O_CREAT, 0644), ENOENT);
	ERR("empty path", syscall(SYS_open, "", O_RDONLY), ENOENT);

	/* symlinks */
	symlink("a", P("lnk"));
	symlink("missing", P("dangling"));
	symlink("loop2", P("loop1"));
	symlink("loop1", P("loop2"));
	fd = open(P("lnk"), O_RDONLY);
	CHECK("open via symlink", fd >= 0);
	close(fd);
	ERR("O_NOFOLLOW on symlink", syscall(SYS_open, P("lnk"), O_RDONLY | O_NOFOLLOW), ELOOP);
	ERR("symlink loop", syscall(SYS_open, P("loop1"), O_RDONLY), ELOOP);
	ERR("dangling symlink", syscall(SYS_open, P("dangling"), O_RDONLY), ENOENT);
	fd = open(P("dangling"), O_RDWR | O_CREAT, 0644);
	CHECK("O_CREAT through dangling symlink creates target", fd >= 0 && access(P("missing"), F_OK) == 0);
	close(fd);
	ERR("O_CREAT|O_EXCL on symlink", syscall(SYS_open, P("lnk"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	fd = open(P("lnk"), O_PATH | O_NOFOLLOW);
	CHECK("O_PATH|O_NOFOLLOW opens the link itself", fd >= 0);
	fstat(fd, &st);
	CHECK("fstat on it says symlink", S_ISLNK(st.st_mode));
	close(fd);

	/* name length limits */
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = 0;
	ERR("component of 256 bytes", syscall(SYS_open, P(longname), O_RDONLY), ENAMETOOLONG);
	longname[255] = 0;
	ERR("component of 255 bytes, missing", syscall(SYS_open, P(longname), O_RDONLY), ENOENT);
	static char longpath[5000];
	for (int i = 0; i < 4999; i += 2)
		longpath[i] = '/', longpath[i + 1] = 'x';
	longpath[4999] = 0;
	ERR("path of 5000 bytes", syscall(SYS_open, longpath, O_RDONLY), ENAMETOOLONG);
	ERR("path bad pointer", syscall(SYS_open, BADPTR, O_RDONLY), EFAULT);
	ERR("path kernel pointer", syscall(SYS_open, KPTR, O_RDONLY), EFAULT);

	/* openat */
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	fd = syscall(SYS_openat, dfd, "a", O_RDONLY);
	CHECK("openat relative to dirfd", fd >= 0);
	close(fd);
	fd = syscall(SYS_openat, 999, P("a"), O_RDONLY);
	CHECK("openat absolute path ignores bad dirfd", fd >= 0);
	close(fd);
	ERR("openat relative with bad dirfd", syscall(SYS_openat, 999, "a", O_RDONLY), EBADF);
	int ffd = open(P("a"), O_RDONLY);
	ERR("openat relative with file dirfd", syscall(SYS_openat, ffd, "a", O_RDONLY), ENOTDIR);
	close(ffd);
	OK("openat AT_FDCWD absolute", (fd = syscall(SYS_openat, AT_FDCWD, P("a"), O_RDONLY)));
	close(fd);
	fd = syscall(SYS_openat, dfd, "d/../a", O_RDONLY);
	CHECK("openat with .. inside", fd >= 0);
	close(fd);
	fd = syscall(SYS_openat, dfd, "sub", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK("openat O_CREAT relative", fd >= 0 && access(P("sub"), F_OK) == 0);
	close(fd);
	int pfd = open(scratch, O_PATH | O_DIRECTORY);
	fd = syscall(SYS_openat, pfd, "a", O_RDONLY);
	CHECK("openat relative to O_PATH dirfd", fd >= 0);
	close(fd);
	close(pfd);
	close(dfd);

	/* open(2) ignores unknown flag bits */
	fd = syscall(SYS_open, P("a"), O_RDONLY | 0x40000000);
	CHECK("unknown high flag ignored by open", fd >= 0);
	close(fd);

	scratch_cleanup();
	return finish();
}
