// Reads a whole directory (argv[1]) with a getdents64 loop, n = argv[2] times after
// one warm-up pass; checks it holds argv[3] entries. Prints ms per full read.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long read_all(const char *dir) {
  static char buf[32768];
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -1;
  long count = 0, n;
  while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n; count++) off += *(unsigned short *)(buf + off + 16); // d_reclen
  }
  close(fd);
  return n < 0 ? -1 : count;
}

int main(int argc, char **argv) {
  long n = argc > 2 ? atol(argv[2]) : 20;
  long want = argc > 3 ? atol(argv[3]) + 2 : -1; // plus . and ..
  long got = read_all(argv[1]);
  if (got < 0 || (want >= 0 && got != want)) { fprintf(stderr, "readdir: %ld entries\n", got); return 1; }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++)
    if (read_all(argv[1]) != got) { fprintf(stderr, "readdir changed\n"); return 1; }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / n);
  return 0;
}
