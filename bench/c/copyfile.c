// In-kernel file copies: MODE (cfr: copy_file_range, sendfile) copies a MiB-sized file
// in DIR to a second file N times. Prints MB/s of copied data.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "cfr";
  const char *dir = argc > 2 ? argv[2] : "/tmp";
  long mib = argc > 3 ? atol(argv[3]) : 64;
  int reps = argc > 4 ? atoi(argv[4]) : 4;
  char a[4096], b[4096];
  snprintf(a, sizeof a, "%s/tsvisor-bench-copy-src-%d", dir, (int)getpid());
  snprintf(b, sizeof b, "%s/tsvisor-bench-copy-dst-%d", dir, (int)getpid());
  int in = open(a, O_RDWR | O_CREAT | O_TRUNC, 0600), out = open(b, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (in < 0 || out < 0) { perror("open"); return 1; }
  static char buf[1 << 20];
  memset(buf, 'c', sizeof buf);
  for (long i = 0; i < mib; i++) if (write(in, buf, sizeof buf) != sizeof buf) { perror("write"); return 1; }
  size_t total = (size_t)mib << 20;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int r = 0; r < reps; r++) {
    off_t oi = 0;
    loff_t li = 0, lo = 0;
    lseek(out, 0, SEEK_SET);
    for (size_t done = 0; done < total;) {
      ssize_t n = strcmp(mode, "sendfile") == 0 ? sendfile(out, in, &oi, total - done)
                                               : copy_file_range(in, &li, out, &lo, total - done, 0);
      if (n <= 0) { perror(mode); return 1; }
      done += n;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  unlink(a);
  unlink(b);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.1f\n", reps * mib * 1.048576 / s);
  return 0;
}
