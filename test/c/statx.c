// statx: masks, agreement with fstat, AT_* flags, sync flags, errnos.
#include "common.h"

static struct k_statx sx;
static struct stat st;

static long statx_(int dfd, const char *path, int flags, unsigned mask, void *buf)
{
	return syscall(SYS_statx, dfd, path, flags, mask, buf);
}

int main(int argc, char **argv)
{
	scratch_init("statx", argc, argv);
	umask(022);
	put_file(P("f"), "hello world", 11, 0604);
	mkdir(P("d"), 0700);
	symlink("f", P("lnk"));
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);

	VAL("statx basic", statx_(dfd, "f", 0, K_STATX_BASIC_STATS, &sx), 0);
	CHECK("mask has TYPE|MODE|NLINK|UID|GID|INO|SIZE",
	      (sx.stx_mask & 0x31f) == 0x31f);
	CHECK("S_ISREG", S_ISREG(sx.stx_mode));
	VALO("mode bits", sx.stx_mode & 07777, 0604);
	VAL("size", sx.stx_size, 11);
	VAL("nlink", sx.stx_nlink, 1);
	CHECK("uid/gid == euid/egid", sx.stx_uid == geteuid() && sx.stx_gid == getegid());
	CHECK("blksize > 0", sx.stx_blksize > 0);
	stat(P("f"), &st);
	CHECK("ino matches stat", sx.stx_ino == st.st_ino);
	CHECK("dev matches stat", makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev);
	CHECK("mtime matches stat", sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
	      sx.stx_mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec);
	CHECK("nsec fields in range", sx.stx_mtime.tv_nsec < 1000000000 && sx.stx_atime.tv_nsec < 1000000000 &&
	      sx.stx_ctime.tv_nsec < 1000000000);

	/* mask 0 still succeeds; the kernel may fill more than asked */
	memset(&sx, 0xff, sizeof sx);
	VAL("statx mask 0", statx_(dfd, "f", 0, 0, &sx), 0);
	CHECK("reserved mask bit not reported", !(sx.stx_mask & K_STATX__RESERVED));
	CHECK("spare0 zeroed", sx.spare0 == 0);
	VAL("statx mask SIZE only", statx_(dfd, "f", 0, K_STATX_SIZE, &sx), 0);
	CHECK("SIZE in mask", sx.stx_mask & K_STATX_SIZE);
	VAL("size", sx.stx_size, 11);

	/* symlinks, AT_EMPTY_PATH, directories */
	VAL("statx follows symlink", statx_(dfd, "lnk", 0, K_STATX_BASIC_STATS, &sx), 0);
	CHECK("regular", S_ISREG(sx.stx_mode));
	VAL("statx AT_SYMLINK_NOFOLLOW", statx_(dfd, "lnk", AT_SYMLINK_NOFOLLOW, K_STATX_BASIC_STATS, &sx), 0);
	CHECK("symlink", S_ISLNK(sx.stx_mode));
	VAL("symlink size", sx.stx_size, 1);
	int fd = open(P("f"), O_RDONLY);
	VAL("statx AT_EMPTY_PATH", statx_(fd, "", AT_EMPTY_PATH, K_STATX_BASIC_STATS, &sx), 0);
	VAL("size", sx.stx_size, 11);
	VAL("statx dir", statx_(dfd, "d", 0, K_STATX_BASIC_STATS, &sx), 0);
	CHECK("S_ISDIR", S_ISDIR(sx.stx_mode));
	VALO("dir mode", sx.stx_mode & 07777, 0700);
	VAL("statx absolute path", statx_(AT_FDCWD, P("f"), 0, K_STATX_BASIC_STATS, &sx), 0);
	int pp[2];
	pipe(pp);
	VAL("statx pipe via AT_EMPTY_PATH", statx_(pp[0], "", AT_EMPTY_PATH, K_STATX_TYPE, &sx), 0);
	CHECK("S_ISFIFO", S_ISFIFO(sx.stx_mode));

	/* sync flags are accepted */
	VAL("AT_STATX_FORCE_SYNC", statx_(dfd, "f", AT_STATX_FORCE_SYNC, K_STATX_BASIC_STATS, &sx), 0);
	VAL("AT_STATX_DONT_SYNC", statx_(dfd, "f", AT_STATX_DONT_SYNC, K_STATX_BASIC_STATS, &sx), 0);

	/* errnos */
	ERR("both sync flags", statx_(dfd, "f", AT_STATX_SYNC_TYPE, K_STATX_BASIC_STATS, &sx), EINVAL);
	ERR("reserved mask bit", statx_(dfd, "f", 0, K_STATX__RESERVED, &sx), EINVAL);
	ERR("unknown flag bit", statx_(dfd, "f", 0x1, K_STATX_BASIC_STATS, &sx), EINVAL);
	ERR("empty path without AT_EMPTY_PATH", statx_(fd, "", 0, K_STATX_BASIC_STATS, &sx), ENOENT);
	ERR("missing file", statx_(dfd, "missing", 0, K_STATX_BASIC_STATS, &sx), ENOENT);
	ERR("file as dirfd", statx_(fd, "x", 0, K_STATX_BASIC_STATS, &sx), ENOTDIR);
	ERR("file as path component", statx_(dfd, "f/x", 0, K_STATX_BASIC_STATS, &sx), ENOTDIR);
	ERR("bad dirfd", statx_(999, "f", 0, K_STATX_BASIC_STATS, &sx), EBADF);
	ERR("bad path pointer", statx_(dfd, BADPTR, 0, K_STATX_BASIC_STATS, &sx), EFAULT);
	ERR("bad buffer", statx_(dfd, "f", 0, K_STATX_BASIC_STATS, BADPTR), EFAULT);
	symlink("loop", P("loop"));
	ERR("symlink loop", statx_(dfd, "loop", 0, K_STATX_BASIC_STATS, &sx), ELOOP);

	scratch_cleanup();
	return finish();
}
