// clock ids and timer constants.

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_REALTIME_ALARM = 8;
export const CLOCK_BOOTTIME_ALARM = 9;
export const CLOCK_TAI = 11;

export const TIMER_ABSTIME = 1;

export const NSEC_PER_SEC = 1_000_000_000;
/** Ticks per second of clock_t values (AT_CLKTCK, times(2)). */
export const CLOCKS_PER_SEC_USER = 100;
