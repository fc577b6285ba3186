// One byte back and forth between two processes over an AF_UNIX stream socketpair. Prints µs per round trip.
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) { perror("socketpair"); return 1; }
  char c = 'x';
  pid_t p = fork();
  if (p == 0) {
    for (long i = 0; i < n; i++) { if (read(sv[1], &c, 1) != 1) _exit(1); if (write(sv[1], &c, 1) != 1) _exit(1); }
    _exit(0);
  }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) { if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1) { perror("pong"); return 1; } }
  clock_gettime(CLOCK_MONOTONIC, &b);
  waitpid(p, NULL, 0);
  printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
  return 0;
}
