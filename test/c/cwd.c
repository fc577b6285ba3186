// getcwd, chdir, fchdir: raw getcwd return values, ERANGE, relative paths, removed cwd.
#include "common.h"

static char buf[PATH_MAX], real[PATH_MAX];

int main(int argc, char **argv)
{
	scratch_init("cwd", argc, argv);
	realpath(scratch, real);
	size_t rlen = strlen(real);
	mkdir(P("sub"), 0755);
	mkdir(P("sub/deeper"), 0755);
	put_file(P("file"), "x", 1, 0644);
	symlink("sub", P("sublink"));
	int orig = open(".", O_RDONLY | O_DIRECTORY);

	/* raw getcwd returns the length including the NUL */
	VAL("chdir scratch", syscall(SYS_chdir, scratch), 0);
	VAL("getcwd returns strlen+1", syscall(SYS_getcwd, buf, sizeof buf), (long)rlen + 1);
	CHECK("getcwd == realpath(scratch)", !strcmp(buf, real));
	VAL("getcwd exact-size buffer", syscall(SYS_getcwd, buf, rlen + 1), (long)rlen + 1);
	ERR("getcwd buffer one byte short", syscall(SYS_getcwd, buf, rlen), ERANGE);
	ERR("getcwd size 0", syscall(SYS_getcwd, buf, 0), ERANGE);
	ERR("getcwd bad buffer", syscall(SYS_getcwd, BADPTR, sizeof buf), EFAULT);
	CHECK("libc getcwd agrees", getcwd(buf, sizeof buf) && !strcmp(buf, real));

	/* relative chdir */
	VAL("chdir sub (relative)", syscall(SYS_chdir, "sub"), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("cwd is scratch/sub", !strncmp(buf, real, rlen) && !strcmp(buf + rlen, "/sub"));
	VAL("chdir deeper/..", syscall(SYS_chdir, "deeper/.."), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("still scratch/sub", !strcmp(buf + rlen, "/sub"));
	VAL("chdir ..", syscall(SYS_chdir, ".."), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("back at scratch", !strcmp(buf, real));
	VAL("chdir via symlink", syscall(SYS_chdir, "sublink"), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("getcwd shows resolved path", !strcmp(buf + rlen, "/sub"));
	VAL("relative access after chdir", access("deeper", F_OK), 0);
	VAL("chdir .", syscall(SYS_chdir, "."), 0);
	VAL("chdir /", syscall(SYS_chdir, "/"), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("getcwd is /", !strcmp(buf, "/"));
	VAL("chdir / then ..", syscall(SYS_chdir, ".."), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK(".. of / is /", !strcmp(buf, "/"));

	/* chdir errnos */
	ERR("chdir missing", syscall(SYS_chdir, P("missing")), ENOENT);
	ERR("chdir file", syscall(SYS_chdir, P("file")), ENOTDIR);
	ERR("chdir through file", syscall(SYS_chdir, P("file/x")), ENOTDIR);
	ERR("chdir empty path", syscall(SYS_chdir, ""), ENOENT);
	ERR("chdir bad pointer", syscall(SYS_chdir, BADPTR), EFAULT);
	char longname[300];
	memset(longname, 'c', 299);
	longname[299] = 0;
	ERR("chdir long component", syscall(SYS_chdir, P(longname)), ENAMETOOLONG);
	symlink("loop", P("loop"));
	ERR("chdir symlink loop", syscall(SYS_chdir, P("loop")), ELOOP);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("failed chdirs left cwd alone", !strcmp(buf, "/"));

	/* fchdir */
	int sfd = open(P("sub"), O_RDONLY | O_DIRECTORY);
	VAL("fchdir dir fd", syscall(SYS_fchdir, sfd), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("cwd is scratch/sub", !strcmp(buf + rlen, "/sub"));
	int pfd = open(P("sub/deeper"), O_PATH | O_DIRECTORY);
	VAL("fchdir O_PATH dir fd", syscall(SYS_fchdir, pfd), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("cwd is scratch/sub/deeper", !strcmp(buf + rlen, "/sub/deeper"));
	int ffd = open(P("file"), O_RDONLY);
	ERR("fchdir file fd", syscall(SYS_fchdir, ffd), ENOTDIR);
	ERR("fchdir bad fd", syscall(SYS_fchdir, 999), EBADF);
	ERR("fchdir -1", syscall(SYS_fchdir, -1), EBADF);
	int p[2];
	pipe(p);
	ERR("fchdir pipe", syscall(SYS_fchdir, p[0]), ENOTDIR);

	/* a removed cwd */
	mkdir(P("doomed"), 0755);
	syscall(SYS_chdir, P("doomed"));
	rmdir(P("doomed"));
	ERR("getcwd in removed dir", syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
	ERR("create in removed cwd", open("newfile", O_RDWR | O_CREAT, 0644), ENOENT);
	struct stat st;
	VAL("stat . in removed cwd", stat(".", &st), 0);
	VAL("its nlink is 0", st.st_nlink, 0);
	VAL("chdir .. from removed cwd", syscall(SYS_chdir, ".."), 0);
	syscall(SYS_getcwd, buf, sizeof buf);
	CHECK("lands in its parent", !strcmp(buf, real));
	VAL("fchdir back", syscall(SYS_fchdir, orig), 0);
	VAL("getcwd works again", syscall(SYS_getcwd, buf, sizeof buf) > 0, 1);

	scratch_cleanup();
	return finish();
}
