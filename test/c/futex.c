// futex: a 4-thread futex mutex (exact count), WAIT value mismatch, timeouts, WAIT/WAKE_BITSET selectivity, REQUEUE/CMP_REQUEUE counts, WAKE_OP ops and compares, PI basics, errnos, a shared futex between two processes (file-backed: futex_file.c, PI: futex_pi.c).
#include "common.h"
#include <pthread.h>
#include <sys/wait.h>

#define F_WAIT 0
#define F_WAKE 1
#define F_REQUEUE 3
#define F_CMP_REQUEUE 4
#define F_WAKE_OP 5
#define F_LOCK_PI 6
#define F_UNLOCK_PI 7
#define F_TRYLOCK_PI 8
#define F_WAIT_BITSET 9
#define F_WAKE_BITSET 10
#define F_PRIVATE 128
#define F_CLOCK_REALTIME 256
#define OP(op, oparg, cmp, cmparg) ((int)((((unsigned)(op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff)))
#define OP_SET 0
#define OP_ADD 1
#define OP_OR 2
#define OP_ANDN 3
#define OP_XOR 4
#define OP_SHIFT 8
#define CMP_EQ 0
#define CMP_LT 2
#define CMP_GT 4

static long fx(void *u, int op, int val, const void *ts_or_val2, void *u2, int val3)
{
	return syscall(SYS_futex, u, op, val, ts_or_val2, u2, val3);
}

/* ---- a futex mutex (0 free, 1 locked, 2 contended) ---- */
static int lockw;
static long counter;
static void lock(void)
{
	int c = 0;
	if (__atomic_compare_exchange_n(&lockw, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&lockw, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		fx(&lockw, F_WAIT | F_PRIVATE, 2, NULL, NULL, 0);
		c = __atomic_exchange_n(&lockw, 2, __ATOMIC_ACQUIRE);
	}
}
static void unlock(void)
{
	if (__atomic_fetch_sub(&lockw, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&lockw, 0, __ATOMIC_RELEASE);
		fx(&lockw, F_WAKE | F_PRIVATE, 1, NULL, NULL, 0);
	}
}
static void *contender(void *a)
{
	(void)a;
	for (int i = 0; i < 20000; i++) {
		lock();
		counter++;
		unlock();
	}
	return NULL;
}

/* ---- waiters: wait on *u while *u == val, with a bitset ---- */
struct waiter { int *u; int val; int bitset; volatile int woke; long ret; };
static void *waiter(void *a)
{
	struct waiter *w = a;
	w->ret = fx(w->u, F_WAIT_BITSET | F_PRIVATE, w->val, NULL, NULL, w->bitset);
	w->woke = 1;
	return NULL;
}

/* Number of waiters blocked on u (moved to a parking futex and back, none woken). */
static int park;
static int waiters_flags(int *u, int priv)
{
	long n = fx(u, F_CMP_REQUEUE | priv, 0, (void *)(long)INT_MAX, &park, *u);
	if (n > 0)
		fx(&park, F_CMP_REQUEUE | priv, 0, (void *)(long)INT_MAX, u, park);
	return (int)n;
}
static int waiters_on(int *u) { return waiters_flags(u, F_PRIVATE); }
static void until_waiters_flags(int *u, int n, int priv)
{
	for (int i = 0; i < 5000 && waiters_flags(u, priv) < n; i++)     /* gives up after ~5s */
		usleep(1000);
}
static void until_waiters(int *u, int n) { until_waiters_flags(u, n, F_PRIVATE); }

int main(void)
{
	int w = 0, w2 = 0, w3 = 0;
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	pthread_t th[4];

	/* --- 4 threads contending on a futex mutex --- */
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, contender, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	VAL("4 threads x 20000 increments under a futex mutex", counter, 80000);
	VAL("  lock word free at the end", lockw, 0);

	/* --- simple cases and errnos --- */
	w = 5;
	ERR("WAIT with a changed value", fx(&w, F_WAIT, 4, NULL, NULL, 0), EAGAIN);
	ERR("WAIT_PRIVATE with a changed value", fx(&w, F_WAIT | F_PRIVATE, 4, NULL, NULL, 0), EAGAIN);
	ERR("WAIT timeout 10ms", fx(&w, F_WAIT, 5, &ms10, NULL, 0), ETIMEDOUT);
	struct timespec past = { 1, 0 };
	ERR("WAIT_BITSET absolute monotonic deadline in the past", fx(&w, F_WAIT_BITSET, 5, &past, NULL, -1), ETIMEDOUT);
	ERR("WAIT_BITSET|CLOCK_REALTIME deadline in the past", fx(&w, F_WAIT_BITSET | F_CLOCK_REALTIME, 5, &past, NULL, -1), ETIMEDOUT);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now.tv_nsec += 20 * 1000 * 1000;
	if (now.tv_nsec >= 1000000000) { now.tv_sec++; now.tv_nsec -= 1000000000; }
	ERR("WAIT_BITSET absolute deadline 20ms ahead", fx(&w, F_WAIT_BITSET | F_PRIVATE, 5, &now, NULL, -1), ETIMEDOUT);
	struct timespec badns = { 0, 1000000000 }, negs = { -1, 0 };
	ERR("WAIT tv_nsec = 1e9", fx(&w, F_WAIT, 5, &badns, NULL, 0), EINVAL);
	ERR("WAIT negative tv_sec", fx(&w, F_WAIT, 5, &negs, NULL, 0), EINVAL);
	ERR("WAIT bad timeout pointer", fx(&w, F_WAIT, 5, BADPTR, NULL, 0), EFAULT);
	ERR("WAIT_BITSET bitset 0", fx(&w, F_WAIT_BITSET, 5, NULL, NULL, 0), EINVAL);
	ERR("WAKE_BITSET bitset 0", fx(&w, F_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
	char *hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 4096);
	ERR("WAIT unmapped address", fx(hole, F_WAIT, 0, NULL, NULL, 0), EFAULT);
	ERR("WAIT_PRIVATE unmapped address", fx(hole, F_WAIT | F_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	ERR("WAIT kernel address", fx(KPTR, F_WAIT, 0, NULL, NULL, 0), EFAULT);
	ERR("WAKE (shared) unmapped address", fx(hole, F_WAKE, 1, NULL, NULL, 0), EFAULT);
	VAL("WAKE_PRIVATE unmapped address wakes nobody", fx(hole, F_WAKE | F_PRIVATE, 1, NULL, NULL, 0), 0);
	ERR("WAIT unaligned", fx((char *)&w + 1, F_WAIT, 0, NULL, NULL, 0), EINVAL);
	ERR("WAKE unaligned", fx((char *)&w + 2, F_WAKE, 1, NULL, NULL, 0), EINVAL);
	ERR("bad op 99", fx(&w, 99, 0, NULL, NULL, 0), ENOSYS);
	ERR("bad op 99|PRIVATE", fx(&w, 99 | F_PRIVATE, 0, NULL, NULL, 0), ENOSYS);
	ERR("WAKE|CLOCK_REALTIME", fx(&w, F_WAKE | F_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	VAL("WAKE with no waiters", fx(&w, F_WAKE, 10, NULL, NULL, 0), 0);
	ERR("CMP_REQUEUE value mismatch", fx(&w, F_CMP_REQUEUE, 1, (void *)1L, &w2, 4), EAGAIN);
	ERR("CMP_REQUEUE negative nr_wake", fx(&w, F_CMP_REQUEUE, -1, (void *)1L, &w2, 5), EINVAL);
	ERR("CMP_REQUEUE negative nr_requeue", fx(&w, F_CMP_REQUEUE, 1, (void *)-1L, &w2, 5), EINVAL);

	/* --- WAIT_BITSET / WAKE_BITSET selectivity --- */
	w = 0;
	struct waiter wa = { &w, 0, 1, 0, 0 }, wb = { &w, 0, 2, 0, 0 };
	pthread_create(&th[0], NULL, waiter, &wa);
	pthread_create(&th[1], NULL, waiter, &wb);
	until_waiters(&w, 2);
	VAL("WAKE_BITSET 4 wakes nobody", fx(&w, F_WAKE_BITSET | F_PRIVATE, 10, NULL, NULL, 4), 0);
	VAL("WAKE_BITSET 2 wakes the bitset-2 waiter", fx(&w, F_WAKE_BITSET | F_PRIVATE, 10, NULL, NULL, 2), 1);
	pthread_join(th[1], NULL);
	CHECK("  bitset-1 waiter still waiting", !wa.woke && waiters_on(&w) == 1);
	VAL("WAKE_BITSET 3 wakes it", fx(&w, F_WAKE_BITSET | F_PRIVATE, 10, NULL, NULL, 3), 1);
	pthread_join(th[0], NULL);
	VAL("  WAIT_BITSET returned", wa.ret, 0);

	/* --- Linux wakes at least one waiter even for nr_wake <= 0; requeue with 0/0 moves nobody --- */
	int nrs[] = { 0, -1 };
	for (int k = 0; k < 2; k++) {
		struct waiter z = { &w, 0, -1, 0, 0 };
		pthread_create(&th[0], NULL, waiter, &z);
		until_waiters(&w, 1);
		char lbl[64];
		snprintf(lbl, sizeof lbl, "WAKE nr_wake=%d with one waiter", nrs[k]);
		VAL(lbl, fx(&w, F_WAKE | F_PRIVATE, nrs[k], NULL, NULL, 0), 1);
		fx(&w, F_WAKE | F_PRIVATE, INT_MAX, NULL, NULL, 0);
		pthread_join(th[0], NULL);
	}
	{
		struct waiter z = { &w, 0, 5, 0, 0 };
		pthread_create(&th[0], NULL, waiter, &z);
		until_waiters(&w, 1);
		VAL("WAKE_BITSET nr_wake=0 with one waiter", fx(&w, F_WAKE_BITSET | F_PRIVATE, 0, NULL, NULL, 1), 1);
		fx(&w, F_WAKE | F_PRIVATE, INT_MAX, NULL, NULL, 0);
		pthread_join(th[0], NULL);
		z = (struct waiter){ &w, 0, -1, 0, 0 };
		pthread_create(&th[0], NULL, waiter, &z);
		until_waiters(&w, 1);
		VAL("CMP_REQUEUE nr_wake=0 nr_requeue=0 with one waiter", fx(&w, F_CMP_REQUEUE | F_PRIVATE, 0, (void *)0L, &w2, 0), 0);
		VAL("  still on w", fx(&w, F_WAKE | F_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
		pthread_join(th[0], NULL);
	}

	/* --- REQUEUE / CMP_REQUEUE --- */
	struct waiter ws[3];
	for (int i = 0; i < 3; i++) {
		ws[i] = (struct waiter){ &w, 0, -1, 0, 0 };
		pthread_create(&th[i], NULL, waiter, &ws[i]);
	}
	until_waiters(&w, 3);
	VAL("CMP_REQUEUE wake 0, requeue all 3 to w2", fx(&w, F_CMP_REQUEUE | F_PRIVATE, 0, (void *)(long)INT_MAX, &w2, 0), 3);
	VAL("  nobody left on w", fx(&w, F_WAKE | F_PRIVATE, 10, NULL, NULL, 0), 0);
	VAL("REQUEUE w2 -> w3 wake 1, requeue 1", fx(&w2, F_REQUEUE | F_PRIVATE, 1, (void *)1L, &w3, 0), 2);
	VAL("  one waiter on w3", fx(&w3, F_WAKE | F_PRIVATE, 10, NULL, NULL, 0), 1);
	VAL("  one left on w2", fx(&w2, F_WAKE | F_PRIVATE, 10, NULL, NULL, 0), 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK("  all three returned 0", ws[0].ret == 0 && ws[1].ret == 0 && ws[2].ret == 0);

	/* --- WAKE_OP --- */
	w2 = 10;
	VAL("WAKE_OP SET 7 (no waiters)", fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_SET, 7, CMP_EQ, 0)), 0);
	VAL("  w2", w2, 7);
	fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_ADD, 5, CMP_EQ, 0));
	VAL("  ADD 5", w2, 12);
	fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_OR, 0x30, CMP_EQ, 0));
	VAL("  OR 0x30", w2, 0x3c);
	fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_ANDN, 0xc, CMP_EQ, 0));
	VAL("  ANDN 0xc", w2, 0x30);
	fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_XOR, 0x11, CMP_EQ, 0));
	VAL("  XOR 0x11", w2, 0x21);
	fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_SET | OP_SHIFT, 4, CMP_EQ, 0));
	VAL("  SET 1<<4", w2, 16);
	fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(OP_ADD, -3, CMP_EQ, 0));
	VAL("  ADD -3 (sign-extended oparg)", w2, 13);
	ERR("WAKE_OP bad op", fx(&w, F_WAKE_OP, 1, (void *)1L, &w2, OP(6, 1, CMP_EQ, 0)), ENOSYS);
	VAL("  w2 unchanged", w2, 13);
	ERR("WAKE_OP unmapped uaddr2", fx(&w, F_WAKE_OP, 1, (void *)1L, hole, OP(OP_SET, 1, CMP_EQ, 0)), EFAULT);
	w = 0; w2 = 0;
	struct waiter o1 = { &w, 0, -1, 0, 0 }, o2 = { &w2, 0, -1, 0, 0 };
	pthread_create(&th[0], NULL, waiter, &o1);
	pthread_create(&th[1], NULL, waiter, &o2);
	until_waiters(&w, 1);
	until_waiters(&w2, 1);
	VAL("WAKE_OP with a true compare wakes both", fx(&w, F_WAKE_OP | F_PRIVATE, 1, (void *)1L, &w2, OP(OP_SET, 7, CMP_EQ, 0)), 2);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	o1 = (struct waiter){ &w, 0, -1, 0, 0 };
	o2 = (struct waiter){ &w2, 7, -1, 0, 0 };
	pthread_create(&th[0], NULL, waiter, &o1);
	pthread_create(&th[1], NULL, waiter, &o2);
	until_waiters(&w, 1);
	until_waiters(&w2, 1);
	VAL("WAKE_OP with a false compare wakes only uaddr", fx(&w, F_WAKE_OP | F_PRIVATE, 1, (void *)1L, &w2, OP(OP_ADD, 1, CMP_LT, 7)), 1);
	pthread_join(th[0], NULL);
	VAL("  w2 = 8", w2, 8);
	VAL("  uaddr2 waiter still there", waiters_on(&w2), 1);
	fx(&w2, F_WAKE | F_PRIVATE, 1, NULL, NULL, 0);
	pthread_join(th[1], NULL);

	/* --- PI basics --- */
	int pi = 0;
	long tid = syscall(SYS_gettid);
	VAL("LOCK_PI on a free futex", fx(&pi, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	CHECK("  owner tid stored", pi == tid);
	ERR("LOCK_PI again by the owner", fx(&pi, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	ERR("TRYLOCK_PI by the owner", fx(&pi, F_TRYLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	VAL("UNLOCK_PI", fx(&pi, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	VAL("  word 0", pi, 0);
	ERR("UNLOCK_PI when not the owner", fx(&pi, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EPERM);
	VAL("TRYLOCK_PI free", fx(&pi, F_TRYLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	fx(&pi, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0);

	/* --- a shared futex between two processes: 200 ping-pongs over MAP_SHARED --- */
	int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sh[0] = 0;
	pid_t c = fork();
	if (c == 0) {
		for (int i = 0; i < 200; i++) {
			while (__atomic_load_n(&sh[0], __ATOMIC_SEQ_CST) != 2 * i + 1)
				fx(&sh[0], F_WAIT, 2 * i, NULL, NULL, 0);
			__atomic_store_n(&sh[0], 2 * i + 2, __ATOMIC_SEQ_CST);
			fx(&sh[0], F_WAKE, 1, NULL, NULL, 0);
		}
		_exit(0);
	}
	for (int i = 0; i < 200; i++) {
		__atomic_store_n(&sh[0], 2 * i + 1, __ATOMIC_SEQ_CST);
		fx(&sh[0], F_WAKE, 1, NULL, NULL, 0);
		while (__atomic_load_n(&sh[0], __ATOMIC_SEQ_CST) != 2 * i + 2)
			fx(&sh[0], F_WAIT, 2 * i + 1, NULL, NULL, 0);
	}
	VAL("200 cross-process ping-pongs", sh[0], 400);
	int st;
	CHECK("  child done", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* a child blocked on the shared word is woken from the parent */
	sh[1] = 0;
	c = fork();
	if (c == 0)
		_exit(fx(&sh[1], F_WAIT, 0, NULL, NULL, 0) == 0 && sh[1] == 1 ? 0 : 1);
	until_waiters_flags(&sh[1], 1, 0);
	sh[1] = 1;
	VAL("shared WAKE from the parent wakes the child", fx(&sh[1], F_WAKE, 1, NULL, NULL, 0), 1);
	CHECK("  child saw the wake", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return finish();
}
