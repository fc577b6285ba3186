// RLIMIT_CPU enforcement (check_process_timers in posix-cpu-timers.c): when the
// process's CPU time (user + system) reaches the soft limit it gets SIGXCPU, and
// the soft limit moves up a second so the next SIGXCPU comes a CPU second later;
// at the hard limit it gets SIGKILL. Watched by the CPU sampler only while the
// limit is finite.
import { RLIMIT_CPU } from '../../../abi/linux/limits.js';
import { SIGKILL, SIGXCPU } from '../../../abi/linux/signal.js';
import { onFork } from '../clone.js';
import { RLIM_INF } from '../limits.js';
import { SI_KERNEL } from '../signal_queue.js';
import { sendToGroup } from '../signals.js';
import type { ThreadGroup } from '../thread_group.js';
import { ClockTimer } from './clock_timer.js';
import { cpuTimerClock } from './clocks.js';
import { timersIfAny, timersOf } from './process_timers.js';

const NSEC_PER_SEC = 1e9;
let forkHooked = false;

/** The next CPU time (ns) at which the limit needs attention, or 0 if none. */
function nextCheck(tg: ThreadGroup): number {
  const l = tg.limits.get(RLIMIT_CPU);
  const soft = l.cur === RLIM_INF ? Infinity : l.cur * NSEC_PER_SEC;
  const hard = l.max === RLIM_INF ? Infinity : l.max * NSEC_PER_SEC;
  const at = Math.min(soft, hard);
  // A limit of 0 seconds is already reached: it acts at the next sample.
  return at === Infinity ? 0 : Math.max(1, at);
}

function expire(tg: ThreadGroup, now: number): void {
  if (!tg.alive || tg.exiting) return;
  const l = tg.limits.get(RLIMIT_CPU);
  if (l.max !== RLIM_INF && now >= l.max * NSEC_PER_SEC) {
    sendToGroup(tg, { signo: SIGKILL, code: SI_KERNEL });
    return;
  }
  if (l.cur !== RLIM_INF && now >= l.cur * NSEC_PER_SEC) {
    sendToGroup(tg, { signo: SIGXCPU, code: SI_KERNEL });
    // Linux raises the soft limit itself (getrlimit shows it): one more second till the next SIGXCPU.
    tg.limits.set(RLIMIT_CPU, { cur: l.cur + 1, max: l.max });
  }
  cpuLimitChanged(tg);
}

/**
 * RLIMIT_CPU of a process was set (setrlimit, prlimit, inherited by fork): watch
 * its CPU time against the new limit, or stop watching.
 */
export function cpuLimitChanged(tg: ThreadGroup): void {
  const at = nextCheck(tg);
  if (at === 0) {
    const s = timersIfAny(tg);
    s?.cpuLimit?.disarm();
    if (s) s.cpuLimit = null;
    return;
  }
  if (!tg.alive || tg.exiting) return;
  if (!forkHooked) {
    // A child inherits the limit and gets its own CPU time to spend.
    forkHooked = true;
    onFork((_parent, child, newProcess) => {
      if (newProcess) cpuLimitChanged(child.tg);
    });
  }
  const s = timersOf(tg);
  if (!s.cpuLimit) {
    s.cpuLimit = new ClockTimer(cpuTimerClock({ tg, task: null, userOnly: false }), (now) => expire(tg, now));
  }
  s.cpuLimit.arm(at);
}
