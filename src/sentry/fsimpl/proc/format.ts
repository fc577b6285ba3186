// Number formatting shared by /proc and /sys files, matching the kernel's printers
// (seq_put_decimal_ull_width, render_sigset_t, %*pb and %*pbl cpumasks).
import { randomUUID } from '../../kernel/rand.js';

/** USER_HZ: clock ticks per second in /proc times. */
export const USER_HZ = 100;

export function nsToTicks(ns: number): number {
  return Math.floor(ns / (1e9 / USER_HZ));
}

/** Right-aligned decimal in `width` columns (seq_put_decimal_ull_width). */
export function padNum(n: number | bigint, width: number): string {
  return String(n).padStart(width, ' ');
}

/** Unsigned 64-bit decimal; Infinity and anything past 2^64-1 print as ULONG_MAX. */
export function u64(n: number): string {
  if (!Number.isFinite(n) || n >= 2 ** 64) return '18446744073709551615';
  if (n < 0) return String(BigInt.asUintN(64, BigInt(Math.trunc(n))));
  return String(Math.trunc(n));
}

/** A 64-bit mask as 16 hex digits (render_sigset_t, render_cap_t). */
export function hex16(mask: bigint): string {
  return BigInt.asUintN(64, mask).toString(16).padStart(16, '0');
}

/** %*pb of a mask of the first `n` bits set: 32-bit words, most significant first. */
export function cpuMask(n: number): string {
  const count = Math.max(1, n);
  const words = Math.ceil(count / 32);
  const parts: string[] = [];
  for (let w = words - 1; w >= 0; w--) {
    const bits = Math.min(32, count - w * 32);
    const value = bits === 32 ? 0xffffffff : (2 ** bits) - 1;
    const width = w === words - 1 ? Math.ceil(bits / 4) : 8;
    parts.push(value.toString(16).padStart(width, '0'));
  }
  return parts.join(',');
}

/** %*pbl of the first `n` cpus: "0" or "0-N". */
export function cpuList(n: number): string {
  return n <= 1 ? '0' : `0-${n - 1}`;
}

/** Escapes for paths in mounts/mountinfo (mangle(): space, tab, newline, backslash). */
export function mangle(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** "%lu.%02lu" of a value in hundredths. */
export function centis(hundredths: number): string {
  const v = Math.max(0, Math.floor(hundredths));
  return `${Math.floor(v / 100)}.${String(v % 100).padStart(2, '0')}`;
}

/** A random version-4 UUID (/proc/sys/kernel/random/uuid). */
export function randomUuid(): string {
  return randomUUID();
}
