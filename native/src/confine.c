/* Confinement primitives for the gofer (issue 8 item 3): namespaces at spawn,
 * mount/pivot_root, capabilities on every thread, no_new_privs and a seccomp-BPF
 * allowlist. Which mounts, caps and syscalls is policy and lives in TS
 * (src/gofer/confine.ts); this file only performs them. Each returns -errno. */
#include "addon.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC 1
#endif

#define PATH_CAP 4096

/* In a vfork child, before execve: new namespaces (mount propagation made private
 * so nothing the child mounts reaches the host) and a smaller capability bounding
 * set, which every thread of the exec'd program inherits. Errors are left for the
 * program to detect (it compares namespace ids); only a namespace that could not be
 * made private is fatal, since mounts in it would propagate to the host. */
void confine_spawn_child(int32_t unshare_flags, uint64_t cap_keep) {
  if (unshare_flags) {
    int done = unshare(unshare_flags) == 0 ? unshare_flags
               : (unshare_flags & CLONE_NEWNS) && unshare(CLONE_NEWNS) == 0 ? CLONE_NEWNS : 0;
    if ((done & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) _exit(126);
  }
  if (cap_keep != ~(uint64_t)0)
    for (int cap = 0; cap < 64; cap++)
      if (!(cap_keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL) break;
}

/* Strings may be null (JS null/undefined). */
static int opt_str(napi_env env, napi_value v, char *buf, char **out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    *out = NULL;
    return 0;
  }
  size_t n;
  if (napi_get_value_string_latin1(env, v, buf, PATH_CAP, &n) != napi_ok || n + 1 >= PATH_CAP) {
    napi_throw_type_error(env, NULL, "expected a string or null");
    return -1;
  }
  *out = buf;
  return 0;
}

/* mount(source, target, fstype, flags, data) */
static napi_value mount_js(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  static char b[4][PATH_CAP];
  char *src, *target, *fstype, *data;
  int32_t flags;
  if (opt_str(env, argv[0], b[0], &src) || opt_str(env, argv[1], b[1], &target) ||
      opt_str(env, argv[2], b[2], &fstype) || arg_i32(env, argv[3], &flags) || opt_str(env, argv[4], b[3], &data))
    return NULL;
  return ret_i32(env, mount(src, target, fstype, (unsigned long)(uint32_t)flags, data) < 0 ? -errno : 0);
}

/* umount2(target, flags) */
static napi_value umount2_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  static char b[PATH_CAP];
  char *target;
  int32_t flags;
  if (opt_str(env, argv[0], b, &target) || arg_i32(env, argv[1], &flags)) return NULL;
  return ret_i32(env, umount2(target, flags) < 0 ? -errno : 0);
}

/* pivotRoot(newRoot, putOld) */
static napi_value pivot_root_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  static char b[2][PATH_CAP];
  char *nr, *po;
  if (opt_str(env, argv[0], b[0], &nr) || opt_str(env, argv[1], b[1], &po)) return NULL;
  return ret_i32(env, syscall(SYS_pivot_root, nr, po) < 0 ? -errno : 0);
}

/* Capabilities are per thread: every thread of the process must drop its own. */
static uint64_t caps_keep;
static atomic_int caps_acks;
static atomic_int caps_err;
#define CAPS_SIGNAL (SIGRTMAX - 1)

static int caps_apply(void) {
  int err = 0;
  for (int cap = 0; cap < 64; cap++) {
    if (caps_keep >> cap & 1) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) break; /* past the last capability */
      if (!err) err = -errno;
    }
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0) return -errno;
  for (int i = 0; i < 2; i++) {
    uint32_t keep = (uint32_t)(caps_keep >> (32 * i));
    d[i].permitted &= keep;
    d[i].effective &= keep;
    d[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &h, d) < 0) return -errno;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -errno;
  return err;
}

static void caps_handler(int sig) {
  int saved = errno;
  int e = caps_apply();
  if (e) atomic_store(&caps_err, e);
  atomic_fetch_add(&caps_acks, 1);
  errno = saved;
}

/* Whether thread `name` (in /proc/self/task, open at dfd) blocks `sig`: it would
 * never run the handler, and waiting for it would only add to start-up. */
static int blocks_signal(int dfd, const char *name, int sig) {
  char path[300], buf[2048];
  snprintf(path, sizeof path, "%s/status", name);
  int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char *p = strstr(buf, "SigBlk:");
  if (!p) return 0;
  unsigned long long mask = strtoull(p + 7, NULL, 16);
  return (int)(mask >> (sig - 1) & 1);
}

/* dropCaps(keepMask, otherThreads) -> [other threads, threads done, error].
 * keepMask is a number (capabilities < 53). With otherThreads the calling thread is
 * left alone and every other thread (listed in /proc/self/task, so call this while
 * /proc is reachable) drops in a signal handler; threads that block the signal
 * (Node's inspector thread blocks all) are not signalled and count as not done. Without it, only
 * the calling thread drops. Either way no_new_privs is set on the threads done. */
static napi_value drop_caps_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int64_t keep;
  int32_t others;
  if (arg_i64(env, argv[0], &keep) || arg_i32(env, argv[1], &others)) return NULL;
  caps_keep = (uint64_t)keep;
  int sent = 0, blocked = 0, err = 0;
  atomic_store(&caps_acks, 0);
  atomic_store(&caps_err, 0);
  if (others) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = caps_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(CAPS_SIGNAL, &sa, NULL) < 0) return ret_i32(env, -errno);
    int dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return ret_i32(env, -errno);
    DIR *dir = fdopendir(dfd);
    pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
    struct dirent *de;
    while (dir && (de = readdir(dir))) {
      pid_t tid = (pid_t)atoi(de->d_name);
      if (tid <= 0 || tid == self) continue;
      if (blocks_signal(dfd, de->d_name, CAPS_SIGNAL)) {
        blocked++;
        continue;
      }
      if (syscall(SYS_tgkill, pid, tid, CAPS_SIGNAL) == 0) sent++;
    }
    if (dir) closedir(dir);
    /* Wait up to 200 ms for the handlers: a thread that blocks the signal never runs it. */
    for (int i = 0; i < 200 && atomic_load(&caps_acks) < sent; i++) {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
    err = atomic_load(&caps_err);
  } else {
    err = caps_apply();
  }
  napi_value arr;
  napi_create_array_with_length(env, 3, &arr);
  napi_set_element(env, arr, 0, ret_i32(env, sent + blocked));
  napi_set_element(env, arr, 1, ret_i32(env, atomic_load(&caps_acks)));
  napi_set_element(env, arr, 2, ret_i32(env, err));
  return arr;
}

/* seccompInstall(nrs Int32Array, defaultAction, argRules Int32Array, enosys Int32Array)
 * -> 0 or -errno (or the tid of a thread that could not be synchronised).
 * An x86_64 allowlist applied to every thread (TSYNC); other architectures and
 * x32 numbers get the default action too. nrs: allowed whatever the arguments.
 * argRules: [nr, argIndex, count, value...]... allowed when the low 32 bits of
 * that argument are one of the values (ioctl commands, clone flags). enosys:
 * answered ENOSYS (so libc falls back, e.g. clone3 -> clone).
 * defaultAction: 0 kill the process, 1 log and allow, 2 EPERM. */
static napi_value seccomp_install_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  void *p, *rp, *ep;
  size_t len, rlen, elen;
  int32_t mode;
  if (arg_bytes(env, argv[0], &p, &len) || arg_i32(env, argv[1], &mode) || arg_bytes(env, argv[2], &rp, &rlen) ||
      arg_bytes(env, argv[3], &ep, &elen))
    return NULL;
  size_t n = len / sizeof(int32_t), rn = rlen / sizeof(int32_t), en = elen / sizeof(int32_t);
  if (n > 1000 || rn > 1000 || en > 100) return ret_i32(env, -E2BIG);
  const int32_t *nrs = p, *rules = rp, *nosys = ep;
  uint32_t deflt = mode == 1 ? SECCOMP_RET_LOG : mode == 2 ? SECCOMP_RET_ERRNO | EPERM : SECCOMP_RET_KILL_PROCESS;
  struct sock_filter *f = calloc(8 + 2 * n + 3 * rn + 2 * en, sizeof *f);
  if (!f) return ret_i32(env, -ENOMEM);
  size_t i = 0;
#define STMT(code, k) (f[i++] = (struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) (f[i++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf))
  STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U /* x32 */, 0, 1);
  STMT(BPF_RET | BPF_K, deflt);
  for (size_t k = 0; k < n; k++) {
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[k], 0, 1);
    STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  for (size_t k = 0; k < en; k++) {
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nosys[k], 0, 1);
    STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  }
  for (size_t k = 0; k + 3 <= rn;) {
    uint32_t nr = (uint32_t)rules[k], arg = (uint32_t)rules[k + 1], cnt = (uint32_t)rules[k + 2];
    if (arg > 5 || cnt > 100 || k + 3 + cnt > rn) {
      free(f);
      return ret_i32(env, -EINVAL);
    }
    /* nr matches: load the argument, compare with each value, else the default. */
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, (uint8_t)(2 + 2 * cnt));
    STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * arg);
    for (uint32_t v = 0; v < cnt; v++) {
      JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)rules[k + 3 + v], 0, 1);
      STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    }
    STMT(BPF_RET | BPF_K, deflt);
    k += 3 + cnt;
  }
  STMT(BPF_RET | BPF_K, deflt);
#undef STMT
#undef JUMP
  struct sock_fprog prog = {(unsigned short)i, f};
  long r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (r == 0) r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
  int e = errno;
  free(f);
  return ret_i32(env, r < 0 ? -e : (int32_t)r);
}

void confine_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"mount", mount_js},
    {"umount2", umount2_js},
    {"pivotRoot", pivot_root_js},
    {"dropCaps", drop_caps_js},
    {"seccompInstall", seccomp_install_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
