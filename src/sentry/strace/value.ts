// What the strace formatters see: the raw argument values captured at syscall
// entry, the tracee (only the few Task members strace needs, so tests can use a
// small stand-in) and, at exit, the syscall's result.
import type { Registers } from '../arch/amd64/registers.js';
import type { SyscallArgs } from '../kernel/syscall_args.js';

/** The memory reads strace needs; MemoryManager has them (throws SysError on bad pointers). */
export interface StraceMemory {
  copyIn(addr: number, len: number): Uint8Array;
}

/** The parts of a Task that strace reads. */
export interface Tracee {
  readonly tid: number;
  readonly regs: Registers;
  readonly args: SyscallArgs;
  readonly mm: StraceMemory;
  /** TaskState; Zombie/Dead after exit. Optional so stand-ins may omit it. */
  readonly state?: number;
}

/** One 64-bit register value, viewed the ways the C prototypes declare it. */
export class Val {
  constructor(readonly raw: bigint) {}

  /** int */
  get int(): number {
    return Number(BigInt.asIntN(32, this.raw));
  }

  /** unsigned int */
  get uint(): number {
    return Number(BigInt.asUintN(32, this.raw));
  }

  /** long / off_t / ssize_t */
  get long(): bigint {
    return BigInt.asIntN(64, this.raw);
  }

  /** A user address as a number; exact for every canonical user address. */
  get addr(): number {
    return Number(this.raw);
  }
}

export interface Ctx {
  readonly t: Tracee;
  readonly v: readonly Val[];
  /** The signed result at exit; null at entry or when the call did not return. */
  readonly ret: bigint | null;
}

/** Whether this context is an exit whose result says the call succeeded. */
export function succeeded(c: Ctx): boolean {
  return c.ret !== null && (c.ret >= 0n || c.ret < -4095n);
}
