// Writing host files through the gofer: create, mkdir, mknod, symlink, link, unlink, rmdir, rename(2)/renameat2, chmod/chown/truncate/utimensat, xattrs, with errnos.
// do-flags: --force-overlay=false
#include "common.h"
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define NOREPLACE 1
#define EXCHANGE 2
static long rename2(const char *a, const char *b, int flags) { return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags); }
static struct stat st;
static struct stat *S(const char *p) { memset(&st, 0, sizeof st); lstat(p, &st); return &st; }
static char buf[256];
static const char *slurp(const char *p)
{
	int fd = open(p, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = 0;
	if (fd >= 0) close(fd);
	return buf;
}

static void creating(void)
{
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = 0;
	umask(022);
	ERR("missing before create", access(P("f"), F_OK), ENOENT); /* a negative entry that create must replace */
	int fd = open(P("f"), O_CREAT | O_EXCL | O_WRONLY, 0666);
	CHECK("create O_EXCL", fd >= 0);
	VAL("write", write(fd, "hello", 5), 5);
	close(fd);
	VALO("umask applied", S(P("f"))->st_mode, S_IFREG | 0644);
	VAL("size", S(P("f"))->st_size, 5);
	ERR("create O_EXCL again", open(P("f"), O_CREAT | O_EXCL | O_WRONLY, 0666), EEXIST);
	ERR("create in missing dir", open(P("nodir/x"), O_CREAT | O_WRONLY, 0666), ENOENT);
	ERR("create below a file", open(P("f/x"), O_CREAT | O_WRONLY, 0666), ENOTDIR);
	ERR("create long name", open(P(longname), O_CREAT | O_WRONLY, 0666), ENAMETOOLONG);
	OK("symlink to missing", symlink("made", P("dangling")));
	fd = open(P("dangling"), O_CREAT | O_WRONLY, 0600);
	CHECK("O_CREAT through a dangling symlink", fd >= 0 && S_ISREG(S(P("made"))->st_mode));
	close(fd);
	ERR("O_CREAT|O_EXCL on a symlink", open(P("dangling"), O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	OK("mkdir", mkdir(P("d"), 0777));
	VALO("mkdir mode", S(P("d"))->st_mode, S_IFDIR | 0755);
	ERR("mkdir again", mkdir(P("d"), 0777), EEXIST);
	ERR("mkdir missing parent", mkdir(P("nodir/d"), 0777), ENOENT);
	ERR("mkdir below a file", mkdir(P("f/d"), 0777), ENOTDIR);
	ERR("mkdir long name", mkdir(P(longname), 0777), ENAMETOOLONG);
	OK("mkfifo", mkfifo(P("fifo"), 0640));
	VALO("fifo mode", S(P("fifo"))->st_mode, S_IFIFO | 0640);
	ERR("fifo writer without reader", open(P("fifo"), O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open(P("fifo"), O_RDONLY | O_NONBLOCK), w = open(P("fifo"), O_WRONLY | O_NONBLOCK);
	CHECK("fifo passes data", r >= 0 && w >= 0 && write(w, "ab", 2) == 2 && read(r, buf, 8) == 2);
	close(r);
	close(w);
	OK("mknod socket", mknod(P("sock"), S_IFSOCK | 0600, 0));
	CHECK("socket type", S_ISSOCK(S(P("sock"))->st_mode));
	OK("mknod regular", mknod(P("reg"), S_IFREG | 0600, 0));
	VALO("mknod regular mode", S(P("reg"))->st_mode, S_IFREG | 0600);
	/* New files belong to the creator's fsuid/fsgid; a setgid directory passes its group on. */
	OK("chmod 777", chmod(P("d"), 0777));
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(2345) || setuid(1234)) _exit(3);
		int c = open(P("d/mine"), O_CREAT | O_WRONLY, 0644);
		_exit(c < 0 ? 4 : mkdir(P("d/mydir"), 0755) ? 5 : symlink("x", P("d/mylink")) ? 6 : 0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	VAL("child as 1234:2345", WEXITSTATUS(status), 0);
	CHECK("file owner", S(P("d/mine"))->st_uid == 1234 && st.st_gid == 2345);
	CHECK("dir owner", S(P("d/mydir"))->st_uid == 1234 && st.st_gid == 2345);
	CHECK("symlink owner", S(P("d/mylink"))->st_uid == 1234 && st.st_gid == 2345);
	OK("setgid dir", mkdir(P("sg"), 0755) || chown(P("sg"), 0, 777) || chmod(P("sg"), 02775));
	close(open(P("sg/f"), O_CREAT | O_WRONLY, 0644));
	VAL("file in setgid dir gets its group", S(P("sg/f"))->st_gid, 777);
	OK("mkdir in setgid dir", mkdir(P("sg/sub"), 0755));
	CHECK("subdir inherits group and setgid", S(P("sg/sub"))->st_gid == 777 && (st.st_mode & S_ISGID));
}

static void linking(void)
{
	OK("symlink", symlink("f", P("sl")));
	VAL("readlink", readlink(P("sl"), buf, sizeof buf), 1);
	CHECK("lstat symlink", S_ISLNK(S(P("sl"))->st_mode));
	ERR("symlink again", symlink("f", P("sl")), EEXIST);
	ERR("symlink empty target", symlink("", P("empty")), ENOENT);
	OK("loop a", symlink("loopb", P("loopa")));
	OK("loop b", symlink("loopa", P("loopb")));
	ERR("open loop", open(P("loopa"), O_RDONLY), ELOOP);
	ERR("O_NOFOLLOW on symlink", open(P("sl"), O_RDONLY | O_NOFOLLOW), ELOOP);
	VAL("read through symlink", strlen(slurp(P("sl"))), 5);
	OK("link", link(P("f"), P("hard")));
	VAL("nlink 2", S(P("f"))->st_nlink, 2);
	ERR("link a directory", link(P("d"), P("dlink")), EPERM);
	ERR("link onto existing", link(P("f"), P("hard")), EEXIST);
	ERR("link missing", link(P("missing"), P("x")), ENOENT);
	ERR("link across mounts", link(P("f"), "/dev/shm/tsvisor-x"), EXDEV);
	int fd = open(P("hard"), O_RDONLY);
	OK("unlink", unlink(P("hard")));
	VAL("nlink back to 1", S(P("f"))->st_nlink, 1);
	ERR("unlink again", unlink(P("hard")), ENOENT);
	struct stat fs;
	OK("unlink last name", unlink(P("f")) || fstat(fd, &fs));
	VAL("open file has no names left", fs.st_nlink, 0);
	VAL("open file still reads", read(fd, buf, 8), 5);
	close(fd);
	ERR("unlink a dir", unlink(P("d")), EISDIR);
	ERR("rmdir a file", rmdir(P("reg")), ENOTDIR);
	ERR("rmdir non-empty", rmdir(P("d")), ENOTEMPTY);
	ERR("rmdir .", rmdir(P("d/.")), EINVAL);
	ERR("rmdir ..", rmdir(P("d/..")), ENOTEMPTY);
	ERR("unlink trailing slash", unlink(P("reg/")), ENOTDIR);
	ERR("unlinkat bad flag", unlinkat(AT_FDCWD, P("reg"), 0x1), EINVAL);
	OK("mkdir e", mkdir(P("e"), 0755));
	OK("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, P("e"), AT_REMOVEDIR));
	CHECK("gone", access(P("e"), F_OK) != 0 && errno == ENOENT);
	OK("recreate e", mkdir(P("e"), 0755));
	CHECK("and back", S_ISDIR(S(P("e"))->st_mode));
}

static void renaming(void)
{
	put_file(P("r1"), "one", 3, 0644);
	put_file(P("r2"), "two", 3, 0644);
	int fd = open(P("r1"), O_RDWR);
	OK("rename", rename(P("r1"), P("r3")));
	ERR("old name gone", access(P("r1"), F_OK), ENOENT);
	CHECK("content moved", !strcmp(slurp(P("r3")), "one"));
	CHECK("open fd follows", pwrite(fd, "ONE", 3, 0) == 3 && !strcmp(slurp(P("r3")), "ONE"));
	close(fd);
	OK("rename over a file", rename(P("r3"), P("r2")));
	CHECK("replaced", !strcmp(slurp(P("r2")), "ONE") && access(P("r3"), F_OK) != 0);
	put_file(P("r4"), "four", 4, 0644);
	ERR("NOREPLACE onto existing", rename2(P("r4"), P("r2"), NOREPLACE), EEXIST);
	OK("NOREPLACE onto new", rename2(P("r4"), P("r5"), NOREPLACE));
	OK("EXCHANGE", rename2(P("r5"), P("r2"), EXCHANGE));
	CHECK("swapped", !strcmp(slurp(P("r5")), "ONE") && !strcmp(slurp(P("r2")), "four"));
	ERR("EXCHANGE with missing", rename2(P("r5"), P("nope"), EXCHANGE), ENOENT);
	ERR("NOREPLACE|EXCHANGE", rename2(P("r5"), P("r2"), NOREPLACE | EXCHANGE), EINVAL);
	OK("exchange file and dir", rename2(P("r5"), P("e"), EXCHANGE));
	CHECK("dir and file swapped", S_ISDIR(S(P("r5"))->st_mode) && S_ISREG(S(P("e"))->st_mode));
	ERR2("dir onto non-empty dir", rename(P("r5"), P("d")), ENOTEMPTY, EEXIST);
	ERR("dir onto file", rename(P("r5"), P("e")), ENOTDIR);
	ERR("file onto dir", rename(P("e"), P("r5")), EISDIR);
	ERR("dir into itself", rename(P("d"), P("d/sub")), EINVAL);
	ERR("rename missing", rename(P("nope"), P("x")), ENOENT);
	ERR("rename across mounts", rename(P("e"), "/dev/shm/tsvisor-x"), EXDEV);
	/* A renamed directory keeps working under its new name, children included. */
	OK("rename dir", rename(P("d"), P("d2")));
	CHECK("child found under new name", S(P("d2/mine"))->st_uid == 1234);
	CHECK("create in renamed dir", put_file(P("d2/new"), "x", 1, 0600) == 0 && S(P("d2/new"))->st_size == 1);
	OK("rename child up", rename(P("d2/new"), P("up")));
	OK("dir onto empty dir", rename(P("r5"), P("d2/mydir")));
	CHECK("replaced empty dir", S_ISDIR(S(P("d2/mydir"))->st_mode) && access(P("r5"), F_OK) != 0);
}

static void attributes(void)
{
	put_file(P("a"), "0123456789", 10, 0644);
	OK("chmod", chmod(P("a"), 0640));
	VALO("mode", S(P("a"))->st_mode, S_IFREG | 0640);
	int fd = open(P("a"), O_RDWR);
	OK("fchmod setuid", fchmod(fd, 04755));
	VALO("setuid mode", S(P("a"))->st_mode, S_IFREG | 04755);
	OK("chown", chown(P("a"), 1000, 2000));
	CHECK("owner", S(P("a"))->st_uid == 1000 && st.st_gid == 2000);
	VALO("chown cleared setuid", st.st_mode, S_IFREG | 0755);
	OK("chown -1 -1", chown(P("a"), -1, -1));
	CHECK("unchanged", S(P("a"))->st_uid == 1000 && st.st_gid == 2000);
	OK("symlink", symlink("a", P("al")));
	OK("lchown", lchown(P("al"), 7, 8));
	CHECK("link owner changed, target not", S(P("al"))->st_uid == 7 && S(P("a"))->st_uid == 1000);
	OK("truncate", truncate(P("a"), 4));
	VAL("size 4", S(P("a"))->st_size, 4);
	OK("ftruncate grow", ftruncate(fd, 100));
	VAL("size 100", S(P("a"))->st_size, 100);
	ERR("truncate dir", truncate(P("d2"), 0), EISDIR);
	ERR("truncate negative", truncate(P("a"), -1), EINVAL);
	close(fd);
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	OK("utimensat", utimensat(AT_FDCWD, P("a"), ts, 0));
	CHECK("times set", S(P("a"))->st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
	      st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 987654321);
	struct timespec omit[2] = { { 5, UTIME_OMIT }, { 1300000000, 0 } };
	OK("UTIME_OMIT", utimensat(AT_FDCWD, P("a"), omit, 0));
	CHECK("atime kept", S(P("a"))->st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1300000000);
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	OK("UTIME_NOW", utimensat(AT_FDCWD, P("a"), now, 0));
	CHECK("now", S(P("a"))->st_mtim.tv_sec > 1300000000);
	OK("utimensat nofollow", utimensat(AT_FDCWD, P("al"), ts, AT_SYMLINK_NOFOLLOW));
	CHECK("link times", S(P("al"))->st_mtim.tv_sec == 1200000000 && S(P("a"))->st_mtim.tv_sec > 1300000000);
}

static void xattrs(void)
{
	char big[65537], name[300], list[1024];
	memset(big, 'v', sizeof big);
	memset(name, 'n', sizeof name);
	memcpy(name, "user.", 5);
	name[256] = 0;
	put_file(P("x"), "", 0, 0644);
	OK("setxattr", setxattr(P("x"), "user.a", "v1", 2, 0));
	VAL("getxattr size", getxattr(P("x"), "user.a", NULL, 0), 2);
	CHECK("getxattr value", getxattr(P("x"), "user.a", buf, sizeof buf) == 2 && !memcmp(buf, "v1", 2));
	ERR("getxattr small buffer", getxattr(P("x"), "user.a", buf, 1), ERANGE);
	ERR("XATTR_CREATE existing", setxattr(P("x"), "user.a", "v2", 2, XATTR_CREATE), EEXIST);
	ERR("XATTR_REPLACE missing", setxattr(P("x"), "user.b", "v2", 2, XATTR_REPLACE), ENODATA);
	OK("XATTR_REPLACE", setxattr(P("x"), "user.a", "v22", 3, XATTR_REPLACE));
	OK("empty value", setxattr(P("x"), "user.e", "", 0, 0));
	ssize_t n = listxattr(P("x"), list, sizeof list);
	int seen = 0;
	for (ssize_t i = 0; i < n; i += strlen(list + i) + 1)
		seen += !strcmp(list + i, "user.a") + !strcmp(list + i, "user.e");
	VAL("listxattr has both", seen, 2);
	OK("removexattr", removexattr(P("x"), "user.a"));
	ERR("removexattr again", removexattr(P("x"), "user.a"), ENODATA);
	ERR("getxattr removed", getxattr(P("x"), "user.a", buf, sizeof buf), ENODATA);
	ERR("bad flags", setxattr(P("x"), "user.a", "v", 1, 4), EINVAL);
	ERR("empty name", setxattr(P("x"), "", "v", 1, 0), ERANGE);
	ERR("long name", setxattr(P("x"), name, "v", 1, 0), ERANGE);
	ERR("value too big", setxattr(P("x"), "user.big", big, sizeof big, 0), E2BIG);
	ERR("no namespace", setxattr(P("x"), "nonamespace", "v", 1, 0), EOPNOTSUPP);
	ERR("user.* on a fifo", setxattr(P("fifo"), "user.a", "v", 1, 0), EPERM);
	ERR("user.* on a symlink", lsetxattr(P("al"), "user.a", "v", 1, 0), EPERM);
	OK("trusted.* as root", setxattr(P("x"), "trusted.t", "tt", 2, 0));
	VAL("trusted value", getxattr(P("x"), "trusted.t", buf, sizeof buf), 2);
	OK("dir xattr", setxattr(P("d2"), "user.d", "dir", 3, 0));
	VAL("dir xattr value", getxattr(P("d2"), "user.d", buf, sizeof buf), 3);
	int pfd = open(P("x"), O_PATH);
	ERR("fgetxattr on O_PATH", fgetxattr(pfd, "user.e", buf, sizeof buf), EBADF);
	close(pfd);
}

int main(int argc, char **argv)
{
	scratch_init("gofer-write", argc, argv);
	chmod(P("."), 0755); /* the unprivileged child creates files below it */
	creating();
	linking();
	renaming();
	attributes();
	xattrs();
	scratch_cleanup();
	return finish();
}
