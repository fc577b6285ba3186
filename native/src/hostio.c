/* Host system calls that Node does not expose: *at() calls on directory fds,
 * raw stat layouts, getdents64, readlinkat, SCM_RIGHTS fd passing, ioctl and a
 * vfork-based spawn (libuv's child_process would install a SIGCHLD handler that
 * fires on every ptrace stop, DESIGN.md §5). Each returns -errno on failure. */
#include "addon.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH_CAP 4096

/* Paths are byte strings: the kernel keeps them as latin1 JS strings (one char per byte). */
static int opt_path(napi_env env, napi_value v, char *buf) {
  size_t n;
  if (napi_get_value_string_latin1(env, v, buf, PATH_CAP, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return -1;
  }
  if (n + 1 >= PATH_CAP) {
    napi_throw_range_error(env, NULL, "path too long");
    return -1;
  }
  return 0;
}

/* openat(dirfd, path, flags, mode) -> fd */
static napi_value openat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t dirfd, flags, mode;
  char path[PATH_CAP];
  if (arg_i32(env, argv[0], &dirfd) || opt_path(env, argv[1], path) || arg_i32(env, argv[2], &flags) ||
      arg_i32(env, argv[3], &mode))
    return NULL;
  int fd = openat(dirfd, path, flags | O_CLOEXEC, mode);
  return ret_i32(env, fd < 0 ? -errno : fd);
}

/* fstatat(dirfd, path, flags, buf144) -> 0: raw x86_64 struct stat into buf */
static napi_value fstatat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t dirfd, flags;
  char path[PATH_CAP];
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &dirfd) || opt_path(env, argv[1], path) || arg_i32(env, argv[2], &flags) ||
      arg_bytes(env, argv[3], &p, &l))
    return NULL;
  if (l < sizeof(struct stat)) return ret_i32(env, -EINVAL);
  return ret_i32(env, fstatat(dirfd, path, p, flags) < 0 ? -errno : 0);
}

/* fstat(fd, buf144) -> 0 */
static napi_value fstat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  if (l < sizeof(struct stat)) return ret_i32(env, -EINVAL);
  return ret_i32(env, fstat(fd, p) < 0 ? -errno : 0);
}

/* readlinkat(dirfd, path, buf) -> length */
static napi_value readlinkat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t dirfd;
  char path[PATH_CAP];
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &dirfd) || opt_path(env, argv[1], path) || arg_bytes(env, argv[2], &p, &l)) return NULL;
  ssize_t n = readlinkat(dirfd, path, p, l);
  return ret_i32(env, n < 0 ? -errno : (int32_t)n);
}

/* getdents64(fd, buf) -> bytes */
static napi_value getdents64_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  long n = syscall(SYS_getdents64, fd, p, l);
  return ret_i32(env, n < 0 ? -errno : (int32_t)n);
}

/* lseek(fd, off, whence) -> new offset */
static napi_value lseek_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd, whence;
  int64_t off;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &off) || arg_i32(env, argv[2], &whence)) return NULL;
  off_t r = lseek(fd, off, whence);
  return ret_i64(env, r < 0 ? -errno : r);
}

/* pread(fd, buf, off) / pwrite(fd, buf, off): off < 0 means the file position. */
static napi_value pread_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  int64_t off;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || arg_bytes(env, argv[1], &p, &l) || arg_i64(env, argv[2], &off)) return NULL;
  ssize_t n = off < 0 ? read(fd, p, l) : pread(fd, p, l, off);
  return ret_i64(env, n < 0 ? -errno : n);
}

static napi_value pwrite_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  int64_t off;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || arg_bytes(env, argv[1], &p, &l) || arg_i64(env, argv[2], &off)) return NULL;
  ssize_t n = off < 0 ? write(fd, p, l) : pwrite(fd, p, l, off);
  return ret_i64(env, n < 0 ? -errno : n);
}

/* ioctl(fd, request, buf|null) -> result */
static napi_value ioctl_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  int64_t req;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &req)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  void *p = NULL;
  size_t l;
  int64_t iv = 0;
  if (t == napi_number || t == napi_bigint) {
    if (arg_i64(env, argv[2], &iv)) return NULL;
    p = (void *)(intptr_t)iv;
  } else if (t != napi_null && t != napi_undefined) {
    if (arg_bytes(env, argv[2], &p, &l)) return NULL;
  }
  int r = ioctl(fd, (unsigned long)req, p);
  return ret_i32(env, r < 0 ? -errno : r);
}

/* fcntl(fd, cmd, arg) -> result */
static napi_value fcntl_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd, cmd, arg;
  if (arg_i32(env, argv[0], &fd) || arg_i32(env, argv[1], &cmd) || arg_i32(env, argv[2], &arg)) return NULL;
  int r = fcntl(fd, cmd, arg);
  return ret_i32(env, r < 0 ? -errno : r);
}

/* poll1(fd, events, timeoutMs) -> revents */
static napi_value poll1_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd, events, timeout;
  if (arg_i32(env, argv[0], &fd) || arg_i32(env, argv[1], &events) || arg_i32(env, argv[2], &timeout)) return NULL;
  struct pollfd p = {fd, (short)events, 0};
  int r = poll(&p, 1, timeout);
  return ret_i32(env, r < 0 ? -errno : p.revents);
}

/* dup3(old, new, flags) / close(fd) */
static napi_value dup3_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t o, n, f;
  if (arg_i32(env, argv[0], &o) || arg_i32(env, argv[1], &n) || arg_i32(env, argv[2], &f)) return NULL;
  int r = n < 0 ? fcntl(o, F_DUPFD_CLOEXEC, 0) : dup3(o, n, f);
  return ret_i32(env, r < 0 ? -errno : r);
}

static napi_value close_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (arg_i32(env, argv[0], &fd)) return NULL;
  return ret_i32(env, close(fd) < 0 ? -errno : 0);
}

/* socketpair() -> [fd0, fd1] (AF_UNIX, SOCK_SEQPACKET, CLOEXEC) or -errno */
static napi_value socketpair_js(napi_env env, napi_callback_info info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return ret_i32(env, -errno);
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, ret_i32(env, sv[0]));
  napi_set_element(env, arr, 1, ret_i32(env, sv[1]));
  return arr;
}

#define MAX_FDS 64

/* sendmsg(sock, buf, fds[]) -> bytes sent */
static napi_value sendmsg_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t sock;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &sock) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  uint32_t nfds = 0;
  int fds[MAX_FDS];
  bool isarr = false;
  napi_is_array(env, argv[2], &isarr);
  if (isarr) {
    napi_get_array_length(env, argv[2], &nfds);
    if (nfds > MAX_FDS) return ret_i32(env, -EINVAL);
    for (uint32_t i = 0; i < nfds; i++) {
      napi_value e;
      napi_get_element(env, argv[2], i, &e);
      if (arg_i32(env, e, &fds[i])) return NULL;
    }
  }
  struct iovec iov = {p, l};
  char cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (nfds) {
    memset(cbuf, 0, sizeof cbuf);
    msg.msg_control = cbuf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return ret_i64(env, n < 0 ? -errno : n);
}

/* recvmsg(sock, buf, fdsOut Int32Array, flags) -> bytes; fdsOut[0] = count, fdsOut[1..] = fds */
static napi_value recvmsg_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t sock, flags;
  void *p, *fp;
  size_t l, fl;
  if (arg_i32(env, argv[0], &sock) || arg_bytes(env, argv[1], &p, &l) || arg_bytes(env, argv[2], &fp, &fl) ||
      arg_i32(env, argv[3], &flags))
    return NULL;
  int32_t *fo = fp;
  size_t maxfds = fl / 4 - 1;
  if (maxfds > MAX_FDS) maxfds = MAX_FDS;
  struct iovec iov = {p, l};
  char cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
  while (n < 0 && errno == EINTR);
  fo[0] = 0;
  if (n < 0) return ret_i64(env, -errno);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int *fds = (int *)CMSG_DATA(c);
    for (size_t i = 0; i < cnt; i++) {
      if ((size_t)fo[0] < maxfds)
        fo[1 + fo[0]++] = fds[i];
      else
        close(fds[i]); /* never leak what the caller cannot take */
    }
  }
  return ret_i64(env, n);
}

static char **string_array(napi_env env, napi_value arr, char *store, size_t cap) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **v = calloc(n + 1, sizeof(char *));
  size_t used = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    size_t len;
    napi_get_element(env, arr, i, &e);
    if (napi_get_value_string_utf8(env, e, store + used, cap - used, &len) != napi_ok || used + len + 1 >= cap) {
      free(v);
      return NULL;
    }
    v[i] = store + used;
    used += len + 1;
  }
  return v;
}

/* spawn(path, argv[], envp[], fdmap[], cpu, newPgrp[, unshareFlags, capKeep]) -> pid.
 * fdmap[i] is the parent fd that becomes fd i in the child (-1: closed).
 * unshareFlags/capKeep: namespaces and capability bounding set for the child (confine.c). */
static napi_value spawn_js(napi_env env, napi_callback_info info) {
  GET_ARGS(8);
  char path[PATH_CAP];
  int32_t cpu, newpg, unshare_flags = 0;
  int64_t cap_keep = -1;
  if (opt_path(env, argv[0], path) || arg_i32(env, argv[4], &cpu) || arg_i32(env, argv[5], &newpg)) return NULL;
  if (argc > 6 && arg_i32(env, argv[6], &unshare_flags)) return NULL;
  if (argc > 7 && arg_i64(env, argv[7], &cap_keep)) return NULL;
  static char store[1 << 20];
  char **av = string_array(env, argv[1], store, sizeof store / 2);
  char **ev = string_array(env, argv[2], store + sizeof store / 2, sizeof store / 2);
  if (!av || !ev) {
    free(av);
    free(ev);
    napi_throw_range_error(env, NULL, "bad argv or envp");
    return NULL;
  }
  uint32_t nmap;
  napi_get_array_length(env, argv[3], &nmap);
  if (nmap > 64) nmap = 64;
  int map[64];
  for (uint32_t i = 0; i < nmap; i++) {
    napi_value e;
    napi_get_element(env, argv[3], i, &e);
    if (arg_i32(env, e, &map[i])) return NULL;
  }
  /* Move sources above the target range first so dup2 never clobbers a source. */
  int moved[64];
  for (uint32_t i = 0; i < nmap; i++) moved[i] = map[i] < 0 ? -1 : fcntl(map[i], F_DUPFD_CLOEXEC, 100);
  pid_t pid = vfork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    signal(SIGPIPE, SIG_DFL);
    if (newpg) setpgid(0, 0);
    if (unshare_flags || cap_keep != -1) confine_spawn_child(unshare_flags, (uint64_t)cap_keep);
    for (uint32_t i = 0; i < nmap; i++) {
      if (moved[i] >= 0) dup2(moved[i], (int)i);
      else close((int)i);
    }
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    execve(path, av, ev);
    _exit(127);
  }
  int e = errno;
  for (uint32_t i = 0; i < nmap; i++)
    if (moved[i] >= 0) close(moved[i]);
  free(av);
  free(ev);
  return ret_i32(env, pid < 0 ? -e : pid);
}

/* waitpid(pid, options, statusOut Int32Array) -> pid or -errno */
static napi_value waitpid_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t pid, opts;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &pid) || arg_i32(env, argv[1], &opts) || arg_bytes(env, argv[2], &p, &l)) return NULL;
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, opts);
  while (r < 0 && errno == EINTR);
  ((int32_t *)p)[0] = status;
  return ret_i32(env, r < 0 ? -errno : r);
}

/* hwcap() -> [AT_HWCAP, AT_HWCAP2] of the host, passed to apps in auxv */
static napi_value hwcap_js(napi_env env, napi_callback_info info) {
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, ret_i64(env, (int64_t)getauxval(AT_HWCAP)));
  napi_set_element(env, arr, 1, ret_i64(env, (int64_t)getauxval(AT_HWCAP2)));
  return arr;
}

/* setSigchldNocldstop(): if libuv installed a SIGCHLD handler, add SA_NOCLDSTOP so
 * ptrace stops of stubs do not run it (DESIGN.md §5 pitfall). */
static napi_value sigchld_nocldstop_js(napi_env env, napi_callback_info info) {
  struct sigaction sa;
  if (sigaction(SIGCHLD, NULL, &sa) < 0) return ret_i32(env, -errno);
  if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN) return ret_i32(env, 0);
  sa.sa_flags |= SA_NOCLDSTOP;
  return ret_i32(env, sigaction(SIGCHLD, &sa, NULL) < 0 ? -errno : 1);
}

/* gettid() of the calling thread */
static napi_value gettid_js(napi_env env, napi_callback_info info) {
  return ret_i32(env, (int32_t)syscall(SYS_gettid));
}

/* killpg-style kill(pid, sig) */
static napi_value kill_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t pid, sig;
  if (arg_i32(env, argv[0], &pid) || arg_i32(env, argv[1], &sig)) return NULL;
  return ret_i32(env, kill(pid, sig) < 0 ? -errno : 0);
}

/* fstatfs(fd, buf120) -> 0: raw x86_64 struct statfs into buf (gofer statfs) */
static napi_value fstatfs_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  if (l < sizeof(struct statfs)) return ret_i32(env, -EINVAL);
  return ret_i32(env, fstatfs(fd, p) < 0 ? -errno : 0);
}

/* ftruncate(fd, len) -> 0 */
static napi_value ftruncate_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  int64_t len;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &len)) return NULL;
  int r;
  do r = ftruncate(fd, len);
  while (r < 0 && errno == EINTR);
  return ret_i32(env, r < 0 ? -errno : 0);
}

/* fsync(fd, dataOnly) -> 0 */
static napi_value fsync_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd, data;
  if (arg_i32(env, argv[0], &fd) || arg_i32(env, argv[1], &data)) return NULL;
  return ret_i32(env, (data ? fdatasync(fd) : fsync(fd)) < 0 ? -errno : 0);
}

/* fallocate(fd, mode, off, len) -> 0: host-backed files keep the host's own semantics */
static napi_value fallocate_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd, mode;
  int64_t off, len;
  if (arg_i32(env, argv[0], &fd) || arg_i32(env, argv[1], &mode) || arg_i64(env, argv[2], &off) ||
      arg_i64(env, argv[3], &len)) return NULL;
  int r;
  do r = fallocate(fd, mode, off, len);
  while (r < 0 && errno == EINTR);
  return ret_i32(env, r < 0 ? -errno : 0);
}

/* syncfs(fd) -> 0 */
static napi_value syncfs_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (arg_i32(env, argv[0], &fd)) return NULL;
  return ret_i32(env, syncfs(fd) < 0 ? -errno : 0);
}

/* syncFileRange(fd, off, len, flags) -> 0 */
static napi_value sync_file_range_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd, flags;
  int64_t off, len;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &off) || arg_i64(env, argv[2], &len) ||
      arg_i32(env, argv[3], &flags)) return NULL;
  return ret_i32(env, sync_file_range(fd, off, len, (unsigned)flags) < 0 ? -errno : 0);
}

void hostio_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"openat", openat_js},
    {"fstatat", fstatat_js},
    {"fstat", fstat_js},
    {"readlinkat", readlinkat_js},
    {"getdents64", getdents64_js},
    {"lseek", lseek_js},
    {"pread", pread_js},
    {"pwrite", pwrite_js},
    {"ioctl", ioctl_js},
    {"fcntl", fcntl_js},
    {"poll1", poll1_js},
    {"dup3", dup3_js},
    {"close", close_js},
    {"socketpair", socketpair_js},
    {"sendmsg", sendmsg_js},
    {"recvmsg", recvmsg_js},
    {"spawn", spawn_js},
    {"waitpid", waitpid_js},
    {"hwcap", hwcap_js},
    {"sigchldNocldstop", sigchld_nocldstop_js},
    {"gettid", gettid_js},
    {"kill", kill_js},
    {"fstatfs", fstatfs_js},
    {"ftruncate", ftruncate_js},
    {"fsync", fsync_js},
    {"fallocate", fallocate_js},
    {"syncfs", syncfs_js},
    {"syncFileRange", sync_file_range_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}

/* clockNs(clockid) -> the host clock's value in ns as a BigInt (CLOCK_REALTIME
 * does not fit a double's 53 bits at ns resolution). */
#include <time.h>
#include <dlfcn.h>
#include <sys/auxv.h>
static napi_value clock_ns_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t clk;
  if (arg_i32(env, argv[0], &clk)) return NULL;
  struct timespec ts;
  napi_value out;
  if (clock_gettime(clk, &ts) < 0) {
    napi_create_bigint_int64(env, -errno, &out);
    return out;
  }
  napi_create_bigint_int64(env, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, &out);
  return out;
}

/* hostVdsoOffsets() -> [clock_gettime, gettimeofday, time]: where the host vDSO's
 * functions are relative to its ELF header (0 for a missing one; [] without a
 * vDSO). The same kernel maps the same image into every stub. */
static napi_value host_vdso_offsets_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value arr;
  napi_create_array(env, &arr);
  uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
  void *h = base ? dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD) : NULL;
  if (!h) return arr;
  static const char *const names[] = {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time"};
  for (uint32_t i = 0; i < 3; i++) {
    void *sym = dlvsym(h, names[i], "LINUX_2.6");
    napi_set_element(env, arr, i, ret_i64(env, sym ? (int64_t)((uintptr_t)sym - base) : 0));
  }
  dlclose(h);
  return arr;
}

void hostio_register_extra(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"clockNs", clock_ns_js},
    {"hostVdsoOffsets", host_vdso_offsets_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}

/* getrandom(buf) -> bytes filled: the host CSPRNG without loading node:crypto
 * (a few ms of start-up), for AT_RANDOM, getrandom(2) and /dev/urandom. */
#include <sys/random.h>
static napi_value getrandom_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  void *p;
  size_t l;
  if (arg_bytes(env, argv[0], &p, &l)) return NULL;
  size_t done = 0;
  while (done < l) {
    ssize_t n = getrandom((char *)p + done, l - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ret_i64(env, -errno);
    }
    done += (size_t)n;
  }
  return ret_i64(env, (int64_t)done);
}

/* isatty(fd) -> 1 or 0, without loading node:tty. */
#include <termios.h>
static napi_value isatty_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (arg_i32(env, argv[0], &fd)) return NULL;
  return ret_i32(env, isatty(fd) ? 1 : 0);
}

void hostio_register_random(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"getrandom", getrandom_js},
    {"isatty", isatty_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
