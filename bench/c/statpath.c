// stat(2) of the same path (argv[1]) n = argv[2] times, after one warm-up stat
// so the path is cached. Prints µs per stat.
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

int main(int argc, char **argv) {
  const char *path = argv[1];
  long n = argc > 2 ? atol(argv[2]) : 100000;
  struct stat st;
  struct timespec a, b;
  if (stat(path, &st) != 0) { perror("stat"); return 1; }
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    if (stat(path, &st) != 0) { perror("stat"); return 1; }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
  return 0;
}
