// A FIFO of bytes kept as chunks (what the master has to read).
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  size = 0;

  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.size += b.length;
  }

  /** Removes and returns up to max bytes. */
  take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.size));
    let done = 0;
    while (done < out.length) {
      const c = this.chunks[0]!;
      const n = Math.min(c.length - this.head, out.length - done);
      out.set(c.subarray(this.head, this.head + n), done);
      done += n;
      this.head += n;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.size -= done;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.size = 0;
  }
}
