// A unix socket's receive queue (sk_receive_queue): messages in arrival order.
// Stream sockets read across messages (each write is one); datagram and
// seqpacket sockets read one message per call. A message remembers its sender
// (whose address recvfrom reports and whose send buffer it is charged to), the
// descriptions it carries (SCM_RIGHTS, one reference each while in flight) and
// the credentials recorded for it.
import type { FileDescription } from '../../vfs/file.js';
import type { UCred } from '../socket.js';

/** Who sent a message: what the queue needs of the sending socket. */
export interface MessageSender {
  /** The sender's bound address, read when the message is received (skb->sk). */
  readonly addrBytes: Uint8Array | null;
  /** Gives back the send-buffer space a consumed or dropped message took. */
  uncharge(n: number): void;
}

export interface UnixMessage {
  data: Uint8Array;
  /** Bytes already read (stream sockets read a message piecemeal). */
  off: number;
  sender: MessageSender;
  /** Send-buffer bytes charged to the sender (data plus per-message overhead). */
  charge: number;
  rights: FileDescription[] | null;
  /** User whose in-flight count the rights raised. */
  rightsUid: number;
  creds: UCred | null;
}

export class MessageQueue {
  private items: (UnixMessage | undefined)[] = [];
  private head = 0;
  /** Unread data bytes over all messages (SIOCINQ of stream sockets). */
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** The i-th unread message (0: the next one). */
  at(i: number): UnixMessage | undefined {
    return this.items[this.head + i];
  }

  push(m: UnixMessage): void {
    this.items.push(m);
    this.bytes += m.data.length - m.off;
  }

  /** Removes the next message. */
  shift(): UnixMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const m = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.head++;
    this.bytes -= m.data.length - m.off;
    // Compact now and then so a long-lived queue does not keep a growing array.
    if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return m;
  }

  /** Marks n more bytes of the next message read. */
  consume(m: UnixMessage, n: number): void {
    m.off += n;
    this.bytes -= n;
  }

  /** Empties the queue, returning what was in it. */
  drain(): UnixMessage[] {
    const out = this.items.slice(this.head) as UnixMessage[];
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return out;
  }
}
