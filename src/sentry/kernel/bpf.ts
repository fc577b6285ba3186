// Classic BPF (net/core/filter.c) as seccomp uses it: validation with Linux's
// rules and errno, and an interpreter over a 32-bit-word input (struct
// seccomp_data). Programs are decoded once into typed arrays so running one per
// syscall allocates nothing.
import { EINVAL } from '../../abi/linux/errno.js';

/** BPF_MAXINSNS. */
export const BPF_MAXINSNS = 4096;
/** BPF_MEMWORDS: scratch memory cells M[0..15]. */
const BPF_MEMWORDS = 16;

// Instruction classes, sizes, modes, operations (include/uapi/linux/filter.h, bpf_common.h).
const BPF_LD = 0x00;
const BPF_LDX = 0x01;
const BPF_ST = 0x02;
const BPF_STX = 0x03;
const BPF_ALU = 0x04;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_MISC = 0x07;
const BPF_W = 0x00;
const BPF_IMM = 0x00;
const BPF_ABS = 0x20;
const BPF_MEM = 0x60;
const BPF_LEN = 0x80;
const BPF_ADD = 0x00;
const BPF_SUB = 0x10;
const BPF_MUL = 0x20;
const BPF_DIV = 0x30;
const BPF_OR = 0x40;
const BPF_AND = 0x50;
const BPF_LSH = 0x60;
const BPF_RSH = 0x70;
const BPF_NEG = 0x80;
const BPF_XOR = 0xa0;
const BPF_JA = 0x00;
const BPF_JEQ = 0x10;
const BPF_JGT = 0x20;
const BPF_JGE = 0x30;
const BPF_JSET = 0x40;
const BPF_K = 0x00;
const BPF_X = 0x08;
const BPF_A = 0x10;
const BPF_TAX = 0x00;
const BPF_TXA = 0x80;

const JUMPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET].flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]);
const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH]
  .flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]);
const COND_JUMPS = new Set(JUMPS);

/**
 * Instructions seccomp accepts (seccomp_check_filter): no packet loads (H/B sizes,
 * IND, MSH), no MOD; absolute loads are 32-bit words inside the input.
 */
const SECCOMP_CODES = new Set<number>([
  BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN,
  BPF_RET | BPF_K, BPF_RET | BPF_A, ...ALU_OPS, BPF_ALU | BPF_NEG,
  BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
  BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX, BPF_JMP | BPF_JA, ...JUMPS,
]);

/** A validated program: parallel arrays of code, jt, jf, k. */
export interface BpfProgram {
  readonly length: number;
  readonly code: Uint16Array;
  readonly jt: Uint8Array;
  readonly jf: Uint8Array;
  readonly k: Uint32Array;
}

/**
 * Decodes and validates `struct sock_filter[]` (8 bytes each: u16 code, u8 jt, u8 jf,
 * u32 k) for an input of `inputBytes` bytes. EINVAL for anything Linux rejects.
 */
export function compileSeccompProgram(raw: Uint8Array, inputBytes: number): BpfProgram {
  const n = raw.length / 8;
  if (!Number.isInteger(n) || n === 0 || n > BPF_MAXINSNS) throw EINVAL;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const p = { length: n, code: new Uint16Array(n), jt: new Uint8Array(n), jf: new Uint8Array(n), k: new Uint32Array(n) };
  for (let pc = 0; pc < n; pc++) {
    let code = dv.getUint16(pc * 8, true);
    const jt = dv.getUint8(pc * 8 + 2);
    const jf = dv.getUint8(pc * 8 + 3);
    let k = dv.getUint32(pc * 8 + 4, true);
    if (!SECCOMP_CODES.has(code)) throw EINVAL;
    switch (code) {
      case BPF_ALU | BPF_DIV | BPF_K:
        if (k === 0) throw EINVAL;
        break;
      case BPF_ALU | BPF_LSH | BPF_K:
      case BPF_ALU | BPF_RSH | BPF_K:
        if (k >= 32) throw EINVAL;
        break;
      case BPF_LD | BPF_MEM:
      case BPF_LDX | BPF_MEM:
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) throw EINVAL;
        break;
      case BPF_JMP | BPF_JA:
        // Jumps only go forward, and stay inside the program.
        if (k >= n - pc - 1) throw EINVAL;
        break;
      case BPF_LD | BPF_W | BPF_ABS:
        if (k >= inputBytes || k & 3) throw EINVAL;
        break;
      // The length of the input is a constant: seccomp rewrites these as immediates.
      case BPF_LD | BPF_W | BPF_LEN:
        code = BPF_LD | BPF_IMM;
        k = inputBytes;
        break;
      case BPF_LDX | BPF_W | BPF_LEN:
        code = BPF_LDX | BPF_IMM;
        k = inputBytes;
        break;
      default:
        if (COND_JUMPS.has(code) && (pc + jt + 1 >= n || pc + jf + 1 >= n)) throw EINVAL;
    }
    p.code[pc] = code;
    p.jt[pc] = jt;
    p.jf[pc] = jf;
    p.k[pc] = k;
  }
  const last = p.code[n - 1];
  if (last !== (BPF_RET | BPF_K) && last !== (BPF_RET | BPF_A)) throw EINVAL;
  checkLoadsAndStores(p);
  return p;
}

/** check_load_and_stores: no path may read a scratch cell it has not written. */
function checkLoadsAndStores(p: BpfProgram): void {
  const masks = new Uint16Array(p.length).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < p.length; pc++) {
    valid &= masks[pc]!;
    const code = p.code[pc]!;
    const k = p.k[pc]!;
    if (code === BPF_ST || code === BPF_STX) {
      valid |= 1 << k;
    } else if (code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) {
      if (!(valid & (1 << k))) throw EINVAL;
    } else if (code === (BPF_JMP | BPF_JA)) {
      masks[pc + 1 + k]! &= valid;
      valid = 0xffff;
    } else if (COND_JUMPS.has(code)) {
      masks[pc + 1 + p.jt[pc]!]! &= valid;
      masks[pc + 1 + p.jf[pc]!]! &= valid;
      valid = 0xffff;
    }
  }
}

const mem = new Uint32Array(BPF_MEMWORDS);

/**
 * Runs a validated program over `input` (32-bit words, already in host order) and
 * returns its 32-bit result. Division by a zero X returns 0, as Linux's converted
 * classic programs do; shifts by X use its low five bits.
 */
export function runBpf(p: BpfProgram, input: Uint32Array): number {
  let a = 0;
  let x = 0;
  mem.fill(0);
  for (let pc = 0; ; pc++) {
    const code = p.code[pc]!;
    const k = p.k[pc]!;
    switch (code) {
      case BPF_LD | BPF_W | BPF_ABS: a = input[k >>> 2]!; break;
      case BPF_LD | BPF_IMM: a = k; break;
      case BPF_LDX | BPF_IMM: x = k; break;
      case BPF_LD | BPF_MEM: a = mem[k]!; break;
      case BPF_LDX | BPF_MEM: x = mem[k]!; break;
      case BPF_ST: mem[k] = a; break;
      case BPF_STX: mem[k] = x; break;
      case BPF_MISC | BPF_TAX: x = a; break;
      case BPF_MISC | BPF_TXA: a = x; break;
      case BPF_RET | BPF_K: return k;
      case BPF_RET | BPF_A: return a;
      case BPF_ALU | BPF_NEG: a = -a >>> 0; break;
      case BPF_ALU | BPF_ADD | BPF_K: a = (a + k) >>> 0; break;
      case BPF_ALU | BPF_ADD | BPF_X: a = (a + x) >>> 0; break;
      case BPF_ALU | BPF_SUB | BPF_K: a = (a - k) >>> 0; break;
      case BPF_ALU | BPF_SUB | BPF_X: a = (a - x) >>> 0; break;
      case BPF_ALU | BPF_MUL | BPF_K: a = Math.imul(a, k) >>> 0; break;
      case BPF_ALU | BPF_MUL | BPF_X: a = Math.imul(a, x) >>> 0; break;
      case BPF_ALU | BPF_DIV | BPF_K: a = Math.floor(a / k) >>> 0; break;
      case BPF_ALU | BPF_DIV | BPF_X:
        if (x === 0) return 0;
        a = Math.floor(a / x) >>> 0;
        break;
      case BPF_ALU | BPF_AND | BPF_K: a = (a & k) >>> 0; break;
      case BPF_ALU | BPF_AND | BPF_X: a = (a & x) >>> 0; break;
      case BPF_ALU | BPF_OR | BPF_K: a = (a | k) >>> 0; break;
      case BPF_ALU | BPF_OR | BPF_X: a = (a | x) >>> 0; break;
      case BPF_ALU | BPF_XOR | BPF_K: a = (a ^ k) >>> 0; break;
      case BPF_ALU | BPF_XOR | BPF_X: a = (a ^ x) >>> 0; break;
      case BPF_ALU | BPF_LSH | BPF_K: a = (a << k) >>> 0; break;
      case BPF_ALU | BPF_LSH | BPF_X: a = (a << (x & 31)) >>> 0; break;
      case BPF_ALU | BPF_RSH | BPF_K: a = a >>> k; break;
      case BPF_ALU | BPF_RSH | BPF_X: a = a >>> (x & 31); break;
      case BPF_JMP | BPF_JA: pc += k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a === k ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JEQ | BPF_X: pc += a === x ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > k ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JGT | BPF_X: pc += a > x ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= k ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JGE | BPF_X: pc += a >= x ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & k) !== 0 ? p.jt[pc]! : p.jf[pc]!; break;
      case BPF_JMP | BPF_JSET | BPF_X: pc += (a & x) !== 0 ? p.jt[pc]! : p.jf[pc]!; break;
      default:
        // Unreachable for validated programs; fail closed.
        return 0;
    }
  }
}
