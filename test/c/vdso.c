// The vDSO: AT_SYSINFO_EHDR points at an ELF image exporting the time functions,
// and what libc reads through it agrees with the system calls.
#include "common.h"
#include <elf.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>

/* Looks a symbol up in the vDSO's dynamic symbol table (as libc does). */
static int vdso_exports(const unsigned char *base, const char *want)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	long bias = 0;
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) bias = (long)base - (long)ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC) dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	if (!dyn) return 0;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const unsigned *hash = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB) sym = (const Elf64_Sym *)(bias + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_STRTAB) str = (const char *)(bias + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_HASH) hash = (const unsigned *)(bias + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash) return 0;
	for (unsigned i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, want)) return 1;
	return 0;
}

int main(void)
{
	unsigned char *vdso = (unsigned char *)getauxval(AT_SYSINFO_EHDR);
	CHECK("AT_SYSINFO_EHDR (vDSO) present", vdso != NULL);
	CHECK("vDSO starts with an ELF header", vdso && !memcmp(vdso, "\177ELF", 4));
	CHECK("vDSO exports __vdso_clock_gettime", vdso && vdso_exports(vdso, "__vdso_clock_gettime"));
	CHECK("vDSO exports __vdso_gettimeofday", vdso && vdso_exports(vdso, "__vdso_gettimeofday"));
	CHECK("vDSO exports __vdso_time", vdso && vdso_exports(vdso, "__vdso_time"));
	CHECK("vDSO exports __vdso_getcpu", vdso && vdso_exports(vdso, "__vdso_getcpu"));
	for (int clk = 0; clk <= 7; clk++) {
		if (clk == 2 || clk == 3) continue; /* CPU clocks: different scale per call */
		struct timespec a, b, c;
		clock_gettime(clk, &a);
		syscall(SYS_clock_gettime, clk, &b);
		clock_gettime(clk, &c);
		long long na = a.tv_sec * 1000000000LL + a.tv_nsec;
		long long nb = b.tv_sec * 1000000000LL + b.tv_nsec;
		long long nc = c.tv_sec * 1000000000LL + c.tv_nsec;
		/* Coarse clocks tick every few ms and may trail the fine ones they are read between. */
		long long slack = (clk == 5 || clk == 6) ? 20000000LL : 0;
		char what[80];
		snprintf(what, sizeof what, "clock %d: libc, syscall, libc read in order", clk);
		CHECK(what, na <= nb + slack && nb <= nc + slack && nc - na < 1000000000LL);
	}
	struct timeval tv;
	struct timespec rt;
	gettimeofday(&tv, NULL);
	clock_gettime(CLOCK_REALTIME, &rt);
	time_t t = time(NULL);
	CHECK("gettimeofday, clock_gettime(REALTIME) and time agree",
	      tv.tv_sec <= rt.tv_sec && rt.tv_sec - tv.tv_sec <= 1 && t >= tv.tv_sec - 1 && t <= rt.tv_sec + 1);
	struct timezone tz = { 1, 1 };
	CHECK("gettimeofday with a timezone", gettimeofday(&tv, &tz) == 0);
	return finish();
}
