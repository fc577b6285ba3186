/* The memory file: one memfd backs all application memory (DESIGN.md §5).
 * The Sentry maps windows of it as external ArrayBuffers so copy-in/out is a memcpy. */
#include "addon.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

/* memfdCreate(name, size) -> fd or -errno */
static napi_value memfd_create_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  char name[64];
  int64_t size;
  if (arg_string(env, argv[0], name, sizeof name) || arg_i64(env, argv[1], &size)) return NULL;
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return ret_i32(env, -errno);
  if (ftruncate(fd, size) < 0) {
    int e = errno;
    close(fd);
    return ret_i32(env, -e);
  }
  return ret_i32(env, fd);
}

static void unmap_finalize(napi_env env, void *data, void *hint) {
  munmap(data, (size_t)(uintptr_t)hint);
}

/* mmapShared(fd, offset, length) -> ArrayBuffer over a MAP_SHARED window, or -errno */
static napi_value mmap_shared_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  int64_t off, len;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &off) || arg_i64(env, argv[2], &len)) return NULL;
  void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, off);
  if (p == MAP_FAILED) return ret_i32(env, -errno);
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, (size_t)len, unmap_finalize, (void *)(uintptr_t)len, &ab) != napi_ok) {
    munmap(p, (size_t)len);
    napi_throw_error(env, NULL, "cannot create external ArrayBuffer");
    return NULL;
  }
  return ab;
}

/* punchHole(fd, offset, length) -> 0 or -errno: frees pages and makes them read as zero. */
static napi_value punch_hole_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  int64_t off, len;
  if (arg_i32(env, argv[0], &fd) || arg_i64(env, argv[1], &off) || arg_i64(env, argv[2], &len)) return NULL;
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}


void memfile_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"memfdCreate", memfd_create_js},
    {"mmapShared", mmap_shared_js},
    {"punchHole", punch_hole_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
