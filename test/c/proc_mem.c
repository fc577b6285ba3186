// /proc/self/mem (read, write, FOLL_FORCE writes to read-only pages, EIO on holes, lseek rules), /proc/self/smaps and smaps_rollup for a known mapping, /proc/self/ns links, uid_map/gid_map/setgroups.
#include "common.h"
#include <sched.h>

/* The smaps block of the VMA that starts at `start`: prints the chosen fields. */
static void smaps_fields(const char *label, void *start)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512], want[32];
	int in = 0;
	snprintf(want, sizeof want, "%lx-", (unsigned long)start);
	while (f && fgets(line, sizeof line, f)) {
		if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) /* a maps line */
			in = !strncmp(line, want, strlen(want));
		else if (in && (!strncmp(line, "Size:", 5) || !strncmp(line, "Rss:", 4) || !strncmp(line, "Anonymous:", 10) ||
				 !strncmp(line, "Swap:", 5)))
			say("%s %s", label, line);
		else if (in && !strncmp(line, "VmFlags:", 8))
			say("%s VmFlags has rd wr mr mw me: %s\n", label,
			    strstr(line, "rd") && strstr(line, "wr") && strstr(line, "mr") && strstr(line, "mw") ? "yes" : "no");
	}
	if (f)
		fclose(f);
}

static void show_file(const char *path)
{
	char buf[256] = { 0 };
	int fd = open(path, O_RDONLY);
	long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	say("%s: %s", path, n > 0 ? buf : "(unreadable)\n");
}

int main(void)
{
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'a', 3 * 4096);
	int fd = open("/proc/self/mem", O_RDWR);
	CHECK("open /proc/self/mem O_RDWR", fd >= 0);
	char buf[16] = { 0 };
	VAL("pread 5 bytes at the buffer's address", pread(fd, buf, 5, (off_t)(uintptr_t)p), 5);
	say("  got %s\n", buf);
	VAL("pwrite into it", pwrite(fd, "hello", 5, (off_t)(uintptr_t)(p + 4096)), 5);
	CHECK("  the process sees the write", !memcmp(p + 4096, "hello", 5));
	OK("mprotect PROT_READ", mprotect(p + 8192, 4096, PROT_READ));
	VAL("pwrite to a read-only private page (FOLL_FORCE)", pwrite(fd, "forced", 6, (off_t)(uintptr_t)(p + 8192)), 6);
	CHECK("  landed", !memcmp(p + 8192, "forced", 6));
	OK("mprotect PROT_NONE", mprotect(p + 8192, 4096, PROT_NONE));
	VAL("pread of a PROT_NONE page still works", pread(fd, buf, 6, (off_t)(uintptr_t)(p + 8192)), 6);
	OK("munmap the middle page", munmap(p + 4096, 4096));
	ERR("pread of a hole", pread(fd, buf, 4, (off_t)(uintptr_t)(p + 4096)), EIO);
	VAL("pread across the end of a mapping stops there", pread(fd, buf, 8, (off_t)(uintptr_t)(p + 4092)), 4);
	ERR("lseek SEEK_END", lseek(fd, 0, SEEK_END), EINVAL);
	VAL("lseek SEEK_SET to the address", lseek(fd, (off_t)(uintptr_t)p, SEEK_SET) == (off_t)(uintptr_t)p, 1);
	VAL("read at the file offset", read(fd, buf, 3), 3);
	close(fd);
	mprotect(p + 8192, 4096, PROT_READ | PROT_WRITE);

	/* smaps of a fresh, fully touched 4-page anonymous mapping (between PROT_NONE guards: Linux would merge neighbours) */
	char *g = mmap(NULL, 6 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q = mmap(g + 4096, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memset(q, 1, 4 * 4096);
	smaps_fields("smaps:", q);
	FILE *r = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	int rollup_ok = r && fgets(line, sizeof line, r) && strstr(line, "[rollup]");
	while (r && fgets(line, sizeof line, r))
		if (!strncmp(line, "Rss:", 4)) rollup_ok = rollup_ok && atol(line + 4) >= 16;
	if (r)
		fclose(r);
	CHECK("smaps_rollup: [rollup] header and Rss >= 16 kB", rollup_ok);

	/* namespaces and id maps */
	char before[64] = { 0 }, after[64] = { 0 };
	VAL("readlink ns/mnt", readlink("/proc/self/ns/mnt", before, sizeof before - 1) > 5, 1);
	CHECK("  mnt:[...]", !strncmp(before, "mnt:[", 5));
	char uts[64] = { 0 };
	CHECK("ns/uts is uts:[...]", readlink("/proc/self/ns/uts", uts, sizeof uts - 1) > 0 && !strncmp(uts, "uts:[", 5));
	OK("unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	CHECK("ns/mnt changed", readlink("/proc/self/ns/mnt", after, sizeof after - 1) > 0 && strcmp(before, after));
	show_file("/proc/self/uid_map");
	show_file("/proc/self/gid_map");
	show_file("/proc/self/setgroups");
	return finish();
}
