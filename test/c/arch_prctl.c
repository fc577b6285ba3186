// arch_prctl: ARCH_GET_FS vs TLS layout, ARCH_SET_FS/GET_FS round trip, GS, errnos.
#include "common.h"

static __thread long tlsvar = 42;
static unsigned long fake_tcb[64] __attribute__((aligned(64)));

/* Raw syscall: returns -errno, touches no TLS (errno lives in TLS). */
static long ap(long code, unsigned long addr)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_arch_prctl), "D"(code), "S"(addr)
			 : "rcx", "r11", "memory");
	return ret;
}

static unsigned long fs0(void)
{
	unsigned long v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

struct swap_result { long set, get, restore; unsigned long got, seen_via_fs; };

/* Point FS at a copy of the TCB, look, and put it back: no libc in between. */
static __attribute__((noinline)) void swap_fs(unsigned long fs, struct swap_result *r)
{
	r->set = ap(K_ARCH_SET_FS, (unsigned long)fake_tcb);
	r->get = ap(K_ARCH_GET_FS, (unsigned long)&r->got);
	r->seen_via_fs = fs0();
	r->restore = ap(K_ARCH_SET_FS, fs);
}

static const char *rc(long r) { return r == 0 ? "= 0" : errname((int)-r); }

int main(void)
{
	unsigned long fs = 0, gs = 0, tmp = 0;
	say("ARCH_GET_FS: %s\n", rc(ap(K_ARCH_GET_FS, (unsigned long)&fs)));
	CHECK("fs base nonzero", fs != 0);
	CHECK("%fs:0 is the TCB self-pointer == fs base", fs0() == fs);
	unsigned long tv = (unsigned long)&tlsvar;
	CHECK("TLS variable sits just below the fs base", tv < fs && fs - tv < 65536);
	CHECK("TLS variable initialised", tlsvar == 42);

	/* round trip through a scratch TCB (copy keeps the stack canary at fs:0x28) */
	memcpy(fake_tcb, (void *)fs, sizeof fake_tcb);
	fake_tcb[0] = (unsigned long)fake_tcb;
	struct swap_result r;
	swap_fs(fs, &r);
	say("ARCH_SET_FS scratch: %s\n", rc(r.set));
	say("ARCH_GET_FS: %s\n", rc(r.get));
	CHECK("GET_FS returns the scratch value", r.got == (unsigned long)fake_tcb);
	CHECK("%fs:0 read through the new base", r.seen_via_fs == (unsigned long)fake_tcb);
	say("ARCH_SET_FS restore: %s\n", rc(r.restore));
	ap(K_ARCH_GET_FS, (unsigned long)&tmp);
	CHECK("fs restored", tmp == fs && fs0() == fs);
	tlsvar++;
	CHECK("TLS works after restore", tlsvar == 43);

	/* GS is unused by userspace on x86_64: round trip it */
	say("ARCH_GET_GS: %s\n", rc(ap(K_ARCH_GET_GS, (unsigned long)&gs)));
	say("ARCH_SET_GS 0x12345000: %s\n", rc(ap(K_ARCH_SET_GS, 0x12345000UL)));
	ap(K_ARCH_GET_GS, (unsigned long)&tmp);
	CHECK("GET_GS returns it", tmp == 0x12345000UL);
	say("ARCH_SET_GS restore: %s\n", rc(ap(K_ARCH_SET_GS, gs)));
	ap(K_ARCH_GET_GS, (unsigned long)&tmp);
	CHECK("gs restored", tmp == gs);

	/* errnos */
	say("bad code 0x9999: %s\n", rc(ap(0x9999, 0)));
	say("code 0: %s\n", rc(ap(0, 0)));
	say("ARCH_GET_FS bad pointer: %s\n", rc(ap(K_ARCH_GET_FS, 1)));
	say("ARCH_GET_GS bad pointer: %s\n", rc(ap(K_ARCH_GET_GS, 1)));
	say("ARCH_SET_FS non-canonical: %s\n", rc(ap(K_ARCH_SET_FS, 0x8000000000000000UL)));
	say("ARCH_SET_FS kernel address: %s\n", rc(ap(K_ARCH_SET_FS, 0xffff800000000000UL)));
	say("ARCH_SET_GS non-canonical: %s\n", rc(ap(K_ARCH_SET_GS, 0x8000000000000000UL)));
	ap(K_ARCH_GET_FS, (unsigned long)&tmp);
	CHECK("fs unchanged by failed SET_FS", tmp == fs);
	return finish();
}
