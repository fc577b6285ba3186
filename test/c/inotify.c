// inotify: init flags, add_watch errors and mask merging (same wd per inode, IN_MASK_ADD,
// IN_MASK_CREATE, IN_ONLYDIR, IN_DONT_FOLLOW), the events of create/open/write/read/close/chmod/
// truncate/mkdir/rename/link/symlink/unlink/rmdir (parent with name, then self), IN_ISDIR, matching
// MOVED_FROM/MOVED_TO cookies, DELETE_SELF + IGNORED, rm_watch, IN_ONESHOT, IN_EXCL_UNLINK,
// getdents (IN_ACCESS), coalescing, whole-event reads (EINVAL), FIONREAD, poll, blocking reads, EINTR, IN_Q_OVERFLOW.
#include "common.h"
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int in;
static char ev[1 << 16] __attribute__((aligned(8)));
static uint32_t cookies[16];

static void mask_str(uint32_t m, char *out)
{
	static const char *names[] = { "ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE", "OPEN",
		"MOVED_FROM", "MOVED_TO", "CREATE", "DELETE", "DELETE_SELF", "MOVE_SELF" };
	out[0] = 0;
	for (int i = 0; i < 12; i++)
		if (m & (1u << i))
			strcat(strcat(out, *out ? "|" : ""), names[i]);
	if (m & IN_IGNORED) strcat(strcat(out, *out ? "|" : ""), "IGNORED");
	if (m & IN_Q_OVERFLOW) strcat(strcat(out, *out ? "|" : ""), "Q_OVERFLOW");
	if (m & IN_ISDIR) strcat(out, "|ISDIR");
}

/* Prints the events in buf[0..n): "wd MASK name cN" (cookies numbered in order of appearance). */
static void print_events(const char *label, long n)
{
	say("%s:", label);
	for (long off = 0; off < n;) {
		struct inotify_event *e = (struct inotify_event *)(ev + off);
		char m[200];
		mask_str(e->mask, m);
		int c = 0;
		if (e->cookie) {
			while (c < 15 && cookies[c] && cookies[c] != e->cookie) c++;
			cookies[c++] = e->cookie;
		}
		say(" [%d %s%s%s", e->wd, m, e->len ? " " : "", e->len ? e->name : "");
		if (c) say(" c%d", c);
		say("]");
		off += sizeof *e + e->len;
	}
	say("\n");
}

/* Reads whatever is queued (the fd is non-blocking) and prints it. */
static void drain(const char *label)
{
	long n = read(in, ev, sizeof ev);
	if (n < 0) {
		say("%s: %s\n", label, errname(errno));
		return;
	}
	print_events(label, n);
}

static void on_usr1(int s) { (void)s; }

int main(int argc, char **argv)
{
	scratch_init("inotify", argc, argv);
	char d[PATH_MAX], f[PATH_MAX];   /* P() reuses 8 buffers: keep our own */
	strcpy(d, P("d"));
	strcpy(f, P("d/f"));
	char buf[64];
	mkdir(d, 0755);

	say("-- init\n");
	ERR("inotify_init1(bad flag)", syscall(SYS_inotify_init1, 1), EINVAL);
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK("IN_CLOEXEC sets FD_CLOEXEC", fcntl(in, F_GETFD) == FD_CLOEXEC);
	CHECK("IN_NONBLOCK sets O_NONBLOCK", fcntl(in, F_GETFL) & O_NONBLOCK);
	ERR("read with nothing queued", read(in, ev, sizeof ev), EAGAIN);
	int bl = syscall(SYS_inotify_init);
	CHECK("inotify_init: blocking, no cloexec", !(fcntl(bl, F_GETFL) & O_NONBLOCK) && fcntl(bl, F_GETFD) == 0);

	say("-- add_watch errors\n");
	ERR("bad fd", inotify_add_watch(-1, d, IN_ALL_EVENTS), EBADF);
	ERR("not an inotify fd", inotify_add_watch(0, d, IN_ALL_EVENTS), EINVAL);
	ERR("mask 0", inotify_add_watch(in, d, 0), EINVAL);
	ERR("IN_MASK_ADD|IN_MASK_CREATE", inotify_add_watch(in, d, IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	ERR("missing path", inotify_add_watch(in, P("nope"), IN_ALL_EVENTS), ENOENT);
	ERR("rm_watch unknown wd", inotify_rm_watch(in, 77), EINVAL);
	ERR("rm_watch on a non-inotify fd", inotify_rm_watch(0, 1), EINVAL);

	say("-- events on a directory and a file\n");
	VAL("watch d", inotify_add_watch(in, d, IN_ALL_EVENTS), 1);
	int fd = open(f, O_WRONLY | O_CREAT, 0644);
	write(fd, "ab", 2);
	write(fd, "cd", 2);
	close(fd);
	drain("create, 2 writes (merged), close");
	ERR("IN_ONLYDIR on a file", inotify_add_watch(in, f, IN_ALL_EVENTS | IN_ONLYDIR), ENOTDIR);
	VAL("watch f", inotify_add_watch(in, f, IN_OPEN), 2);
	VAL("watch f again: same wd", inotify_add_watch(in, f, IN_CLOSE), 2);
	VAL("IN_MASK_ADD", inotify_add_watch(in, f, (IN_ALL_EVENTS & ~IN_OPEN) | IN_MASK_ADD), 2);
	ERR("IN_MASK_CREATE on a watched inode", inotify_add_watch(in, f, IN_OPEN | IN_MASK_CREATE), EEXIST);
	fd = open(f, O_RDONLY);
	read(fd, buf, 3);
	close(fd);
	drain("open, read, close");
	chmod(f, 0600);
	truncate(f, 1);
	fd = open(f, O_WRONLY | O_TRUNC);
	close(fd);
	drain("chmod, truncate, open O_TRUNC, close");
	mkdir(P("d/sub"), 0755);
	fd = open(P("d/sub"), O_RDONLY | O_DIRECTORY);
	syscall(SYS_getdents64, fd, ev, sizeof ev);
	syscall(SYS_getdents64, fd, ev, sizeof ev);   /* at the end: the same ACCESS again, merged */
	close(fd);
	drain("mkdir, open, list and close a directory");
	rename(f, P("d/sub/g"));
	VAL("watch d/sub", inotify_add_watch(in, P("d/sub"), IN_ALL_EVENTS), 3);
	rename(P("d/sub/g"), f);
	drain("rename out of sight, then back");
	symlink("f", P("d/l"));
	link(f, P("d/h"));
	VAL("watch d/l without IN_DONT_FOLLOW: f's wd", inotify_add_watch(in, P("d/l"), IN_MODIFY | IN_MASK_ADD), 2);
	VAL("watch d/l with IN_DONT_FOLLOW: its own", inotify_add_watch(in, P("d/l"), IN_ALL_EVENTS | IN_DONT_FOLLOW), 4);
	drain("symlink, link");
	unlink(P("d/h"));
	drain("unlink a second link");
	unlink(f);
	drain("unlink the last link");
	rmdir(P("d/sub"));
	rename(P("d/l"), P("d/l2"));
	drain("rmdir, rename symlink");
	OK("rm_watch d", inotify_rm_watch(in, 1));
	ERR("rm_watch d again", inotify_rm_watch(in, 1), EINVAL);
	drain("after rm_watch");

	say("-- IN_ONESHOT, IN_EXCL_UNLINK\n");
	VAL("oneshot watch d: new wd", inotify_add_watch(in, d, IN_CREATE | IN_ONESHOT), 5);
	put_file(P("d/x"), "", 0, 0644);
	put_file(P("d/y"), "", 0, 0644);
	drain("two creates");
	int keep = open(P("d/x"), O_WRONLY);
	inotify_add_watch(in, d, IN_MODIFY | IN_EXCL_UNLINK);
	unlink(P("d/x"));
	write(keep, "z", 1);
	drain("write to an unlinked file, IN_EXCL_UNLINK");
	inotify_add_watch(in, d, IN_MODIFY);
	write(keep, "z", 1);
	close(keep);
	drain("the same without it");

	say("-- reading\n");
	char longname[40];
	memset(longname, 'n', 30);
	longname[30] = 0;
	put_file(P(strcat(strcpy(buf, "d/"), longname)), "", 0, 0644);  /* one MODIFY-free create: no event wanted */
	inotify_add_watch(in, d, IN_ATTRIB);
	chmod(P(buf), 0600);
	chmod(P("d/y"), 0600);
	int avail = -1;
	OK("FIONREAD", ioctl(in, FIONREAD, &avail));
	VAL("  bytes queued (16+32, 16+16)", avail, 80);
	CHECK("poll: readable", poll_now(in, POLLIN) == POLLIN);
	ERR("read 16 bytes: first event is 48", read(in, ev, 16), EINVAL);
	ERR("read 47 bytes", read(in, ev, 47), EINVAL);
	VAL("read 60 bytes: one whole event", read(in, ev, 60), 48);
	print_events("  got", 48);
	VAL("read the rest", read(in, ev, sizeof ev), 32);
	print_events("  got", 32);
	CHECK("poll: not readable", poll_now(in, POLLIN) == 0);

	inotify_add_watch(bl, d, IN_CREATE);
	pid_t pid = fork();
	if (pid == 0) {
		wait_blocked(getppid());
		put_file(P("d/z"), "", 0, 0644);
		_exit(0);
	}
	long n = read(bl, ev, sizeof ev);
	print_events("blocking read woken by a child's create", n);
	waitpid(pid, NULL, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;   /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		wait_blocked(getppid());
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	ERR("blocking read interrupted by a handler", read(bl, ev, sizeof ev), EINTR);
	waitpid(pid, NULL, 0);

	say("-- overflow\n");
	int max = 16384;
	int mf = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
	if (mf >= 0 && read(mf, buf, sizeof buf) > 0)
		max = atoi(buf);
	inotify_add_watch(in, d, IN_OPEN | IN_CLOSE_NOWRITE);
	for (int i = 0; i < max / 2 + 5; i++)
		close(open(d, O_RDONLY | O_DIRECTORY));
	int events = 0, last_ovf = 0, last_wd = 0;
	while ((n = read(in, ev, sizeof ev)) > 0)
		for (long off = 0; off < n; events++) {
			struct inotify_event *e = (struct inotify_event *)(ev + off);
			last_ovf = e->mask == IN_Q_OVERFLOW;
			last_wd = e->wd;
			off += sizeof *e + e->len;
		}
	CHECK("max_queued_events + 1 events", events == max + 1);
	CHECK("the last is IN_Q_OVERFLOW with wd -1", last_ovf && last_wd == -1);
	close(open(d, O_RDONLY | O_DIRECTORY));
	drain("queue works again");

	close(in);
	scratch_cleanup();
	return finish();
}
