// fork + execve(argv[2..], default /bin/true) + waitpid, n = argv[1] times.
// Prints µs per iteration.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200;
  char *def[] = {"/bin/true", NULL};
  char **prog = argc > 2 ? argv + 2 : def;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) { execv(prog[0], prog); _exit(127); }
    int st;
    if (p < 0 || waitpid(p, &st, 0) != p || st != 0) { perror("fork/exec"); return 1; }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
  return 0;
}
