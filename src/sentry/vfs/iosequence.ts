// IOSequence: a scatter/gather list of views into application memory (or plain
// buffers). Reads fill it; writes drain it. Views come from MemoryManager.views().

export type IOSequence = Uint8Array[];

export function seqLength(seq: IOSequence): number {
  let n = 0;
  for (const v of seq) n += v.length;
  return n;
}

/** Copies src into seq starting at byte `skip` of seq; returns bytes copied. */
export function copyToSeq(seq: readonly Uint8Array[], src: Uint8Array, skip = 0): number {
  let copied = 0;
  for (const v of seq) {
    if (skip >= v.length) {
      skip -= v.length;
      continue;
    }
    const n = Math.min(v.length - skip, src.length - copied);
    v.set(src.subarray(copied, copied + n), skip);
    copied += n;
    skip = 0;
    if (copied === src.length) break;
  }
  return copied;
}

/** Fills dst from seq starting at byte `skip` of seq (copyToSeq's mirror); returns bytes copied. */
export function copyFromSeq(seq: readonly Uint8Array[], dst: Uint8Array, skip = 0): number {
  let copied = 0;
  for (const v of seq) {
    if (copied === dst.length) break;
    if (skip >= v.length) {
      skip -= v.length;
      continue;
    }
    const n = Math.min(v.length - skip, dst.length - copied);
    dst.set(v.subarray(skip, skip + n), copied);
    copied += n;
    skip = 0;
  }
  return copied;
}

/** The first `max` bytes of seq as one buffer (a view when seq is one piece). */
export function gather(seq: IOSequence, max = Infinity): Uint8Array {
  const total = Math.min(seqLength(seq), max);
  if (seq.length === 1) return seq[0]!.subarray(0, total);
  const out = new Uint8Array(total);
  let n = 0;
  for (const v of seq) {
    if (n >= total) break;
    const part = v.subarray(0, total - n);
    out.set(part, n);
    n += part.length;
  }
  return out;
}

/** The sub-sequence after dropping the first `n` bytes. */
export function seqDrop(seq: IOSequence, n: number): IOSequence {
  const out: IOSequence = [];
  for (const v of seq) {
    if (n >= v.length) {
      n -= v.length;
      continue;
    }
    out.push(n > 0 ? v.subarray(n) : v);
    n = 0;
  }
  return out;
}

/** The sub-sequence of the first `n` bytes. */
export function seqTake(seq: IOSequence, n: number): IOSequence {
  const out: IOSequence = [];
  for (const v of seq) {
    if (n <= 0) break;
    out.push(v.length <= n ? v : v.subarray(0, n));
    n -= v.length;
  }
  return out;
}
