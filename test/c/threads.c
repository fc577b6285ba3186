// threads: distinct tids, shared memory, join values, pthread_exit from main, exit_group from a thread, exec from a non-main thread, robust mutexes (thread and process owner death), CLONE_CHILD_CLEARTID, thread-directed signals and per-thread masks.
#include "common.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define N 8
static pid_t tids[N];
static volatile int counter;
static pthread_barrier_t bar;

static long gettid_(void) { return syscall(SYS_gettid); }
static void *worker(void *arg)
{
	long i = (long)arg;
	tids[i] = gettid_();
	pthread_barrier_wait(&bar);
	for (int k = 0; k < 1000; k++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	if (i == 5)
		pthread_exit((void *)55);
	return (void *)(i * 10);
}

/* ---- signals: which thread takes them ---- */
static volatile pid_t handled_by;
static volatile int handled_count;
static void on_usr(int sig) { (void)sig; handled_by = gettid_(); handled_count++; }
static volatile int stop_waiters;
static int blocks_usr2[N];

static void *sig_waiter(void *arg)
{
	long i = (long)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(blocks_usr2[i] ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
	tids[i] = gettid_();
	pthread_barrier_wait(&bar);
	while (!stop_waiters)
		usleep(1000);
	return NULL;
}

static void *sleeper(void *arg) { (void)arg; for (;;) pause(); return NULL; }

static char *self_path;
static void *exec_thread(void *arg)
{
	char pid[32], ppid[32];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	snprintf(ppid, sizeof ppid, "%d", (int)getppid());
	(void)arg;
	execl(self_path, self_path, "execd", pid, ppid, (char *)NULL);
	_exit(127);
}

static void *nap_thread(void *a) { (void)a; usleep(100000); return NULL; }
static void *exit_group_thread(void *a) { (void)a; usleep(20000); syscall(SYS_exit_group, 9); return NULL; }
static pid_t main_pid;
static int report_fd;
static void *report_thread(void *a)
{
	(void)a;
	usleep(100000);
	char ok = getpid() == main_pid ? 'y' : 'n';
	if (write(report_fd, &ok, 1) != 1) _exit(1);
	exit(6);
}

/* a thread that forks a child and (optionally) exits while the child lives on */
static int fk_ready[2], fk_hold[2];
static pid_t fk_child;
static volatile int release_forker;
static void *forking_thread(void *pdeath)
{
	fk_child = fork();
	if (fk_child == 0) {
		sigset_t u1;
		sigemptyset(&u1);
		sigaddset(&u1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &u1, NULL);
		if (pdeath) prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
		if (write(fk_ready[1], "r", 1) != 1) _exit(99);
		if (pdeath) {
			struct timespec ts = { 5, 0 };
			siginfo_t si;
			_exit(syscall(SYS_rt_sigtimedwait, &u1, &si, &ts, 8) == SIGUSR1 ? 1 : 0);
		}
		char ch;
		close(fk_hold[1]);
		while (read(fk_hold[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(2);
	}
	char ch;
	if (read(fk_ready[0], &ch, 1) != 1) return (void *)1;
	while (!pdeath && !release_forker)
		usleep(1000);
	return NULL;
}

static void *tid_reporter(void *a)
{
	(void)a;
	pid_t tid = gettid_();
	if (write(report_fd, &tid, sizeof tid) != sizeof tid) _exit(1);
	for (;;)
		pause();
}

static void *lock_and_leave(void *m) { return (void *)(long)pthread_mutex_lock(m); }

/* ---- raw CLONE_CHILD_CLEARTID thread ---- */
static volatile int raw_go;
static int raw_fn(void *arg) { (void)arg; while (!raw_go) syscall(SYS_sched_yield); return 0; }
static long raw_thread(unsigned long flags, void *stack_top, int *ptid, int *ctid, int (*fn)(void *), void *arg)
{
	long ret;
	void **sp = (void **)stack_top;
	*--sp = arg;
	*--sp = (void *)fn;
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = 0;
	__asm__ volatile("syscall\n\ttest %%rax, %%rax\n\tjnz 1f\n\t"
			 "pop %%rax\n\tpop %%rdi\n\tand $-16, %%rsp\n\tcall *%%rax\n\t"
			 "mov %%eax, %%edi\n\tmov $60, %%eax\n\tsyscall\n\thlt\n1:\n"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(flags), "S"(sp), "d"(ptid), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "execd")) {
		say("  exec'd: pid unchanged=%d, tid==pid=%d, same parent=%d\n", getpid() == atoi(argv[2]),
		    gettid_() == getpid(), getppid() == atoi(argv[3]));
		return 21;
	}
	self_path = argv[0];
	pthread_t th[N];
	if (argc == 3 && !strcmp(argv[1], "pexit")) {
		report_fd = atoi(argv[2]);
		main_pid = getpid();
		pthread_create(&th[0], NULL, report_fd < 0 ? nap_thread : report_thread, NULL);
		pthread_exit(NULL);
	}
	void *ret;

	/* --- 8 threads: distinct tids, shared counter, join values --- */
	CHECK("main thread: gettid == getpid", gettid_() == getpid());
	pthread_barrier_init(&bar, NULL, N + 1);
	for (long i = 0; i < N; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	pthread_barrier_wait(&bar);
	int distinct = 1;
	for (int i = 0; i < N; i++) {
		if (tids[i] == getpid() || tids[i] <= 0) distinct = 0;
		for (int j = 0; j < i; j++) if (tids[i] == tids[j]) distinct = 0;
	}
	CHECK("8 distinct tids, none equal to the pid", distinct);
	int joined = 1;
	for (long i = 0; i < N; i++) {
		if (pthread_join(th[i], &ret) != 0 || (long)ret != (i == 5 ? 55 : i * 10)) joined = 0;
	}
	CHECK("join returns each thread's value (pthread_exit for one)", joined);
	VAL("shared counter", counter, N * 1000);
	pthread_barrier_destroy(&bar);

	/* --- CLONE_CHILD_CLEARTID: the kernel zeroes the word and wakes the futex --- */
	static int word;
	char *stk = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long t = raw_thread(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, stk + 65536, &word, &word, raw_fn, NULL);
	CHECK("raw clone thread created, PARENT_SETTID wrote its tid", t > 0 && word == t);
	raw_go = 1;
	int v, waits = 0;
	while ((v = __atomic_load_n(&word, __ATOMIC_SEQ_CST)) != 0) {
		syscall(SYS_futex, &word, 0 /* FUTEX_WAIT */, v, NULL, NULL, 0);
		waits++;
	}
	CHECK("tid word cleared at thread exit (futex woken)", word == 0);

	/* --- pthread_exit from main: the process lives on until its last thread exits.
	 * Run in a freshly exec'd image: musl's main thread in a forked child has no
	 * clear_child_tid, so its pthread_exit would leave musl's thread list locked. */
	int p[2];
	pid_t c = fork();
	if (c == 0) {
		execl(self_path, self_path, "pexit", "-1", (char *)NULL);
		_exit(127);
	}
	VAL("main thread called pthread_exit: exits 0 with its last thread", reap(c), 0);
	OK("pipe", pipe(p));
	c = fork();
	if (c == 0) {
		char fd[16];
		close(p[0]);
		snprintf(fd, sizeof fd, "%d", p[1]);
		execl(self_path, self_path, "pexit", fd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char ch = 0;
	VAL("worker still running after main's pthread_exit", read(p[0], &ch, 1), 1);
	CHECK("  same pid", ch == 'y');
	close(p[0]);
	VAL("  exit(6) from the worker", reap(c), 6);

	/* --- exit_group from a non-main thread kills all threads --- */
	c = fork();
	if (c == 0) {
		for (int i = 0; i < 3; i++)
			pthread_create(&th[i], NULL, sleeper, NULL);
		pthread_create(&th[3], NULL, exit_group_thread, NULL);
		for (;;)
			pause();
	}
	VAL("exit_group(9) from a thread ends the process", reap(c), 9);

	/* --- execve from a non-main thread: one thread left, pid kept --- */
	c = fork();
	if (c == 0) {
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, sleeper, NULL);
		pthread_create(&th[2], NULL, exec_thread, NULL);
		for (;;)
			pause();
	}
	VAL("exec from a non-main thread: exit code of the new image", reap(c), 21);

	/* --- a fatal signal sent to one thread kills the whole process --- */
	OK("pipe", pipe(p));
	c = fork();
	if (c == 0) {
		report_fd = p[1];
		pthread_create(&th[0], NULL, tid_reporter, NULL);
		for (;;)
			pause();
	}
	pid_t victim = 0;
	VAL("thread reported its tid", read(p[0], &victim, sizeof victim), sizeof victim);
	close(p[0]); close(p[1]);
	VAL("tgkill(another thread, SIGTERM)", syscall(SYS_tgkill, c, victim, SIGTERM), 0);
	VAL("  the whole process dies", reap(c), 128 + SIGTERM);

	/* --- children forked by another thread: waitable from main, except with __WNOTHREAD --- */
	int st;
	OK("pipes", pipe(fk_ready) | pipe(fk_hold));
	pthread_create(&th[0], NULL, forking_thread, NULL);
	while (!fk_child)
		usleep(1000);
	ERR("waitpid(__WNOTHREAD) for a child of another thread", waitpid(fk_child, &st, WNOHANG | 0x20000000), ECHILD);
	VAL("plain waitpid WNOHANG sees it", waitpid(fk_child, &st, WNOHANG), 0);
	release_forker = 1;
	pthread_join(th[0], NULL);
	VAL("after that thread exits, even __WNOTHREAD sees it (reparented to us)", waitpid(fk_child, &st, WNOHANG | 0x20000000), 0);
	close(fk_hold[1]);
	VAL("  and reaps it", reap(fk_child), 2);
	close(fk_hold[0]);
	/* PR_SET_PDEATHSIG fires when the parent *thread* exits, though the process lives on */
	OK("pipe", pipe(fk_hold));
	fk_child = 0;
	pthread_create(&th[0], NULL, forking_thread, (void *)1);
	pthread_join(th[0], NULL);
	VAL("child of an exited thread got its PDEATHSIG", reap(fk_child), 1);
	close(fk_ready[0]); close(fk_ready[1]); close(fk_hold[0]); close(fk_hold[1]);

	/* --- robust mutexes --- */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_t m;
	pthread_mutex_init(&m, &ma);
	pthread_create(&th[0], NULL, lock_and_leave, &m);
	pthread_join(th[0], &ret);
	VAL("thread locked the robust mutex and exited", (long)ret, 0);
	VAL("next locker gets EOWNERDEAD", pthread_mutex_lock(&m), EOWNERDEAD);
	VAL("pthread_mutex_consistent", pthread_mutex_consistent(&m), 0);
	VAL("unlock", pthread_mutex_unlock(&m), 0);
	VAL("lock again", pthread_mutex_lock(&m), 0);
	pthread_mutex_unlock(&m);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutex_init(sm, &ma);
	OK("pipe", pipe(p));
	c = fork();
	if (c == 0) {
		if (pthread_mutex_lock(sm) != 0) _exit(1);
		if (write(p[1], "l", 1) != 1) _exit(2);
		usleep(100000);          /* the parent is (probably) blocked on the mutex now */
		_exit(0);
	}
	VAL("child process locked the shared robust mutex", read(p[0], &ch, 1), 1);
	VAL("parent's lock after the owner process died: EOWNERDEAD", pthread_mutex_lock(sm), EOWNERDEAD);
	pthread_mutex_consistent(sm);
	pthread_mutex_unlock(sm);
	VAL("  child", reap(c), 0);
	close(p[0]); close(p[1]);

	/* --- signals: pthread_kill targets one thread; kill() goes to the thread that does not block --- */
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	sigset_t s2, old;
	sigemptyset(&s2);
	sigaddset(&s2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s2, &old);
	for (int i = 0; i < N; i++)
		blocks_usr2[i] = i != 6;
	pthread_barrier_init(&bar, NULL, N + 1);
	for (long i = 0; i < N; i++)
		pthread_create(&th[i], NULL, sig_waiter, (void *)i);
	pthread_barrier_wait(&bar);
	int right = 1;
	for (int i = 0; i < N; i++) {
		handled_by = 0;
		int hc = handled_count;
		pthread_kill(th[i], SIGUSR1);
		while (handled_count == hc)
			usleep(1000);
		if (handled_by != tids[i]) right = 0;
	}
	CHECK("pthread_kill(SIGUSR1) ran the handler on each target thread", right);
	handled_by = 0;
	int hc = handled_count;
	VAL("tgkill", syscall(SYS_tgkill, getpid(), tids[2], SIGUSR1), 0);
	while (handled_count == hc)
		usleep(1000);
	CHECK("  on the right thread", handled_by == tids[2]);
	hc = handled_count;
	kill(getpid(), SIGUSR2);
	while (handled_count == hc)
		usleep(1000);
	CHECK("kill(getpid(), SIGUSR2) taken by the only thread not blocking it", handled_by == tids[6]);
	pthread_kill(th[3], SIGUSR2);            /* thread 3 blocks it: pending on thread 3 only */
	sigset_t pend;
	sigpending(&pend);
	VAL("thread-directed pending signal not visible to another thread", sigismember(&pend, SIGUSR2), 0);
	sigset_t mine;
	pthread_sigmask(SIG_SETMASK, NULL, &mine);
	CHECK("main's mask unaffected by the threads' masks", sigismember(&mine, SIGUSR2) && !sigismember(&mine, SIGUSR1));
	stop_waiters = 1;
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	CHECK("thread 3's pending SIGUSR2 never ran", handled_by == tids[6]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return finish();
}
