// Scheduling attributes of a task (policy, real-time priority, nice, reset-on-fork):
// stored and reported so programs that set them see them back. Placement and
// time slices are the host scheduler's business; nothing here changes how a task runs.
import { onFork } from './clone.js';
import type { Task } from './task.js';

export const SCHED_NORMAL = 0;
export const SCHED_FIFO = 1;
export const SCHED_RR = 2;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;
export const SCHED_DEADLINE = 6;

export interface SchedParams {
  policy: number;
  /** sched_priority: 1..99 for FIFO/RR, 0 otherwise. */
  priority: number;
  /** -20..19. */
  nice: number;
  resetOnFork: boolean;
  /** SCHED_DEADLINE parameters, ns. */
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

const DEFAULT: Readonly<SchedParams> = {
  policy: SCHED_NORMAL, priority: 0, nice: 0, resetOnFork: false, runtime: 0n, deadline: 0n, period: 0n,
};

const params = new WeakMap<Task, SchedParams>();

export function isRtPolicy(policy: number): boolean {
  return policy === SCHED_FIFO || policy === SCHED_RR;
}

export function isFairPolicy(policy: number): boolean {
  return policy === SCHED_NORMAL || policy === SCHED_BATCH;
}

export function validPolicy(policy: number): boolean {
  return isFairPolicy(policy) || isRtPolicy(policy) || policy === SCHED_IDLE || policy === SCHED_DEADLINE;
}

export function schedParams(t: Task): Readonly<SchedParams> {
  return params.get(t) ?? DEFAULT;
}

export function setSchedParams(t: Task, p: SchedParams): void {
  params.set(t, { ...p });
}

// Children inherit everything. With reset-on-fork (sched_fork), a real-time or
// deadline parent's child starts as SCHED_NORMAL at nice 0, any other child no
// better than nice 0, and the flag is not inherited.
onFork((parent, child) => {
  const p = params.get(parent);
  if (!p) return;
  if (!p.resetOnFork) {
    params.set(child, { ...p });
    return;
  }
  const wasRt = isRtPolicy(p.policy) || p.policy === SCHED_DEADLINE;
  params.set(child, {
    ...DEFAULT,
    policy: wasRt ? SCHED_NORMAL : p.policy,
    nice: wasRt ? 0 : Math.max(p.nice, 0),
  });
});
