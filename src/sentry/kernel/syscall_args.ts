// Syscall arguments as the handlers read them: typed views of the argument
// registers (rdi, rsi, rdx, r10, r8, r9). A task keeps one preallocated set, so
// decoding allocates nothing; handlers must not keep them across a Block.
import { Reg, type Registers } from '../arch/amd64/registers.js';

const TWO32 = 4294967296;

export class SyscallArgument {
  constructor(
    private readonly regs: Registers,
    private readonly reg: Reg,
  ) {}

  /** Low 32 bits, signed (fds, flags passed as int). */
  int32(): number {
    return this.regs.i32[2 * this.reg]!;
  }

  /** Low 32 bits, unsigned (modes, masks). */
  uint32(): number {
    return this.regs.u32[2 * this.reg]!;
  }

  /** Signed 64-bit (offsets, lengths that may be negative). */
  int64(): number {
    return this.regs.u32[2 * this.reg]! + this.regs.i32[2 * this.reg + 1]! * TWO32;
  }

  /** Unsigned 64-bit; exact below 2^53. */
  uint64(): number {
    return this.regs.u32[2 * this.reg]! + this.regs.u32[2 * this.reg + 1]! * TWO32;
  }

  bigint(): bigint {
    return this.regs.getBig(this.reg);
  }

  /** A user pointer. */
  addr(): number {
    return this.uint64();
  }

  /** A size_t count. */
  size(): number {
    return this.uint64();
  }
}

export type SyscallArgs = readonly [
  SyscallArgument, SyscallArgument, SyscallArgument, SyscallArgument, SyscallArgument, SyscallArgument,
];

export function makeSyscallArgs(regs: Registers): SyscallArgs {
  return [
    new SyscallArgument(regs, Reg.rdi),
    new SyscallArgument(regs, Reg.rsi),
    new SyscallArgument(regs, Reg.rdx),
    new SyscallArgument(regs, Reg.r10),
    new SyscallArgument(regs, Reg.r8),
    new SyscallArgument(regs, Reg.r9),
  ];
}
