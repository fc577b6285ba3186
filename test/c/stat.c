// stat, lstat, fstat, newfstatat: types, modes, sizes, links, flags, errnos.
#include "common.h"

static struct stat st, st2;

int main(int argc, char **argv)
{
	scratch_init("stat", argc, argv);
	umask(022);
	put_file(P("f"), "0123456789abcdef", 16, 0640);
	mkdir(P("d"), 0751);
	symlink("f", P("lnk"));
	symlink("nowhere", P("dangling"));
	symlink("loop", P("loop"));

	/* stat on a regular file */
	VAL("stat file", syscall(SYS_stat, P("f"), &st), 0);
	CHECK("S_ISREG", S_ISREG(st.st_mode));
	VALO("permission bits", st.st_mode & 07777, 0640);
	VAL("st_size", st.st_size, 16);
	VAL("st_nlink", st.st_nlink, 1);
	CHECK("st_uid == geteuid", st.st_uid == geteuid());
	CHECK("st_gid == getegid", st.st_gid == getegid());
	CHECK("st_blksize > 0", st.st_blksize > 0);
	CHECK("st_rdev == 0", st.st_rdev == 0);

	/* stat follows symlinks, lstat does not */
	VAL("stat via symlink", syscall(SYS_stat, P("lnk"), &st2), 0);
	CHECK("same dev/ino as target", st.st_dev == st2.st_dev && st.st_ino == st2.st_ino);
	VAL("lstat symlink", syscall(SYS_lstat, P("lnk"), &st2), 0);
	CHECK("S_ISLNK", S_ISLNK(st2.st_mode));
	VAL("symlink size = target length", st2.st_size, 1);
	VALO("symlink perms 0777", st2.st_mode & 07777, 0777);
	CHECK("symlink ino differs from target", st2.st_ino != st.st_ino);
	ERR("stat dangling symlink", syscall(SYS_stat, P("dangling"), &st2), ENOENT);
	VAL("lstat dangling symlink", syscall(SYS_lstat, P("dangling"), &st2), 0);
	ERR("stat symlink loop", syscall(SYS_stat, P("loop"), &st2), ELOOP);
	VAL("lstat symlink loop", syscall(SYS_lstat, P("loop"), &st2), 0);

	/* directories */
	VAL("stat dir", syscall(SYS_stat, P("d"), &st2), 0);
	CHECK("S_ISDIR", S_ISDIR(st2.st_mode));
	VALO("dir perms", st2.st_mode & 07777, 0751);
	VAL("stat dir with trailing slash", syscall(SYS_stat, P("d/"), &st2), 0);
	VAL("stat dir/.", syscall(SYS_stat, P("d/."), &st2), 0);
	ERR("stat file with trailing slash", syscall(SYS_stat, P("f/"), &st2), ENOTDIR);
	ERR("stat file/x", syscall(SYS_stat, P("f/x"), &st2), ENOTDIR);

	/* hard links */
	link(P("f"), P("hard"));
	syscall(SYS_stat, P("f"), &st);
	VAL("nlink after link", st.st_nlink, 2);
	syscall(SYS_stat, P("hard"), &st2);
	CHECK("hard link same ino", st.st_ino == st2.st_ino);
	unlink(P("hard"));
	syscall(SYS_stat, P("f"), &st);
	VAL("nlink after unlink", st.st_nlink, 1);

	/* fstat */
	int fd = open(P("f"), O_RDWR);
	VAL("fstat", syscall(SYS_fstat, fd, &st2), 0);
	CHECK("fstat matches stat", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev && st2.st_size == 16);
	write(fd, "more", 4);
	lseek(fd, 0, SEEK_END);
	write(fd, "!", 1);
	syscall(SYS_fstat, fd, &st2);
	VAL("fstat size after append", st2.st_size, 17);
	ftruncate(fd, 3);
	syscall(SYS_fstat, fd, &st2);
	VAL("fstat size after ftruncate", st2.st_size, 3);
	unlink(P("f2"));
	int unl = open(P("f2"), O_RDWR | O_CREAT, 0600);
	unlink(P("f2"));
	VAL("fstat unlinked file", syscall(SYS_fstat, unl, &st2), 0);
	VAL("nlink of unlinked", st2.st_nlink, 0);
	close(unl);
	int p[2];
	pipe(p);
	syscall(SYS_fstat, p[0], &st2);
	CHECK("pipe is S_ISFIFO", S_ISFIFO(st2.st_mode));
	int nul = open("/dev/null", O_RDONLY);
	syscall(SYS_fstat, nul, &st2);
	CHECK("/dev/null is S_ISCHR", S_ISCHR(st2.st_mode));
	CHECK("/dev/null rdev 1:3", major(st2.st_rdev) == 1 && minor(st2.st_rdev) == 3);
	int pf = open(P("f"), O_PATH);
	VAL("fstat O_PATH fd", syscall(SYS_fstat, pf, &st2), 0);
	VAL("size via O_PATH", st2.st_size, 3);
	ERR("fstat bad fd", syscall(SYS_fstat, 999, &st2), EBADF);
	ERR("fstat bad buffer", syscall(SYS_fstat, fd, BADPTR), EFAULT);

	/* errnos for path-based calls */
	ERR("stat missing", syscall(SYS_stat, P("missing"), &st2), ENOENT);
	ERR("stat empty path", syscall(SYS_stat, "", &st2), ENOENT);
	ERR("stat bad path pointer", syscall(SYS_stat, BADPTR, &st2), EFAULT);
	ERR("stat bad buffer", syscall(SYS_stat, P("f"), BADPTR), EFAULT);
	ERR("lstat bad buffer", syscall(SYS_lstat, P("lnk"), BADPTR), EFAULT);
	char longname[300];
	memset(longname, 'x', 299);
	longname[299] = 0;
	ERR("stat long component", syscall(SYS_stat, P(longname), &st2), ENAMETOOLONG);

	/* newfstatat */
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	VAL("fstatat relative", syscall(SYS_newfstatat, dfd, "f", &st2, 0), 0);
	VAL("fstatat size", st2.st_size, 3);
	VAL("fstatat AT_SYMLINK_NOFOLLOW", syscall(SYS_newfstatat, dfd, "lnk", &st2, AT_SYMLINK_NOFOLLOW), 0);
	CHECK("is symlink", S_ISLNK(st2.st_mode));
	VAL("fstatat follows by default", syscall(SYS_newfstatat, dfd, "lnk", &st2, 0), 0);
	CHECK("is regular", S_ISREG(st2.st_mode));
	VAL("fstatat AT_EMPTY_PATH on fd", syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH), 0);
	VAL("size", st2.st_size, 3);
	VAL("fstatat AT_EMPTY_PATH on O_PATH fd", syscall(SYS_newfstatat, pf, "", &st2, AT_EMPTY_PATH), 0);
	VAL("fstatat AT_EMPTY_PATH, AT_FDCWD", syscall(SYS_newfstatat, AT_FDCWD, "", &st2, AT_EMPTY_PATH), 0);
	CHECK("cwd is a directory", S_ISDIR(st2.st_mode));
	ERR("fstatat empty path without flag", syscall(SYS_newfstatat, fd, "", &st2, 0), ENOENT);
	ERR("fstatat bad flags", syscall(SYS_newfstatat, dfd, "f", &st2, 0x1), EINVAL);
	ERR("fstatat bad dirfd", syscall(SYS_newfstatat, 999, "f", &st2, 0), EBADF);
	ERR("fstatat file as dirfd", syscall(SYS_newfstatat, fd, "f", &st2, 0), ENOTDIR);
	VAL("fstatat absolute ignores dirfd", syscall(SYS_newfstatat, 999, P("f"), &st2, 0), 0);
	ERR("fstatat bad path pointer", syscall(SYS_newfstatat, dfd, BADPTR, &st2, 0), EFAULT);
	ERR("fstatat bad buffer", syscall(SYS_newfstatat, dfd, "f", BADPTR, 0), EFAULT);
	ERR("fstatat missing", syscall(SYS_newfstatat, dfd, "missing", &st2, 0), ENOENT);

	scratch_cleanup();
	return finish();
}
