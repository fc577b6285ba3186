// Credentials across execve: root's capabilities, ambient capabilities for a non-root program, set-user-ID and
// set-group-ID files (AT_SECURE, saved ids), and no_new_privs ignoring them. Re-execs itself through copies in a
// scratch directory; needs root with at least Docker's default capabilities.
#include "common.h"
#include <sys/auxv.h>
#include <sys/prctl.h>

#define BASE_CAPS 0xa80425fbULL
#define C_KILL 5
#define PR_CAP_AMBIENT_ 47

struct cap_hdr { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static long setcaps(uint64_t e, uint64_t p, uint64_t i)
{
	struct cap_hdr h = { 0x20080522, 0 };
	struct cap_data d[2] = { { (uint32_t)e, (uint32_t)p, (uint32_t)i }, { e >> 32, p >> 32, i >> 32 } };
	return syscall(SYS_capset, &h, d);
}

static void report(const char *stage)
{
	struct cap_hdr h = { 0x20080522, 0 };
	struct cap_data d[2];
	uid_t r, e, s;
	gid_t gr, ge, gs;
	syscall(SYS_capget, &h, d);
	syscall(SYS_getresuid, &r, &e, &s);
	syscall(SYS_getresgid, &gr, &ge, &gs);
	say("%s: uid %u/%u/%u fsuid %ld gid %u/%u/%u\n", stage, r, e, s, syscall(SYS_setfsuid, -1), gr, ge, gs);
	say("%s: eff=%#llx prm=%#llx inh=%#llx ambient KILL %d\n", stage,
	    (unsigned long long)(d[0].effective | (uint64_t)d[1].effective << 32),
	    (unsigned long long)(d[0].permitted | (uint64_t)d[1].permitted << 32),
	    (unsigned long long)(d[0].inheritable | (uint64_t)d[1].inheritable << 32),
	    prctl(PR_CAP_AMBIENT_, 1, C_KILL, 0, 0));
	say("%s: AT_SECURE %lu AT_UID %lu AT_EUID %lu AT_EGID %lu keepcaps %d nnp %d\n", stage, getauxval(AT_SECURE),
	    getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_EGID), prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0),
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void next(const char *prog, const char *stage)
{
	char *argv[] = { (char *)prog, (char *)stage, scratch, NULL };
	char *envp[] = { NULL };
	if (ct_failures)
		exit(finish());
	execve(prog, argv, envp);
	say("execve %s: FAIL %s\n", prog, errname(errno));
	exit(1);
}

static int copy_self(const char *to, mode_t mode, gid_t gid)
{
	int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	char buf[65536];
	ssize_t n;
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, n) != n)
			return -1;
	close(in);
	close(out);
	if (chown(to, 0, gid) != 0)
		return -1;
	return chmod(to, mode); /* after chown, which clears set-id bits */
}

int main(int argc, char **argv)
{
	const char *stage = argc > 1 ? argv[1] : "start";
	if (argc > 2)
		snprintf(scratch, sizeof scratch, "%s", argv[2]);
	if (!strcmp(stage, "start")) {
		scratch_init("creds_exec", 1, argv);
		OK("scratch dir searchable", chmod(scratch, 0755));
		OK("plain copy", copy_self(P("plain"), 0755, 0));
		OK("set-uid-root, set-gid-50 copy", copy_self(P("suid"), 06755, 50));
		OK("normalize capabilities", setcaps(BASE_CAPS, BASE_CAPS, 0));
		int dropped = 0;
		for (int c = 0; c <= 40; c++)
			if (!(BASE_CAPS >> c & 1))
				dropped += prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0;
		CHECK("bounding set narrowed", dropped > 0);
		next(P("plain"), "root");
	} else if (!strcmp(stage, "root")) {
		report("root exec");
		OK("keepcaps", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		OK("setresuid(1000,1000,1000)", syscall(SYS_setresuid, 1000, 1000, 1000));
		OK("inheritable KILL", setcaps(0, BASE_CAPS, 1ULL << C_KILL));
		OK("ambient KILL", prctl(PR_CAP_AMBIENT_, 2, C_KILL, 0, 0));
		next(P("plain"), "ambient");
	} else if (!strcmp(stage, "ambient")) {
		report("user exec with ambient");
		next(P("suid"), "setuid");
	} else if (!strcmp(stage, "setuid")) {
		report("set-uid exec");
		CHECK("not dumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1);
		OK("no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		next(P("suid"), "nnp");
	} else if (!strcmp(stage, "nnp")) {
		report("set-uid exec under no_new_privs");
		OK("back to root", syscall(SYS_setresuid, 0, 0, 0));
		scratch_cleanup();
		return finish();
	}
	return finish();
}
