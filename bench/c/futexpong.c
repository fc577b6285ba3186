// Two threads hand a token back and forth with futex wait/wake. Prints µs per round trip.
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int turn;
static long n;

static void wait_for(int v) {
  while (atomic_load(&turn) != v) syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, !v, NULL, NULL, 0);
}
static void pass(int v) {
  atomic_store(&turn, v);
  syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
static void *other(void *arg) {
  for (long i = 0; i < n; i++) { wait_for(1); pass(0); }
  return NULL;
}

int main(int argc, char **argv) {
  n = argc > 1 ? atol(argv[1]) : 10000;
  pthread_t t;
  pthread_create(&t, NULL, other, NULL);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) { pass(1); wait_for(0); }
  clock_gettime(CLOCK_MONOTONIC, &b);
  pthread_join(t, NULL);
  printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
  return 0;
}
