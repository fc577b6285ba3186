// futex_pi: PI futexes — LOCK_PI/LOCK_PI2/TRYLOCK_PI/UNLOCK_PI word protocol, handoff, timeouts, owner death, errnos, PTHREAD_PRIO_INHERIT mutexes (4 threads, robust).
#include "common.h"
#include <pthread.h>

#define F_WAIT 0
#define F_WAKE 1
#define F_LOCK_PI 6
#define F_UNLOCK_PI 7
#define F_TRYLOCK_PI 8
#define F_WAIT_REQUEUE_PI 11
#define F_CMP_REQUEUE_PI 12
#define F_LOCK_PI2 13
#define F_PRIVATE 128
#define F_CLOCK_REALTIME 256
#define WAITERS 0x80000000u
#define OWNER_DIED 0x40000000u

static long fx(void *u, int op, int val, const void *ts, void *u2, int val3)
{
	return syscall(SYS_futex, u, op, val, ts, u2, val3);
}
static long gettid_(void) { return syscall(SYS_gettid); }

/* An absolute deadline `ms` from now on `clock`. */
static struct timespec in_ms(clockid_t clock, int ms)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	ts.tv_nsec += ms * 1000000L;
	while (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
	return ts;
}
/* Waits until some thread set FUTEX_WAITERS in *u (it is then queued in the kernel). */
static void until_waiters_bit(unsigned *u)
{
	for (int i = 0; i < 5000 && !(__atomic_load_n(u, __ATOMIC_SEQ_CST) & WAITERS); i++)
		usleep(1000);
}

/* Waits until the thread whose tid lands in *tid sleeps in the kernel, i.e. is queued. */
static void thread_blocked(volatile long *tid)
{
	char path[64];
	for (int i = 0; i < 5000 && !*tid; i++)
		usleep(1000);
	snprintf(path, sizeof path, "/proc/self/task/%ld/stat", *tid);
	wait_blocked_stat(path);
}

/* ---- a PTHREAD_PRIO_INHERIT mutex under contention ---- */
static pthread_mutex_t pim;
static long counter;
static void *contender(void *a)
{
	(void)a;
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&pim);
		counter++;
		pthread_mutex_unlock(&pim);
	}
	return NULL;
}

/* ---- WAIT_REQUEUE_PI on cv, to the PI futex pw ---- */
static unsigned cv, pw;
struct rq { long ret; long tid; unsigned word; };
static void *requeue_waiter(void *a)
{
	struct rq *r = a;
	r->tid = gettid_();
	r->ret = fx(&cv, F_WAIT_REQUEUE_PI | F_PRIVATE, 0, NULL, &pw, 0) == 0 ? 0 : -errno;
	r->word = pw;
	if (r->ret == 0)
		fx(&pw, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}
/* Requeues (or wakes) the one waiter on cv once it is there. */
static long requeue_one(void)
{
	long n = 0;
	for (int i = 0; i < 5000 && (n = fx(&cv, F_CMP_REQUEUE_PI | F_PRIVATE, 1, (void *)1L, &pw, 0)) == 0; i++)
		usleep(1000);
	return n;
}

/* ---- raw lockers ---- */
struct locker { unsigned *u; int op; struct timespec *ts; long ret; long tid; unsigned word; int order; };
static int order_seq;
static void *locker(void *a)
{
	struct locker *l = a;
	l->tid = gettid_();
	l->ret = fx(l->u, l->op, 0, l->ts, NULL, 0) == 0 ? 0 : -errno;
	l->word = *l->u;
	if (l->ret == 0) {
		l->order = __atomic_add_fetch(&order_seq, 1, __ATOMIC_SEQ_CST);
		fx(l->u, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0);
	}
	return NULL;
}

/* A thread that takes *u and exits holding it, once someone waits (if asked). */
struct dier { unsigned *u; int wait_for_waiter; };
static void *dier(void *a)
{
	struct dier *d = a;
	fx(d->u, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0);
	if (d->wait_for_waiter)
		until_waiters_bit(d->u);
	return NULL;
}

/* Robust PI mutex: locked by a thread that exits. */
static pthread_mutex_t rm;
static unsigned *rm_word;   /* the mutex's lock word: the first int holding the owner's tid (glibc, musl) */
static volatile int rm_locked;
static void *robust_dier(void *a)
{
	pthread_mutex_lock(&rm);
	unsigned *p = (unsigned *)&rm;
	while ((*p & 0x3fffffff) != (unsigned)gettid_())
		p++;
	rm_word = p;
	rm_locked = 1;
	if (a)
		until_waiters_bit(p);
	return NULL;
}
static void *robust_waiter(void *a)
{
	long r = pthread_mutex_lock(&rm);
	*(long *)a = r;
	if (r == EOWNERDEAD) pthread_mutex_consistent(&rm);
	pthread_mutex_unlock(&rm);
	return NULL;
}

int main(void)
{
	long tid = gettid_();
	pthread_t th[4];

	/* --- 4 threads on a PTHREAD_PRIO_INHERIT mutex --- */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	VAL("setprotocol(PTHREAD_PRIO_INHERIT)", pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), 0);
	pthread_mutex_init(&pim, &ma);
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, contender, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	VAL("4 threads x 5000 increments under a PI mutex", counter, 20000);
	VAL("  trylock afterwards", pthread_mutex_trylock(&pim), 0);

	/* --- the word protocol --- */
	unsigned w = 0;
	VAL("LOCK_PI free word", fx(&w, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	CHECK("  word == tid", w == (unsigned)tid);
	ERR("LOCK_PI by the owner", fx(&w, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	ERR("LOCK_PI2 by the owner", fx(&w, F_LOCK_PI2 | F_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	VAL("UNLOCK_PI", fx(&w, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	VAL("  word", w, 0);
	w = OWNER_DIED;
	VAL("LOCK_PI on OWNER_DIED with no owner takes it", fx(&w, F_LOCK_PI, 0, NULL, NULL, 0), 0);
	CHECK("  word == tid | OWNER_DIED", w == ((unsigned)tid | OWNER_DIED));
	w = (unsigned)tid | WAITERS;
	VAL("UNLOCK_PI of tid|WAITERS with nobody queued", fx(&w, F_UNLOCK_PI, 0, NULL, NULL, 0), 0);
	VAL("  word", w, 0);
	ERR("UNLOCK_PI of a free word", fx(&w, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EPERM);
	w = 0x3ffffff0;   /* an owner tid that does not exist */
	ERR("LOCK_PI owned by a missing tid", fx(&w, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), ESRCH);
	ERR("TRYLOCK_PI owned by a missing tid", fx(&w, F_TRYLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), ESRCH);
	ERR("UNLOCK_PI owned by someone else", fx(&w, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EPERM);
	w = 0;
	ERR("LOCK_PI|CLOCK_REALTIME", fx(&w, F_LOCK_PI | F_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
	ERR("TRYLOCK_PI|CLOCK_REALTIME", fx(&w, F_TRYLOCK_PI | F_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
	ERR("UNLOCK_PI|CLOCK_REALTIME", fx(&w, F_UNLOCK_PI | F_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
	ERR("LOCK_PI unaligned", fx((char *)&w + 1, F_LOCK_PI, 0, NULL, NULL, 0), EINVAL);
	ERR("LOCK_PI bad timeout pointer", fx(&w, F_LOCK_PI, 0, BADPTR, NULL, 0), EFAULT);
	const unsigned *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 4096);
	ERR("LOCK_PI unmapped word", fx(hole, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	ERR("LOCK_PI read-only word", fx((void *)ro, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	ERR("UNLOCK_PI unmapped word", fx(hole, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), EFAULT);

	/* --- contention: trylock, timeouts, WAKE on a PI futex --- */
	VAL("LOCK_PI (main holds it)", fx(&w, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	struct locker l = { &w, F_TRYLOCK_PI | F_PRIVATE, NULL, 0, 0, 0, 0 };
	pthread_create(&th[0], NULL, locker, &l);
	pthread_join(th[0], NULL);
	VAL("TRYLOCK_PI held elsewhere: -EAGAIN", l.ret, -EAGAIN);
	CHECK("  word == tid | WAITERS afterwards", l.word == ((unsigned)tid | WAITERS));
	struct timespec rt = in_ms(CLOCK_REALTIME, 20), mono = in_ms(CLOCK_MONOTONIC, 20), rt2 = in_ms(CLOCK_REALTIME, 20);
	l = (struct locker){ &w, F_LOCK_PI | F_PRIVATE, &rt, 0, 0, 0, 0 };
	pthread_create(&th[0], NULL, locker, &l);
	pthread_join(th[0], NULL);
	VAL("LOCK_PI with a realtime deadline 20ms ahead times out", l.ret, -ETIMEDOUT);
	CHECK("  word still main's, WAITERS set", l.word == ((unsigned)tid | WAITERS));
	l = (struct locker){ &w, F_LOCK_PI2 | F_PRIVATE, &mono, 0, 0, 0, 0 };
	pthread_create(&th[0], NULL, locker, &l);
	pthread_join(th[0], NULL);
	VAL("LOCK_PI2 with a monotonic deadline times out", l.ret, -ETIMEDOUT);
	l = (struct locker){ &w, F_LOCK_PI2 | F_PRIVATE | F_CLOCK_REALTIME, &rt2, 0, 0, 0, 0 };
	pthread_create(&th[0], NULL, locker, &l);
	pthread_join(th[0], NULL);
	VAL("LOCK_PI2|CLOCK_REALTIME times out", l.ret, -ETIMEDOUT);

	/* --- handoff on UNLOCK_PI: each waiter gets the lock with the word naming it --- */
	struct locker ls[3];
	w &= ~WAITERS;  /* main owns it, nobody waits: clear the stale bit so the next waiter sets it again */
	for (int i = 0; i < 3; i++) {
		ls[i] = (struct locker){ &w, F_LOCK_PI | F_PRIVATE, NULL, 0, 0, 0, 0 };
		pthread_create(&th[i], NULL, locker, &ls[i]);
	}
	until_waiters_bit(&w);
	for (int i = 0; i < 3; i++)  /* all three asleep in the kernel, i.e. queued */
		thread_blocked(&ls[i].tid);
	ERR("WAKE on a PI futex with PI waiters", fx(&w, F_WAKE | F_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	ERR("WAIT on it works as a plain futex (value differs)", fx(&w, F_WAIT | F_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
	VAL("UNLOCK_PI hands over", fx(&w, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK("  each waiter got it once", ls[0].ret == 0 && ls[1].ret == 0 && ls[2].ret == 0 && order_seq == 3);
	int tidok = 1;
	for (int i = 0; i < 3; i++)
		tidok &= (ls[i].word & 0x3fffffff) == (unsigned)ls[i].tid && (ls[i].word & WAITERS) && !(ls[i].word & OWNER_DIED);
	CHECK("  new owner's word == its tid | WAITERS", tidok);
	VAL("  word free at the end", w, 0);

	/* --- owner death --- */
	struct dier d = { &w, 0 };
	pthread_create(&th[0], NULL, dier, &d);
	pthread_join(th[0], NULL);
	ERR("LOCK_PI after the owner exited (no robust list)", fx(&w, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), ESRCH);
	w = 0;
	d.wait_for_waiter = 1;
	pthread_create(&th[0], NULL, dier, &d);
	while (__atomic_load_n(&w, __ATOMIC_SEQ_CST) == 0)
		usleep(1000);
	VAL("LOCK_PI waiting on an owner that exits gets it", fx(&w, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	pthread_join(th[0], NULL);
	CHECK("  word == tid | WAITERS | OWNER_DIED", w == ((unsigned)tid | WAITERS | OWNER_DIED));
	VAL("  UNLOCK_PI", fx(&w, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);

	/* --- robust PI mutex --- */
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&rm, &ma);
	long wret = -1;
	pthread_create(&th[0], NULL, robust_dier, "wait");
	while (!rm_locked)
		usleep(1000);
	pthread_create(&th[1], NULL, robust_waiter, &wret);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	CHECK("robust PI mutex: a waiter gets EOWNERDEAD when the owner exits", wret == EOWNERDEAD);
	VAL("  lock after consistent+unlock", pthread_mutex_lock(&rm), 0);
	pthread_mutex_unlock(&rm);
	rm_locked = 0;
	pthread_create(&th[0], NULL, robust_dier, NULL);
	while (!rm_locked)
		usleep(1000);
	pthread_join(th[0], NULL);
	CHECK("  uncontended: word is OWNER_DIED after exit", *rm_word == OWNER_DIED);
	VAL("  then lock says EOWNERDEAD", pthread_mutex_lock(&rm), EOWNERDEAD);

	/* --- requeue PI --- */
	struct rq r = { 0, 0, 0 };
	pthread_create(&th[0], NULL, requeue_waiter, &r);
	VAL("CMP_REQUEUE_PI onto a free PI futex takes it for the waiter", requeue_one(), 1);
	pthread_join(th[0], NULL);
	CHECK("  WAIT_REQUEUE_PI returned 0 owning it: word == its tid | WAITERS", r.ret == 0 && r.word == ((unsigned)r.tid | WAITERS));
	VAL("LOCK_PI (main holds the PI futex)", fx(&pw, F_LOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	pthread_create(&th[0], NULL, requeue_waiter, &r);
	VAL("CMP_REQUEUE_PI onto a held PI futex requeues the waiter", requeue_one(), 1);
	ERR("  WAKE on the PI futex now", fx(&pw, F_WAKE | F_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	VAL("  UNLOCK_PI hands it over", fx(&pw, F_UNLOCK_PI | F_PRIVATE, 0, NULL, NULL, 0), 0);
	pthread_join(th[0], NULL);
	CHECK("  WAIT_REQUEUE_PI returned 0 owning it", r.ret == 0 && (r.word & 0x3fffffff) == (unsigned)r.tid);
	VAL("  word free at the end", pw, 0);
	struct timespec dl = in_ms(CLOCK_MONOTONIC, 20);
	ERR("WAIT_REQUEUE_PI nobody requeues: times out", fx(&cv, F_WAIT_REQUEUE_PI | F_PRIVATE, 0, &dl, &pw, 0), ETIMEDOUT);
	ERR("WAIT_REQUEUE_PI same address", fx(&cv, F_WAIT_REQUEUE_PI | F_PRIVATE, 0, NULL, &cv, 0), EINVAL);
	ERR("WAIT_REQUEUE_PI value mismatch", fx(&cv, F_WAIT_REQUEUE_PI | F_PRIVATE, 1, NULL, &w, 0), EAGAIN);
	ERR("CMP_REQUEUE_PI nr_wake 2", fx(&cv, F_CMP_REQUEUE_PI | F_PRIVATE, 2, (void *)1L, &w, 0), EINVAL);
	ERR("CMP_REQUEUE_PI same address", fx(&cv, F_CMP_REQUEUE_PI | F_PRIVATE, 1, (void *)1L, &cv, 0), EINVAL);
	ERR("CMP_REQUEUE_PI value mismatch", fx(&cv, F_CMP_REQUEUE_PI | F_PRIVATE, 1, (void *)1L, &w, 5), EAGAIN);
	VAL("CMP_REQUEUE_PI with no waiters", fx(&cv, F_CMP_REQUEUE_PI | F_PRIVATE, 1, (void *)1L, &w, 0), 0);
	return finish();
}
