// Binary codec for lisafs messages: a reusable writer and a bounds-checked reader.
// Little-endian; strings are latin1 byte strings with a u16 length.
import { EBADMSG, EMSGSIZE } from '../abi/linux/errno.js';

export class Writer {
  readonly buf: Buffer;
  private readonly view: DataView;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.alloc(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, capacity);
  }

  /** Starts a new message with id `id`. */
  begin(id: number): this {
    this.pos = 0;
    return this.u16(id);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw EMSGSIZE;
  }

  u8(v: number): this {
    this.need(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.need(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.need(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    this.need(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
    return this;
  }

  i64(v: number): this {
    this.need(8);
    this.view.setBigInt64(this.pos, BigInt(Math.trunc(v)), true);
    this.pos += 8;
    return this;
  }

  str(s: string): this {
    if (s.length > 0xffff) throw EMSGSIZE;
    this.need(2 + s.length);
    this.u16(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
    return this;
  }

  /** Space for `n` bytes the caller fills in place (e.g. fstat straight into the reply). */
  reserve(n: number): Uint8Array {
    this.need(n);
    const r = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Rewinds to `pos` (drops what was written after it). */
  truncate(pos: number): void {
    this.pos = pos;
  }

  /** Overwrites a u16 written earlier (counts known only at the end). */
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads a received message; running past its end throws EBADMSG. */
export class Reader {
  private readonly view: DataView;
  private readonly b: Buffer;
  pos = 0;

  constructor(
    buf: Buffer,
    readonly length: number,
  ) {
    this.b = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, length);
  }

  private need(n: number): void {
    if (this.pos + n > this.length) throw EBADMSG;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64(): number {
    this.need(8);
    const v = Number(this.view.getBigInt64(this.pos, true));
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u16();
    this.need(n);
    const s = this.b.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A view of the next `n` bytes (valid until the buffer is reused). */
  raw(n: number): Uint8Array {
    this.need(n);
    const r = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}
