// CPU-time expiries (ITIMER_VIRTUAL, ITIMER_PROF, CPU-clock POSIX timers,
// RLIMIT_CPU, clock_nanosleep on a process CPU clock). Nothing tells the Sentry
// when a computing thread crosses a CPU time, so one Node timer samples every
// armed CPU timer while any is armed, and none runs otherwise.
//
// Resolution: the next sample is due when the earliest timer could expire if all
// of its process's running threads used a full CPU each (remaining CPU time /
// running threads), clamped to [1 ms, 10 ms]. A timer therefore fires at most
// ~1 ms after its clock crosses the expiry while the process computes, and
// within 10 ms in the worst case (plus event-loop latency: the preemption
// watcher kicks the loop when a Node timer is due). Linux's tick-based CPU timers
// have a resolution of one tick (4 ms at HZ=250).
import type { ClockTimer } from './clock_timer.js';

const MIN_PERIOD_MS = 1;
const MAX_PERIOD_MS = 10;

const armed = new Set<ClockTimer>();
let node: NodeJS.Timeout | null = null;

export function cpuSamplerAdd(t: ClockTimer): void {
  armed.add(t);
  if (!node) schedule();
}

export function cpuSamplerRemove(t: ClockTimer): void {
  armed.delete(t);
  if (armed.size === 0 && node) {
    clearTimeout(node);
    node = null;
  }
}

/** Number of CPU timers being sampled (for tests and diagnostics). */
export function cpuSamplerSize(): number {
  return armed.size;
}

function nextDelayMs(): number {
  let best = MAX_PERIOD_MS;
  for (const t of armed) {
    const left = t.remaining() / 1e6 / Math.max(1, t.clock.runners());
    if (left < best) best = left;
  }
  return Math.min(MAX_PERIOD_MS, Math.max(MIN_PERIOD_MS, Math.ceil(best)));
}

function schedule(): void {
  if (armed.size === 0) {
    node = null;
    return;
  }
  node = setTimeout(tick, nextDelayMs());
  // A CPU clock advances only while some task runs, and running tasks keep the
  // Sentry busy anyway: the sampler is no reason to keep the process alive.
  node.unref();
}

function tick(): void {
  node = null;
  // sample() may fire callbacks that arm or disarm timers (interval rearm): iterate a copy.
  for (const t of [...armed]) {
    if (!armed.has(t)) continue;
    t.sample();
    // An interval timer re-arms from its callback and stays.
    if (!t.armed) armed.delete(t);
  }
  if (!node) schedule();
}
