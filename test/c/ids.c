// getpid, getppid, gettid, getuid, geteuid, getgid, getegid, getgroups: relationships only.
#include "common.h"

int main(void)
{
	long pid = syscall(SYS_getpid), tid = syscall(SYS_gettid), ppid = syscall(SYS_getppid);
	CHECK("getpid > 0", pid > 0);
	CHECK("gettid == getpid (single thread)", tid == pid);
	CHECK("getppid >= 0", ppid >= 0);
	CHECK("getppid != getpid", ppid != pid);
	CHECK("libc getpid agrees", getpid() == pid);
	CHECK("libc getppid agrees", getppid() == ppid);
	CHECK("getpid stable", syscall(SYS_getpid) == pid && syscall(SYS_gettid) == tid);

	long uid = syscall(SYS_getuid), euid = syscall(SYS_geteuid);
	long gid = syscall(SYS_getgid), egid = syscall(SYS_getegid);
	CHECK("uid >= 0 and euid >= 0", uid >= 0 && euid >= 0);
	CHECK("getuid == geteuid (not setuid)", uid == euid);
	CHECK("getgid == getegid (not setgid)", gid == egid);
	CHECK("libc getuid/getgid agree", getuid() == uid && getgid() == gid);
	uid_t r, e, s;
	VAL("getresuid", syscall(SYS_getresuid, &r, &e, &s), 0);
	CHECK("ruid/euid/suid match", r == uid && e == euid && s == euid);
	gid_t gr, ge, gs;
	VAL("getresgid", syscall(SYS_getresgid, &gr, &ge, &gs), 0);
	CHECK("rgid/egid/sgid match", gr == gid && ge == egid && gs == egid);
	ERR("getresuid bad pointer", syscall(SYS_getresuid, BADPTR, &e, &s), EFAULT);

	/* getgroups */
	long n = syscall(SYS_getgroups, 0, NULL);
	CHECK("getgroups(0) >= 0", n >= 0);
	gid_t groups[65536];
	CHECK("getgroups(big) == getgroups(0)", syscall(SYS_getgroups, 65536, groups) == n);
	CHECK("getgroups(exact size) == n", syscall(SYS_getgroups, n, groups) == n);
	/* (the number of groups may differ inside the sandbox: same lines either way) */
	if (n > 1)
		ERR("getgroups(n-1), n-1 > 0", syscall(SYS_getgroups, n - 1, groups), EINVAL);
	else
		say("getgroups(n-1), n-1 > 0: EINVAL\n");
	if (n > 0)
		ERR("getgroups bad buffer", syscall(SYS_getgroups, n, BADPTR), EFAULT);
	else
		say("getgroups bad buffer: EFAULT\n");
	ERR("getgroups(-1)", syscall(SYS_getgroups, -1, groups), EINVAL);
	CHECK("getgroups(0) with bad buffer is fine", syscall(SYS_getgroups, 0, BADPTR) == n);

	/* process group / session relationships */
	long pgid = syscall(SYS_getpgid, 0);
	CHECK("getpgid(0) == getpgrp()", pgid == syscall(SYS_getpgrp));
	CHECK("getpgid(getpid()) == getpgid(0)", syscall(SYS_getpgid, pid) == pgid);
	CHECK("getsid(0) > 0", syscall(SYS_getsid, 0) > 0);
	ERR("getpgid of a nonexistent pid", syscall(SYS_getpgid, 0x3ffffff), ESRCH);
	ERR("getpgid(-1)", syscall(SYS_getpgid, -1), ESRCH);
	ERR("getsid of a nonexistent pid", syscall(SYS_getsid, 0x3ffffff), ESRCH);
	return finish();
}
