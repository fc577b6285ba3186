// The platform interface: how the kernel runs application threads and manages
// their host address spaces. It knows nothing of the kernel (DESIGN.md §3).
import type { Registers } from '../arch/amd64/registers.js';

export const enum StopKind {
  /** A thread entered a syscall; its registers are in `Platform.regs`. */
  Syscall = 1,
  /** A host signal stopped a thread (fault or external); siginfo is in `Platform.siginfo`. */
  Signal = 2,
  /** A ptrace event (clone/fork/exec). */
  Event = 3,
  /** A thread exited; `Platform.waitStatus` has its status. */
  Exit = 4,
  /** The event loop has work: return to it before waiting again. */
  Yield = 5,
  /** No application thread is left to wait for. */
  NoThreads = 6,
}

/** One application address space on the host (a stub process). */
export interface AddressSpace {
  /** Host pid of the stub (also the tid of its first thread). */
  readonly pid: number;
  /** Maps [addr, addr+len) to the memory file at `fileOff`, replacing what was there. */
  mapFile(via: number, addr: number, len: number, prot: number, fileOff: number): void;
  unmap(via: number, addr: number, len: number): void;
  protect(via: number, addr: number, len: number, prot: number): void;
  /** A new host thread in this address space, stopped; `via` is a stopped thread of it. */
  newThread(via: number): number;
  /** Ends one stopped host thread; the address space and its other threads live on. */
  exitThread(tid: number): void;
  /** Kills the stub and all its threads. */
  release(): void;
}

export interface Platform {
  /** Registers of the thread that stopped last (valid after wait()). */
  readonly regs: Registers;
  /** Host tid of the thread that stopped last. */
  readonly stoppedTid: number;
  readonly waitStatus: number;
  /** si_signo, si_code, si_addr of the last signal stop. */
  readonly siginfo: { signo: number; code: number; addr: number };
  /** The lowest address above the application's range (the stub lives above). */
  readonly maxUserAddress: number;
  /** Where the host kernel's vDSO is in every address space (above maxUserAddress); 0 if unknown. */
  readonly hostVdsoBase: number;
  newAddressSpace(): AddressSpace;
  /** Blocks until an application thread stops or the event loop needs the CPU. */
  wait(kickTid: number): StopKind;
  /** Sets a stopped thread's registers and resumes it until its next syscall. */
  resume(tid: number, regs: Registers, sig: number): void;
  /** Makes a running thread stop soon (it then reports a signal stop that isInterrupt() recognises). */
  interrupt(tid: number): void;
  /** The last signal stop was one of our interrupts, not the application's business. */
  isInterrupt(): boolean;
  /** The thread's FPU/SSE/AVX state in XSAVE layout (with the kernel's sw_reserved bytes). */
  getFpState(tid: number): Uint8Array;
  setFpState(tid: number, state: Uint8Array): void;
  /** Enter/leave the scheduler loop (preemption of computing threads). */
  activate(): void;
  deactivate(): void;
}
