/* Shared helpers for the tsvisor N-API addon.
 * The addon holds only platform primitives (DESIGN.md §5): kernel logic stays in TS. */
#ifndef TSVISOR_ADDON_H
#define TSVISOR_ADDON_H

#include <node_api.h>
#include <stdint.h>
#include <stddef.h>

#define NAPI_CALL(env, call)                                   \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error((env), NULL, "N-API call failed: " #call); \
      return NULL;                                             \
    }                                                          \
  } while (0)

/* Argument decoding. All return 0 on success and throw a JS TypeError otherwise. */
int arg_i32(napi_env env, napi_value v, int32_t *out);
int arg_i64(napi_env env, napi_value v, int64_t *out);   /* from number or bigint */
int arg_u64(napi_env env, napi_value v, uint64_t *out);  /* from number or bigint */
int arg_bytes(napi_env env, napi_value v, void **data, size_t *len); /* TypedArray/Buffer/ArrayBuffer */
int arg_string(napi_env env, napi_value v, char *buf, size_t cap);

napi_value ret_i32(napi_env env, int32_t v);
napi_value ret_i64(napi_env env, int64_t v);  /* as JS number (values stay < 2^53 in practice) */
napi_value ret_undefined(napi_env env);

#define GET_ARGS(n)                                                          \
  size_t argc = (n);                                                         \
  napi_value argv[(n) > 0 ? (n) : 1];                                        \
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));

typedef struct {
  const char *name;
  napi_callback fn;
} export_entry;

void export_all(napi_env env, napi_value exports, const export_entry *entries);

/* Per-area registration. */
void memfile_register(napi_env env, napi_value exports);
void ptrace_register(napi_env env, napi_value exports);
void watcher_register(napi_env env, napi_value exports);
void hostio_register(napi_env env, napi_value exports);
void uvpoll_register(napi_env env, napi_value exports);
void hostio_register_extra(napi_env env, napi_value exports);
void hostio_register_random(napi_env env, napi_value exports);
void hostfs_register(napi_env env, napi_value exports);
void confine_register(napi_env env, napi_value exports);

/* In a vfork child before execve: namespaces and capability bounding set (confine.c). */
void confine_spawn_child(int32_t unshare_flags, uint64_t cap_keep);

/* Watcher state consulted by the ptrace wait loop. */
int watcher_begin_wait(napi_env env, int32_t kick_tid);  /* returns 1 if the loop must yield instead */
void watcher_end_wait(void);

#endif
