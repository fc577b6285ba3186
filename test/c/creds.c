// setuid/setgid families, setfsuid/setfsgid, setgroups: root -> user -> back through the saved uid, capabilities after each step.
// Needs root with at least Docker's default capabilities. Raw syscalls: libc's set*id wrappers
// broadcast to all threads (setxid) and some hide errors.
#include "common.h"

/* Docker's default capability set: every test starts from exactly this. */
#define BASE_CAPS 0xa80425fbULL
/* capabilities(7): what fsuid 0 -> nonzero drops (CHOWN, DAC_*, FOWNER, FSETID, LINUX_IMMUTABLE, MKNOD, MAC_OVERRIDE). */
#define FS_CAPS 0x10800021fULL

struct cap_hdr { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static uint64_t eff, prm, inh;

static void readcaps(void)
{
	struct cap_hdr h = { 0x20080522, 0 };
	struct cap_data d[2];
	if (syscall(SYS_capget, &h, d) != 0) {
		say("capget failed: %s\n", errname(errno));
		eff = prm = inh = ~0ULL;
		return;
	}
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

static void caps(const char *label)
{
	readcaps();
	say("%s caps: eff=%#llx prm=%#llx inh=%#llx\n", label, (unsigned long long)eff, (unsigned long long)prm,
	    (unsigned long long)inh);
}

static void ids(const char *label)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	syscall(SYS_getresuid, &r, &e, &s);
	syscall(SYS_getresgid, &gr, &ge, &gs);
	long fsu = syscall(SYS_setfsuid, -1), fsg = syscall(SYS_setfsgid, -1);
	say("%s ids: uid %u/%u/%u fsuid %ld gid %u/%u/%u fsgid %ld\n", label, r, e, s, fsu, gr, ge, gs, fsg);
}

int main(void)
{
	if (geteuid() != 0) {
		say("must run as root\n");
		return 1;
	}
	struct cap_hdr h = { 0x20080522, 0 };
	struct cap_data d[2] = { { BASE_CAPS, BASE_CAPS, 0 }, { 0, 0, 0 } };
	OK("normalize capabilities", syscall(SYS_capset, &h, d));
	caps("root");
	ids("root");

	/* setgroups: sorted, bounded, EFAULT, invalid gid */
	gid_t g[4] = { 30, 10, 20, 10 }, out[8];
	OK("setgroups {30,10,20,10}", syscall(SYS_setgroups, 4, g));
	VAL("getgroups count", syscall(SYS_getgroups, 8, out), 4);
	say("groups: %u %u %u %u\n", out[0], out[1], out[2], out[3]);
	ERR("setgroups 65537", syscall(SYS_setgroups, 65537, g), EINVAL);
	ERR("setgroups -1", syscall(SYS_setgroups, -1, g), EINVAL);
	ERR("setgroups bad pointer", syscall(SYS_setgroups, 2, BADPTR), EFAULT);
	gid_t bad[1] = { (gid_t)-1 };
	ERR("setgroups with gid -1", syscall(SYS_setgroups, 1, bad), EINVAL);
	VAL("getgroups unchanged after failures", syscall(SYS_getgroups, 0, NULL), 4);
	OK("setgroups 0", syscall(SYS_setgroups, 0, NULL));
	VAL("getgroups now", syscall(SYS_getgroups, 0, NULL), 0);

	/* gids while privileged */
	ERR("setgid(-1)", syscall(SYS_setgid, -1), EINVAL);
	OK("setresgid(100,200,300)", syscall(SYS_setresgid, 100, 200, 300));
	ids("after setresgid");
	OK("setregid(-1,300)", syscall(SYS_setregid, -1, 300));
	ids("after setregid(-1,300)");
	VAL("setfsgid(55) returns old", syscall(SYS_setfsgid, 55), 300);
	ids("after setfsgid(55)");
	OK("setgid(0) as root sets all", syscall(SYS_setgid, 0));
	ids("after setgid(0)");

	/* euid leaves 0, saved uid keeps it: effective cleared, permitted kept */
	OK("setresuid(1000,1000,0)", syscall(SYS_setresuid, 1000, 1000, 0));
	ids("user with saved root");
	caps("user with saved root");
	ERR("setuid(2000)", syscall(SYS_setuid, 2000), EPERM);
	ERR("setresuid(2000,-1,-1)", syscall(SYS_setresuid, 2000, -1, -1), EPERM);
	ERR("setreuid(-1,2000)", syscall(SYS_setreuid, -1, 2000), EPERM);
	ERR("setgid(5)", syscall(SYS_setgid, 5), EPERM);
	ERR("setresgid(5,-1,-1)", syscall(SYS_setresgid, 5, -1, -1), EPERM);
	ERR("setgroups", syscall(SYS_setgroups, 0, NULL), EPERM);
	OK("setresuid(-1,-1,-1) is a no-op", syscall(SYS_setresuid, -1, -1, -1));
	VAL("setfsuid(3000) refused, returns old", syscall(SYS_setfsuid, 3000), 1000);
	VAL("fsuid unchanged", syscall(SYS_setfsuid, -1), 1000);

	/* fsuid back to 0 restores the file-system capabilities only */
	VAL("setfsuid(0) via saved uid", syscall(SYS_setfsuid, 0), 1000);
	caps("fsuid 0");
	CHECK("fsuid 0 raised exactly the fs caps", eff == (prm & FS_CAPS));
	VAL("setfsuid(1000)", syscall(SYS_setfsuid, 1000), 0);
	caps("fsuid 1000");

	/* capset while euid != 0: permitted is still there to raise */
	d[0].effective = BASE_CAPS;
	OK("capset effective = permitted", syscall(SYS_capset, &h, d));
	caps("raised while uid 1000");
	OK("setreuid(-1,1000): euid was not 0, effective stays", syscall(SYS_setreuid, -1, 1000));
	caps("after setreuid");

	/* back to root through the saved uid */
	OK("setuid(0) via saved uid", syscall(SYS_setuid, 0));
	ids("after setuid(0)");
	caps("after setuid(0)");
	OK("setresuid(0,0,0)", syscall(SYS_setresuid, 0, 0, 0));
	ids("root again");
	caps("root again");

	/* setreuid as root: saved uid follows the new euid */
	OK("setreuid(1000,2000)", syscall(SYS_setreuid, 1000, 2000));
	ids("after setreuid(1000,2000)");
	caps("after setreuid(1000,2000)");
	ERR("setuid(0) now", syscall(SYS_setuid, 0), EPERM);
	OK("setreuid(2000,-1) swaps within own ids", syscall(SYS_setreuid, 2000, -1));
	ids("after setreuid(2000,-1)");
	OK("setuid(2000) unprivileged, to the real uid", syscall(SYS_setuid, 2000));
	ids("after setuid(2000)");

	/* fully unprivileged */
	ERR("setresuid(0,0,0)", syscall(SYS_setresuid, 0, 0, 0), EPERM);
	ERR("setuid(0)", syscall(SYS_setuid, 0), EPERM);
	d[0].effective = d[0].permitted = 1;
	ERR("capset raising permitted", syscall(SYS_capset, &h, d), EPERM);
	OK("setgid(0) to real gid", syscall(SYS_setgid, 0));
	OK("setregid(0,0)", syscall(SYS_setregid, 0, 0));
	VAL("setfsgid(7) refused", syscall(SYS_setfsgid, 7), 0);
	VAL("setfsgid(-1) reads", syscall(SYS_setfsgid, -1), 0);
	ids("final");
	caps("final");
	return finish();
}
