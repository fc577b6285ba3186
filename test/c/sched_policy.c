// sched_setscheduler/setparam/getscheduler/getparam, sched_setattr/getattr, sched_rr_get_interval, setpriority/getpriority:
// values read back, errnos, and what is refused without CAP_SYS_NICE. Needs root with CAP_SYS_NICE.
#include "common.h"

#define K_SCHED_OTHER 0
#define K_SCHED_FIFO 1
#define K_SCHED_RR 2
#define K_SCHED_BATCH 3
#define K_SCHED_IDLE 5
#define K_SCHED_DEADLINE 6
#define K_SCHED_RESET_ON_FORK 0x40000000
#define K_FLAG_RESET_ON_FORK 0x01
#define K_FLAG_KEEP_POLICY 0x08
#define CAP_SYS_NICE_BIT (1U << 23)

struct k_sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
	uint64_t extra; /* for the "bigger than the kernel's struct" cases */
};

static long setsched(int policy, int prio)
{
	int p = prio;
	return syscall(SYS_sched_setscheduler, 0, policy, &p);
}

static int getparam(void)
{
	int p = -1;
	syscall(SYS_sched_getparam, 0, &p);
	return p;
}

/* getpriority(2) as the kernel returns it: 20 - nice of the best target. */
static long rawprio(int which, int who) { return syscall(SYS_getpriority, which, who); }

static long setattr(struct k_sched_attr *a) { return syscall(SYS_sched_setattr, 0, a, 0); }

int main(void)
{
	struct rlimit zero = { 0, 0 };
	OK("RLIMIT_NICE 0", setrlimit(RLIMIT_NICE, &zero));
	OK("RLIMIT_RTPRIO 0", setrlimit(RLIMIT_RTPRIO, &zero));
	setsid(); /* alone in a process group (fails harmlessly where already a session leader) */
	OK("nice 0", syscall(SYS_setpriority, PRIO_PROCESS, 0, 0));
	OK("SCHED_OTHER", setsched(K_SCHED_OTHER, 0));

	VAL("getscheduler", syscall(SYS_sched_getscheduler, 0), K_SCHED_OTHER);
	VAL("getparam", getparam(), 0);
	VAL("getpriority", rawprio(PRIO_PROCESS, 0), 20);
	OK("setpriority 10", syscall(SYS_setpriority, PRIO_PROCESS, 0, 10));
	VAL("getpriority", rawprio(PRIO_PROCESS, 0), 10);
	VAL("getpriority own pid", rawprio(PRIO_PROCESS, getpid()), 10);
	VAL("getpriority PRIO_PGRP 0", rawprio(PRIO_PGRP, 0), 10);
	OK("setpriority 100 clamps", syscall(SYS_setpriority, PRIO_PROCESS, 0, 100));
	VAL("nice 19", rawprio(PRIO_PROCESS, 0), 1);
	OK("setpriority -100 clamps", syscall(SYS_setpriority, PRIO_PROCESS, 0, -100));
	VAL("nice -20", rawprio(PRIO_PROCESS, 0), 40);
	OK("setpriority PRIO_PGRP 3", syscall(SYS_setpriority, PRIO_PGRP, 0, 3));
	VAL("nice 3", rawprio(PRIO_PROCESS, 0), 17);
	errno = 0;
	VAL("libc getpriority", getpriority(PRIO_PROCESS, 0), 3);
	ERR("setpriority which 3", syscall(SYS_setpriority, 3, 0, 0), EINVAL);
	ERR("getpriority which -1", syscall(SYS_getpriority, -1, 0), EINVAL);
	ERR("setpriority no such pid", syscall(SYS_setpriority, PRIO_PROCESS, 0x3ffffff, 0), ESRCH);
	ERR("getpriority no such pid", syscall(SYS_getpriority, PRIO_PROCESS, 0x3ffffff), ESRCH);

	/* real-time policies */
	OK("SCHED_FIFO 10", setsched(K_SCHED_FIFO, 10));
	VAL("getscheduler FIFO", syscall(SYS_sched_getscheduler, 0), K_SCHED_FIFO);
	VAL("getparam FIFO", getparam(), 10);
	VAL("nice kept under FIFO", rawprio(PRIO_PROCESS, 0), 17);
	struct timespec ts = { -1, -1 };
	OK("rr_get_interval FIFO", syscall(SYS_sched_rr_get_interval, 0, &ts));
	say("FIFO interval: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	OK("SCHED_RR 5", setsched(K_SCHED_RR, 5));
	OK("rr_get_interval RR", syscall(SYS_sched_rr_get_interval, 0, &ts));
	say("RR interval: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	int prm = 20;
	OK("sched_setparam 20 keeps RR", syscall(SYS_sched_setparam, 0, &prm));
	VAL("getparam", getparam(), 20);
	VAL("still RR", syscall(SYS_sched_getscheduler, 0), K_SCHED_RR);
	prm = 0;
	ERR("sched_setparam 0 under RR", syscall(SYS_sched_setparam, 0, &prm), EINVAL);
	ERR("FIFO priority 0", setsched(K_SCHED_FIFO, 0), EINVAL);
	ERR("FIFO priority 100", setsched(K_SCHED_FIFO, 100), EINVAL);
	ERR("FIFO priority -1", setsched(K_SCHED_FIFO, -1), EINVAL);
	ERR("OTHER priority 5", setsched(K_SCHED_OTHER, 5), EINVAL);
	ERR("policy 100", setsched(100, 0), EINVAL);
	ERR("policy -1", setsched(-1, 0), EINVAL);
	ERR("DEADLINE through setscheduler", setsched(K_SCHED_DEADLINE, 0), EINVAL);
	ERR("pid -1", syscall(SYS_sched_setscheduler, -1, K_SCHED_OTHER, &prm), EINVAL);
	ERR("NULL param", syscall(SYS_sched_setscheduler, 0, K_SCHED_OTHER, NULL), EINVAL);
	ERR("bad param", syscall(SYS_sched_setscheduler, 0, K_SCHED_OTHER, BADPTR), EFAULT);
	ERR("no such pid", syscall(SYS_sched_setscheduler, 0x3ffffff, K_SCHED_OTHER, &prm), ESRCH);
	ERR("getscheduler pid -1", syscall(SYS_sched_getscheduler, -1), EINVAL);
	ERR("getparam NULL", syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	ERR("rr_get_interval pid -1", syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
	OK("SCHED_BATCH", setsched(K_SCHED_BATCH, 0));
	VAL("getscheduler BATCH", syscall(SYS_sched_getscheduler, 0), K_SCHED_BATCH);
	OK("OTHER with RESET_ON_FORK", setsched(K_SCHED_OTHER | K_SCHED_RESET_ON_FORK, 0));
	VALX("getscheduler shows the flag", syscall(SYS_sched_getscheduler, 0), K_SCHED_RESET_ON_FORK);

	/* sched_getattr / sched_setattr */
	struct k_sched_attr a;
	memset(&a, 0xff, sizeof a);
	OK("getattr 48", syscall(SYS_sched_getattr, 0, &a, 48, 0));
	say("attr: size %u policy %u flags %#llx nice %d prio %u\n", a.size, a.policy, (unsigned long long)a.flags, a.nice, a.priority);
	CHECK("getattr 48 writes nothing past 48 bytes", a.util_min == 0xffffffff);
	ERR("getattr size 47", syscall(SYS_sched_getattr, 0, &a, 47, 0), EINVAL);
	ERR("getattr size 4097", syscall(SYS_sched_getattr, 0, &a, 4097, 0), EINVAL);
	ERR("getattr flags", syscall(SYS_sched_getattr, 0, &a, 48, 1), EINVAL);
	ERR("getattr NULL", syscall(SYS_sched_getattr, 0, NULL, 48, 0), EINVAL);
	ERR("getattr no such pid", syscall(SYS_sched_getattr, 0x3ffffff, &a, 48, 0), ESRCH);
	memset(&a, 0, sizeof a);
	a.size = 48;
	a.policy = K_SCHED_OTHER;
	a.flags = K_FLAG_RESET_ON_FORK;
	a.nice = 5;
	OK("setattr OTHER nice 5", setattr(&a));
	VAL("nice 5", rawprio(PRIO_PROCESS, 0), 15);
	a.nice = 100;
	OK("setattr nice 100 clamps", setattr(&a));
	VAL("nice 19", rawprio(PRIO_PROCESS, 0), 1);
	a.size = 0;
	a.nice = 2;
	OK("setattr size 0 means 48", setattr(&a));
	VAL("nice 2", rawprio(PRIO_PROCESS, 0), 18);
	a.size = 40;
	ERR("setattr size 40", setattr(&a), E2BIG);
	VAL("kernel size written back", a.size, 56);
	a.size = 64;
	a.extra = 1;
	ERR("setattr unknown non-zero tail", setattr(&a), E2BIG);
	a.extra = 0;
	OK("setattr zero tail is fine", setattr(&a));
	a.size = 48;
	ERR("setattr flags argument", syscall(SYS_sched_setattr, 0, &a, 1), EINVAL);
	ERR("setattr unknown sched_flags", (a.flags = 1 << 20, setattr(&a)), EINVAL);
	a.flags = K_FLAG_RESET_ON_FORK;
	a.policy = K_SCHED_FIFO;
	a.priority = 7;
	OK("setattr FIFO 7", setattr(&a));
	a.policy = 99;
	a.flags = K_FLAG_KEEP_POLICY | K_FLAG_RESET_ON_FORK;
	a.priority = 8;
	OK("setattr KEEP_POLICY", setattr(&a));
	memset(&a, 0, sizeof a);
	OK("getattr", syscall(SYS_sched_getattr, 0, &a, 48, 0));
	say("attr: size %u policy %u flags %#llx nice %d prio %u\n", a.size, a.policy, (unsigned long long)a.flags, a.nice, a.priority);
	OK("back to OTHER", setsched(K_SCHED_OTHER | K_SCHED_RESET_ON_FORK, 0));

	/* without CAP_SYS_NICE */
	struct { uint32_t v; int pid; } h = { 0x20080522, 0 };
	struct { uint32_t e, p, i; } d[2];
	syscall(SYS_capget, &h, d);
	d[0].e &= ~CAP_SYS_NICE_BIT;
	OK("drop CAP_SYS_NICE", syscall(SYS_capset, &h, d));
	ERR("lower nice", syscall(SYS_setpriority, PRIO_PROCESS, 0, 1), EACCES);
	OK("raise nice", syscall(SYS_setpriority, PRIO_PROCESS, 0, 4));
	ERR("SCHED_FIFO", setsched(K_SCHED_FIFO, 1), EPERM);
	ERR("clear RESET_ON_FORK", setsched(K_SCHED_OTHER, 0), EPERM);
	a.size = 48;
	a.policy = K_SCHED_OTHER;
	a.flags = K_FLAG_RESET_ON_FORK;
	a.nice = 0;
	a.priority = 0;
	ERR("setattr lower nice", setattr(&a), EPERM);
	OK("SCHED_IDLE", setsched(K_SCHED_IDLE | K_SCHED_RESET_ON_FORK, 0));
	ERR("leave SCHED_IDLE", setsched(K_SCHED_BATCH | K_SCHED_RESET_ON_FORK, 0), EPERM);
	VAL("getscheduler", syscall(SYS_sched_getscheduler, 0), K_SCHED_IDLE | K_SCHED_RESET_ON_FORK);
	VAL("nice", rawprio(PRIO_PROCESS, 0), 16);
	return finish();
}
