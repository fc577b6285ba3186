// Text primitives for strace lines: numbers, quoted strings escaped the way
// strace(1) escapes them, flag sets and enumerations, and bounded memory reads.
import type { StraceMemory } from './value.js';

/** How many bytes of a buffer or string to show before `...` (strace -s 32). */
export const STR_LIMIT = 32;
/** How many elements of an array (argv, iovec, pollfd) to show before `...`. */
export const ARRAY_LIMIT = 8;
/** Longest path read (PATH_MAX). Paths are shown whole, as strace does. */
export const PATH_LIMIT = 4096;

export function hex(v: bigint | number): string {
  const b = BigInt.asUintN(64, BigInt(v));
  return b === 0n ? '0' : `0x${b.toString(16)}`;
}

/** A pointer: hex, or NULL. */
export function ptr(v: bigint | number): string {
  const b = BigInt.asUintN(64, BigInt(v));
  return b === 0n ? 'NULL' : `0x${b.toString(16)}`;
}

/** A mode or mask the way strace prints it (C's "%#03o": 000, 022, 0644). */
export function octal(v: number): string {
  return v === 0 ? '000' : `0${v.toString(8)}`.padStart(3, '0');
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"', 0x5c: '\\\\', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v',
};

/**
 * Quotes bytes like strace: C escapes for the usual controls, octal for other
 * non-printable bytes (three digits when an octal digit follows, so it stays unambiguous).
 */
export function quoteBytes(b: Uint8Array, truncated: boolean): string {
  let out = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    const esc = ESCAPES[c];
    if (esc !== undefined) out += esc;
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else {
      const next = b[i + 1];
      const o = c.toString(8);
      out += '\\' + (next !== undefined && next >= 0x30 && next <= 0x37 ? o.padStart(3, '0') : o);
    }
  }
  return out + (truncated ? '"...' : '"');
}

/** Quotes a latin1 kernel string (one char per byte). */
export function quote(s: string, limit = STR_LIMIT): string {
  const n = Math.min(s.length, limit);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = s.charCodeAt(i) & 0xff;
  return quoteBytes(b, s.length > limit);
}

export type FlagTable = ReadonlyArray<readonly [number, string]>;

/**
 * A flag set as `A|B|0x40`: table entries in order (put multi-bit names first),
 * leftover bits in hex, `zero` when nothing is set.
 */
export function flagSet(v: number | bigint, table: FlagTable, zero = '0'): string {
  let rest = BigInt.asUintN(64, BigInt(v));
  const names: string[] = [];
  for (const [bits, name] of table) {
    const b = BigInt(bits);
    if (b !== 0n && (rest & b) === b) {
      names.push(name);
      rest &= ~b;
    }
  }
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names.length === 0 ? zero : names.join('|');
}

export type EnumTable = Readonly<Record<number, string>>;

/** A name for an enumerated value, or the number with the unknown value commented. */
export function enumName(v: number, table: EnumTable, unknownPrefix = ''): string {
  const n = table[v];
  if (n !== undefined) return n;
  return unknownPrefix ? `${v} /* ${unknownPrefix}??? */` : String(v);
}

// ---- bounded reads (they throw SysError on a bad pointer; callers fall back to hex) ----

const PAGE = 4096;

export function readBytes(mm: StraceMemory, addr: number, len: number): Uint8Array {
  return len === 0 ? new Uint8Array(0) : mm.copyIn(addr, len);
}

export function readU32(mm: StraceMemory, addr: number): number {
  const b = mm.copyIn(addr, 4);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

export function readI32(mm: StraceMemory, addr: number): number {
  return readU32(mm, addr) | 0;
}

export function readU64(mm: StraceMemory, addr: number): bigint {
  const b = mm.copyIn(addr, 8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

/**
 * Reads a NUL-terminated string of at most `limit` bytes, page by page so a string
 * that ends just before an unmapped page still reads. Returns the bytes and whether
 * the string went on past the limit.
 */
export function readCBytes(mm: StraceMemory, addr: number, limit: number): { bytes: Uint8Array; more: boolean } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = addr;
  for (;;) {
    const want = Math.min(PAGE - (pos % PAGE), limit + 1 - total);
    const chunk = mm.copyIn(pos, want);
    const z = chunk.indexOf(0);
    const part = z >= 0 ? chunk.subarray(0, z) : chunk;
    parts.push(part);
    total += part.length;
    if (z >= 0 || total > limit) break;
    pos += want;
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.length;
  }
  return total > limit ? { bytes: bytes.subarray(0, limit), more: true } : { bytes, more: false };
}

/** A quoted C string from memory, truncated at `limit` bytes. */
export function cstring(mm: StraceMemory, addr: number, limit = STR_LIMIT): string {
  const { bytes, more } = readCBytes(mm, addr, limit);
  return quoteBytes(bytes, more);
}

/** A quoted buffer from memory: its first `limit` bytes of `len`. */
export function buffer(mm: StraceMemory, addr: number, len: number, limit = STR_LIMIT): string {
  return quoteBytes(readBytes(mm, addr, Math.min(len, limit)), len > limit);
}
