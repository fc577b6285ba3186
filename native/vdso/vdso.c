/* The sandbox's vDSO: what AT_SYSINFO_EHDR points at. Time reads must not cost a
 * trip through the Sentry (~6 µs), so clock_gettime, gettimeofday and time jump
 * to the host kernel's own vDSO code, which every stub already has mapped above
 * the application's address range. The Sentry writes where those functions are
 * into the parameter page ([vvar]) right below this image; a zero entry, or a
 * clock the sandbox defines differently from the host, takes the system call,
 * which the Sentry serves. Built position-independent with no relocations: the
 * page is found from the image's own load address. */
#include <stddef.h>

struct timespec;
struct timeval;
struct timezone;

struct vdso_params {
  long (*clock_gettime)(int clock, struct timespec *ts);
  long (*gettimeofday)(struct timeval *tv, struct timezone *tz);
  long (*time)(long *t);
};

extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static inline const volatile struct vdso_params *params(void) {
  return (const volatile struct vdso_params *)(__ehdr_start - 4096);
}

static inline long syscall2(long nr, long a, long b) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
  return ret;
}

#define SYS_gettimeofday 96
#define SYS_time 201
#define SYS_clock_gettime 228
#define SYS_clock_getres 229
#define SYS_getcpu 309

long __vdso_clock_gettime(int clock, struct timespec *ts) {
  long (*host)(int, struct timespec *) = params()->clock_gettime;
  /* The sandbox's BOOTTIME is its MONOTONIC (it never suspends); REALTIME and
   * MONOTONIC are the host's. Everything else is the Sentry's business. */
  if (clock == 7) clock = 1;
  if (host && (clock == 0 || clock == 1)) return host(clock, ts);
  return syscall2(SYS_clock_gettime, clock, (long)ts);
}

long __vdso_gettimeofday(struct timeval *tv, struct timezone *tz) {
  long (*host)(struct timeval *, struct timezone *) = params()->gettimeofday;
  if (host && tz == NULL) return host(tv, tz);
  return syscall2(SYS_gettimeofday, (long)tv, (long)tz);
}

long __vdso_time(long *t) {
  long (*host)(long *) = params()->time;
  if (host) return host(t);
  return syscall2(SYS_time, (long)t, 0);
}

long __vdso_clock_getres(int clock, struct timespec *res) {
  return syscall2(SYS_clock_getres, clock, (long)res);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache) {
  (void)cache;
  return syscall2(SYS_getcpu, (long)cpu, (long)node);
}

long clock_gettime(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
long gettimeofday(struct timeval *, struct timezone *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
long clock_getres(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
