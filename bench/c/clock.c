// clock_gettime(CLOCK_MONOTONIC) through libc (the vDSO). Prints ns per call.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  struct timespec a, b, c;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &c);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  return 0;
}
