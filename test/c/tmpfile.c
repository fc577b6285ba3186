// O_TMPFILE: unnamed files, linkat by /proc/self/fd and AT_EMPTY_PATH, O_EXCL, errnos; works in /tmp and on a tmpfs.
#include "common.h"
#include <sys/mount.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void run(const char *dir, const char *tag)
{
	char named[PATH_MAX], named2[PATH_MAX], proc[64], buf[16];
	snprintf(named, sizeof named, "%s/named", dir);
	snprintf(named2, sizeof named2, "%s/named2", dir);
	say("-- %s\n", tag);
	int before = count_entries(dir);
	int fd = open(dir, O_TMPFILE | O_RDWR, 0666);
	CHECK("O_TMPFILE|O_RDWR", fd >= 0);
	struct stat st;
	fstat(fd, &st);
	VAL("nlink 0", st.st_nlink, 0);
	CHECK("regular", S_ISREG(st.st_mode));
	VALO("mode has umask applied", st.st_mode & 07777, 0640);
	VAL("no new directory entry", count_entries(dir), before);
	VAL("write", write(fd, "tmpdata", 7), 7);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	OK("linkat via /proc/self/fd", linkat(AT_FDCWD, proc, AT_FDCWD, named, AT_SYMLINK_FOLLOW));
	fstat(fd, &st);
	VAL("nlink 1 after linkat", st.st_nlink, 1);
	VAL("one new entry", count_entries(dir), before + 1);
	int r = open(named, O_RDONLY);
	VAL("content through the name", read(r, buf, sizeof buf), 7);
	close(r);
	ERR("linkat again to an existing name", linkat(AT_FDCWD, proc, AT_FDCWD, named, AT_SYMLINK_FOLLOW), EEXIST);
	OK("unlink the name", unlink(named));
	ERR("linked once: no second life", linkat(AT_FDCWD, proc, AT_FDCWD, named, AT_SYMLINK_FOLLOW), ENOENT);
	close(fd);

	fd = open(dir, O_TMPFILE | O_WRONLY, 0600);
	CHECK("O_TMPFILE|O_WRONLY", fd >= 0);
	OK("linkat AT_EMPTY_PATH (root)", linkat(fd, "", AT_FDCWD, named2, AT_EMPTY_PATH));
	close(fd);
	fstat(open(named2, O_RDONLY), &st);
	VALO("linked file mode", st.st_mode & 07777, 0600);
	OK("unlink", unlink(named2));

	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
	CHECK("O_TMPFILE|O_EXCL", fd >= 0);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ERR("O_EXCL: never linkable", linkat(AT_FDCWD, proc, AT_FDCWD, named, AT_SYMLINK_FOLLOW), ENOENT);
	ERR("O_EXCL: nor by AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, named, AT_EMPTY_PATH), ENOENT);
	close(fd);

	/* an ordinary unlinked file is not linkable either */
	fd = open(named, O_CREAT | O_RDWR, 0600);
	unlink(named);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ERR("unlinked ordinary file", linkat(AT_FDCWD, proc, AT_FDCWD, named, AT_SYMLINK_FOLLOW), ENOENT);
	close(fd);
	VAL("directory back as it was", count_entries(dir), before);
}

int main(int argc, char **argv)
{
	scratch_init("tmpfile", argc, argv);
	umask(027);
	ERR("O_TMPFILE without write access", open(scratch, O_TMPFILE | O_RDONLY, 0600), EINVAL);
	ERR("O_TMPFILE on a file", (put_file(P("f"), "x", 1, 0644), open(P("f"), O_TMPFILE | O_RDWR, 0600)), ENOTDIR);
	ERR("O_TMPFILE on a missing dir", open(P("nodir"), O_TMPFILE | O_RDWR, 0600), ENOENT);
	ERR("O_TMPFILE with O_CREAT", open(scratch, O_TMPFILE | O_CREAT | O_RDWR, 0600), EINVAL);
	mkdir(P("d"), 0777);
	run(P("d"), "scratch");
	mkdir(P("mnt"), 0755);
	OK("mount tmpfs", mount("tmpfs", P("mnt"), "tmpfs", 0, "mode=0755"));
	run(P("mnt"), "tmpfs");
	umount(P("mnt"));
	scratch_cleanup();
	return finish();
}
