/* Readiness of host fds (stdio pipes and ttys) on the Node event loop: a uv_poll_t
 * per watched fd calls back into JS when it becomes readable or writable, so a
 * blocked read of host stdin never blocks the Sentry. */
#include "addon.h"
#include <errno.h>
#include <stdlib.h>
#include <uv.h>

typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref cb;
  int id;
  int active;
} watch_t;

#define MAX_WATCHES 256
static watch_t *watches[MAX_WATCHES];

static void on_close(uv_handle_t *h) {
  watch_t *w = (watch_t *)h->data;
  napi_delete_reference(w->env, w->cb);
  free(w);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  watch_t *w = (watch_t *)h->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, global, arg, result;
  napi_get_reference_value(env, w->cb, &fn);
  napi_get_global(env, &global);
  /* Errors (EBADF, hangup) are reported as readiness so readers see EOF/errors. */
  int ev = status < 0 ? (UV_READABLE | UV_WRITABLE) : events;
  napi_create_int32(env, ev, &arg);
  napi_make_callback(env, NULL, global, fn, 1, &arg, &result);
  napi_close_handle_scope(env, scope);
}

/* pollStart(fd, events (1 readable, 2 writable), cb(events)) -> id or -errno */
static napi_value poll_start_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd, events;
  if (arg_i32(env, argv[0], &fd) || arg_i32(env, argv[1], &events)) return NULL;
  int slot = -1;
  for (int i = 0; i < MAX_WATCHES; i++)
    if (!watches[i]) {
      slot = i;
      break;
    }
  if (slot < 0) return ret_i32(env, -EMFILE);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  watch_t *w = calloc(1, sizeof *w);
  w->env = env;
  w->id = slot;
  w->handle.data = w;
  int r = uv_poll_init(loop, &w->handle, fd);
  if (r < 0) {
    free(w);
    return ret_i32(env, r);
  }
  napi_create_reference(env, argv[2], 1, &w->cb);
  r = uv_poll_start(&w->handle, events, on_poll);
  if (r < 0) {
    uv_close((uv_handle_t *)&w->handle, on_close);
    return ret_i32(env, r);
  }
  w->active = 1;
  watches[slot] = w;
  return ret_i32(env, slot);
}

/* pollStop(id) */
static napi_value poll_stop_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t id;
  if (arg_i32(env, argv[0], &id)) return NULL;
  if (id < 0 || id >= MAX_WATCHES || !watches[id]) return ret_i32(env, -EINVAL);
  watch_t *w = watches[id];
  watches[id] = NULL;
  uv_poll_stop(&w->handle);
  uv_close((uv_handle_t *)&w->handle, on_close);
  return ret_i32(env, 0);
}

void uvpoll_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"pollStart", poll_start_js},
    {"pollStop", poll_stop_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
