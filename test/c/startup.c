// Process start-up as the loader sets it up: argv, envp, auxv, stack alignment, TLS.
// The harness runs every test with TSVISOR_CTEST_ENV=hello and no arguments.
#include "common.h"
#include <elf.h>
#include <sys/auxv.h>

static __thread int tls_init = 1234;
static __thread int tls_zero;

int main(int argc, char **argv, char **envp)
{
	/* only the standard fds are open (checked first: the memory probes open a pipe) */
	int fd012 = fcntl(0, F_GETFD) != -1 && fcntl(1, F_GETFD) != -1 && fcntl(2, F_GETFD) != -1;
	int nfd3 = fcntl(3, F_GETFD) == -1;
	CHECK("fds 0, 1, 2 open", fd012);
	CHECK("fd 3 closed", nfd3);

	VAL("argc", argc, 1);
	CHECK("argv[0] is an absolute path", argv[0][0] == '/');
	CHECK("argv[argc] == NULL", argv[argc] == NULL);
	CHECK("envp follows argv", envp == argv + argc + 1);
	const char *e = getenv("TSVISOR_CTEST_ENV");
	say("TSVISOR_CTEST_ENV: %s\n", e ? e : "(unset)");

	/* auxv */
	VAL("AT_PAGESZ", getauxval(AT_PAGESZ), 4096);
	VAL("AT_CLKTCK", getauxval(AT_CLKTCK), 100);
	CHECK("AT_PHDR set", getauxval(AT_PHDR) != 0);
	VAL("AT_PHENT", getauxval(AT_PHENT), sizeof(Elf64_Phdr));
	CHECK("AT_PHNUM > 0", getauxval(AT_PHNUM) > 0);
	CHECK("AT_ENTRY set", getauxval(AT_ENTRY) != 0);
	CHECK("AT_UID/EUID/GID/EGID match the syscalls",
	      getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
	      getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid());
	VAL("AT_SECURE", getauxval(AT_SECURE), 0);
	unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
	CHECK("AT_RANDOM points at 16 readable bytes", rnd && mem_readable(rnd) == 1 && mem_readable(rnd + 15) == 1);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK("AT_EXECFN == argv[0]", execfn && !strcmp(execfn, argv[0]));
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	say("AT_PLATFORM: %s\n", plat ? plat : "(none)");
	/* the vDSO is checked in vdso.c */
	CHECK("AT_HWCAP nonzero", getauxval(AT_HWCAP) != 0);

	/* the program headers the loader pointed us at describe this program */
	Elf64_Phdr *ph = (Elf64_Phdr *)getauxval(AT_PHDR);
	int nload = 0, has_phdr_or_static = 0;
	for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++) {
		if (ph[i].p_type == PT_LOAD)
			nload++;
		if (ph[i].p_type == PT_PHDR || ph[i].p_type == PT_LOAD)
			has_phdr_or_static = 1;
	}
	CHECK("at least one PT_LOAD", nload >= 1 && has_phdr_or_static);

	/* stack: main's frame is 16-byte aligned, the stack is writable and big */
	char probe[64] __attribute__((aligned(16)));
	CHECK("stack buffer 16-byte aligned", ((uintptr_t)probe & 15) == 0);
	volatile char big[512 * 1024];
	big[0] = 1;
	big[sizeof big - 1] = 2;
	CHECK("512 KiB of stack usable", big[0] == 1 && big[sizeof big - 1] == 2);
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	CHECK("RLIMIT_STACK >= 1 MiB", rl.rlim_cur >= (1UL << 20));

	/* TLS initialised from the PT_TLS image */
	CHECK("initialised TLS variable", tls_init == 1234);
	CHECK("zero TLS variable", tls_zero == 0);
	return finish();
}
