// seccomp(2) and PR_SET_SECCOMP filters: validation errnos, ERRNO/TRAP/TRACE/LOG/ALLOW, argument and arch checks, precedence of stacked filters; ends killed by SECCOMP_RET_KILL_PROCESS.
// expect-exit: 159
#include "common.h"
#include <sys/prctl.h>

/* Classic BPF and seccomp ABI (musl has no <linux/filter.h> or <linux/seccomp.h>). */
struct k_sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct k_sock_fprog { unsigned short len; struct k_sock_filter *filter; };
#define LD_W_ABS 0x20
#define LD_B_ABS 0x30
#define LD_MEM 0x60
#define ST 0x02
#define ALU_ADD_K 0x04
#define ALU_DIV_K 0x34
#define ALU_MOD_K 0x94
#define ALU_LSH_K 0x64
#define ALU_OR_K 0x44
#define JA 0x05
#define JEQ_K 0x15
#define RET_K 0x06
#define RET_A 0x16
#define S(c, k) { c, 0, 0, k }
#define J(c, k, t, f) { c, t, f, k }
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_ARG0_LO 16
#define OFF_ARG0_HI 20
#define AUDIT_ARCH_X86_64 0xc000003e
#define RET_KILL_PROCESS 0x80000000U
#define RET_KILL_THREAD 0
#define RET_TRAP 0x00030000U
#define RET_ERRNO 0x00050000U
#define RET_USER_NOTIF 0x7fc00000U
#define RET_TRACE 0x7ff00000U
#define RET_LOG 0x7ffc0000U
#define RET_ALLOW 0x7fff0000U
#define OP_STRICT 0
#define OP_FILTER 1
#define OP_ACTION_AVAIL 2
#define OP_NOTIF_SIZES 3

static long install(unsigned flags, struct k_sock_filter *f, int n)
{
	struct k_sock_fprog p = { (unsigned short)n, f };
	return syscall(SYS_seccomp, OP_FILTER, flags, &p);
}
#define INSTALL_EINVAL(label, arr) ERR(label, install(0, arr, sizeof arr / sizeof arr[0]), EINVAL)

static volatile int trap_sig, trap_code, trap_errno, trap_syscall;
static volatile unsigned trap_arch;
static volatile int trap_addr_set;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	trap_sig = sig;
	trap_code = si->si_code;
	trap_errno = si->si_errno;
	trap_addr_set = *(void **)((char *)si + 16) != NULL; /* si_call_addr */
	trap_syscall = *(int *)((char *)si + 24);             /* si_syscall */
	trap_arch = *(unsigned *)((char *)si + 28);           /* si_arch */
}

int main(void)
{
	no_core();
	VAL("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
	ERR("seccomp bad op", syscall(SYS_seccomp, 99, 0, NULL), EINVAL);
	ERR("strict with flags", syscall(SYS_seccomp, OP_STRICT, 1, NULL), EINVAL);
	ERR("strict with args", syscall(SYS_seccomp, OP_STRICT, 0, (void *)8), EINVAL);
	uint32_t acts[] = { RET_KILL_PROCESS, RET_KILL_THREAD, RET_TRAP, RET_ERRNO, RET_USER_NOTIF, RET_TRACE, RET_LOG, RET_ALLOW };
	int avail = 0;
	for (unsigned i = 0; i < sizeof acts / sizeof acts[0]; i++)
		avail += syscall(SYS_seccomp, OP_ACTION_AVAIL, 0, &acts[i]) == 0;
	VAL("actions available", avail, 8);
	uint32_t odd = 0x12340000;
	ERR("unknown action", syscall(SYS_seccomp, OP_ACTION_AVAIL, 0, &odd), EOPNOTSUPP);
	ERR("ACTION_AVAIL flags", syscall(SYS_seccomp, OP_ACTION_AVAIL, 1, &acts[0]), EINVAL);
	ERR("ACTION_AVAIL bad pointer", syscall(SYS_seccomp, OP_ACTION_AVAIL, 0, BADPTR), EFAULT);
	uint16_t sizes[3];
	OK("GET_NOTIF_SIZES", syscall(SYS_seccomp, OP_NOTIF_SIZES, 0, sizes));
	say("notif sizes: data %u\n", sizes[2]);

	struct k_sock_filter allow[] = { S(RET_K, RET_ALLOW) };
	ERR("unknown filter flag", install(1 << 12, allow, 1), EINVAL);

	/* Without no_new_privs a filter needs CAP_SYS_ADMIN. */
	struct { uint32_t v; int pid; } h = { 0x20080522, 0 };
	struct { uint32_t e, p, i; } d[2];
	syscall(SYS_capget, &h, d);
	uint32_t saved = d[0].e;
	d[0].e &= ~(1U << 21);
	OK("drop CAP_SYS_ADMIN from effective", syscall(SYS_capset, &h, d));
	ERR("filter without no_new_privs or CAP_SYS_ADMIN", install(0, allow, 1), EACCES);
	d[0].e = saved;
	OK("restore effective", syscall(SYS_capset, &h, d));
	OK("PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

	/* Validation */
	ERR("NULL fprog", syscall(SYS_seccomp, OP_FILTER, 0, NULL), EFAULT);
	ERR("bad fprog", syscall(SYS_seccomp, OP_FILTER, 0, BADPTR), EFAULT);
	ERR("len 0", install(0, allow, 0), EINVAL);
	ERR("len 4097", install(0, BADPTR, 4097), EINVAL);
	ERR("bad insns pointer", install(0, BADPTR, 1), EFAULT);
	struct k_sock_filter bad1[] = { S(0xffff, 0), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("unknown opcode", bad1);
	struct k_sock_filter bad2[] = { S(LD_B_ABS, 0), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("byte load", bad2);
	struct k_sock_filter bad3[] = { S(LD_W_ABS, 64), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("load past seccomp_data", bad3);
	struct k_sock_filter bad4[] = { S(LD_W_ABS, 2), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("misaligned load", bad4);
	struct k_sock_filter bad5[] = { J(JEQ_K, 0, 0, 1), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("conditional jump out of range", bad5);
	struct k_sock_filter bad6[] = { S(JA, 1), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("jump out of range", bad6);
	struct k_sock_filter bad7[] = { S(RET_K, RET_ALLOW), S(LD_W_ABS, 0) };
	INSTALL_EINVAL("last not RET", bad7);
	struct k_sock_filter bad8[] = { S(LD_MEM, 3), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("read of unwritten scratch cell", bad8);
	struct k_sock_filter bad9[] = { S(ALU_DIV_K, 0), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("divide by constant 0", bad9);
	struct k_sock_filter bad10[] = { S(ALU_MOD_K, 3), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("modulo", bad10);
	struct k_sock_filter bad11[] = { S(ALU_LSH_K, 32), S(RET_K, RET_ALLOW) };
	INSTALL_EINVAL("shift by 32", bad11);
	static struct k_sock_filter big[4096];
	big[0] = (struct k_sock_filter)S(JA, 4094);
	for (int i = 1; i < 4095; i++)
		big[i] = (struct k_sock_filter)S(RET_K, RET_KILL_PROCESS);
	big[4095] = (struct k_sock_filter)S(RET_K, RET_ALLOW);
	OK("4096 instructions, jump over most", install(0, big, 4096));
	VAL("PR_GET_SECCOMP in filter mode", prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 2);

	/* Filter A */
	struct k_sock_filter a[] = {
		S(LD_W_ABS, OFF_ARCH),
		J(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
		S(RET_K, RET_ERRNO | EXDEV),
		S(LD_W_ABS, OFF_NR),
		J(JEQ_K, SYS_getpid, 0, 1), S(RET_K, RET_ERRNO | ENOMSG),
		J(JEQ_K, SYS_getppid, 0, 1), S(RET_K, RET_TRAP | 7),
		J(JEQ_K, SYS_sched_yield, 0, 1), S(RET_K, RET_TRACE),
		J(JEQ_K, SYS_gettid, 0, 1), S(RET_K, RET_LOG),
		J(JEQ_K, SYS_getcwd, 0, 1), S(RET_K, RET_ERRNO | 0),
		J(JEQ_K, SYS_getsid, 0, 1), S(RET_K, RET_ERRNO | 5000),
		J(JEQ_K, SYS_getpgrp, 0, 1), S(RET_K, RET_KILL_PROCESS),
		J(JEQ_K, SYS_uname, 0, 9),
		S(LD_W_ABS, OFF_ARG0_HI), J(JEQ_K, 0, 0, 7),
		S(LD_W_ABS, OFF_ARG0_LO), J(JEQ_K, 0x1234, 0, 5),
		/* the action computed in A, through scratch memory: RET_ERRNO | EDOM */
		S(ST, 0), S(LD_MEM, 0), S(ALU_ADD_K, (uint32_t)(EDOM - 0x1234)), S(ALU_OR_K, RET_ERRNO),
		S(RET_A, 0),
		S(RET_K, RET_ALLOW),
	};
	OK("install filter A", install(0, a, sizeof a / sizeof a[0]));
	ERR("getpid -> ERRNO", syscall(SYS_getpid), ENOMSG);
	ERR("sched_yield -> TRACE without tracer", syscall(SYS_sched_yield), ENOSYS);
	CHECK("gettid -> LOG runs it", syscall(SYS_gettid) > 0);
	char cwd[256];
	VAL("getcwd -> ERRNO 0 returns 0", syscall(SYS_getcwd, cwd, sizeof cwd), 0);
	CT_RUN(syscall(SYS_getsid, 0));
	say("getsid -> ERRNO 5000: %ld errno %d\n", ct_ret, ct_err);
	ERR("uname(0x1234) -> ERRNO computed in A", syscall(SYS_uname, (void *)0x1234), EDOM);
	ERR("uname(bad pointer) allowed", syscall(SYS_uname, BADPTR), EFAULT);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	OK("SIGSYS handler", sigaction(SIGSYS, &sa, NULL));
	VAL("getppid -> TRAP, rax keeps the number", syscall(SYS_getppid), SYS_getppid);
	say("trap: sig %d code %d errno %d syscall %d arch %#x addr %d\n", trap_sig, trap_code, trap_errno,
	    trap_syscall, trap_arch, trap_addr_set);

	/* Filter B, through prctl: newer filter wins a tie, the stricter action wins otherwise */
	struct k_sock_filter b[] = {
		S(LD_W_ABS, OFF_NR),
		J(JEQ_K, SYS_getpid, 0, 1), S(RET_K, RET_ERRNO | ENOENT),
		J(JEQ_K, SYS_getppid, 0, 1), S(RET_K, RET_ERRNO | EBADF),
		S(RET_K, RET_ALLOW),
	};
	struct k_sock_fprog pb = { sizeof b / sizeof b[0], b };
	OK("install filter B via prctl", prctl(PR_SET_SECCOMP, 2, &pb, 0, 0));
	ERR("getpid -> newest ERRNO", syscall(SYS_getpid), ENOENT);
	trap_sig = 0;
	VAL("getppid -> TRAP beats ERRNO", syscall(SYS_getppid), SYS_getppid);
	VAL("handler ran again", trap_sig, SIGSYS);
	ERR("sched_yield -> TRACE beats ALLOW", syscall(SYS_sched_yield), ENOSYS);
	OK("TSYNC with one thread", install(1, allow, 1));
	ERR("PR_SET_SECCOMP strict from filter mode", prctl(PR_SET_SECCOMP, 1, 0, 0, 0), EINVAL);
	ERR("seccomp strict from filter mode", syscall(SYS_seccomp, OP_STRICT, 0, NULL), EINVAL);
	ERR("PR_SET_SECCOMP mode 3", prctl(PR_SET_SECCOMP, 3, 0, 0, 0), EINVAL);
	VAL("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 2);

	int failed = finish();
	if (failed)
		return failed;
	syscall(SYS_getpgrp); /* KILL_PROCESS: dies by SIGSYS */
	say("still alive\n");
	return 2;
}
