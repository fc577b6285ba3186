// sched_getaffinity (raw return value rules, errnos), sched_setaffinity round trip, sched_yield,
// scheduler policy queries.  CPU counts are not printed, only relationships.
#include "common.h"
#include <sched.h>

static unsigned long mask[128], mask2[128];

static int popcount(const unsigned long *m, long bytes)
{
	int n = 0;
	for (long i = 0; i < bytes / 8; i++)
		n += __builtin_popcountl(m[i]);
	return n;
}

int main(void)
{
	long n = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
	CHECK("sched_getaffinity returns bytes copied > 0", n > 0);
	CHECK("a multiple of sizeof(long)", n % sizeof(long) == 0);
	CHECK("not more than asked", n <= (long)sizeof mask);
	int cpus = popcount(mask, n);
	CHECK("at least one CPU", cpus >= 1);
	long onln = sysconf(_SC_NPROCESSORS_ONLN);
	CHECK("no more CPUs than online (sysconf)", onln < 1 || cpus <= onln);
	long n2 = syscall(SYS_sched_getaffinity, 0, n, mask2);
	VAL("exactly the needed size works", n2 == n, 1);
	CHECK("same mask", !memcmp(mask, mask2, n));
	long tid = syscall(SYS_gettid);
	CHECK("own tid gives the same mask", syscall(SYS_sched_getaffinity, tid, sizeof mask2, mask2) == n &&
	      !memcmp(mask, mask2, n));

	ERR("len 0", syscall(SYS_sched_getaffinity, 0, 0, mask2), EINVAL);
	ERR("len 7 (not a multiple of 8)", syscall(SYS_sched_getaffinity, 0, 7, mask2), EINVAL);
	ERR("len 12 (not a multiple of 8)", syscall(SYS_sched_getaffinity, 0, 12, mask2), EINVAL);
	ERR("bad pointer", syscall(SYS_sched_getaffinity, 0, sizeof mask, BADPTR), EFAULT);
	ERR("nonexistent pid", syscall(SYS_sched_getaffinity, 0x3ffffff, sizeof mask, mask2), ESRCH);
	ERR("pid -1", syscall(SYS_sched_getaffinity, -1, sizeof mask, mask2), ESRCH);
	CHECK("libc sched_getaffinity agrees", sched_getaffinity(0, sizeof mask2, (cpu_set_t *)mask2) == 0 &&
	      popcount(mask2, n) == cpus);

	/* setaffinity: same mask round trip; single CPU; empty mask */
	VAL("sched_setaffinity same mask", syscall(SYS_sched_setaffinity, 0, n, mask), 0);
	unsigned long one[128] = { 0 };
	int first = 0;
	while (!(mask[first / 64] & (1UL << (first % 64))))
		first++;
	one[first / 64] = 1UL << (first % 64);
	VAL("sched_setaffinity to the first allowed CPU", syscall(SYS_sched_setaffinity, 0, n, one), 0);
	syscall(SYS_sched_getaffinity, 0, sizeof mask2, mask2);
	CHECK("reads back one CPU", popcount(mask2, n) == 1 && !memcmp(mask2, one, n));
	unsigned long none[128] = { 0 };
	ERR("sched_setaffinity empty mask", syscall(SYS_sched_setaffinity, 0, n, none), EINVAL);
	ERR("sched_setaffinity bad pointer", syscall(SYS_sched_setaffinity, 0, n, BADPTR), EFAULT);
	ERR("sched_setaffinity nonexistent pid", syscall(SYS_sched_setaffinity, 0x3ffffff, n, mask), ESRCH);
	VAL("restore", syscall(SYS_sched_setaffinity, 0, n, mask), 0);

	/* sched_yield */
	VAL("sched_yield", syscall(SYS_sched_yield), 0);
	int ok = 1;
	for (int i = 0; i < 1000; i++)
		if (syscall(SYS_sched_yield) != 0)
			ok = 0;
	CHECK("1000 more yields", ok);
	VAL("libc sched_yield", sched_yield(), 0);

	/* policy queries */
	VAL("sched_getscheduler(0) is SCHED_OTHER", syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
	ERR("sched_getscheduler nonexistent pid", syscall(SYS_sched_getscheduler, 0x3ffffff), ESRCH);
	ERR("sched_getscheduler(-1)", syscall(SYS_sched_getscheduler, -1), EINVAL);
	struct sched_param sp = { 42 };
	VAL("sched_getparam", syscall(SYS_sched_getparam, 0, &sp), 0);
	VAL("priority 0", sp.sched_priority, 0);
	VAL("sched_get_priority_max(SCHED_FIFO)", syscall(SYS_sched_get_priority_max, SCHED_FIFO), 99);
	VAL("sched_get_priority_min(SCHED_FIFO)", syscall(SYS_sched_get_priority_min, SCHED_FIFO), 1);
	VAL("sched_get_priority_max(SCHED_OTHER)", syscall(SYS_sched_get_priority_max, SCHED_OTHER), 0);
	ERR("sched_get_priority_max(42)", syscall(SYS_sched_get_priority_max, 42), EINVAL);
	return finish();
}
