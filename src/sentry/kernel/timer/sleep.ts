// Sleeping until a clock reaches a time (nanosleep, clock_nanosleep). A handler
// interrupts the sleep with EINTR, never a restart (signal(7): nanosleep is not
// restarted by SA_RESTART); `interrupted` receives the time left so the syscall
// can report it in `rem`.
import { Block } from '../block.js';
import type { Task } from '../task.js';
import { WaitQueue } from '../waiter.js';
import { ClockTimer, type TimerClock } from './clock_timer.js';

/** Longest single wait handed to the scheduler (its Node timer takes at most 2^31-1 ms). */
const MAX_WAIT_NS = 0x7fffffff * 1e6 * 0.99;

/** Sleeps until the kernel's uptime reaches `deadline` (ns). */
export function sleepUntilUptime(t: Task, deadline: number, interrupted: ((leftNs: number) => void) | null): number | Block {
  const k = t.kernel;
  const onInterrupt = interrupted ? (): void => interrupted(Math.max(0, deadline - k.uptimeNs())) : null;
  const attempt = (): number | Block => {
    const now = k.uptimeNs();
    if (now >= deadline) return 0;
    // Very long sleeps wake up on the way and wait again.
    const wake = Math.min(deadline, now + MAX_WAIT_NS);
    return new Block(attempt, [], wake, attempt, true, 'eintr', onInterrupt);
  };
  return attempt();
}

/**
 * Sleeps until a CPU clock reaches `target` (clock_nanosleep on a process CPU
 * clock): the CPU sampler wakes us when the clock crosses it.
 */
export function sleepUntilCpu(t: Task, clock: TimerClock, target: number,
  interrupted: ((leftNs: number) => void) | null): number | Block {
  if (clock.now() >= target) return 0;
  const crossed = new WaitQueue();
  const timer = new ClockTimer(clock, () => crossed.notify(1));
  timer.arm(target);
  const onInterrupt = (): void => {
    timer.disarm();
    interrupted?.(Math.max(0, target - clock.now()));
  };
  const attempt = (): number | Block => {
    if (!clock.alive() || clock.now() >= target) {
      timer.disarm();
      return 0;
    }
    if (!timer.armed) timer.arm(target);
    return new Block(attempt, [{ queue: crossed, mask: 1 }], null, null, true, 'eintr', onInterrupt);
  };
  return attempt();
}
