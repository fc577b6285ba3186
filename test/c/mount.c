// mount namespaces and the mount tree: unshare(CLONE_NEWNS), mount of tmpfs (size, mode) and proc, bind and recursive bind, read-only remount, MS_MOVE, propagation flags, umount2 (EBUSY, MNT_DETACH, MNT_EXPIRE, errnos), EPERM without CAP_SYS_ADMIN, pivot_root in a child's own namespace.
#include "common.h"
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* Whether the /proc/self/mounts line for `dir` has type `type` (NULL: any) and every option in `opts`. */
static int mounted_as(const char *dir, const char *type, const char *opts)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[1024], src[256], mp[512], ty[64], op[512];
	int found = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "%255s %511s %63s %511s", src, mp, ty, op) != 4 || strcmp(mp, dir))
			continue;
		found = !type || !strcmp(ty, type);
		char want[256];
		snprintf(want, sizeof want, "%s", opts);
		for (char *o = strtok(want, ","); o && found; o = strtok(NULL, ","))
			if (!strstr(op, o))
				found = 0;
	}
	if (f)
		fclose(f);
	return found;
}
int main(int argc, char **argv)
{
	scratch_init("mount", argc, argv);
	/* natively this keeps the host's mount table untouched */
	OK("unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	OK("make / private recursively", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ERR("unshare unknown flag", unshare(0x1), EINVAL);

	/* --- tmpfs with options --- */
	const char *m = P("m");
	mkdir(m, 0755);
	OK("mount tmpfs size=64k,mode=0700", mount("none", m, "tmpfs", 0, "size=64k,mode=0700"));
	struct stat st;
	OK("stat", stat(m, &st));
	VALO("  root mode", st.st_mode & 07777, 0700);
	CHECK("  in /proc/self/mounts as tmpfs size=64k,mode=700", mounted_as(m, "tmpfs", "rw,size=64k,mode=700"));
	int fd = open(P("m/f"), O_WRONLY | O_CREAT, 0600);
	char page[4096];
	memset(page, 'x', sizeof page);
	long total = 0, w;
	while (total < 200000 && (w = write(fd, page, sizeof page)) > 0)
		total += w;
	CHECK("  writes stop with ENOSPC at the size limit", errno == ENOSPC && total <= 65536 && total >= 32768);
	close(fd);
	ERR("unknown fs type", mount("none", m, "nosuchfs", 0, NULL), ENODEV);
	ERR("bad tmpfs option", mount("none", P("m"), "tmpfs", 0, "bogus=1"), EINVAL);
	ERR("mount on a missing path", mount("none", P("nope"), "tmpfs", 0, NULL), ENOENT);

	/* --- umount2 --- */
	OK("chdir into the mount", chdir(m));
	ERR("umount2 while it is the cwd", umount2(m, 0), EBUSY);
	OK("chdir out", chdir(scratch));
	fd = open(P("m/f"), O_RDONLY);
	ERR("umount2 while a file is open", umount2(m, 0), EBUSY);
	close(fd);
	ERR("umount2 bad flags", umount2(m, 0x100), EINVAL);
	ERR("MNT_EXPIRE|MNT_DETACH", umount2(m, MNT_EXPIRE | MNT_DETACH), EINVAL);
	ERR("MNT_EXPIRE first call", umount2(m, MNT_EXPIRE), EAGAIN);
	OK("MNT_EXPIRE second call", umount2(m, MNT_EXPIRE));
	CHECK("  the file is gone with it", !exists(P("m/f")));
	ERR("umount2 of a plain directory", umount2(m, 0), EINVAL);
	ERR("umount2 of a missing path", umount2(P("nope"), 0), ENOENT);

	/* --- bind mounts --- */
	mkdir(P("a"), 0755);
	mkdir(P("a/sub"), 0755);
	mkdir(P("b"), 0755);
	mkdir(P("c"), 0755);
	put_file(P("a/file"), "hello", 5, 0644);
	OK("tmpfs on a/sub", mount("t2", P("a/sub"), "tmpfs", 0, NULL));
	put_file(P("a/sub/inner"), "in", 2, 0644);
	OK("bind a on b", mount(P("a"), P("b"), NULL, MS_BIND, NULL));
	CHECK("  b/file is a's", exists(P("b/file")));
	CHECK("  a plain bind leaves a/sub's mount behind", exists(P("b/sub")) && !exists(P("b/sub/inner")));
	OK("rbind a on c", mount(P("a"), P("c"), NULL, MS_BIND | MS_REC, NULL));
	CHECK("  c/sub/inner came along", exists(P("c/sub/inner")));
	put_file(P("b/new"), "n", 1, 0644);
	CHECK("  a file made through b is in a", exists(P("a/new")));
	OK("remount b read-only", mount(NULL, P("b"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	ERR("  create through b", open(P("b/x"), O_WRONLY | O_CREAT, 0644), EROFS);
	fd = open(P("a/x"), O_WRONLY | O_CREAT, 0644);
	CHECK("  through a still works", fd >= 0);
	close(fd);
	CHECK("  /proc/self/mounts says ro", mounted_as(P("b"), NULL, "ro,"));
	put_file(P("file1"), "f", 1, 0644);
	ERR("bind a file on a directory", mount(P("file1"), P("b"), NULL, MS_BIND, NULL), ENOTDIR);
	OK("umount2 c with its submount, MNT_DETACH", umount2(P("c"), MNT_DETACH));
	CHECK("  c is empty again", !exists(P("c/file")));
	OK("umount2 b", umount2(P("b"), 0));
	ERR("umount2 a while a/sub is mounted", umount2(P("a"), 0), EINVAL);

	/* --- MS_MOVE and propagation flags --- */
	mkdir(P("d"), 0755);
	OK("MS_MOVE a/sub to d", mount(P("a/sub"), P("d"), NULL, MS_MOVE, NULL));
	CHECK("  d/inner is there", exists(P("d/inner")));
	CHECK("  a/sub is a plain directory again", !exists(P("a/sub/inner")));
	ERR("MS_MOVE of a plain directory", mount(P("a"), P("c"), NULL, MS_MOVE, NULL), EINVAL);
	OK("MS_PRIVATE on a mount", mount(NULL, P("d"), NULL, MS_PRIVATE, NULL));
	OK("MS_SHARED on a mount", mount(NULL, P("d"), NULL, MS_SHARED, NULL));
	ERR("two propagation types", mount(NULL, P("d"), NULL, MS_SHARED | MS_PRIVATE, NULL), EINVAL);
	ERR("propagation on a plain directory", mount(NULL, P("a"), NULL, MS_PRIVATE, NULL), EINVAL);

	/* --- a private namespace in a child; EPERM without CAP_SYS_ADMIN --- */
	pid_t c = fork();
	if (c == 0) {
		if (unshare(CLONE_NEWNS) != 0 || umount2(P("d"), 0) != 0)
			_exit(1);
		_exit(exists(P("d/inner")) ? 2 : 0);
	}
	VAL("child unmounts d in its own namespace", reap(c), 0);
	CHECK("  the parent still sees d/inner", exists(P("d/inner")));
	c = fork();
	if (c == 0) {
		if (setuid(65534) != 0)
			_exit(9);
		int r = 0;
		/* paths nobody can reach (the scratch dir is 0700 and would give EACCES first) */
		if (mount("none", "/", "tmpfs", 0, NULL) == 0 || errno != EPERM) r |= 1;
		if (umount2("/proc", 0) == 0 || errno != EPERM) r |= 2;
		if (unshare(CLONE_NEWNS) == 0 || errno != EPERM) r |= 4;
		if (syscall(SYS_pivot_root, "/", "/") == 0 || errno != EPERM) r |= 8;
		_exit(r);
	}
	VAL("as nobody: mount, umount2, unshare(CLONE_NEWNS), pivot_root are EPERM (bits)", reap(c), 0);
	OK("umount2 d", umount2(P("d"), 0));

	/* --- proc --- */
	OK("mount proc", mount("proc", P("c"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	CHECK("  c/self/stat exists", exists(P("c/self/stat")));
	CHECK("  listed as proc with nosuid,nodev,noexec", mounted_as(P("c"), "proc", "rw,nosuid,nodev,noexec"));
	OK("umount2 proc", umount2(P("c"), 0));

	/* --- pivot_root, in a child with its own namespace --- */
	mkdir(P("nr"), 0755);
	OK("tmpfs for the new root", mount("newroot", P("nr"), "tmpfs", 0, NULL));
	mkdir(P("nr/old"), 0755);
	put_file(P("nr/marker"), "m", 1, 0644);
	/* (errors that do not depend on how the host mounts /tmp) */
	ERR("pivot_root of a plain directory", syscall(SYS_pivot_root, P("nr/old"), P("nr/old")), EINVAL);
	OK("tmpfs on d", mount("none", P("d"), "tmpfs", 0, NULL));
	ERR("put_old outside new_root", syscall(SYS_pivot_root, P("nr"), P("d")), EINVAL);
	OK("umount2 d", umount2(P("d"), 0));
	int pp[2];
	OK("pipe", pipe(pp));
	c = fork();
	if (c == 0) {
		close(pp[0]);
		char r[6] = "-----";
		if (unshare(CLONE_NEWNS) == 0 && chdir(P("nr")) == 0 && syscall(SYS_pivot_root, ".", "old") == 0) {
			r[0] = 'p';
			r[1] = exists("/marker") ? 'm' : '-';
			char old[PATH_MAX];
			snprintf(old, sizeof old, "/old%s/file1", scratch);
			r[2] = exists(old) ? 'o' : '-';
			r[3] = umount2("/old", MNT_DETACH) == 0 ? 'u' : '-';
			r[4] = !exists(old) && chdir("/") == 0 && exists("/old") ? 'e' : '-';
		}
		if (write(pp[1], r, 5) != 5) _exit(1);
		_exit(0);
	}
	close(pp[1]);
	char r[6] = { 0 };
	VAL("child reports", read(pp[0], r, 5), 5);
	say("  pivot_root=%c new root has /marker=%c old root at /old=%c umount -l /old=%c then gone=%c\n", r[0], r[1], r[2],
	    r[3], r[4]);
	VAL("  child exit", reap(c), 0);
	CHECK("the parent's root is untouched", exists(P("file1")) && exists("/proc/self/stat"));
	OK("umount2 nr", umount2(P("nr"), 0));
	scratch_cleanup();
	return finish();
}
