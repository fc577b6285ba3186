// getdents64: listing, d_type, resumption with small buffers, rewind, errnos.
#include "common.h"

static char names[128][64];
static int nnames;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static char tchar(unsigned char t)
{
	switch (t) {
	case DT_REG: return 'f';
	case DT_DIR: return 'd';
	case DT_LNK: return 'l';
	case DT_FIFO: return 'p';
	case DT_UNKNOWN: return '?';
	}
	return 'x';
}

/* Read the whole directory with a buffer of bufsz bytes; returns #calls or -errno. */
static int list(int fd, size_t bufsz)
{
	static char buf[65536];
	int calls = 0;
	nnames = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, bufsz);
		if (n < 0)
			return -errno;
		calls++;
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct k_dirent64 *d = (struct k_dirent64 *)(buf + off);
			if (nnames < 128)
				snprintf(names[nnames++], 64, "%c %s", tchar(d->d_type), d->d_name);
			off += d->d_reclen;
		}
	}
	qsort(names, nnames, sizeof names[0], cmp);
	return calls;
}

int main(int argc, char **argv)
{
	char buf[4096];
	scratch_init("getdents", argc, argv);
	mkdir(P("d"), 0755);
	put_file(P("d/regular"), "x", 1, 0644);
	mkdir(P("d/subdir"), 0755);
	symlink("regular", P("d/link"));
	mkfifo(P("d/fifo"), 0644);
	put_file(P("d/a_much_longer_file_name_to_vary_record_lengths.txt"), "", 0, 0644);

	int fd = open(P("d"), O_RDONLY | O_DIRECTORY);
	int calls = list(fd, sizeof buf);
	CHECK("listing succeeded", calls >= 2);
	say("entries: %d\n", nnames);
	for (int i = 0; i < nnames; i++)
		say("  %s\n", names[i]);
	VAL("at end: returns 0", syscall(SYS_getdents64, fd, buf, sizeof buf), 0);

	/* record layout */
	lseek(fd, 0, SEEK_SET);
	long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	int aligned = 1, namesok = 1;
	for (long off = 0; off < n;) {
		struct k_dirent64 *d = (struct k_dirent64 *)(buf + off);
		if (d->d_reclen % 8 || d->d_reclen < 19 + strlen(d->d_name) + 1)
			aligned = 0;
		if (d->d_ino == 0 && strcmp(d->d_name, ".."))
			namesok = 0;
		off += d->d_reclen;
	}
	CHECK("reclen 8-aligned and holds the name", aligned);
	CHECK("d_ino nonzero", namesok);

	/* rewind and re-read gives the same set */
	lseek(fd, 0, SEEK_SET);
	int before = nnames;
	list(fd, sizeof buf);
	VAL("rewind gives same count", nnames, before);

	/* many entries through a small buffer: several calls, same result */
	mkdir(P("many"), 0755);
	for (int i = 0; i < 100; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "many/file%03d", i);
		put_file(P(nm), "", 0, 0644);
	}
	int mfd = open(P("many"), O_RDONLY | O_DIRECTORY);
	calls = list(mfd, 200);
	VAL("100 files + . + ..", nnames, 102);
	CHECK("small buffer needed many calls", calls > 10);
	CHECK("first/last names", !strcmp(names[0], "d .") && !strcmp(names[1], "d ..") &&
	      !strcmp(names[2], "f file000") && !strcmp(names[101], "f file099"));
	lseek(mfd, 0, SEEK_SET);
	calls = list(mfd, sizeof buf);
	VAL("same with big buffer", nnames, 102);

	/* errnos */
	lseek(fd, 0, SEEK_SET);
	ERR("buffer too small for one entry", syscall(SYS_getdents64, fd, buf, 10), EINVAL);
	ERR("buffer of 0", syscall(SYS_getdents64, fd, buf, 0), EINVAL);
	ERR("bad fd", syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF);
	int ffd = open(P("d/regular"), O_RDONLY);
	ERR("regular file", syscall(SYS_getdents64, ffd, buf, sizeof buf), ENOTDIR);
	int p[2];
	pipe(p);
	ERR("pipe", syscall(SYS_getdents64, p[0], buf, sizeof buf), ENOTDIR);
	ERR("bad buffer", syscall(SYS_getdents64, fd, BADPTR, sizeof buf), EFAULT);
	int pfd = open(P("d"), O_PATH | O_DIRECTORY);
	ERR("O_PATH dir fd", syscall(SYS_getdents64, pfd, buf, sizeof buf), EBADF);

	/* an emptied, removed directory */
	mkdir(P("gone"), 0755);
	int gfd = open(P("gone"), O_RDONLY | O_DIRECTORY);
	rmdir(P("gone"));
	ERR("removed directory", syscall(SYS_getdents64, gfd, buf, sizeof buf), ENOENT);

	/* an empty directory has exactly . and .. */
	mkdir(P("empty"), 0755);
	int efd = open(P("empty"), O_RDONLY | O_DIRECTORY);
	list(efd, sizeof buf);
	VAL("empty dir entries", nnames, 2);
	CHECK("they are . and ..", !strcmp(names[0], "d .") && !strcmp(names[1], "d .."));

	scratch_cleanup();
	return finish();
}
