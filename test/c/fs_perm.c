// Permission checks as uid/gid 65534: EACCES on search/read/write/create, sticky dirs, chmod/chown EPERM, utimensat rules, suid bits cleared.
#include "common.h"
#include <grp.h>
#include <sys/wait.h>

#define NOBODY 65534
static struct timespec tsnow[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
static struct timespec tsset[2] = { { 1000, 0 }, { 2000, 0 } };
static struct timespec tsomit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

static mode_t mode_of(const char *p) { struct stat s; return stat(p, &s) ? 0 : (s.st_mode & 07777); }
static void mk(const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	put_file(P(rel), "data", 4, 0600);
	if (chown(P(rel), uid, gid) || chmod(P(rel), mode))
		say("setup %s: %s\n", rel, errname(errno));
}
static void mkd(const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(P(rel), 0700) || chown(P(rel), uid, gid) || chmod(P(rel), mode))
		say("setup %s: %s\n", rel, errname(errno));
}
static long opn(const char *rel, int flags)
{
	int fd = open(P(rel), flags, 0644);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static void as_nobody(void)
{
	gid_t g = 100;
	OK("setgroups [100]", setgroups(1, &g));
	OK("setresgid nobody", syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY));
	OK("setresuid nobody", syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY));

	/* search and read permission on directories */
	ERR("stat in 0700 dir", access(P("d700/f"), F_OK), EACCES);
	ERR("open in 0700 dir", opn("d700/f", O_RDONLY), EACCES);
	ERR("create in 0700 dir", opn("d700/new", O_CREAT | O_WRONLY), EACCES);
	ERR("opendir 0700", opn("d700", O_RDONLY | O_DIRECTORY), EACCES);
	ERR("chdir 0700", chdir(P("d700")), EACCES);
	OK("open in 0711 dir", opn("d711/f", O_RDONLY));
	ERR("readdir-open 0711", opn("d711", O_RDONLY | O_DIRECTORY), EACCES);
	OK("O_PATH of 0700 dir", opn("d700", O_PATH));
	ERR("chdir 0600 dir (no x)", chdir(P("d600")), EACCES);

	/* files: owner, group, other classes are exclusive */
	ERR("write 0444 file", opn("f444", O_WRONLY), EACCES);
	OK("read 0444 file", opn("f444", O_RDONLY));
	ERR("truncate 0444 file", truncate(P("f444"), 0), EACCES);
	ERR("O_TRUNC 0444 file", opn("f444", O_RDONLY | O_TRUNC), EACCES);
	ERR("access W_OK 0444", access(P("f444"), W_OK), EACCES);
	ERR("access X_OK 0644", access(P("f444"), X_OK), EACCES);
	OK("group read via gid", opn("fgrp", O_RDONLY));
	OK("group read via supplementary 100", opn("fsupp", O_RDONLY));
	ERR("owner class denies though other allows", opn("fown077", O_RDONLY), EACCES);
	ERR("group class denies though other allows", opn("fgrp707", O_RDONLY), EACCES);
	ERR("execve 0644 file", execl(P("f444"), "x", (char *)0), EACCES);

	/* creating and removing in a 0555 dir */
	ERR("create in 0555 dir", opn("d555/new", O_CREAT | O_WRONLY), EACCES);
	ERR("mkdir in 0555 dir", mkdir(P("d555/nd"), 0777), EACCES);
	ERR("unlink in 0555 dir", unlink(P("d555/f")), EACCES);
	ERR("rmdir in 0555 dir", rmdir(P("d555/sub")), EACCES);
	ERR("rename out of 0555 dir", rename(P("d555/f"), P("dmine/f")), EACCES);
	ERR("symlink in 0555 dir", symlink("x", P("d555/l")), EACCES);
	OK("write existing file in 0555 dir", opn("d555/w", O_WRONLY));

	/* sticky dir: only the file's owner, the dir's owner or root may remove */
	ERR("unlink others' file in sticky dir", unlink(P("sticky/root")), EPERM);
	ERR("rename others' file in sticky dir", rename(P("sticky/root"), P("sticky/moved")), EPERM);
	ERR("rename over others' file in sticky dir", (put_file(P("sticky/mine"), "m", 1, 0644), rename(P("sticky/mine"), P("sticky/root"))), EPERM);
	ERR("rmdir others' dir in sticky dir", rmdir(P("sticky/rdir")), EPERM);
	OK("unlink own file in sticky dir", unlink(P("sticky/mine")));
	OK("unlink others' file in own sticky dir", unlink(P("mysticky/root")));
	OK("create in sticky dir", put_file(P("sticky/bynobody"), "n", 1, 0644));

	/* chmod/chown/utimensat */
	ERR("chmod others' file", chmod(P("f666"), 0777), EPERM);
	ERR("chown others' file", chown(P("f666"), NOBODY, NOBODY), EPERM);
	ERR("chown own file to root", chown(P("dmine/own"), 0, -1), EPERM);
	ERR("chown own file to other group", chown(P("dmine/own"), -1, 0), EPERM);
	OK("chown own file to supplementary group", chown(P("dmine/own"), -1, 100));
	OK("chown own file to same", chown(P("dmine/own"), NOBODY, -1));
	OK("chmod own file", chmod(P("dmine/own"), 02755));
	VALO("setgid kept (group 100 is ours)", mode_of(P("dmine/own")), 02755);
	OK("chown own file to egid", chown(P("dmine/own"), -1, NOBODY));
	OK("chmod setgid again", chmod(P("dmine/own"), 02755));
	VALO("after chown to own group", mode_of(P("dmine/own")), 02755);
	OK("utimensat NULL on writable file", utimensat(AT_FDCWD, P("f666"), NULL, 0));
	OK("utimensat NOW on writable file", utimensat(AT_FDCWD, P("f666"), tsnow, 0));
	ERR("utimensat explicit on others' file", utimensat(AT_FDCWD, P("f666"), tsset, 0), EPERM);
	OK("utimensat OMIT on others' file", utimensat(AT_FDCWD, P("f444"), tsomit, 0));
	ERR("utimensat NULL on read-only file", utimensat(AT_FDCWD, P("f444"), NULL, 0), EACCES);
	ERR("utimensat explicit on read-only file", utimensat(AT_FDCWD, P("f444"), tsset, 0), EPERM);
	OK("utimensat explicit on own file", utimensat(AT_FDCWD, P("dmine/own"), tsset, 0));
	OK("utimes NULL on writable file", utimes(P("f666"), NULL));

	/* a write by a non-owner clears set-user-ID (and set-group-ID when group-exec) */
	int fd = open(P("suid"), O_WRONLY);
	OK("write to 06777 file", write(fd, "x", 1));
	close(fd);
	VALO("suid/sgid cleared by write", mode_of(P("suid")), 0777);
}

int main(int argc, char **argv)
{
	scratch_init("fs_perm", argc, argv);
	umask(0);
	chmod(scratch, 0755);
	mkd("d700", 0700, 0, 0);
	mk("d700/f", 0644, 0, 0);
	mkd("d711", 0711, 0, 0);
	mk("d711/f", 0644, 0, 0);
	mkd("d600", 0600, NOBODY, NOBODY);
	mk("f444", 0444, 0, 0);
	mk("f666", 0666, 0, 0);
	mk("fgrp", 0040, 0, NOBODY);
	mk("fsupp", 0040, 0, 100);
	mk("fown077", 0077, NOBODY, 0);
	mk("fgrp707", 0707, 0, NOBODY);
	mkd("d555", 0777, 0, 0);
	mk("d555/f", 0666, 0, 0);
	mk("d555/w", 0666, 0, 0);
	mkd("d555/sub", 0777, 0, 0);
	chmod(P("d555"), 0555);
	mkd("dmine", 0755, NOBODY, NOBODY);
	mk("dmine/own", 0644, NOBODY, NOBODY);
	mkd("sticky", 01777, 0, 0);
	mk("sticky/root", 0666, 0, 0);
	mkd("sticky/rdir", 0777, 0, 0);
	mkd("mysticky", 01777, NOBODY, NOBODY);
	mk("mysticky/root", 0644, 0, 0);
	mk("suid", 06777, 0, 0);

	pid_t pid = fork();
	if (pid == 0) {
		as_nobody();
		_exit(finish());
	}
	int status = 0;
	waitpid(pid, &status, 0);
	VAL("child exit", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), 0);

	/* back as root: DAC override, but chown still clears suid and exec needs an x bit */
	OK("root reads 0000 file", (chmod(P("f444"), 0), opn("f444", O_RDWR)));
	ERR("root execve of 0644 file", (chmod(P("f444"), 0644), execl(P("f444"), "x", (char *)0)), EACCES);
	OK("root removes nobody's file from sticky dir", unlink(P("sticky/bynobody")));
	mk("suid2", 06755, 0, 0);
	OK("chown by root", chown(P("suid2"), NOBODY, NOBODY));
	VALO("chown clears suid and sgid", mode_of(P("suid2")), 0755);
	mk("suid3", 04755, 0, 0);
	OK("chown -1 -1 by root", chown(P("suid3"), -1, -1));
	VALO("chown -1 -1 clears suid too", mode_of(P("suid3")), 0755);
	chmod(P("d555"), 0755);
	scratch_cleanup();
	return finish();
}
