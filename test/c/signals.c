// signal delivery: siginfo codes, SA_RESETHAND/NODEFER, nesting and sa_mask, sigsuspend/sigtimedwait/sigpending, fault signals fixed up in handlers, sigaltstack, SSE state, EINTR/SA_RESTART for blocking syscalls, bad sigreturn frames, default actions, kill/tgkill errnos, PR_SET_PDEATHSIG.
#include "common.h"
#include <sys/prctl.h>
#include <sys/ucontext.h>
#include <sys/wait.h>

#define K_SS_AUTODISARM ((int)(1U << 31))

static volatile int hits, last_sig, last_code, last_val, last_self, depth, maxdepth;
static char log_[64];
static volatile int logn;
static void rec(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++; last_sig = sig; last_code = si->si_code; last_val = si->si_value.sival_int;
	last_self = si->si_pid == getpid();
}
static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int masksig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (masksig) sigaddset(&sa.sa_mask, masksig);
	sigaction(sig, &sa, NULL);
}
static const char *code(int c)
{
	return c == SI_USER ? "SI_USER" : c == SI_TKILL ? "SI_TKILL" : c == SI_QUEUE ? "SI_QUEUE" : c == SI_KERNEL ? "SI_KERNEL"
		: c == 1 ? "1" : c == 2 ? "2" : "other";
}
static void note(char c) { if (logn < 60) log_[logn++] = c; log_[logn] = 0; }
static void nest2(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; note('b'); note('B'); }
static void nest1(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; note('a'); raise(SIGUSR2); note('A'); }
static void self_again(int sig, siginfo_t *si, void *uc)
{
	(void)si; (void)uc;
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	note(sigismember(&cur, sig) ? 'm' : 'u');
	if (++depth > maxdepth) maxdepth = depth;
	if (hits++ == 0) raise(sig);
	depth--;
}

/* fault handlers: fix the page, or step over the faulting instruction */
static char *fixpage;
static volatile void *fault_addr;
static volatile long fault_rip;
static void segv_fix(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	hits++; last_code = si->si_code; fault_addr = si->si_addr;
	if (si->si_code == SEGV_MAPERR)
		mmap(fixpage, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	else
		mprotect(fixpage, 4096, PROT_READ | PROT_WRITE);
}
extern char tsv_div_at[], tsv_div_end[], tsv_ud2_at[], tsv_int3_end[];
static void step(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	hits++; last_sig = sig; last_code = si->si_code; fault_addr = si->si_addr;
	fault_rip = uc->uc_mcontext.gregs[REG_RIP];
	if (sig == SIGFPE) uc->uc_mcontext.gregs[REG_RIP] = (long)tsv_div_end;
	if (sig == SIGILL) uc->uc_mcontext.gregs[REG_RIP] += 2;
}
__attribute__((noinline)) static void do_div0(void)
{
	__asm__ volatile("xor %%edx,%%edx\n\tmov $1,%%eax\n\txor %%ecx,%%ecx\n\t.globl tsv_div_at\ntsv_div_at: idivl %%ecx\n\t"
			 ".globl tsv_div_end\ntsv_div_end:\n" ::: "rax", "rdx", "rcx");
}
__attribute__((noinline)) static void do_ud2(void) { __asm__ volatile(".globl tsv_ud2_at\ntsv_ud2_at: ud2\n"); }
__attribute__((noinline)) static void do_int3(void) { __asm__ volatile("int3\n.globl tsv_int3_end\ntsv_int3_end:\n"); }

/* alternate stack */
static char altbuf[65536];
static volatile int alt_on_stack, alt_flags, alt_eperm, alt_no_change;
static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si; (void)uc;
	char here;
	alt_on_stack = &here > altbuf && &here < altbuf + sizeof altbuf;
	stack_t cur, ss = { .ss_sp = altbuf, .ss_size = sizeof altbuf };
	sigaltstack(NULL, &cur);
	alt_flags = cur.ss_flags;
	if (!alt_no_change)
		alt_eperm = sigaltstack(&ss, NULL) == -1 && errno == EPERM;
}

/* a handler that edits the mask sigreturn will restore */
static void add_usr2_to_mask(int sig, siginfo_t *si, void *ucv)
{
	(void)sig; (void)si;
	sigaddset(&((ucontext_t *)ucv)->uc_sigmask, SIGUSR2);
	hits++;
}

/* a handler that clobbers every xmm register and MXCSR */
static void clobber(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si; (void)uc;
	unsigned m = 0x7f80 | (3 << 13);
	__asm__ volatile("pcmpeqd %%xmm0,%%xmm0\n\tmovdqa %%xmm0,%%xmm1\n\tmovdqa %%xmm0,%%xmm2\n\tmovdqa %%xmm0,%%xmm3\n\t"
			 "movdqa %%xmm0,%%xmm4\n\tmovdqa %%xmm0,%%xmm5\n\tmovdqa %%xmm0,%%xmm6\n\tmovdqa %%xmm0,%%xmm7\n\t"
			 "movdqa %%xmm0,%%xmm8\n\tmovdqa %%xmm0,%%xmm9\n\tmovdqa %%xmm0,%%xmm10\n\tmovdqa %%xmm0,%%xmm11\n\t"
			 "movdqa %%xmm0,%%xmm12\n\tmovdqa %%xmm0,%%xmm13\n\tmovdqa %%xmm0,%%xmm14\n\tmovdqa %%xmm0,%%xmm15\n\t"
			 "ldmxcsr %0\n" :: "m"(m) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			 "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	hits++;
}
#define LD(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n\t"
#define ST(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n\t"

/* a child that sends sig to its parent every 10 ms, `times` times (-1: forever), then writes to fd */
static pid_t pester(int sig, int times, int fd)
{
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		for (int i = 0; times < 0 || i < times; i++) { usleep(10000); kill(parent, sig); }
		if (fd >= 0 && write(fd, "x", 1) != 1) _exit(1);
		_exit(0);
	}
	return c;
}
/* raw rt_sigtimedwait: glibc's wrapper rewrites SI_TKILL to SI_USER */
static int swait(const sigset_t *set, siginfo_t *si, const struct timespec *ts)
{
	return syscall(SYS_rt_sigtimedwait, set, si, ts, 8);
}
static void stop_pester(pid_t c)
{
	kill(c, SIGKILL);
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		;
}
static int status_of(pid_t c)
{
	int st;
	if (waitpid(c, &st, 0) != c) return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) + (WCOREDUMP(st) ? 1000 : 0) : -2;
}

int main(int argc, char **argv)
{
	scratch_init("signals", argc, argv);
	sigset_t none, u1, old;
	sigemptyset(&none); sigemptyset(&u1); sigaddset(&u1, SIGUSR1);

	/* --- siginfo: SI_USER, SI_TKILL, SI_QUEUE --- */
	on(SIGUSR1, rec, 0, 0);
	kill(getpid(), SIGUSR1);
	say("kill: hits=%d code=%s pid is self=%d\n", hits, code(last_code), last_self);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	say("tgkill: hits=%d code=%s pid is self=%d\n", hits, code(last_code), last_self);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 });
	say("sigqueue: hits=%d code=%s value=%d\n", hits, code(last_code), last_val);

	/* --- SA_RESETHAND, SA_NODEFER, nesting, sa_mask --- */
	hits = 0;
	on(SIGUSR1, rec, SA_RESETHAND, 0);
	raise(SIGUSR1);
	struct sigaction q;
	sigaction(SIGUSR1, NULL, &q);
	CHECK("SA_RESETHAND: ran once, then SIG_DFL", hits == 1 && q.sa_handler == SIG_DFL);
	hits = 0; logn = 0; maxdepth = 0;
	on(SIGUSR1, self_again, 0, 0);
	raise(SIGUSR1);
	say("without SA_NODEFER: mask in handler %s, runs=%d, max depth=%d\n", log_, hits, maxdepth);
	hits = 0; logn = 0; maxdepth = 0;
	on(SIGUSR1, self_again, SA_NODEFER, 0);
	raise(SIGUSR1);
	say("with SA_NODEFER: mask in handler %s, runs=%d, max depth=%d\n", log_, hits, maxdepth);
	logn = 0;
	on(SIGUSR1, nest1, 0, 0);
	on(SIGUSR2, nest2, 0, 0);
	raise(SIGUSR1);
	say("SIGUSR2 raised inside SIGUSR1's handler: %s\n", log_);
	logn = 0;
	on(SIGUSR1, nest1, 0, SIGUSR2);
	raise(SIGUSR1);
	say("same with SIGUSR2 in sa_mask: %s\n", log_);

	/* --- sigpending, sigsuspend, sigtimedwait --- */
	on(SIGUSR1, rec, 0, 0);
	hits = 0;
	sigprocmask(SIG_BLOCK, &u1, &old);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	CHECK("blocked SIGUSR1 pending, handler not run", sigismember(&pend, SIGUSR1) && hits == 0);
	ERR("sigsuspend(empty mask) runs the handler", sigsuspend(&none), EINTR);
	sigprocmask(SIG_SETMASK, NULL, &pend);
	CHECK("  once (standard signals coalesce); mask restored", hits == 1 && sigismember(&pend, SIGUSR1));
	struct timespec z = { 0, 0 }, ms10 = { 0, 10000000 }, bad = { 0, 1000000000 };
	siginfo_t si;
	ERR("sigtimedwait nothing pending, 10ms", swait(&u1, &si, &ms10), EAGAIN);
	ERR("sigtimedwait zero timeout", swait(&u1, &si, &z), EAGAIN);
	ERR("sigtimedwait tv_nsec=1e9", swait(&u1, &si, &bad), EINVAL);
	sigset_t two = u1;
	sigaddset(&two, SIGUSR2);
	sigprocmask(SIG_BLOCK, &two, NULL);
	kill(getpid(), SIGUSR2);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	VAL("sigwaitinfo takes the lowest first", swait(&two, &si, NULL), SIGUSR1);
	say("  code=%s\n", code(si.si_code));
	VAL("then SIGUSR2", swait(&two, &si, &z), SIGUSR2);
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	for (int i = 1; i <= 3; i++)
		sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = i });
	int order = 0;
	for (int i = 0; i < 3; i++)
		if (swait(&rt, &si, &z) == SIGRTMIN + 2 && si.si_code == SI_QUEUE) order = order * 10 + si.si_value.sival_int;
	VAL("real-time signals queue in order (values)", order, 123);
	ERR("  then nothing", swait(&rt, &si, &z), EAGAIN);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* --- SIG_IGN discards a pending signal; sigreturn restores the (edited) uc_sigmask --- */
	sigprocmask(SIG_BLOCK, &u1, NULL);
	kill(getpid(), SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	VAL("setting SIG_IGN discards the pending signal", sigismember(&pend, SIGUSR1), 0);
	signal(SIGWINCH, SIG_DFL);
	sigaddset(&u1, SIGWINCH);
	sigprocmask(SIG_BLOCK, &u1, NULL);
	kill(getpid(), SIGWINCH);
	sigpending(&pend);
	VAL("a blocked default-ignored signal stays pending", sigismember(&pend, SIGWINCH), 1);
	signal(SIGWINCH, SIG_DFL);
	sigpending(&pend);
	VAL("  setting SIG_DFL again discards it", sigismember(&pend, SIGWINCH), 0);
	sigdelset(&u1, SIGWINCH);
	sigprocmask(SIG_SETMASK, &old, NULL);
	on(SIGUSR1, add_usr2_to_mask, 0, 0);
	hits = 0;
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_SETMASK, NULL, &pend);
	CHECK("handler added SIGUSR2 to uc_sigmask: blocked after sigreturn", hits == 1 && sigismember(&pend, SIGUSR2) && !sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* sigtimedwait interrupted by a different, handled signal */
	on(SIGUSR2, rec, 0, 0);
	sigprocmask(SIG_BLOCK, &u1, NULL);
	pid_t pw = pester(SIGUSR2, -1, -1);
	ERR("sigtimedwait(SIGUSR1) interrupted by a handled SIGUSR2", swait(&u1, &si, NULL), EINTR);
	stop_pester(pw);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* --- fault signals fixed up by their handlers --- */
	on(SIGSEGV, segv_fix, 0, 0);
	hits = 0;
	fixpage = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*(volatile char *)(fixpage + 100) = 7;
	CHECK("SIGSEGV (write to read-only) fixed by mprotect, write re-executed", hits == 1 && fixpage[100] == 7);
	CHECK("  si_code SEGV_ACCERR, si_addr exact", last_code == SEGV_ACCERR && fault_addr == fixpage + 100);
	munmap(fixpage, 4096);
	hits = 0;
	*(volatile char *)(fixpage + 8) = 9;
	CHECK("SIGSEGV (unmapped) fixed by mmap, write re-executed", hits == 1 && fixpage[8] == 9 && last_code == SEGV_MAPERR && fault_addr == fixpage + 8);
	on(SIGFPE, step, 0, 0); on(SIGILL, step, 0, 0); on(SIGTRAP, step, 0, 0);
	hits = 0;
	do_div0();
	CHECK("SIGFPE FPE_INTDIV at the idiv, skipped", hits == 1 && last_code == FPE_INTDIV && fault_addr == tsv_div_at && fault_rip == (long)tsv_div_at);
	do_ud2();
	CHECK("SIGILL ILL_ILLOPN at the ud2, skipped", hits == 2 && last_code == ILL_ILLOPN && fault_addr == tsv_ud2_at && fault_rip == (long)tsv_ud2_at);
	do_int3();
	CHECK("SIGTRAP SI_KERNEL after the int3", hits == 3 && last_sig == SIGTRAP && last_code == SI_KERNEL && fault_rip == (long)tsv_int3_end);

	/* --- sigaltstack and SA_ONSTACK --- */
	stack_t ss = { .ss_sp = altbuf, .ss_size = 1024 }, cur;
	ERR("sigaltstack size < MINSIGSTKSZ", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = sizeof altbuf; ss.ss_flags = 42;
	ERR("sigaltstack bad flags", sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = 0;
	OK("sigaltstack", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &cur);
	CHECK("  read back, not on it", cur.ss_sp == altbuf && cur.ss_size == sizeof altbuf && cur.ss_flags == 0);
	on(SIGUSR2, alt_handler, SA_ONSTACK, 0);
	raise(SIGUSR2);
	CHECK("SA_ONSTACK handler runs on the alternate stack, SS_ONSTACK, EPERM to change", alt_on_stack && alt_flags == SS_ONSTACK && alt_eperm);
	on(SIGUSR2, alt_handler, 0, 0);
	raise(SIGUSR2);
	CHECK("without SA_ONSTACK: normal stack", !alt_on_stack && alt_flags == 0);
	ss.ss_flags = K_SS_AUTODISARM;
	OK("sigaltstack K_SS_AUTODISARM", sigaltstack(&ss, NULL));
	on(SIGUSR2, alt_handler, SA_ONSTACK, 0);
	alt_no_change = 1;
	raise(SIGUSR2);
	CHECK("  handler on the alternate stack, which reads as disabled inside", alt_on_stack && alt_flags == SS_DISABLE);
	sigaltstack(NULL, &cur);
	VALX("  re-armed after sigreturn", (unsigned)cur.ss_flags, (unsigned)K_SS_AUTODISARM);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	sigaltstack(NULL, &cur);
	VAL("SS_DISABLE read back", cur.ss_flags, SS_DISABLE);

	/* --- SSE registers and MXCSR survive a handler that clobbers them --- */
	on(SIGUSR1, clobber, 0, 0);
	unsigned char in[256], out[256];
	for (int i = 0; i < 256; i++) in[i] = i * 7 + 1;
	unsigned mx_in = 0x1f80 | (1 << 13), mx_out = 0, mx_def = 0x1f80;
	long rax = SYS_kill;
	hits = 0;
	__asm__ volatile("ldmxcsr %[mi]\n\t" LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7) LD(8) LD(9) LD(10) LD(11)
			 LD(12) LD(13) LD(14) LD(15) "syscall\n\t" ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7) ST(8)
			 ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15) "stmxcsr %[mo]\n\tldmxcsr %[md]\n"
			 : "+a"(rax), [mo] "=m"(mx_out)
			 : [in] "r"(in), [out] "r"(out), "D"((long)getpid()), "S"((long)SIGUSR1), [mi] "m"(mx_in), [md] "m"(mx_def)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	CHECK("xmm0-15 preserved across the handler", hits == 1 && !memcmp(in, out, sizeof in));
	VALX("MXCSR preserved", mx_out, mx_in);

	/* --- blocking syscalls interrupted by another process's signals --- */
	on(SIGUSR1, rec, 0, 0);
	int p[2];
	char ch;
	OK("pipe", pipe(p));
	pid_t pc = pester(SIGUSR1, -1, -1);
	ERR("read on an empty pipe", read(p[0], &ch, 1), EINTR);
	ERR("wait4 on a running child", waitpid(pc, NULL, 0), EINTR);
	struct timespec ten = { 10, 0 }, rem = { 0, 0 };
	ERR("nanosleep 10s", nanosleep(&ten, &rem), EINTR);
	CHECK("  remaining time written", rem.tv_sec < 10 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
	int fw = 0;
	ERR("futex wait", syscall(SYS_futex, &fw, 0, 0, NULL, NULL, 0), EINTR);
	ERR("pause", pause(), EINTR);
	ERR("sigsuspend", sigsuspend(&none), EINTR);
	stop_pester(pc);
	on(SIGUSR1, rec, SA_RESTART, 0);
	hits = 0;
	pc = pester(SIGUSR1, 3, p[1]);
	VAL("SA_RESTART: read restarts and returns the data", read(p[0], &ch, 1), 1);
	CHECK("  handler ran", hits >= 1);
	VAL("SA_RESTART: wait4 restarts until the child exits", status_of(pc), 0);
	pc = pester(SIGUSR1, -1, -1);
	ERR("SA_RESTART: nanosleep still EINTR", nanosleep(&ten, NULL), EINTR);
	ERR("SA_RESTART: pause still EINTR", pause(), EINTR);
	stop_pester(pc);

	/* --- rt_sigreturn with a garbage frame kills with SIGSEGV --- */
	char *garbage = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(garbage, 0xff, 65536);
	char *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 4096);
	char *frames[2] = { garbage + 32768, hole + 2048 };
	for (int i = 0; i < 2; i++) {
		pid_t c = fork();
		if (c == 0) {
			no_core();
			signal(SIGSEGV, SIG_DFL); signal(SIGILL, SIG_DFL); signal(SIGUSR1, SIG_DFL);
			__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2\n" :: "r"(frames[i]) : "memory");
			_exit(1);
		}
		VAL(i ? "rt_sigreturn with an unmapped frame: status" : "rt_sigreturn with a 0xff frame: status", status_of(c), 128 + SIGSEGV);
	}

	/* --- default actions (in children) --- */
	struct rlimit rl;
	getrlimit(RLIMIT_CORE, &rl);
	int sigs[] = { SIGTERM, SIGQUIT, SIGPIPE, SIGUSR1 };
	for (int i = 0; i < 4; i++) {
		pid_t c = fork();
		if (c == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_CORE, &rl);
			if (chdir(scratch) != 0) _exit(1);
			signal(sigs[i], SIG_DFL);
			raise(sigs[i]);
			_exit(2);
		}
		say("default action of signal %d: status %d (1000 = core flag)\n", sigs[i], status_of(c));
	}
	pid_t c = fork();
	if (c == 0) {
		raise(SIGCHLD); raise(SIGURG); raise(SIGWINCH); raise(SIGCONT);
		_exit(0);
	}
	VAL("SIGCHLD/SIGURG/SIGWINCH/SIGCONT ignored by default", status_of(c), 0);
	c = fork();
	if (c == 0) {
		sigset_t s;
		sigemptyset(&s); sigaddset(&s, SIGSEGV);
		on(SIGSEGV, rec, 0, 0);
		sigprocmask(SIG_BLOCK, &s, NULL);
		*(volatile int *)BADPTR = 1;
		_exit(3);
	}
	VAL("a fault with SIGSEGV blocked kills", status_of(c), 128 + SIGSEGV);
	/* SIGSTOP/SIGCONT: the child's SIGCONT handler runs; SIGTERM waits for SIGCONT */
	int pp[2];
	OK("pipe", pipe(pp));
	for (int i = 0; i < 2; i++) {
		c = fork();
		if (c == 0) {
			on(SIGCONT, rec, 0, 0);
			hits = 0;
			if (write(pp[1], "r", 1) != 1) _exit(1);
			while (!hits) usleep(1000);
			_exit(last_sig == SIGCONT ? 40 : 41);
		}
		char r0;
		if (read(pp[0], &r0, 1) != 1) say("no ready\n");
		kill(c, SIGSTOP);
		int st = 0;
		CHECK("child stopped", waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
		if (i == 0) {
			kill(c, SIGCONT);
			VAL("  continued: its SIGCONT handler ran", status_of(c), 40);
			continue;
		}
		kill(c, SIGTERM);
		usleep(50000);
		VAL("  SIGTERM stays pending while it is stopped", waitpid(c, &st, WNOHANG), 0);
		kill(c, SIGCONT);
		VAL("  SIGCONT: then SIGTERM kills it", status_of(c), 128 + SIGTERM);
	}
	close(pp[0]); close(pp[1]);
	signal(SIGPIPE, SIG_IGN);
	OK("pipe", pipe(pp));
	close(pp[0]);
	ERR("SIGPIPE ignored: write to a closed pipe", write(pp[1], "x", 1), EPIPE);
	close(pp[1]);
	signal(SIGPIPE, SIG_DFL);

	/* --- kill/tgkill/sigqueue semantics --- */
	OK("pipe", pipe(pp));
	c = fork();
	if (c == 0) {
		signal(SIGUSR1, _exit);
		setpgid(0, 0);
		if (write(pp[1], "r", 1) != 1) _exit(1);
		for (;;) pause();
	}
	VAL("child ready", read(pp[0], &ch, 1), 1);
	VAL("kill(pid, 0)", kill(c, 0), 0);
	ERR("kill(pid, 99)", kill(c, 99), EINVAL);
	ERR("kill(pid, -1)", kill(c, -1), EINVAL);
	ERR("tgkill with the wrong tgid", syscall(SYS_tgkill, c, syscall(SYS_gettid), 0), ESRCH);
	ERR("tgkill tid 0", syscall(SYS_tgkill, getpid(), 0, 0), EINVAL);
	ERR("tgkill signal 99", syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 99), EINVAL);
	siginfo_t forged;
	memset(&forged, 0, sizeof forged);
	forged.si_signo = SIGUSR1; forged.si_code = SI_USER;
	ERR("rt_sigqueueinfo with si_code SI_USER to another process", syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &forged), EPERM);
	VAL("kill(-pgid, 0)", kill(-c, 0), 0);
	VAL("kill(-pgid, SIGUSR1)", kill(-c, SIGUSR1), 0);
	VAL("  child exited with the signal number from its handler", status_of(c), SIGUSR1);
	ERR("kill(-pgid) of an empty group", kill(-c, 0), ESRCH);
	ERR("kill of a reaped pid", kill(c, 0), ESRCH);
	ERR("kill(INT_MIN)", kill(INT_MIN, 0), ESRCH);
	close(pp[0]); close(pp[1]);

	/* --- PR_SET_PDEATHSIG: the grandchild hears its parent die --- */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	OK("pipe", pipe(pp));
	c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			pid_t mid = getppid();
			sigprocmask(SIG_BLOCK, &u1, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
			int pd = 0;
			prctl(PR_GET_PDEATHSIG, &pd, 0, 0, 0);
			if (write(pp[1], "r", 1) != 1) _exit(1);
			siginfo_t i2;
			int s = swait(&u1, &i2, NULL);
			char r[3] = { pd == SIGUSR1 ? 'g' : 'b', s == SIGUSR1 ? 's' : 'n', i2.si_code == SI_USER && i2.si_pid == mid ? 'u' : 'k' };
			if (write(pp[1], r, 3) != 3) _exit(1);
			_exit(0);
		}
		if (read(pp[0], &ch, 1) != 1) _exit(1);
		_exit(0);
	}
	close(pp[1]);
	char r[4] = { 0 };
	VAL("middle child exits", status_of(c), 0);
	VAL("grandchild reports", read(pp[0], r, 3), 3);
	say("  PR_GET_PDEATHSIG ok=%c, signal taken=%c, SI_USER from the dead parent=%c\n", r[0], r[1], r[2]);
	while (wait(NULL) > 0)
		;
	scratch_cleanup();
	return finish();
}
