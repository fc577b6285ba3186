// The vDSO: AT_SYSINFO_EHDR points at an ELF image whose clock_gettime agrees with the syscall.
// todo: a vDSO of our own (gVisor-style, reading a parameter page the Sentry updates)
#include "common.h"
#include <sys/auxv.h>
#include <time.h>

int main(void)
{
	unsigned char *vdso = (unsigned char *)getauxval(AT_SYSINFO_EHDR);
	CHECK("AT_SYSINFO_EHDR (vDSO) present", vdso != NULL);
	CHECK("vDSO starts with an ELF header", vdso && !memcmp(vdso, "\177ELF", 4));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	CHECK("libc clock_gettime is not ahead of the syscall", a.tv_sec < b.tv_sec ||
	      (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec));
	return finish();
}
