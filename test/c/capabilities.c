// capget/capset versions and rules, bounding set, ambient set, securebits and keepcaps, no_new_privs, dumpable.
// Needs root with at least Docker's default capabilities (the test first narrows to exactly those).
#include "common.h"
#include <sys/prctl.h>

#define BASE_CAPS 0xa80425fbULL
#define V1 0x19980330
#define V2 0x20071026
#define V3 0x20080522
#define BIT(c) (1ULL << (c))
#define C_KILL 5
#define C_SETUID 7
#define C_SETPCAP 8
#define C_NET_BIND 10
#define C_NET_RAW 13
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#define AMB_IS_SET 1
#define AMB_RAISE 2
#define AMB_LOWER 3
#define AMB_CLEAR_ALL 4
#define SB_NO_SETUID_FIXUP 0x4
#define SB_KEEP_CAPS 0x10
#define SB_KEEP_CAPS_LOCKED 0x20
#define SB_NO_CAP_AMBIENT_RAISE 0x40

struct cap_hdr { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static uint64_t eff, prm, inh;

static void readcaps(void)
{
	struct cap_hdr h = { V3, 0 };
	struct cap_data d[2];
	syscall(SYS_capget, &h, d);
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

static void caps(const char *label)
{
	readcaps();
	say("%s: eff=%#llx prm=%#llx inh=%#llx\n", label, (unsigned long long)eff, (unsigned long long)prm,
	    (unsigned long long)inh);
}

static long setcaps(uint64_t e, uint64_t p, uint64_t i)
{
	struct cap_hdr h = { V3, 0 };
	struct cap_data d[2] = { { (uint32_t)e, (uint32_t)p, (uint32_t)i }, { e >> 32, p >> 32, i >> 32 } };
	return syscall(SYS_capset, &h, d);
}

static long amb(int op, long cap) { return prctl(PR_CAP_AMBIENT, op, cap, 0, 0); }

int main(void)
{
	OK("normalize", setcaps(BASE_CAPS, BASE_CAPS, 0));
	caps("base");

	/* capget: versions, headers, pids */
	struct cap_hdr h = { V1, 0 };
	struct cap_data d[2];
	memset(d, 0xaa, sizeof d);
	OK("capget v1", syscall(SYS_capget, &h, d));
	CHECK("v1 fills one set of words", d[0].effective == (uint32_t)BASE_CAPS && d[1].effective == 0xaaaaaaaa);
	h.version = V2;
	OK("capget v2", syscall(SYS_capget, &h, d));
	CHECK("v2 fills both", d[1].effective == 0 && d[1].permitted == 0);
	h.version = 0x1234;
	ERR("capget bad version", syscall(SYS_capget, &h, d), EINVAL);
	VALX("preferred version written back", h.version, V3);
	h.version = 0x1234;
	VAL("capget bad version, NULL data", syscall(SYS_capget, &h, NULL), 0);
	VALX("version written back again", h.version, V3);
	VAL("capget NULL data", syscall(SYS_capget, &h, NULL), 0);
	h.pid = -1;
	ERR("capget pid -1", syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 0x3ffffff;
	ERR("capget no such pid", syscall(SYS_capget, &h, d), ESRCH);
	h.pid = getpid();
	OK("capget own pid", syscall(SYS_capget, &h, d));
	ERR("capget bad header", syscall(SYS_capget, BADPTR, d), EFAULT);
	h.pid = 0;
	ERR("capget bad data", syscall(SYS_capget, &h, BADPTR), EFAULT);

	/* capset rules */
	h.pid = 0x3ffffff; /* not checked for existence: only self is allowed */
	d[0] = (struct cap_data){ BASE_CAPS, BASE_CAPS, 0 };
	d[1] = (struct cap_data){ 0, 0, 0 };
	ERR("capset another pid", syscall(SYS_capset, &h, d), EPERM);
	h.pid = getpid();
	OK("capset own pid", syscall(SYS_capset, &h, d));
	ERR("capset effective beyond permitted", setcaps(BASE_CAPS | BIT(21), BASE_CAPS, 0), EPERM);
	ERR("capset permitted grows", setcaps(BASE_CAPS, BASE_CAPS | BIT(21), 0), EPERM);
	OK("capset drops NET_BIND_SERVICE from permitted", setcaps(BASE_CAPS & ~BIT(C_NET_BIND), BASE_CAPS & ~BIT(C_NET_BIND), 0));
	OK("with SETPCAP, inheritable may exceed permitted", setcaps(BASE_CAPS & ~BIT(C_NET_BIND), BASE_CAPS & ~BIT(C_NET_BIND), BIT(C_NET_BIND)));
	OK("capability bits above the last are ignored", setcaps(BASE_CAPS & ~BIT(C_NET_BIND), BASE_CAPS & ~BIT(C_NET_BIND), BIT(C_NET_BIND) | BIT(63)));
	caps("after inheritable");
	uint64_t base = BASE_CAPS & ~BIT(C_NET_BIND);
	OK("drop SETPCAP from effective", setcaps(base & ~BIT(C_SETPCAP), base, 0));
	ERR("without SETPCAP, inheritable beyond permitted", setcaps(base & ~BIT(C_SETPCAP), base, BIT(C_NET_BIND)), EPERM);
	OK("without SETPCAP, inheritable within permitted", setcaps(base & ~BIT(C_SETPCAP), base, BIT(C_KILL)));
	ERR("PR_CAPBSET_DROP without SETPCAP", prctl(PR_CAPBSET_DROP, C_NET_RAW, 0, 0, 0), EPERM);
	ERR("PR_SET_SECUREBITS without SETPCAP", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS, 0, 0, 0), EPERM);
	OK("restore", setcaps(base, base, 0));
	caps("restored");

	/* bounding set */
	VAL("CAPBSET_READ NET_RAW", prctl(PR_CAPBSET_READ, C_NET_RAW, 0, 0, 0), 1);
	ERR("CAPBSET_READ 41", prctl(PR_CAPBSET_READ, 41, 0, 0, 0), EINVAL);
	ERR("CAPBSET_READ -1", prctl(PR_CAPBSET_READ, -1L, 0, 0, 0), EINVAL);
	ERR("CAPBSET_DROP 41", prctl(PR_CAPBSET_DROP, 41, 0, 0, 0), EINVAL);
	OK("CAPBSET_DROP NET_RAW", prctl(PR_CAPBSET_DROP, C_NET_RAW, 0, 0, 0));
	VAL("CAPBSET_READ NET_RAW after drop", prctl(PR_CAPBSET_READ, C_NET_RAW, 0, 0, 0), 0);
	caps("bounding does not touch permitted");
	ERR("inheritable outside bounding (even with SETPCAP)", setcaps(base, base, BIT(C_NET_RAW)), EPERM);

	/* ambient */
	VAL("ambient IS_SET KILL", amb(AMB_IS_SET, C_KILL), 0);
	ERR("ambient RAISE without inheritable", amb(AMB_RAISE, C_KILL), EPERM);
	OK("inheritable KILL", setcaps(base, base, BIT(C_KILL)));
	OK("ambient RAISE KILL", amb(AMB_RAISE, C_KILL));
	VAL("ambient IS_SET KILL now", amb(AMB_IS_SET, C_KILL), 1);
	OK("ambient LOWER KILL", amb(AMB_LOWER, C_KILL));
	VAL("ambient after LOWER", amb(AMB_IS_SET, C_KILL), 0);
	OK("ambient RAISE again", amb(AMB_RAISE, C_KILL));
	OK("ambient CLEAR_ALL", amb(AMB_CLEAR_ALL, 0));
	VAL("ambient after CLEAR_ALL", amb(AMB_IS_SET, C_KILL), 0);
	ERR("ambient CLEAR_ALL with arg3", amb(AMB_CLEAR_ALL, 1), EINVAL);
	ERR("ambient IS_SET 41", amb(AMB_IS_SET, 41), EINVAL);
	ERR("ambient bad op", amb(9, C_KILL), EINVAL);
	ERR("ambient IS_SET with arg4", prctl(PR_CAP_AMBIENT, AMB_IS_SET, C_KILL, 1, 0), EINVAL);
	OK("ambient RAISE once more", amb(AMB_RAISE, C_KILL));
	OK("capset drops KILL from inheritable", setcaps(base, base, 0));
	VAL("ambient follows inheritable", amb(AMB_IS_SET, C_KILL), 0);

	/* securebits and keepcaps */
	VAL("GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	ERR("SET_SECUREBITS unknown bit", prctl(PR_SET_SECUREBITS, 1 << 20, 0, 0, 0), EPERM);
	OK("SET_SECUREBITS NO_CAP_AMBIENT_RAISE", prctl(PR_SET_SECUREBITS, SB_NO_CAP_AMBIENT_RAISE, 0, 0, 0));
	OK("inheritable KILL", setcaps(base, base, BIT(C_KILL)));
	ERR("ambient RAISE refused by securebit", amb(AMB_RAISE, C_KILL), EPERM);
	OK("SET_SECUREBITS KEEP_CAPS", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS, 0, 0, 0));
	VAL("GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
	OK("SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
	VALX("securebits follow", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	ERR("SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
	OK("lock KEEP_CAPS on", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS | SB_KEEP_CAPS_LOCKED, 0, 0, 0));
	ERR("SET_KEEPCAPS 0 when locked", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), EPERM);
	ERR("unlocking", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS, 0, 0, 0), EPERM);
	ERR("changing a locked bit", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS_LOCKED, 0, 0, 0), EPERM);

	/* dumpable and pdeathsig follow credential changes */
	OK("SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	VAL("GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	ERR("SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	OK("SET_PDEATHSIG SIGUSR1", prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));

	/* keep caps across dropping every root uid */
	OK("setresuid(1000,1000,1000)", syscall(SYS_setresuid, 1000, 1000, 1000));
	caps("keepcaps: all uids 1000");
	CHECK("no longer dumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1);
	int sig = -1;
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	VAL("pdeathsig reset", sig, 0);
	OK("raise SETUID in effective", setcaps(BIT(C_SETUID), base, BIT(C_KILL)));
	OK("setresuid(0,0,0) with CAP_SETUID", syscall(SYS_setresuid, 0, 0, 0));
	caps("root again");

	/* NO_SETUID_FIXUP: effective survives euid leaving 0 */
	OK("add NO_SETUID_FIXUP", prctl(PR_SET_SECUREBITS, SB_KEEP_CAPS | SB_KEEP_CAPS_LOCKED | SB_NO_SETUID_FIXUP, 0, 0, 0));
	OK("setresuid(0,1000,0)", syscall(SYS_setresuid, 0, 1000, 0));
	caps("no fixup: euid 1000");
	VAL("setfsuid(0)", syscall(SYS_setfsuid, 0), 1000);
	caps("no fixup: fsuid 0");
	OK("setresuid(0,0,0)", syscall(SYS_setresuid, 0, 0, 0));

	/* no_new_privs */
	VAL("GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	ERR("SET_NO_NEW_PRIVS 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	ERR("SET_NO_NEW_PRIVS with arg3", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	OK("SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	ERR("GET_NO_NEW_PRIVS with arg2", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	VAL("GET_NO_NEW_PRIVS now", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	return finish();
}
