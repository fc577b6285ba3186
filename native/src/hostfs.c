/* Host calls that change a file tree, for the gofer's write side: *at() calls on
 * a directory fd and one name, and attribute changes on an O_PATH fd
 * (AT_EMPTY_PATH), so nothing resolves a path of more than one component or
 * follows a symlink. Each returns -errno on failure. Names and link targets are
 * byte strings (latin1 JS strings, one char per byte). */
#include "addon.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* PATH_MAX plus one: a 4095-byte symlink target with its NUL must fit, and a longer
 * string must be seen as truncated (n + 1 >= NAME_CAP) rather than accepted. */
#define NAME_CAP 4097

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int opt_name(napi_env env, napi_value v, char *buf) {
  size_t n;
  if (napi_get_value_string_latin1(env, v, buf, NAME_CAP, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return -1;
  }
  if (n + 1 >= NAME_CAP) {
    napi_throw_range_error(env, NULL, "name too long");
    return -1;
  }
  return 0;
}

static napi_value res(napi_env env, long r) {
  return ret_i32(env, r < 0 ? -errno : (int32_t)r);
}

/* Where an O_PATH fd is not accepted (xattrs) or the AT_EMPTY_PATH form is missing
 * (old kernels): the fd's /proc/self/fd link names the very inode it holds (a magic
 * link, not resolved as a path). The callers give real fds where they can. */
static void fd_path(char *buf, size_t cap, int fd) {
  snprintf(buf, cap, "/proc/self/fd/%d", fd);
}

/* mkdirat(dirfd, name, mode) */
static napi_value mkdirat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t dirfd, mode;
  char name[NAME_CAP];
  if (arg_i32(env, argv[0], &dirfd) || opt_name(env, argv[1], name) || arg_i32(env, argv[2], &mode)) return NULL;
  return res(env, mkdirat(dirfd, name, (mode_t)mode));
}

/* mknodat(dirfd, name, mode, rdev) */
static napi_value mknodat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t dirfd, mode;
  int64_t dev;
  char name[NAME_CAP];
  if (arg_i32(env, argv[0], &dirfd) || opt_name(env, argv[1], name) || arg_i32(env, argv[2], &mode) ||
      arg_i64(env, argv[3], &dev))
    return NULL;
  return res(env, mknodat(dirfd, name, (mode_t)mode, (dev_t)dev));
}

/* symlinkat(target, dirfd, name) */
static napi_value symlinkat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t dirfd;
  char target[NAME_CAP], name[NAME_CAP];
  if (opt_name(env, argv[0], target) || arg_i32(env, argv[1], &dirfd) || opt_name(env, argv[2], name)) return NULL;
  return res(env, symlinkat(target, dirfd, name));
}

/* linkat(olddirfd, oldname, newdirfd, newname, flags) */
static napi_value linkat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  int32_t od, nd, flags;
  char on[NAME_CAP], nn[NAME_CAP];
  if (arg_i32(env, argv[0], &od) || opt_name(env, argv[1], on) || arg_i32(env, argv[2], &nd) ||
      opt_name(env, argv[3], nn) || arg_i32(env, argv[4], &flags))
    return NULL;
  return res(env, linkat(od, on, nd, nn, flags));
}

/* unlinkat(dirfd, name, flags) */
static napi_value unlinkat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t dirfd, flags;
  char name[NAME_CAP];
  if (arg_i32(env, argv[0], &dirfd) || opt_name(env, argv[1], name) || arg_i32(env, argv[2], &flags)) return NULL;
  return res(env, unlinkat(dirfd, name, flags));
}

/* renameat2(olddirfd, oldname, newdirfd, newname, flags) */
static napi_value renameat2_js(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  int32_t od, nd, flags;
  char on[NAME_CAP], nn[NAME_CAP];
  if (arg_i32(env, argv[0], &od) || opt_name(env, argv[1], on) || arg_i32(env, argv[2], &nd) ||
      opt_name(env, argv[3], nn) || arg_i32(env, argv[4], &flags))
    return NULL;
  return res(env, syscall(SYS_renameat2, od, on, nd, nn, (unsigned)flags));
}

/* fchownat(dirfd, name, uid, gid, flags); uid/gid -1 leave that id alone */
static napi_value fchownat_js(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  int32_t dirfd, uid, gid, flags;
  char name[NAME_CAP];
  if (arg_i32(env, argv[0], &dirfd) || opt_name(env, argv[1], name) || arg_i32(env, argv[2], &uid) ||
      arg_i32(env, argv[3], &gid) || arg_i32(env, argv[4], &flags))
    return NULL;
  return res(env, fchownat(dirfd, name, (uid_t)uid, (gid_t)gid, flags));
}

/* fchmodFd(fd, mode): chmod of the inode an fd holds (O_PATH fds included); a symlink gives EOPNOTSUPP */
static napi_value fchmod_fd_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd, mode;
  if (arg_i32(env, argv[0], &fd) || arg_i32(env, argv[1], &mode)) return NULL;
  long r = syscall(SYS_fchmodat2, fd, "", (mode_t)mode, AT_EMPTY_PATH);
  if (r < 0 && errno == ENOSYS) {
    char p[64];
    fd_path(p, sizeof p, fd);
    r = fchmodat(AT_FDCWD, p, (mode_t)mode, 0);
  }
  return res(env, r);
}

/* utimensFd(fd, asec, ansec, msec, mnsec): utimensat on the inode an fd holds; nsec may be UTIME_OMIT/UTIME_NOW */
static napi_value utimens_fd_js(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  int32_t fd;
  int64_t as, an, ms, mn;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &as) || arg_i64(env, argv[2], &an) ||
      arg_i64(env, argv[3], &ms) || arg_i64(env, argv[4], &mn))
    return NULL;
  struct timespec ts[2] = {{(time_t)as, (long)an}, {(time_t)ms, (long)mn}};
  long r = utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  if (r < 0 && errno == EINVAL) {
    char p[64];
    fd_path(p, sizeof p, fd);
    r = utimensat(AT_FDCWD, p, ts, 0);
  }
  return res(env, r);
}

/* getxattrFd(fd, name, buf) -> length (buf of length 0: just the size); xattr calls take real fds, O_PATH ones via /proc */
static napi_value getxattr_fd_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  char name[NAME_CAP];
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || opt_name(env, argv[1], name) || arg_bytes(env, argv[2], &p, &l)) return NULL;
  long r = fgetxattr(fd, name, p, l);
  if (r < 0 && errno == EBADF) {
    char path[64];
    fd_path(path, sizeof path, fd);
    r = getxattr(path, name, p, l);
  }
  return res(env, r);
}

/* setxattrFd(fd, name, value, flags) */
static napi_value setxattr_fd_js(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd, flags;
  char name[NAME_CAP];
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || opt_name(env, argv[1], name) || arg_bytes(env, argv[2], &p, &l) ||
      arg_i32(env, argv[3], &flags))
    return NULL;
  long r = fsetxattr(fd, name, p, l, flags);
  if (r < 0 && errno == EBADF) {
    char path[64];
    fd_path(path, sizeof path, fd);
    r = setxattr(path, name, p, l, flags);
  }
  return res(env, r);
}

/* listxattrFd(fd, buf) -> length of the NUL-separated list */
static napi_value listxattr_fd_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &fd) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  long r = flistxattr(fd, p, l);
  if (r < 0 && errno == EBADF) {
    char path[64];
    fd_path(path, sizeof path, fd);
    r = listxattr(path, p, l);
  }
  return res(env, r);
}

/* removexattrFd(fd, name) */
static napi_value removexattr_fd_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  char name[NAME_CAP];
  if (arg_i32(env, argv[0], &fd) || opt_name(env, argv[1], name)) return NULL;
  long r = fremovexattr(fd, name);
  if (r < 0 && errno == EBADF) {
    char path[64];
    fd_path(path, sizeof path, fd);
    r = removexattr(path, name);
  }
  return res(env, r);
}

void hostfs_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"mkdirat", mkdirat_js},
    {"mknodat", mknodat_js},
    {"symlinkat", symlinkat_js},
    {"linkat", linkat_js},
    {"unlinkat", unlinkat_js},
    {"renameat2", renameat2_js},
    {"fchownat", fchownat_js},
    {"fchmodFd", fchmod_fd_js},
    {"utimensFd", utimens_fd_js},
    {"getxattrFd", getxattr_fd_js},
    {"setxattrFd", setxattr_fd_js},
    {"listxattrFd", listxattr_fd_js},
    {"removexattrFd", removexattr_fd_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
