// Resource limits (Linux's struct rlimit array on signal_struct).
import {
  RLIM_NLIMITS, RLIMIT_CORE, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC,
  RLIMIT_RTPRIO, RLIMIT_SIGPENDING, RLIMIT_STACK,
} from '../../abi/linux/limits.js';

/** Infinity as a JS number: anything at or above 2^63 is RLIM_INFINITY. */
export const RLIM_INF = Number.POSITIVE_INFINITY;

export interface Rlimit {
  cur: number;
  max: number;
}

export class Limits {
  readonly values: Rlimit[];

  constructor(values?: Rlimit[]) {
    this.values = values ?? Limits.defaults();
  }

  static defaults(): Rlimit[] {
    const v: Rlimit[] = [];
    for (let i = 0; i < RLIM_NLIMITS; i++) v.push({ cur: RLIM_INF, max: RLIM_INF });
    v[RLIMIT_STACK] = { cur: 8 * 1024 * 1024, max: RLIM_INF };
    v[RLIMIT_CORE] = { cur: 0, max: RLIM_INF };
    v[RLIMIT_NOFILE] = { cur: 1024, max: 1048576 };
    v[RLIMIT_NPROC] = { cur: 96365, max: 96365 };
    v[RLIMIT_MEMLOCK] = { cur: 8 * 1024 * 1024, max: 8 * 1024 * 1024 };
    v[RLIMIT_SIGPENDING] = { cur: 96365, max: 96365 };
    v[RLIMIT_MSGQUEUE] = { cur: 819200, max: 819200 };
    // Linux's defaults: only CAP_SYS_NICE lowers nice or picks a real-time policy.
    v[RLIMIT_NICE] = { cur: 0, max: 0 };
    v[RLIMIT_RTPRIO] = { cur: 0, max: 0 };
    return v;
  }

  get(r: number): Rlimit {
    return this.values[r]!;
  }

  set(r: number, l: Rlimit): void {
    this.values[r] = { cur: l.cur, max: l.max };
  }

  clone(): Limits {
    return new Limits(this.values.map((l) => ({ ...l })));
  }
}
