// amd64 general registers in the layout of struct user_regs_struct (PTRACE_GETREGS).
// Values are read as JS numbers: exact for addresses and for integers below 2^53.

export const enum Reg {
  r15 = 0, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax,
  rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs,
}

export const REGS_SIZE = 27 * 8;
const TWO32 = 4294967296;

/** Syscall argument registers in order (rdi, rsi, rdx, r10, r8, r9). */
export const SYSCALL_ARG_REGS: readonly Reg[] = [Reg.rdi, Reg.rsi, Reg.rdx, Reg.r10, Reg.r8, Reg.r9];

export class Registers {
  readonly bytes: Uint8Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;

  constructor(buffer: ArrayBuffer = new ArrayBuffer(REGS_SIZE)) {
    this.bytes = new Uint8Array(buffer, 0, REGS_SIZE);
    this.u32 = new Uint32Array(buffer, 0, REGS_SIZE / 4);
    this.i32 = new Int32Array(buffer, 0, REGS_SIZE / 4);
  }

  /** Unsigned 64-bit value (exact below 2^53). */
  get(r: Reg): number {
    return this.u32[2 * r]! + this.u32[2 * r + 1]! * TWO32;
  }

  /** Signed 64-bit value (exact within ±2^53). */
  getSigned(r: Reg): number {
    return this.u32[2 * r]! + this.i32[2 * r + 1]! * TWO32;
  }

  getBig(r: Reg): bigint {
    return BigInt(this.u32[2 * r]!) | (BigInt(this.u32[2 * r + 1]!) << 32n);
  }

  /** Sets from a number; negative numbers are stored in two's complement. */
  set(r: Reg, v: number): void {
    this.u32[2 * r] = v >>> 0;
    this.u32[2 * r + 1] = Math.floor(v / TWO32) >>> 0;
  }

  setBig(r: Reg, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.u32[2 * r] = Number(u & 0xffffffffn);
    this.u32[2 * r + 1] = Number(u >> 32n);
  }

  copyFrom(other: Registers): void {
    this.u32.set(other.u32);
  }

  clone(): Registers {
    const r = new Registers();
    r.copyFrom(this);
    return r;
  }
}
