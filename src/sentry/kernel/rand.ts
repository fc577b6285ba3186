// Randomness for the kernel (AT_RANDOM, ASLR, getrandom, /dev/urandom) from the
// host CSPRNG through the addon: node:crypto costs milliseconds of start-up.
import { native } from '../../native.js';

/** Fills buf with random bytes. */
export function fillRandom(buf: Uint8Array): Uint8Array {
  // getrandom(2) returns at most 32 MiB per call on Linux; the addon loops.
  native().getrandom(buf);
  return buf;
}

export function randomBytes(n: number): Uint8Array {
  return fillRandom(new Uint8Array(n));
}

/** A uniform integer in [min, max). */
export function randomInt(min: number, max: number): number {
  const span = max - min;
  if (span <= 1) return min;
  const b = randomBytes(8);
  const v = new DataView(b.buffer).getBigUint64(0, true);
  return min + Number(v % BigInt(span));
}

/** An RFC 4122 version 4 UUID (/proc/sys/kernel/random/uuid). */
export function randomUUID(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
