// ETXTBSY (writing a running executable, executing a file open for writing), set-user/group-ID bits on exec, nosuid and noexec mounts.
#include "common.h"
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/wait.h>

#define NOBODY 65534
static char self[PATH_MAX];

/* Copies the test program itself (static or dynamic, either runs anywhere here). */
static void copy_self(const char *to, mode_t mode)
{
	int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	char buf[65536];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, n) != n)
			break;
	close(in);
	close(out);
	chmod(to, mode);
}

/* Runs `path --ids` as uid/gid nobody (or root); returns what it printed, as "euid,egid,secure". */
static const char *run_ids(const char *path, int as_nobody)
{
	static char out[128];
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (as_nobody && (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) || syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY)))
			_exit(3);
		execl(path, path, "--ids", (char *)0);
		say("exec %s", errname(errno));
		_exit(4);
	}
	close(p[1]);
	ssize_t n = read(p[0], out, sizeof out - 1);
	out[n < 0 ? 0 : n] = 0;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return out;
}

static void ids_is(const char *label, const char *path, int as_nobody, const char *want)
{
	const char *got = run_ids(path, as_nobody);
	if (strcmp(got, want) == 0) {
		say("%s: %s\n", label, got);
	} else {
		say("%s: FAIL %s, wanted %s\n", label, got, want);
		ct_failures++;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--ids") == 0) {
		say("euid=%d egid=%d ruid=%d secure=%lu", (int)geteuid(), (int)getegid(), (int)getuid(), getauxval(AT_SECURE));
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--wait") == 0) {
		char c;
		return read(0, &c, 1) == 0 ? 0 : 1;
	}
	scratch_init("exec_perm", 1, argv);
	chmod(scratch, 0755);
	snprintf(self, sizeof self, "%s", P("prog"));
	copy_self(self, 0755);

	/* ETXTBSY: a running executable cannot be opened for writing */
	ERR("open /proc/self/exe O_WRONLY", open("/proc/self/exe", O_WRONLY), ETXTBSY);
	ERR("open /proc/self/exe O_RDWR", open("/proc/self/exe", O_RDWR), ETXTBSY);
	int fd = open("/proc/self/exe", O_RDONLY);
	CHECK("open /proc/self/exe O_RDONLY", fd >= 0);
	close(fd);
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[1]);
		execl(self, self, "--wait", (char *)0);
		_exit(9);
	}
	close(p[0]);
	/* wait until the child has exec'd: its /proc/pid/exe is then our copy */
	char plink[64], target[PATH_MAX];
	snprintf(plink, sizeof plink, "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 5000; i++) {
		ssize_t n = readlink(plink, target, sizeof target - 1);
		if (n > 0 && (target[n] = 0, strcmp(target, self) == 0))
			break;
		usleep(1000);
	}
	ERR("open running copy O_WRONLY", open(self, O_WRONLY), ETXTBSY);
	ERR("open running copy O_TRUNC", open(self, O_RDONLY | O_TRUNC), ETXTBSY);
	ERR("truncate running copy", truncate(self, 0), ETXTBSY);
	OK("open running copy O_RDONLY", close(open(self, O_RDONLY)));
	OK("link to running copy", link(self, P("prog-link")));
	ERR("open its hard link O_WRONLY", open(P("prog-link"), O_WRONLY), ETXTBSY);
	close(p[1]);
	int status;
	waitpid(pid, &status, 0);
	VAL("child exit", WEXITSTATUS(status), 0);
	fd = open(self, O_WRONLY);
	CHECK("writable again after exit", fd >= 0);
	close(fd);

	/* ...and a file open for writing cannot be executed */
	copy_self(P("busy"), 0755);
	fd = open(P("busy"), O_WRONLY);
	pid = fork();
	if (pid == 0) {
		execl(P("busy"), "busy", "--ids", (char *)0);
		_exit(errno == ETXTBSY ? 42 : 43);
	}
	waitpid(pid, &status, 0);
	VAL("execve of a file open for writing: ETXTBSY", WEXITSTATUS(status), 42);
	close(fd);
	fd = open(P("busy"), O_RDONLY);
	ids_is("execve after close", P("busy"), 0, "euid=0 egid=0 ruid=0 secure=0");
	close(fd);

	/* set-user-ID and set-group-ID files */
	ids_is("plain as nobody", self, 1, "euid=65534 egid=65534 ruid=65534 secure=0");
	copy_self(P("suid"), 04755);
	ids_is("setuid-root as nobody", P("suid"), 1, "euid=0 egid=65534 ruid=65534 secure=1");
	copy_self(P("sgid"), 02755);
	chown(P("sgid"), 0, 0);
	chmod(P("sgid"), 02755);
	ids_is("setgid-root as nobody", P("sgid"), 1, "euid=65534 egid=0 ruid=65534 secure=1");
	copy_self(P("sgidnx"), 02745);
	ids_is("setgid without group-x", P("sgidnx"), 1, "euid=65534 egid=65534 ruid=65534 secure=0");
	copy_self(P("suid1234"), 0755);
	chown(P("suid1234"), 1234, 1234);
	chmod(P("suid1234"), 06755);
	ids_is("setuid-1234 as root", P("suid1234"), 0, "euid=1234 egid=1234 ruid=0 secure=1");
	ids_is("setuid-1234 as nobody", P("suid1234"), 1, "euid=1234 egid=1234 ruid=65534 secure=1");
	copy_self(P("nox"), 04744);
	ids_is("setuid without x for others", P("nox"), 1, "exec EACCES");

	/* nosuid mounts ignore the bits; noexec mounts refuse to exec */
	mkdir(P("mnt"), 0755);
	OK("mount tmpfs nosuid", mount("tmpfs", P("mnt"), "tmpfs", MS_NOSUID, "mode=0755"));
	copy_self(P("mnt/suid"), 04755);
	ids_is("setuid-root on nosuid as nobody", P("mnt/suid"), 1, "euid=65534 egid=65534 ruid=65534 secure=0");
	OK("remount noexec", mount("none", P("mnt"), NULL, MS_REMOUNT | MS_NOSUID | MS_NOEXEC, "mode=0755"));
	ERR("execve on noexec", execl(P("mnt/suid"), "x", (char *)0), EACCES);
	ERR("access X_OK on noexec", access(P("mnt/suid"), X_OK), EACCES);
	OK("umount", umount(P("mnt")));

	scratch_cleanup();
	return finish();
}
