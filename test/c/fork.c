// fork/vfork: return values, copy-on-write isolation both ways, MAP_SHARED after fork, shared fds and offsets, many children, vfork blocking, exec from a child, O_CLOEXEC across exec, exit codes through generations.
#include "common.h"
#include <pthread.h>
#include <sys/wait.h>

static int g_global = 1;
static volatile int stop_spin, spin_count, added;
static void *spin(void *a) { (void)a; while (!stop_spin) { spin_count++; usleep(500); } return NULL; }
static void *add1(void *a) { (void)a; added++; return NULL; }

static int rd1(int fd) { char c; return read(fd, &c, 1) == 1 ? c : -1; }
static void wr1(int fd, char c) { if (write(fd, &c, 1) != 1) _exit(99); }

/* Exec'd modes: argv[1] says what to do. */
static int exec_mode(int argc, char **argv)
{
	if (!strcmp(argv[1], "exit42")) {
		say("  exec'd child: running, argc=%d\n", argc);
		return 42;
	}
	if (!strcmp(argv[1], "cloexec") && argc == 4) {
		int a = atoi(argv[2]), b = atoi(argv[3]);
		ERR("  exec'd: O_CLOEXEC fd closed", fcntl(a, F_GETFD), EBADF);
		VAL("  exec'd: plain fd open, FD_CLOEXEC clear", fcntl(b, F_GETFD), 0);
		VAL("  exec'd: plain fd keeps its offset", lseek(b, 0, SEEK_CUR), 3);
		return ct_failures ? 1 : 7;
	}
	if (!strcmp(argv[1], "gen") && argc == 3) {
		int depth = atoi(argv[2]);
		if (depth == 0)
			return 10;
		pid_t p = fork();
		if (p == 0) {
			char d[16];
			snprintf(d, sizeof d, "%d", depth - 1);
			if (depth % 2)    /* alternate between plain fork and fork+exec */
				execl(argv[0], argv[0], "gen", d, (char *)NULL);
			char *av[] = { argv[0], "gen", d, NULL };
			_exit(exec_mode(3, av));
		}
		int r = reap(p);
		return r < 0 ? 100 : r + 1;
	}
	say("unknown mode\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1 && argv[1][0] != '/')
		return exec_mode(argc, argv);
	scratch_init("fork", argc, argv);
	pid_t me = getpid();

	/* --- return values, getpid/getppid --- */
	int pp[2];
	OK("pipe", pipe(pp));
	pid_t c = fork();
	if (c == 0) {
		pid_t info[2] = { getpid(), getppid() };
		if (write(pp[1], info, sizeof info) != sizeof info)
			_exit(1);
		_exit(0);
	}
	CHECK("fork returns a positive pid to the parent", c > 0);
	pid_t info[2] = { 0, 0 };
	VAL("read child's ids", read(pp[0], info, sizeof info), sizeof info);
	CHECK("child's getpid == fork's return", info[0] == c);
	CHECK("child's getppid == parent's getpid", info[1] == me);
	CHECK("child pid differs from parent", c != me);
	VAL("child exit status", reap(c), 0);

	/* --- copy-on-write, both directions --- */
	int cp[2], pc[2];
	OK("pipes", pipe(cp) | pipe(pc));
	char *heap = malloc(8192);
	char *priv = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int stackvar = 1;
	memset(heap, 'a', 8192);
	memset(priv, 'a', 16 * 4096);
	shared[0] = 1;
	c = fork();
	if (c == 0) {
		/* child writes first, then lets the parent write, then checks it kept its own */
		g_global = 2; stackvar = 2; heap[100] = 'c'; heap[5000] = 'c';
		for (int i = 0; i < 16; i++) priv[i * 4096 + 7] = 'c';
		shared[0] = 2;
		wr1(cp[1], 'w');
		if (rd1(pc[0]) != 'w') _exit(90);
		int bad = 0;
		if (g_global != 2) bad |= 1;
		if (stackvar != 2) bad |= 2;
		if (heap[100] != 'c' || heap[5000] != 'c' || heap[101] != 'a') bad |= 4;
		for (int i = 0; i < 16; i++) if (priv[i * 4096 + 7] != 'c' || priv[i * 4096 + 8] != 'a') bad |= 8;
		if (shared[0] != 3) bad |= 16;       /* parent's write to shared memory is visible */
		_exit(bad);
	}
	VAL("child wrote", rd1(cp[0]), 'w');
	CHECK("parent's global untouched by child", g_global == 1);
	CHECK("parent's stack untouched by child", stackvar == 1);
	CHECK("parent's heap untouched by child", heap[100] == 'a' && heap[5000] == 'a');
	int okp = 1;
	for (int i = 0; i < 16; i++) if (priv[i * 4096 + 7] != 'a') okp = 0;
	CHECK("parent's private mmap untouched by child (16 pages)", okp);
	VAL("MAP_SHARED anon sees child's write", shared[0], 2);
	g_global = 3; stackvar = 3; heap[100] = 'p'; priv[7] = 'p'; priv[15 * 4096 + 7] = 'p';
	shared[0] = 3;
	wr1(pc[1], 'w');
	VAL("child saw its own values and our shared write (bitmask of bad)", reap(c), 0);
	CHECK("parent still has its own values", g_global == 3 && stackvar == 3 && heap[100] == 'p' && priv[7] == 'p' && priv[15 * 4096 + 7] == 'p');

	/* --- COW after the child exits: pages the child never touched, and writes after its death --- */
	c = fork();
	if (c == 0)
		_exit(heap[100] == 'p' && priv[4096 * 3] == 'a' ? 0 : 1);
	VAL("child sees parent's pre-fork state", reap(c), 0);
	priv[4096 * 3] = 'z';
	CHECK("write after child exit", priv[4096 * 3] == 'z');

	/* --- untouched pages, read-only pages, MAP_PRIVATE files, MADV_DONTFORK/WIPEONFORK, 1 MiB heap --- */
	char *fresh = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro[0] = 'r';
	mprotect(ro, 4096, PROT_READ);
	int ffd = open(P("pf"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (write(ffd, "file", 4) != 4 || ftruncate(ffd, 4096) != 0) say("file setup failed\n");
	char *pf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd, 0);
	pf[0] = 'P';                                  /* the parent's private copy */
	char *dontfork = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *wipe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dontfork[0] = wipe[0] = 'w';
	OK("madvise MADV_DONTFORK", madvise(dontfork, 4096, MADV_DONTFORK));
	OK("madvise MADV_WIPEONFORK", madvise(wipe, 4096, MADV_WIPEONFORK));
	char *big = malloc(1 << 20);
	memset(big, 'b', 1 << 20);
	c = fork();
	if (c == 0) {
		int bad = 0;
		if (fresh[4096] != 0) bad |= 1;
		fresh[4096] = 'c';
		if (pf[0] != 'P' || pf[1] != 'i') bad |= 2;
		pf[1] = 'c';
		if (mprotect(ro, 4096, PROT_READ | PROT_WRITE) != 0 || ro[0] != 'r') bad |= 4;
		ro[0] = 'c';
		if (mem_mapped(dontfork)) bad |= 8;
		if (!mem_mapped(wipe) || wipe[0] != 0) bad |= 16;
		for (int i = 0; i < (1 << 20); i += 4096) big[i] = 'c';
		_exit(bad);
	}
	VAL("child: zero page, private file copy, read-only page, DONTFORK gone, WIPEONFORK zeroed (bad bits)", reap(c), 0);
	CHECK("parent's untouched page still zero", fresh[4096] == 0);
	CHECK("parent's private file page unchanged", pf[0] == 'P' && pf[1] == 'i');
	CHECK("parent's read-only page unchanged and still read-only", ro[0] == 'r' && mem_writable(ro) == 0);
	CHECK("parent keeps its DONTFORK and WIPEONFORK pages", dontfork[0] == 'w' && wipe[0] == 'w');
	int bigok = 1;
	for (int i = 0; i < (1 << 20); i += 4096) if (big[i] != 'b') bigok = 0;
	CHECK("parent's 1 MiB heap unchanged", bigok);
	char fb[4] = { 0 };
	VAL("file itself unchanged", pread(ffd, fb, 4, 0), 4);
	CHECK("  contents", !memcmp(fb, "file", 4));
	close(ffd);

	/* --- fork from a multithreaded process: the child has only the forking thread --- */
	pthread_t th;
	pthread_create(&th, NULL, spin, NULL);
	while (spin_count < 3)
		usleep(1000);
	c = fork();
	if (c == 0) {
		pthread_t t2;
		int before = spin_count;
		usleep(20000);
		if (spin_count != before) _exit(2);       /* the spinning thread did not come along */
		if (pthread_create(&t2, NULL, add1, NULL) != 0 || pthread_join(t2, NULL) != 0) _exit(1);
		_exit(added == 1 ? 0 : 3);
	}
	VAL("fork in a threaded process; child creates and joins a thread", reap(c), 0);
	stop_spin = 1;
	pthread_join(th, NULL);

	/* --- fds and offsets are shared --- */
	int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	OK("open file", fd);
	VAL("parent writes 3", write(fd, "abc", 3), 3);
	c = fork();
	if (c == 0) {
		if (lseek(fd, 0, SEEK_CUR) != 3) _exit(1);
		if (write(fd, "def", 3) != 3) _exit(2);
		close(fd);     /* closing the child's copy does not close ours */
		_exit(0);
	}
	VAL("child saw offset 3 and wrote", reap(c), 0);
	VAL("offset advanced by the child's write", lseek(fd, 0, SEEK_CUR), 6);
	char buf[16] = { 0 };
	VAL("pread whole file", pread(fd, buf, sizeof buf, 0), 6);
	CHECK("content abcdef", !strcmp(buf, "abcdef"));
	c = fork();
	if (c == 0)
		_exit(lseek(fd, 1, SEEK_SET) == 1 ? 0 : 1);
	VAL("child lseek", reap(c), 0);
	VAL("child's lseek moved our offset", lseek(fd, 0, SEEK_CUR), 1);

	/* --- 50 children in a loop, all reaped --- */
	int sum = 0, nreaped = 0, st;
	for (int i = 0; i < 50; i++) {
		c = fork();
		if (c == 0)
			_exit(i);
		if (c < 0) { say("fork %d: %s\n", i, errname(errno)); break; }
	}
	pid_t w;
	while ((w = wait(&st)) > 0) {
		nreaped++;
		if (WIFEXITED(st)) sum += WEXITSTATUS(st);
	}
	VAL("children reaped", nreaped, 50);
	VAL("sum of exit codes", sum, 49 * 50 / 2);
	ERR("wait with no children left", wait(&st), ECHILD);

	/* --- vfork: the child runs first and borrows our memory; we wait until _exit --- */
	static volatile int vflag;
	vflag = 0;
	pid_t vc = vfork();
	if (vc == 0) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);     /* parent must still be suspended */
		vflag = getpid() != me ? 1 : 2;
		_exit(5);
	}
	CHECK("vfork returns a pid", vc > 0);
	VAL("vfork child ran to _exit before the parent resumed (wrote shared memory)", vflag, 1);
	VAL("vfork child status", reap(vc), 5);
	vflag = 0;
	vc = vfork();
	if (vc == 0) {
		vflag = 1;
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	VAL("vfork+exec: child's write before exec is visible", vflag, 1);
	VAL("vfork+exec /bin/true status", reap(vc), 0);

	/* --- exec from a child --- */
	c = fork();
	if (c == 0) {
		execl(argv[0], argv[0], "exit42", "x", (char *)NULL);
		_exit(127);
	}
	VAL("exec'd child's exit code", reap(c), 42);
	c = fork();
	if (c == 0) {
		execl("/nonexistent/prog", "prog", (char *)NULL);
		_exit(errno == ENOENT ? 3 : 4);
	}
	VAL("failed exec leaves the child running (ENOENT)", reap(c), 3);

	/* --- O_CLOEXEC across exec --- */
	int a = open(P("f"), O_RDONLY | O_CLOEXEC);
	int b = open(P("f"), O_RDONLY);
	OK("open O_CLOEXEC", a);
	OK("open plain", b);
	VAL("FD_CLOEXEC set", fcntl(a, F_GETFD), FD_CLOEXEC);
	lseek(b, 3, SEEK_SET);
	c = fork();
	if (c == 0) {
		char sa[16], sb[16];
		snprintf(sa, sizeof sa, "%d", a);
		snprintf(sb, sizeof sb, "%d", b);
		execl(argv[0], argv[0], "cloexec", sa, sb, (char *)NULL);
		_exit(127);
	}
	VAL("cloexec child", reap(c), 7);
	c = fork();
	if (c == 0) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "test -e /proc/self/fd/%d && exit 1; test -e /proc/self/fd/%d || exit 2; exit 0", a, b);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	VAL("/bin/sh -c sees only the plain fd", reap(c), 0);

	/* --- exit code through several generations (mixing fork and exec) --- */
	c = fork();
	if (c == 0) {
		execl(argv[0], argv[0], "gen", "5", (char *)NULL);
		_exit(127);
	}
	VAL("exit code after 5 generations (10 + 5)", reap(c), 15);

	close(fd); close(a); close(b);
	scratch_cleanup();
	return finish();
}
