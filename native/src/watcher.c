/* Preemption watcher (DESIGN.md §5).
 *
 * While the JS main thread blocks in waitpid for stub stops, the Node event loop
 * cannot run. This thread epolls libuv's backend fd (and waits for the next uv timer
 * deadline); when the loop has work and the main thread is in waitpid, it kicks a
 * running stub thread with SIGCHLD. The stub stops, waitpid returns, the kick is
 * swallowed (the app never sees it) and JS yields to the event loop. Kicks repeat
 * every millisecond until JS re-activates the watcher, so no wake-up is lost. */
#include "addon.h"
#include <errno.h>
#include <pthread.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

static uv_loop_t *loop;
static int epfd = -1, ctlfd = -1;
static atomic_int active;   /* JS is inside the scheduler loop */
static atomic_int pending;  /* the event loop has work: JS should yield */
static atomic_int in_wait;  /* the main thread is blocked in waitpid */
static atomic_int kick_tid; /* a running stub thread to interrupt */
static _Atomic int64_t deadline_ms = INT64_MAX; /* next uv timer, uv_now() clock */
static atomic_long kicks;
static pthread_t thread;
static int started;

static void drain_ctl(void) {
  uint64_t v;
  while (read(ctlfd, &v, sizeof v) == sizeof v) {
  }
}

static void wake_watcher(void) {
  uint64_t one = 1;
  (void)!write(ctlfd, &one, sizeof one);
}

static int64_t now_ms(void) { return (int64_t)(uv_hrtime() / 1000000); }

/* Deadline of the earliest uv timer in uv_now() milliseconds. uv_backend_timeout()
 * is useless here: it is 0 whenever immediates are queued, including while our own
 * setImmediate callback runs. The timer heap is part of libuv's public structs. */
static int64_t next_timer_ms(void) {
  void *min = loop->timer_heap.min;
  if (!min) return INT64_MAX;
  const uv_timer_t *t = (const uv_timer_t *)((const char *)min - offsetof(uv_timer_t, heap_node));
  return (int64_t)t->timeout;
}

static void *watcher_main(void *arg) {
  int cpu = (int)(intptr_t)arg;
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  struct epoll_event evs[4];
  for (;;) {
    if (!atomic_load(&active)) {
      struct pollfd p = {ctlfd, POLLIN, 0};
      poll(&p, 1, -1);
      drain_ctl();
      continue;
    }
    if (!atomic_load(&pending)) {
      int64_t dl = atomic_load(&deadline_ms);
      int timeout = -1;
      if (dl != INT64_MAX) {
        int64_t d = dl - now_ms();
        timeout = d <= 0 ? 0 : (d > 1000000 ? 1000000 : (int)d);
      }
      int n = epoll_wait(epfd, evs, 4, timeout);
      int uv_ready = 0;
      for (int i = 0; i < n; i++) {
        if (evs[i].data.fd == ctlfd)
          drain_ctl();
        else
          uv_ready = 1;
      }
      if (!atomic_load(&active)) continue;
      if (!uv_ready) {
        dl = atomic_load(&deadline_ms);
        if (dl == INT64_MAX || now_ms() < dl) continue;
      }
      atomic_store(&pending, 1);
    }
    if (atomic_load(&in_wait)) {
      int tid = atomic_load(&kick_tid);
      if (tid > 0) {
        syscall(SYS_tkill, tid, SIGCHLD);
        atomic_fetch_add(&kicks, 1);
      }
    }
    struct pollfd p = {ctlfd, POLLIN, 0};
    poll(&p, 1, 1);
    drain_ctl();
  }
  return NULL;
}

/* watcherStart(cpu) -> 0 or -errno. cpu < 0: no pinning. */
static napi_value watcher_start_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t cpu;
  if (arg_i32(env, argv[0], &cpu)) return NULL;
  if (started) return ret_i32(env, 0);
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return ret_i32(env, -EINVAL);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  ctlfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epfd < 0 || ctlfd < 0) return ret_i32(env, -errno);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = uv_backend_fd(loop)};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) return ret_i32(env, -errno);
  ev.data.fd = ctlfd;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, ctlfd, &ev) < 0) return ret_i32(env, -errno);
  int r = pthread_create(&thread, NULL, watcher_main, (void *)(intptr_t)cpu);
  if (r) return ret_i32(env, -r);
  pthread_detach(thread);
  started = 1;
  return ret_i32(env, 0);
}

/* watcherActivate(): JS entered the scheduler loop (from the event loop). */
static napi_value watcher_activate_js(napi_env env, napi_callback_info info) {
  atomic_store(&pending, 0);
  if (!atomic_exchange(&active, 1)) wake_watcher();
  return ret_undefined(env);
}

/* watcherDeactivate(): JS returns to the event loop; the watcher goes idle. */
static napi_value watcher_deactivate_js(napi_env env, napi_callback_info info) {
  atomic_store(&active, 0);
  return ret_undefined(env);
}

/* watcherStats() -> number of kicks so far */
static napi_value watcher_stats_js(napi_env env, napi_callback_info info) {
  return ret_i64(env, atomic_load(&kicks));
}

int watcher_begin_wait(napi_env env, int32_t kick) {
  if (!started) {
    atomic_store(&in_wait, 1);
    return 0;
  }
  if (atomic_load(&pending)) return 1;
  int64_t dl = next_timer_ms();
  if (dl != INT64_MAX && dl <= now_ms()) return 1;
  int64_t old = atomic_exchange(&deadline_ms, dl);
  if (dl < old) wake_watcher();
  atomic_store(&kick_tid, kick);
  atomic_store(&in_wait, 1);
  if (atomic_load(&pending)) {
    atomic_store(&in_wait, 0);
    return 1;
  }
  return 0;
}

void watcher_end_wait(void) { atomic_store(&in_wait, 0); }

void watcher_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"watcherStart", watcher_start_js},
    {"watcherActivate", watcher_activate_js},
    {"watcherDeactivate", watcher_deactivate_js},
    {"watcherStats", watcher_stats_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
