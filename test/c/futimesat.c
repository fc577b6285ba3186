/* futimesat: explicit timevals, NULL times, NULL path (the dirfd itself), relative paths and errnos. */
#include "common.h"

static long fus(int dirfd, const char *path, const struct timeval *tv)
{
	return syscall(SYS_futimesat, dirfd, path, tv);
}

static void times_of(const char *label, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		say("%s: %s\n", label, errname(errno));
		return;
	}
	say("%s: atime %ld.%09ld mtime %ld.%09ld\n", label, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(int argc, char **argv)
{
	scratch_init("futimesat", argc, argv);
	OK("put", put_file(P("f"), "x", 1, 0644));
	int dir = open(scratch, O_RDONLY | O_DIRECTORY);
	struct timeval tv[2] = { { 1000000000, 123456 }, { 1200000000, 999999 } };
	OK("relative to dirfd", fus(dir, "f", tv));
	times_of("set", P("f"));
	tv[0].tv_sec = 1300000000;
	OK("absolute path ignores dirfd", fus(-1, P("f"), tv));
	times_of("absolute", P("f"));
	OK("AT_FDCWD", chdir(scratch));
	tv[1].tv_usec = 0;
	OK("cwd relative", fus(AT_FDCWD, "f", tv));
	times_of("cwd", P("f"));
	int fd = open(P("f"), O_RDONLY);
	tv[0].tv_sec = 1400000000;
	OK("NULL path: the fd itself", fus(fd, NULL, tv));
	times_of("by fd", P("f"));
	struct stat before, after;
	stat(P("f"), &before);
	OK("NULL times: now", fus(dir, "f", NULL));
	stat(P("f"), &after);
	CHECK("now is later", after.st_mtim.tv_sec > before.st_mtim.tv_sec && after.st_atim.tv_sec > before.st_atim.tv_sec);

	tv[0].tv_usec = 1000000;
	ERR("usec too big", fus(dir, "f", tv), EINVAL);
	tv[0].tv_usec = -1;
	ERR("usec negative", fus(dir, "f", tv), EINVAL);
	tv[0].tv_usec = (1 << 30) - 2; /* UTIME_OMIT means nothing here */
	ERR("UTIME_OMIT", fus(dir, "f", tv), EINVAL);
	tv[0].tv_usec = 0;
	ERR("bad times ptr", fus(dir, "f", BADPTR), EFAULT);
	ERR("EFAULT before ENOENT", fus(dir, "missing", BADPTR), EFAULT);
	ERR("missing", fus(dir, "missing", tv), ENOENT);
	ERR("empty path", fus(dir, "", tv), ENOENT);
	ERR("bad dirfd", fus(-5, "f", tv), EBADF);
	ERR("bad fd, NULL path", fus(-5, NULL, tv), EBADF);
	ERR("dirfd not a dir", fus(fd, "f", tv), ENOTDIR);
	ERR("bad path ptr", fus(dir, BADPTR, tv), EFAULT);
	OK("symlink", symlink("f", P("l")));
	tv[1].tv_sec = 1500000000;
	OK("follows symlinks", fus(dir, "l", tv));
	times_of("through link", P("f"));
	scratch_cleanup();
	return finish();
}
