// Path rules: ENOTEMPTY, EXDEV across mounts, ELOOP (40-link limit, O_NOFOLLOW), ENAMETOOLONG (255/4095), umask on every create.
#include "common.h"

#define NOREPLACE 1
#define EXCHANGE 2
static long rename2(const char *a, const char *b, int flags) { return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags); }
static char name255[256], name256[257], chain[64];
static char longpath[4200];

/* Builds "<scratch>/././.../tail" padded to exactly `len` bytes (no NUL). */
static const char *padded(size_t len, const char *tail)
{
	size_t n = (size_t)snprintf(longpath, sizeof longpath, "%s", scratch);
	while (n + 3 + strlen(tail) <= len) { longpath[n++] = '/'; longpath[n++] = '.'; }
	while (n + 1 + strlen(tail) < len) longpath[n++] = '/';
	snprintf(longpath + n, sizeof longpath - n, "/%s", tail);
	return longpath;
}

static mode_t mode_of(const char *p) { struct stat s; return lstat(p, &s) ? 0 : (s.st_mode & 07777); }

int main(int argc, char **argv)
{
	scratch_init("fs_paths", argc, argv);
	umask(022);

	/* ENOTEMPTY */
	OK("mkdir d", mkdir(P("d"), 0777));
	OK("mkdir d/sub", mkdir(P("d/sub"), 0777));
	OK("mkdir e", mkdir(P("e"), 0777));
	ERR("rmdir non-empty", rmdir(P("d")), ENOTEMPTY);
	ERR2("rename over non-empty dir", rename(P("e"), P("d")), ENOTEMPTY, EEXIST);
	ERR("renameat2 NOREPLACE over dir", rename2(P("e"), P("d"), NOREPLACE), EEXIST);
	ERR("rename dir into itself", rename(P("d"), P("d/sub/x")), EINVAL);
	OK("rename over empty dir", rename(P("e"), P("d/sub")));
	ERR("rmdir still non-empty", rmdir(P("d")), ENOTEMPTY);
	ERR("rmdir .", rmdir(P("d/.")), EINVAL);
	put_file(P("d/f"), "x", 1, 0644);
	ERR("rename dir over file", rename(P("d/sub"), P("d/f")), ENOTDIR);
	ERR("rename file over dir", rename(P("d/f"), P("d/sub")), EISDIR);
	OK("EXCHANGE dir and file", rename2(P("d/sub"), P("d/f"), EXCHANGE));
	CHECK("exchanged", access(P("d/f/."), F_OK) == 0 && access(P("d/sub/."), F_OK) != 0);
	ERR("EXCHANGE with missing", rename2(P("d/f"), P("d/nope"), EXCHANGE), ENOENT);
	ERR("EXCHANGE|NOREPLACE", rename2(P("d/f"), P("d/sub"), EXCHANGE | NOREPLACE), EINVAL);
	OK("unlink d/sub", unlink(P("d/sub")));
	OK("rmdir d/f", rmdir(P("d/f")));
	OK("rmdir now empty", rmdir(P("d")));

	/* EXDEV: /dev/shm is another mount (tmpfs natively, a separate fs in the sandbox) */
	put_file(P("x"), "x", 1, 0644);
	char shm[64];
	snprintf(shm, sizeof shm, "/dev/shm/tsvisor-fs_paths-%d", 1);
	unlink(shm);
	ERR("link across mounts", link(P("x"), shm), EXDEV);
	ERR("rename across mounts", rename(P("x"), shm), EXDEV);
	ERR("renameat2 EXCHANGE across", (put_file(shm, "y", 1, 0644), rename2(P("x"), shm, EXCHANGE)), EXDEV);
	ERR("rename dir across mounts", (mkdir(P("xd"), 0777), rename(P("xd"), "/dev/shm/tsvisor-fs_paths-d")), EXDEV);
	OK("unlink shm", unlink(shm));

	/* ELOOP: a chain of 40 symlinks resolves, 41 does not */
	put_file(P("target"), "t", 1, 0644);
	OK("l0 -> target", symlink("target", P("l0")));
	for (int i = 1; i <= 41; i++) {
		char from[16];
		snprintf(from, sizeof from, "l%d", i - 1);
		snprintf(chain, sizeof chain, "l%d", i);
		symlink(from, P(chain));
	}
	OK("open via 40 links", close(open(P("l39"), O_RDONLY)));
	ERR("open via 41 links", open(P("l40"), O_RDONLY), ELOOP);
	ERR("stat via 41 links", ({ struct stat s; stat(P("l40"), &s); }), ELOOP);
	OK("lstat of the 41st", ({ struct stat s; lstat(P("l40"), &s); }));
	ERR("41 links as a dir component", open(P("l40/x"), O_RDONLY), ELOOP);
	OK("loop a->b", symlink("loopb", P("loopa")));
	OK("loop b->a", symlink("loopa", P("loopb")));
	ERR("open loop", open(P("loopa"), O_RDONLY), ELOOP);
	ERR("O_CREAT on loop", open(P("loopa"), O_CREAT | O_WRONLY, 0644), ELOOP);
	ERR("mkdir through loop", mkdir(P("loopa/x"), 0777), ELOOP);
	OK("self loop", symlink("self", P("self")));
	ERR("chdir self loop", chdir(P("self")), ELOOP);
	ERR("O_NOFOLLOW on symlink", open(P("l0"), O_RDONLY | O_NOFOLLOW), ELOOP);
	ERR("O_NOFOLLOW|O_CREAT on symlink", open(P("l0"), O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP);
	OK("O_NOFOLLOW|O_PATH opens the link", close(open(P("l0"), O_PATH | O_NOFOLLOW)));
	OK("mkdir dd", mkdir(P("dd"), 0777));
	OK("symlink to dir", symlink("dd", P("ldd")));
	OK("O_NOFOLLOW only for the last component", close(open(P("ldd/."), O_RDONLY | O_NOFOLLOW)));
	ERR("O_DIRECTORY|O_NOFOLLOW on dir link", open(P("ldd"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW), ENOTDIR);
	ERR("O_CREAT|O_EXCL on dangling link", (symlink("nowhere", P("dang")), open(P("dang"), O_CREAT | O_EXCL | O_WRONLY, 0644)), EEXIST);
	OK("O_CREAT through dangling link creates target", close(open(P("dang"), O_CREAT | O_WRONLY, 0644)));
	CHECK("target made", access(P("nowhere"), F_OK) == 0);
	ERR("rmdir on link to dir", rmdir(P("ldd")), ENOTDIR);
	ERR("trailing slash on file link", open(P("l0/"), O_RDONLY), ENOTDIR);

	/* ENAMETOOLONG: components up to 255 bytes, paths up to 4095 */
	memset(name255, 'n', 255);
	memset(name256, 'n', 256);
	OK("create 255-byte name", close(open(P(name255), O_CREAT | O_WRONLY, 0644)));
	OK("stat 255-byte name", access(P(name255), F_OK));
	ERR("create 256-byte name", open(P(name256), O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	ERR("mkdir 256", mkdir(P(name256), 0777), ENAMETOOLONG);
	ERR("symlink 256", symlink("x", P(name256)), ENAMETOOLONG);
	ERR("link to 256", link(P(name255), P(name256)), ENAMETOOLONG);
	ERR("rename to 256", rename(P(name255), P(name256)), ENAMETOOLONG);
	ERR("unlink 256", unlink(P(name256)), ENAMETOOLONG);
	ERR("rmdir 256", rmdir(P(name256)), ENAMETOOLONG);
	snprintf(chain, sizeof chain, "x/../");
	ERR("256 as a middle component", ({ static char mp[300]; snprintf(mp, sizeof mp, "%s/x", name256); access(P(mp), F_OK); }), ENAMETOOLONG);
	OK("unlink 255", unlink(P(name255)));
	put_file(P("short"), "s", 1, 0644);
	OK("4095-byte path resolves", access(padded(4095, "short"), F_OK));
	ERR("4096-byte path", access(padded(4096, "short"), F_OK), ENAMETOOLONG);
	ERR("4096-byte path open", open(padded(4096, "short"), O_RDONLY), ENAMETOOLONG);
	ERR("4096-byte path mkdir", mkdir(padded(4096, "nd"), 0777), ENAMETOOLONG);
	memset(longpath, 'a', 4095);
	longpath[4095] = 0;
	OK("symlink target of 4095 bytes", symlink(longpath, P("longlink")));
	VAL("readlink gives 4095", ({ static char rl[4200]; readlink(P("longlink"), rl, sizeof rl); }), 4095);
	longpath[4095] = 'a';
	longpath[4096] = 0;
	ERR("symlink target of 4096 bytes", symlink(longpath, P("longlink2")), ENAMETOOLONG);
	ERR("empty path", open("", O_RDONLY), ENOENT);
	ERR("empty symlink target", symlink("", P("emptylink")), ENOENT);

	/* umask applies to every kind of creation */
	umask(027);
	close(open(P("u_file"), O_CREAT | O_WRONLY, 0777));
	VALO("open O_CREAT mode", mode_of(P("u_file")), 0750);
	mkdir(P("u_dir"), 0777);
	VALO("mkdir mode", mode_of(P("u_dir")), 0750);
	mknod(P("u_fifo"), S_IFIFO | 0666, 0);
	VALO("mknod fifo mode", mode_of(P("u_fifo")), 0640);
	mkdir(P("u_sticky"), 01777);
	VALO("mkdir keeps sticky bit", mode_of(P("u_sticky")), 01750);
	umask(0);
	close(open(P("u_file0"), O_CREAT | O_WRONLY, 0666));
	VALO("umask 0", mode_of(P("u_file0")), 0666);
	VALO("umask returns old", umask(022), 0);
	chmod(P("u_file0"), 0777);
	VALO("chmod ignores umask", mode_of(P("u_file0")), 0777);
	OK("symlink", symlink("x", P("u_link")));
	VALO("symlink mode 0777", mode_of(P("u_link")), 0777);

	scratch_cleanup();
	unlink("/dev/shm/tsvisor-fs_paths-d");
	rmdir("/dev/shm/tsvisor-fs_paths-d");
	return finish();
}
