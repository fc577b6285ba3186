// A POSIX message queue (ipc/mqueue.c's mqueue_inode_info): messages by priority,
// sleeping senders and receivers served in arrival order with direct hand-off
// (pipelined_send/pipelined_receive), poll readiness, and the one mq_notify
// registration per queue.
import { EAGAIN, ETIMEDOUT } from '../../../abi/linux/errno.js';
import { Block } from '../../kernel/block.js';
import { SI_MESGQ } from '../../kernel/signal_queue.js';
import { sendToGroup } from '../../kernel/signals.js';
import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';
import { EVENT_IN, EVENT_OUT, WaitQueue } from '../../kernel/waiter.js';
import type { MemoryCharge } from './mqueue.js';

/** Sentry memory a queued message costs beyond its text (struct msg_msg). */
const MSG_OVERHEAD = 48;

export const SIGEV_SIGNAL = 0;
export const SIGEV_NONE = 1;
export const SIGEV_THREAD = 2;

export interface MqMessage {
  prio: number;
  data: Uint8Array;
}

export interface MqNotification {
  owner: ThreadGroup;
  notify: number;
  signo: number;
  value: bigint;
  /** The description mq_notify went through: closing it drops the registration. */
  via: object;
}

/** A sleeping sender (with its message) or receiver (struct ext_wait_queue). */
interface Sleeper {
  task: Task;
  msg: MqMessage | null;
  done: boolean;
  readonly queue: WaitQueue;
  block: Block | null;
}

export class MessageQueue {
  /** Highest priority first, FIFO within a priority. */
  private readonly messages: MqMessage[] = [];
  /** Bytes of message text queued (QSIZE). */
  qsize = 0;
  notification: MqNotification | null = null;
  /** Poll waiters: IN when a message arrives, OUT when room appears. */
  readonly events = new WaitQueue();
  private readonly senders: Sleeper[] = [];
  private readonly receivers: Sleeper[] = [];

  constructor(
    readonly maxmsg: number,
    readonly msgsize: number,
    private readonly memory: MemoryCharge,
  ) {}

  get curmsgs(): number {
    return this.messages.length;
  }

  readiness(mask: number): number {
    let r = 0;
    if (this.messages.length > 0) r |= EVENT_IN | 0x40; // POLLRDNORM
    if (this.messages.length < this.maxmsg) r |= EVENT_OUT | 0x100; // POLLWRNORM
    return r & mask;
  }

  /** The registration, unless its owner is gone. */
  owner(): MqNotification | null {
    const n = this.notification;
    if (n && !n.owner.alive) this.notification = null;
    return this.notification;
  }

  /**
   * mq_timedsend. `deadline` is on the uptime clock (null: no timeout). The message
   * size was checked by the caller.
   */
  send(t: Task, msg: MqMessage, nonblock: boolean, deadline: number | null): number | Block {
    if (this.messages.length >= this.maxmsg) {
      if (nonblock) throw EAGAIN;
      // Charged now (load_msg comes first in Linux): moving in later cannot fail.
      this.memory.charge(msg.data.length + MSG_OVERHEAD);
      const s: Sleeper = { task: t, msg, done: false, queue: new WaitQueue(), block: null };
      this.senders.push(s);
      return this.sleep(this.senders, s, deadline, () => 0);
    }
    const r = this.firstLive(this.receivers);
    if (r) {
      drop(this.receivers, r);
      r.msg = msg;
      wake(r);
    } else {
      this.insert(msg);
      this.doNotify(t);
    }
    return 0;
  }

  /** mq_timedreceive: `take` copies the message out and returns the syscall result. */
  receive(t: Task, nonblock: boolean, deadline: number | null, take: (m: MqMessage) => number): number | Block {
    if (this.messages.length === 0) {
      if (nonblock) throw EAGAIN;
      const r: Sleeper = { task: t, msg: null, done: false, queue: new WaitQueue(), block: null };
      this.receivers.push(r);
      return this.sleep(this.receivers, r, deadline, () => take(r.msg!));
    }
    const m = this.messages.shift()!;
    this.qsize -= m.data.length;
    this.memory.release(m.data.length + MSG_OVERHEAD);
    // There is room now: the first sleeping sender's message moves in.
    const s = this.firstLive(this.senders);
    if (s) {
      drop(this.senders, s);
      this.place(s.msg!);
      wake(s);
    } else {
      this.events.notify(EVENT_OUT);
    }
    return take(m);
  }

  private sleep(list: Sleeper[], s: Sleeper, deadline: number | null, finish: () => number): Block {
    const done = (): number | Block => (s.done ? finish() : park());
    const timeout = (): number | Block => {
      if (s.done) return finish();
      this.leave(list, s);
      throw ETIMEDOUT;
    };
    // ERESTARTSYS: restarted after a SA_RESTART handler (the deadline is absolute).
    const park = (): Block => {
      s.block = new Block(done, [{ queue: s.queue, mask: 1 }], deadline, timeout, true, 'restart',
        () => this.leave(list, s));
      return s.block;
    };
    return park();
  }

  private firstLive(list: Sleeper[]): Sleeper | null {
    for (const s of [...list]) {
      if (!s.done && s.block !== null && s.task.block === s.block) return s;
      this.leave(list, s);
    }
    return null;
  }

  /** A sleeper gives up (timeout, signal, death); a sender's message was charged. */
  private leave(list: Sleeper[], s: Sleeper): void {
    const i = list.indexOf(s);
    if (i < 0) return;
    list.splice(i, 1);
    if (list === this.senders && s.msg) this.memory.release(s.msg.data.length + MSG_OVERHEAD);
  }

  /** Queues msg by priority; ENOMEM when the Sentry's IPC memory is exhausted. */
  private insert(msg: MqMessage): void {
    this.memory.charge(msg.data.length + MSG_OVERHEAD);
    this.place(msg);
  }

  /** Queues an already charged message. */
  private place(msg: MqMessage): void {
    let i = this.messages.length;
    while (i > 0 && this.messages[i - 1]!.prio < msg.prio) i--;
    this.messages.splice(i, 0, msg);
    this.qsize += msg.data.length;
  }

  /** __do_notify: a message arrived in an empty queue; the registration fires once. */
  private doNotify(sender: Task): void {
    const n = this.owner();
    if (n && this.messages.length === 1) {
      if (n.notify === SIGEV_SIGNAL && n.signo !== 0) {
        sendToGroup(n.owner, { signo: n.signo, code: SI_MESGQ, pid: sender.pid, uid: sender.creds.ruid, value: n.value });
      }
      this.notification = null;
    }
    this.events.notify(EVENT_IN);
  }

  /** The queue is gone (unlinked and closed): its messages' memory goes back. */
  discard(): void {
    for (const m of this.messages) this.memory.release(m.data.length + MSG_OVERHEAD);
    this.messages.length = 0;
    this.qsize = 0;
  }

  /** The QSIZE line read(2) returns on a queue's descriptor. */
  statusLine(): string {
    const n = this.owner();
    const notify = n ? n.notify : 0;
    const signo = n && n.notify === SIGEV_SIGNAL ? n.signo : 0;
    const pid = n ? n.owner.pid : 0;
    return `QSIZE:${String(this.qsize).padEnd(10)} NOTIFY:${String(notify).padEnd(5)} ` +
      `SIGNO:${String(signo).padEnd(5)} NOTIFY_PID:${String(pid).padEnd(6)}\n`;
  }
}

function drop(list: Sleeper[], s: Sleeper): void {
  const i = list.indexOf(s);
  if (i >= 0) list.splice(i, 1);
}

function wake(s: Sleeper): void {
  s.done = true;
  s.queue.notify(1);
}
