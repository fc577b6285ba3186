// eventfd(2), timerfd_create(2) and signalfd(2) flags and layouts (x86_64).

export const EFD_SEMAPHORE = 1;
export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;

export const TFD_CLOEXEC = 0o2000000;
export const TFD_NONBLOCK = 0o4000;
export const TFD_TIMER_ABSTIME = 1;
export const TFD_TIMER_CANCEL_ON_SET = 2;
/** sizeof(struct itimerspec). */
export const ITIMERSPEC_SIZE = 32;

export const SFD_CLOEXEC = 0o2000000;
export const SFD_NONBLOCK = 0o4000;
/** sizeof(struct signalfd_siginfo). */
export const SIGNALFD_SIGINFO_SIZE = 128;
