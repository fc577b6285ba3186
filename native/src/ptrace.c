/* ptrace platform primitives (DESIGN.md §5).
 *
 * Every application address space is one stub process; every app thread one host
 * thread in it. The JS main thread is the only tracer. The hot path is one N-API
 * call to resume a stopped thread (SETREGS + PTRACE_SYSEMU) and one to wait for the
 * next stop (blocking waitpid on the stubs' process group + GETREGS into a buffer
 * shared with JS).
 *
 * Stubs are created by injecting clone(CLONE_PARENT|SIGCHLD) into a leader stub that
 * never runs app code, so no host path is opened after start-up and every stub is
 * a direct child of the Sentry in one process group. */
#include "addon.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/ptrace.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* sys/ptrace.h conflicts with linux/ptrace.h; declare what we need. */
extern long ptrace(int request, ...);
#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif
#ifndef NT_PRSTATUS
#define NT_PRSTATUS 1
#endif
#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

/* Layout of the stub (native/stub/stub.S, linked at STUB_TEXT). */
#define STUB_TEXT 0x7fff00001000UL
#define STUB_SYSCALL (STUB_TEXT + 1) /* "syscall; int3" */
#define STUB_BATCH (STUB_TEXT + 0x10)
#define STUB_FD_MEMFILE 3

enum {
  KIND_SYSCALL = 1, /* syscall-enter-stop under PTRACE_SYSEMU; regs filled */
  KIND_SIGNAL = 2,  /* signal-delivery-stop; regs and siginfo filled */
  KIND_EVENT = 3,   /* PTRACE_EVENT_* stop; info[2] = event, info[3] = event message */
  KIND_EXIT = 4,    /* thread exited; info[1] = wait status */
  KIND_YIELD = 5,   /* the event loop has work: return to it */
  KIND_NOCHILD = 6, /* no stub is left */
};

/* info buffer layout (Int32Array shared with JS):
 * [0] tid  [1] wait status  [2] ptrace event  [3] event message
 * [16..47] siginfo_t (128 bytes) */
static int32_t *info_out;
static struct user_regs_struct *regs_out;
static napi_ref info_ref, regs_ref;
static pid_t leader = -1;

static int child_exec_stub(const char *path, int memfd, int cpu) {
  /* Runs in a vfork child: raw syscalls only, then execve. */
  sigset_t all;
  sigemptyset(&all);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
  for (int s = 1; s < 65; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(s, &sa, NULL);
  }
  setpgid(0, 0);
  syscall(SYS_personality, ADDR_NO_RANDOMIZE);
  if (memfd != STUB_FD_MEMFILE) {
    if (dup2(memfd, STUB_FD_MEMFILE) < 0) return -1;
  } else {
    fcntl(memfd, F_SETFD, 0);
  }
  for (int fd = 0; fd < 3; fd++) close(fd);
  syscall(SYS_close_range, STUB_FD_MEMFILE + 1, ~0U, 0);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* Stubs run application code at normal priority even when the tracer is boosted. */
  setpriority(PRIO_PROCESS, 0, 0);
  if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) return -1;
  char *const argv[] = {"tsvisor-stub", NULL};
  char *const envp[] = {NULL};
  execve(path, argv, envp);
  return -1;
}

static int wait_stopped(pid_t pid, int *status) {
  for (;;) {
    pid_t r = waitpid(pid, status, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    return 0;
  }
}

/* ptraceInit(regsBuf, infoBuf, stubPath, memfd, cpu) -> leader pid or -errno */
static napi_value ptrace_init_js(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  void *rp, *ip;
  size_t rl, il;
  char path[4096];
  int32_t memfd, cpu;
  if (arg_bytes(env, argv[0], &rp, &rl) || arg_bytes(env, argv[1], &ip, &il) ||
      arg_string(env, argv[2], path, sizeof path) || arg_i32(env, argv[3], &memfd) ||
      arg_i32(env, argv[4], &cpu))
    return NULL;
  if (rl < sizeof(struct user_regs_struct) || il < 192) {
    napi_throw_range_error(env, NULL, "register or info buffer too small");
    return NULL;
  }
  regs_out = rp;
  info_out = ip;
  napi_create_reference(env, argv[0], 1, &regs_ref);
  napi_create_reference(env, argv[1], 1, &info_ref);

  pid_t pid = vfork();
  if (pid == 0) {
    child_exec_stub(path, memfd, cpu);
    _exit(127);
  }
  if (pid < 0) return ret_i32(env, -errno);
  int status;
  int r = wait_stopped(pid, &status);
  if (r < 0) return ret_i32(env, r);
  if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
    if (WIFSTOPPED(status)) kill(pid, SIGKILL);
    return ret_i32(env, -ENOEXEC);
  }
  long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK | PTRACE_O_TRACECLONE;
  if (ptrace(PTRACE_SETOPTIONS, pid, 0, opts) < 0) {
    int e = errno;
    kill(pid, SIGKILL);
    return ret_i32(env, -e);
  }
  leader = pid;
  return ret_i32(env, pid);
}

/* Run one host syscall in a stopped stub thread: point it at "syscall; int3",
 * continue, and collect the SIGTRAP. Host registers are clobbered: the caller
 * always sets registers on the next resume. Returns the syscall result. */
static long inject(pid_t tid, long nr, const long a[6], long *event_msg) {
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return -errno;
  r.rip = STUB_SYSCALL;
  r.rax = nr;
  r.orig_rax = -1; /* not in a syscall any more: no restart games */
  r.rdi = a[0];
  r.rsi = a[1];
  r.rdx = a[2];
  r.r10 = a[3];
  r.r8 = a[4];
  r.r9 = a[5];
  if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0) return -errno;
  if (ptrace(PTRACE_CONT, tid, 0, 0) < 0) return -errno;
  for (;;) {
    int status;
    int e = wait_stopped(tid, &status);
    if (e < 0) return e;
    if (WIFEXITED(status) || WIFSIGNALED(status)) return -ESRCH;
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status);
    if (status >> 16) {
      /* PTRACE_EVENT_FORK/CLONE while injecting clone: report the new tid. */
      unsigned long msg = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
      if (event_msg) *event_msg = (long)msg;
      if (ptrace(PTRACE_CONT, tid, 0, 0) < 0) return -errno;
      continue;
    }
    if (sig == SIGTRAP) {
      if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return -errno;
      return (long)r.rax;
    }
    /* A stale kick (SIGCHLD) or other signal racing the injection: drop it;
     * the watcher re-kicks if the event loop still needs the CPU. */
    if (ptrace(PTRACE_CONT, tid, 0, 0) < 0) return -errno;
  }
}

/* injectBatch(tid, base, count) -> 0 or -errno: the stopped thread runs `count`
 * syscalls described at `base` (the batch page, mapped in every stub) in one stop. */
static napi_value inject_batch_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t tid, count;
  int64_t base;
  if (arg_i32(env, argv[0], &tid) || arg_i64(env, argv[1], &base) || arg_i32(env, argv[2], &count)) return NULL;
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return ret_i32(env, -errno);
  r.rip = STUB_BATCH;
  r.orig_rax = -1;
  r.rdi = (unsigned long)base;
  r.rsi = (unsigned long)count;
  if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0) return ret_i32(env, -errno);
  if (ptrace(PTRACE_CONT, tid, 0, 0) < 0) return ret_i32(env, -errno);
  for (;;) {
    int status;
    int e = wait_stopped(tid, &status);
    if (e < 0) return ret_i32(env, e);
    if (WIFEXITED(status) || WIFSIGNALED(status)) return ret_i32(env, -ESRCH);
    if (!WIFSTOPPED(status)) continue;
    if (WSTOPSIG(status) == SIGTRAP && !(status >> 16)) return ret_i32(env, 0);
    /* A stale kick or event: drop it and let the batch finish. */
    if (ptrace(PTRACE_CONT, tid, 0, 0) < 0) return ret_i32(env, -errno);
  }
}

/* inject(tid, nr, a0..a5) -> result (negative errno on failure) */
static napi_value inject_js(napi_env env, napi_callback_info info) {
  GET_ARGS(8);
  int32_t tid;
  int64_t nr;
  long a[6];
  if (arg_i32(env, argv[0], &tid) || arg_i64(env, argv[1], &nr)) return NULL;
  for (int i = 0; i < 6; i++) {
    int64_t v = 0;
    napi_valuetype t;
    napi_typeof(env, argv[2 + i], &t);
    if (t != napi_undefined && arg_i64(env, argv[2 + i], &v)) return NULL;
    a[i] = (long)v;
  }
  return ret_i64(env, inject(tid, nr, a, NULL));
}

/* Injects clone(flags) into the stopped thread `via`; returns the new task's id once it
 * has stopped (ptrace auto-attaches it), or -errno. */
static int32_t clone_stopped(pid_t via, long flags) {
  long a[6] = {flags, 0, 0, 0, 0, 0};
  long child = 0;
  long r = inject(via, SYS_clone, a, &child);
  if (r < 0) return (int32_t)r;
  if (child <= 0) child = r;
  int status;
  int e = wait_stopped((pid_t)child, &status);
  if (e < 0) return e;
  if (!WIFSTOPPED(status)) return -ECHILD;
  return (int32_t)child;
}

/* newStub() -> pid of a fresh stub forked from the leader, stopped, or -errno. */
static napi_value new_stub_js(napi_env env, napi_callback_info info) {
  if (leader < 0) return ret_i32(env, -ESRCH);
  return ret_i32(env, clone_stopped(leader, CLONE_PARENT | SIGCHLD));
}

/* cloneThread(via) -> tid of a new host thread in via's address space, stopped, or -errno.
 * The thread shares the stub's memory, files and signal handlers; all of its state
 * as the application sees it is set by the Sentry before it first runs. */
static napi_value clone_thread_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t via;
  if (arg_i32(env, argv[0], &via)) return NULL;
  return ret_i32(env, clone_stopped(via, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM));
}

/* exitThread(tid) -> 0 or -errno: a stopped host thread runs exit(0) and is gone;
 * its exit is reported (and reaped) by the scheduler's wait like any other. */
static napi_value exit_thread_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t tid;
  if (arg_i32(env, argv[0], &tid)) return NULL;
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return ret_i32(env, -errno);
  r.rip = STUB_SYSCALL;
  r.rax = SYS_exit;
  r.orig_rax = -1;
  r.rdi = 0;
  if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0) return ret_i32(env, -errno);
  if (ptrace(PTRACE_CONT, tid, 0, 0) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

/* resume(tid, regs|null, sig) -> 0 or -errno: set registers and continue under SYSEMU. */
static napi_value resume_js(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t tid, sig;
  if (arg_i32(env, argv[0], &tid) || arg_i32(env, argv[2], &sig)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_null && t != napi_undefined) {
    void *p;
    size_t l;
    if (arg_bytes(env, argv[1], &p, &l)) return NULL;
    if (l < sizeof(struct user_regs_struct)) {
      napi_throw_range_error(env, NULL, "register buffer too small");
      return NULL;
    }
    if (ptrace(PTRACE_SETREGS, tid, 0, p) < 0) return ret_i32(env, -errno);
  }
  if (ptrace(PTRACE_SYSEMU, tid, 0, sig) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

static int is_kick(pid_t tid) {
  siginfo_t *si = (siginfo_t *)(info_out + 16);
  return si->si_signo == SIGCHLD && si->si_code == SI_TKILL && si->si_pid == getpid();
}

/* wait(kickTid) -> kind. Blocks until some stub thread stops, unless the event
 * loop has work; kickTid is a running stub thread the watcher may interrupt. */
static napi_value wait_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t kick;
  if (arg_i32(env, argv[0], &kick)) return NULL;
  for (;;) {
    if (watcher_begin_wait(env, kick)) return ret_i32(env, KIND_YIELD);
    int status;
    pid_t pid = waitpid(-leader, &status, __WALL);
    watcher_end_wait();
    if (pid < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) return ret_i32(env, KIND_NOCHILD);
      return ret_i32(env, -errno);
    }
    info_out[0] = pid;
    info_out[1] = status;
    if (WIFEXITED(status) || WIFSIGNALED(status)) return ret_i32(env, KIND_EXIT);
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status);
    if (sig == (SIGTRAP | 0x80)) {
      if (ptrace(PTRACE_GETREGS, pid, 0, regs_out) < 0) {
        if (errno == ESRCH) continue; /* killed meanwhile: its exit follows */
        return ret_i32(env, -errno);
      }
      return ret_i32(env, KIND_SYSCALL);
    }
    if (status >> 16) {
      unsigned long msg = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
      info_out[2] = status >> 16;
      info_out[3] = (int32_t)msg;
      return ret_i32(env, KIND_EVENT);
    }
    memset(info_out + 16, 0, 128);
    if (ptrace(PTRACE_GETSIGINFO, pid, 0, info_out + 16) < 0) {
      if (errno == ESRCH) continue;
      return ret_i32(env, -errno);
    }
    if (is_kick(pid)) {
      /* Preemption kick from the watcher: the app never sees it. */
      ptrace(PTRACE_SYSEMU, pid, 0, 0);
      return ret_i32(env, KIND_YIELD);
    }
    if (ptrace(PTRACE_GETREGS, pid, 0, regs_out) < 0) {
      if (errno == ESRCH) continue;
      return ret_i32(env, -errno);
    }
    return ret_i32(env, KIND_SIGNAL);
  }
}

/* getRegs(tid, buf) / setRegs(tid, buf) -> 0 or -errno */
static napi_value get_regs_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t tid;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &tid) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  if (l < sizeof(struct user_regs_struct)) return ret_i32(env, -EINVAL);
  if (ptrace(PTRACE_GETREGS, tid, 0, p) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

static napi_value set_regs_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t tid;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &tid) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  if (l < sizeof(struct user_regs_struct)) return ret_i32(env, -EINVAL);
  if (ptrace(PTRACE_SETREGS, tid, 0, p) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

/* getFpState(tid, buf) / setFpState(tid, buf): XSAVE area via NT_X86_XSTATE
 * (falls back to the 512-byte FXSAVE area). Returns bytes transferred or -errno. */
static napi_value get_fp_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t tid;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &tid) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  struct iovec iov = {p, l};
  if (ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov) == 0) return ret_i32(env, (int32_t)iov.iov_len);
  if (l < 512) return ret_i32(env, -EINVAL);
  if (ptrace(PTRACE_GETFPREGS, tid, 0, p) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 512);
}

static napi_value set_fp_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t tid;
  void *p;
  size_t l;
  if (arg_i32(env, argv[0], &tid) || arg_bytes(env, argv[1], &p, &l)) return NULL;
  struct iovec iov = {p, l};
  if (ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) == 0) return ret_i32(env, 0);
  if (ptrace(PTRACE_SETFPREGS, tid, 0, p) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

/* tkill(tid, sig) -> 0 or -errno (host signal to a stub thread, e.g. SIGKILL) */
static napi_value tkill_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t tid, sig;
  if (arg_i32(env, argv[0], &tid) || arg_i32(env, argv[1], &sig)) return NULL;
  if (syscall(SYS_tkill, tid, sig) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

/* reap(pid) -> wait status, or -errno: collect one exited stub thread. */
static napi_value reap_js(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t pid;
  if (arg_i32(env, argv[0], &pid)) return NULL;
  int status;
  int e = wait_stopped(pid, &status);
  if (e < 0) return ret_i32(env, e);
  return ret_i32(env, status);
}

/* setAffinity(tid, cpu) -> 0 or -errno; cpu < 0 means all CPUs. tid 0 = calling thread. */
static napi_value set_affinity_js(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t tid, cpu;
  if (arg_i32(env, argv[0], &tid) || arg_i32(env, argv[1], &cpu)) return NULL;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu >= 0) {
    CPU_SET(cpu, &set);
  } else {
    long n = sysconf(_SC_NPROCESSORS_CONF);
    for (long i = 0; i < n && i < CPU_SETSIZE; i++) CPU_SET(i, &set);
  }
  if (sched_setaffinity(tid, sizeof set, &set) < 0) return ret_i32(env, -errno);
  return ret_i32(env, 0);
}

/* currentCpu() -> the CPU the calling thread runs on */
static napi_value current_cpu_js(napi_env env, napi_callback_info info) {
  return ret_i32(env, sched_getcpu());
}

void ptrace_register(napi_env env, napi_value exports) {
  static const export_entry entries[] = {
    {"ptraceInit", ptrace_init_js},
    {"newStub", new_stub_js},
    {"cloneThread", clone_thread_js},
    {"exitThread", exit_thread_js},
    {"inject", inject_js},
    {"injectBatch", inject_batch_js},
    {"resume", resume_js},
    {"wait", wait_js},
    {"getRegs", get_regs_js},
    {"setRegs", set_regs_js},
    {"getFpState", get_fp_js},
    {"setFpState", set_fp_js},
    {"tkill", tkill_js},
    {"reap", reap_js},
    {"setAffinity", set_affinity_js},
    {"currentCpu", current_cpu_js},
    {NULL, NULL},
  };
  export_all(env, exports, entries);
}
