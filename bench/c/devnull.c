// Writes N MiB to /dev/null in 64 KiB writes. Prints MB/s.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 1024;
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) { perror("open"); return 1; }
  long writes = mib * 16;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < writes; i++) if (write(fd, buf, sizeof buf) != sizeof buf) { perror("write"); return 1; }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%.1f\n", mib * 1.048576 / s);
  return 0;
}
