// readlink, readlinkat: contents, truncation, AT_EMPTY_PATH, /proc/self links, errnos.
#include "common.h"

static char buf[PATH_MAX + 1];

int main(int argc, char **argv)
{
	scratch_init("readlink", argc, argv);
	put_file(P("f"), "x", 1, 0644);
	mkdir(P("d"), 0755);
	symlink("f", P("short"));
	symlink("some/relative/../target/that/does/not/exist", P("long"));
	symlink("/absolute/path", P("abs"));
	symlink("d", P("dirlink"));
	symlink("loop", P("loop"));

	long n = syscall(SYS_readlink, P("short"), buf, sizeof buf);
	VAL("readlink short", n, 1);
	CHECK("content", n == 1 && buf[0] == 'f');
	memset(buf, '#', sizeof buf);
	n = syscall(SYS_readlink, P("long"), buf, sizeof buf);
	VAL("readlink long", n, 43);
	CHECK("content", !memcmp(buf, "some/relative/../target/that/does/not/exist", 43));
	CHECK("no NUL appended", buf[43] == '#');
	n = syscall(SYS_readlink, P("abs"), buf, sizeof buf);
	CHECK("absolute target kept verbatim", n == 14 && !memcmp(buf, "/absolute/path", 14));

	/* truncation: returns bufsiz, no error */
	memset(buf, '#', sizeof buf);
	VAL("readlink bufsiz 4 truncates", syscall(SYS_readlink, P("long"), buf, 4), 4);
	CHECK("truncated content", !memcmp(buf, "some#", 5));
	VAL("readlink bufsiz 1", syscall(SYS_readlink, P("long"), buf, 1), 1);

	/* errnos */
	ERR("bufsiz 0", syscall(SYS_readlink, P("short"), buf, 0), EINVAL);
	ERR("bufsiz -1", syscall(SYS_readlink, P("short"), buf, -1), EINVAL);
	ERR("not a symlink (file)", syscall(SYS_readlink, P("f"), buf, sizeof buf), EINVAL);
	ERR("not a symlink (dir)", syscall(SYS_readlink, P("d"), buf, sizeof buf), EINVAL);
	ERR("missing", syscall(SYS_readlink, P("missing"), buf, sizeof buf), ENOENT);
	ERR("empty path", syscall(SYS_readlink, "", buf, sizeof buf), ENOENT);
	ERR("file as component", syscall(SYS_readlink, P("f/x"), buf, sizeof buf), ENOTDIR);
	ERR("bad path pointer", syscall(SYS_readlink, BADPTR, buf, sizeof buf), EFAULT);
	ERR("bad buffer", syscall(SYS_readlink, P("short"), BADPTR, sizeof buf), EFAULT);
	VAL("symlink loop itself is readable", syscall(SYS_readlink, P("loop"), buf, sizeof buf), 4);
	ERR("trailing slash follows the link (dir)", syscall(SYS_readlink, P("dirlink/"), buf, sizeof buf), EINVAL);
	symlink("loop2", P("loop1"));
	symlink("loop1", P("loop2"));
	ERR("loop in a middle component", syscall(SYS_readlink, P("loop1/x"), buf, sizeof buf), ELOOP);
	char longname[300];
	memset(longname, 'z', 299);
	longname[299] = 0;
	ERR("long component", syscall(SYS_readlink, P(longname), buf, sizeof buf), ENAMETOOLONG);

	/* readlinkat */
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY);
	n = syscall(SYS_readlinkat, dfd, "short", buf, sizeof buf);
	VAL("readlinkat relative", n, 1);
	VAL("readlinkat through dirlink", (symlink("../f", P("d/up")),
	    syscall(SYS_readlinkat, dfd, "dirlink/up", buf, sizeof buf)), 4);
	VAL("readlinkat AT_FDCWD absolute", syscall(SYS_readlinkat, AT_FDCWD, P("abs"), buf, sizeof buf), 14);
	VAL("readlinkat absolute ignores bad dirfd", syscall(SYS_readlinkat, 999, P("abs"), buf, sizeof buf), 14);
	ERR("readlinkat bad dirfd", syscall(SYS_readlinkat, 999, "short", buf, sizeof buf), EBADF);
	int ffd = open(P("f"), O_RDONLY);
	ERR("readlinkat file dirfd", syscall(SYS_readlinkat, ffd, "short", buf, sizeof buf), ENOTDIR);
	int lfd = open(P("long"), O_PATH | O_NOFOLLOW);
	VAL("readlinkat O_PATH symlink fd, empty path", syscall(SYS_readlinkat, lfd, "", buf, sizeof buf), 43);
	ERR("readlinkat empty path on dir fd", syscall(SYS_readlinkat, dfd, "", buf, sizeof buf), ENOENT);
	ERR("readlinkat empty path on file fd", syscall(SYS_readlinkat, ffd, "", buf, sizeof buf), ENOENT);

	/* /proc/self magic links */
	char real[PATH_MAX];
	n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf - 1);
	CHECK("/proc/self/exe readable", n > 0);
	buf[n > 0 ? n : 0] = 0;
	CHECK("/proc/self/exe is argv[0]'s real path", realpath(argv[0], real) && !strcmp(real, buf));
	char fdpath[64];
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", ffd);
	n = syscall(SYS_readlink, fdpath, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	CHECK("/proc/self/fd/N names the file", realpath(P("f"), real) && !strcmp(real, buf));
	int p[2];
	pipe(p);
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", p[0]);
	n = syscall(SYS_readlink, fdpath, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	CHECK("pipe fd link is pipe:[N]", !strncmp(buf, "pipe:[", 6) && buf[n - 1] == ']');
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", 987);
	ERR("/proc/self/fd/<closed>", syscall(SYS_readlink, fdpath, buf, sizeof buf), ENOENT);
	n = syscall(SYS_readlink, "/proc/self/cwd", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	CHECK("/proc/self/cwd is getcwd()", getcwd(real, sizeof real) && !strcmp(real, buf));

	scratch_cleanup();
	return finish();
}
