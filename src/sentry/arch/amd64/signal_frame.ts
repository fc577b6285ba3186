// amd64 signal frames (arch/x86/kernel/signal.c, signal_64.c): what a handler
// finds on its stack and what rt_sigreturn(2) restores.
//
//   rt_sigframe @ sp:  pretcode (8) | ucontext (304) | siginfo (128)      = 440 bytes
//   ucontext:          uc_flags, uc_link, uc_stack (24), sigcontext (256), uc_sigmask (8)
//   XSAVE area:        below the red zone, 64-byte aligned, FP_XSTATE_MAGIC2 after it
import { Reg, type Registers } from './registers.js';

export const FRAME_SIZE = 440;
const UC_OFF = 8;
const UC_FLAGS = UC_OFF;
const UC_STACK = UC_OFF + 16;
const SC_OFF = UC_OFF + 40; // sigcontext
const UC_SIGMASK = SC_OFF + 256;
export const INFO_OFF = UC_OFF + 304;

const UC_FP_XSTATE = 1;
const UC_SIGCONTEXT_SS = 2;
const UC_STRICT_RESTORE_SS = 4;
const FP_XSTATE_MAGIC1 = 0x46505853;
const FP_XSTATE_MAGIC2 = 0x46505845;
export const REDZONE = 128;

const USER_CS = 0x33;
const USER_DS = 0x2b;
// EFLAGS bits a handler may change through its sigcontext (FIX_EFLAGS).
const FIX_EFLAGS = 0x40dd5; // AC|OF|DF|TF|SF|ZF|AF|PF|CF|RF
const EFLAGS_TF = 0x100;
const EFLAGS_DF = 0x400;
const EFLAGS_RF = 0x10000;
const EFLAGS_AC = 0x40000;

/** sigcontext register order (struct sigcontext_64). */
const SC_REGS: readonly Reg[] = [
  Reg.r8, Reg.r9, Reg.r10, Reg.r11, Reg.r12, Reg.r13, Reg.r14, Reg.r15,
  Reg.rdi, Reg.rsi, Reg.rbp, Reg.rbx, Reg.rdx, Reg.rax, Reg.rcx, Reg.rsp, Reg.rip,
];

export interface AltStack {
  sp: number;
  size: number;
  /** SS_DISABLE, SS_AUTODISARM ... (SS_ONSTACK is computed). */
  flags: number;
}

export interface FrameLayout {
  /** Address of the rt_sigframe (the handler's rsp). */
  sp: number;
  fpAddr: number;
  /** The bytes to write at sp (frame) and at fpAddr (XSAVE area + magic). */
  frame: Uint8Array;
  fp: Uint8Array;
}

function floor(x: number, a: number): number {
  return Math.floor(x / a) * a;
}

/**
 * Builds the frame for a handler. `stackTop` is where it goes (rsp - red zone, or
 * the top of the alternate stack); `fpState` is the XSAVE area from the platform.
 */
export function buildFrame(regs: Registers, stackTop: number, fpState: Uint8Array, siginfo: Uint8Array,
  mask: bigint, restorer: number, alt: AltStack, onAltStack: boolean): FrameLayout {
  const xstateSize = fpState.length;
  const fpAddr = floor(stackTop - (xstateSize + 4), 64);
  const sp = floor(fpAddr - FRAME_SIZE, 16) - 8;
  const frame = new Uint8Array(FRAME_SIZE);
  const v = new DataView(frame.buffer);
  const u64 = (off: number, x: number | bigint): void => v.setBigUint64(off, BigInt.asUintN(64, BigInt(x)), true);
  u64(0, restorer);
  u64(UC_FLAGS, UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
  // uc_stack describes the alternate stack as sigaltstack would report it.
  u64(UC_STACK, alt.sp);
  v.setInt32(UC_STACK + 8, alt.flags | (onAltStack ? 1 /* SS_ONSTACK */ : 0), true);
  u64(UC_STACK + 16, alt.size);
  SC_REGS.forEach((r, i) => u64(SC_OFF + i * 8, regs.getBig(r)));
  u64(SC_OFF + 17 * 8, regs.getBig(Reg.eflags));
  v.setUint16(SC_OFF + 144, regs.get(Reg.cs), true);
  v.setUint16(SC_OFF + 146, regs.get(Reg.gs), true);
  v.setUint16(SC_OFF + 148, regs.get(Reg.fs), true);
  v.setUint16(SC_OFF + 150, regs.get(Reg.ss), true);
  // err, trapno, oldmask, cr2 stay 0 except oldmask (the first word of the mask).
  u64(SC_OFF + 168, mask & 0xffffffffffffffffn);
  u64(SC_OFF + 184, fpAddr);
  u64(UC_SIGMASK, mask);
  frame.set(siginfo, INFO_OFF);
  const fp = new Uint8Array(xstateSize + 4);
  fp.set(fpState);
  new DataView(fp.buffer).setUint32(xstateSize, FP_XSTATE_MAGIC2, true);
  return { sp, fpAddr, frame, fp };
}

/** Points the registers at the handler, as setup_rt_frame does. */
export function enterHandler(regs: Registers, sp: number, handler: number, sig: number, siginfoAddr: number,
  ucontextAddr: number): void {
  regs.set(Reg.rsp, sp);
  regs.set(Reg.rip, handler);
  regs.set(Reg.rdi, sig);
  regs.set(Reg.rsi, siginfoAddr);
  regs.set(Reg.rdx, ucontextAddr);
  regs.set(Reg.rax, 0);
  regs.set(Reg.orig_rax, -1);
  regs.set(Reg.cs, USER_CS);
  regs.set(Reg.ss, USER_DS);
  const fl = regs.get(Reg.eflags);
  regs.set(Reg.eflags, fl & ~(EFLAGS_DF | EFLAGS_TF | EFLAGS_RF | EFLAGS_AC));
}

export interface RestoredFrame {
  mask: bigint;
  /** Address of the saved XSAVE area (0: none). */
  fpAddr: number;
  alt: AltStack;
}

/**
 * Restores registers from a frame read at rt_sigreturn (rsp - 8). Returns the mask,
 * the XSAVE area address and the saved alternate stack; throws RangeError when the
 * frame is not one we could have built (the caller kills the task with SIGSEGV).
 */
export function restoreFrame(regs: Registers, frame: Uint8Array): RestoredFrame {
  const v = new DataView(frame.buffer, frame.byteOffset, FRAME_SIZE);
  const u64 = (off: number): bigint => v.getBigUint64(off, true);
  SC_REGS.forEach((r, i) => regs.setBig(r, u64(SC_OFF + i * 8)));
  const saved = Number(u64(SC_OFF + 17 * 8) & 0xffffffffn);
  const fl = regs.get(Reg.eflags);
  regs.set(Reg.eflags, (fl & ~FIX_EFLAGS) | (saved & FIX_EFLAGS));
  // Segment selectors are forced to the user ones: an app cannot pick kernel segments.
  regs.set(Reg.cs, USER_CS);
  regs.set(Reg.ss, USER_DS);
  regs.set(Reg.orig_rax, -1); // no syscall restart after sigreturn
  const rip = regs.get(Reg.rip);
  if (rip >= 2 ** 47) throw new RangeError('non-canonical rip in signal frame');
  return {
    mask: u64(UC_SIGMASK),
    fpAddr: Number(u64(SC_OFF + 184)),
    alt: { sp: Number(u64(UC_STACK)), flags: v.getInt32(UC_STACK + 8, true) & ~1, size: Number(u64(UC_STACK + 16)) },
  };
}

/** Checks an XSAVE area read from a frame; returns the bytes to restore or null when invalid. */
export function validateFpState(area: Uint8Array, expectedSize: number): Uint8Array | null {
  if (area.length < expectedSize + 4) return null;
  const v = new DataView(area.buffer, area.byteOffset, area.length);
  if (v.getUint32(464, true) !== FP_XSTATE_MAGIC1) return area.subarray(0, 512); // legacy FXSAVE only
  const size = v.getUint32(464 + 12, true);
  if (size !== expectedSize || v.getUint32(size, true) !== FP_XSTATE_MAGIC2) return null;
  return area.subarray(0, size);
}
