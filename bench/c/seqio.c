// Sequential write, then read, of a new file argv[1] of argv[2] MiB in 1 MiB
// chunks; the file is removed afterwards. The write includes fsync-free close, the
// read starts from a fresh open. Prints GB/s for the write, then for the read.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  const char *path = argv[1];
  long mib = argc > 2 ? atol(argv[2]) : 1024;
  static char buf[CHUNK];
  memset(buf, 'w', sizeof buf);
  double t0 = now();
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) { perror("open"); return 1; }
  for (long i = 0; i < mib; i++)
    if (write(fd, buf, CHUNK) != CHUNK) { perror("write"); unlink(path); return 1; }
  close(fd);
  double t1 = now();
  fd = open(path, O_RDONLY);
  long total = 0, n;
  while ((n = read(fd, buf, CHUNK)) > 0) total += n;
  close(fd);
  double t2 = now();
  unlink(path);
  if (total != mib * (long)CHUNK) { fprintf(stderr, "read %ld bytes\n", total); return 1; }
  double bytes = (double)mib * CHUNK;
  printf("%.3f\n%.3f\n", bytes / (t1 - t0) / 1e9, bytes / (t2 - t1) / 1e9);
  return 0;
}
