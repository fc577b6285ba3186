// SysV message queues (ipc/msg.c). A message sent while a matching receiver
// sleeps goes straight to that receiver (pipelined_send), so receivers are served
// in arrival order; senders blocked on a full queue retry when space appears.
import { E2BIG, EAGAIN, EIDRM, EINVAL, ENOMSG, EPERM, type SysError } from '../../../abi/linux/errno.js';
import { Block } from '../block.js';
import type { Task } from '../task.js';
import { WaitQueue } from '../waiter.js';
import {
  IPC_NOWAIT, IpcIds, IpcObject, MAY_READ_IPC, MAY_WRITE_IPC, ipcGet, nowSeconds, type DecodedPerm, type IpcMemory,
} from './ipc.js';

export const MSG_STAT = 11;
export const MSG_INFO = 12;
export const MSG_STAT_ANY = 13;
export const MSG_NOERROR = 0o10000;
export const MSG_EXCEPT = 0o20000;
export const MSG_COPY = 0o40000;

/** Linux's defaults (include/uapi/linux/msg.h); /proc/sys/kernel/msg* print the same. */
export const MSGMNI = 32000;
export const MSGMAX = 8192;
export const MSGMNB = 16384;
export const MSGPOOL = (MSGMNI * MSGMNB) / 1024;
export const MSGTQL = MSGMNB;
export const MSGMAP = MSGMNB;
export const MSGSSZ = 16;
export const MSGSEG = 0xffff;
const INT_MAX = 0x7fffffff;
/** Sentry memory a queued message costs beyond its text (struct msg_msg). */
const MSG_OVERHEAD = 48;
const CAP_SYS_RESOURCE = 24;

export interface Message {
  type: bigint;
  data: Uint8Array;
}

const enum Search {
  Any,
  Equal,
  NotEqual,
  LessEqual,
  Number,
}

/** A sleeping msgrcv (struct msg_receiver). */
interface Receiver {
  task: Task;
  type: bigint;
  mode: Search;
  maxSize: number;
  /** What a sender or IPC_RMID left for us: the message, or an error (EAGAIN: look again). */
  result: Message | SysError | null;
  readonly queue: WaitQueue;
  block: Block | null;
}

export class MsgQueue extends IpcObject {
  readonly messages: Message[] = [];
  cbytes = 0;
  qbytes = MSGMNB;
  stime = 0;
  rtime = 0;
  lspid = 0;
  lrpid = 0;
  readonly receivers: Receiver[] = [];
  /** Senders waiting for room (or for the queue to go away). */
  readonly space = new WaitQueue();
}

export interface MsgInfoValues {
  msgpool: number;
  msgmap: number;
  msgmax: number;
  msgmnb: number;
  msgmni: number;
  msgssz: number;
  msgtql: number;
  msgseg: number;
}

export class MsgRegistry {
  readonly ids = new IpcIds<MsgQueue>();
  readonly limits = { msgmax: MSGMAX, msgmnb: MSGMNB, msgmni: MSGMNI };

  constructor(private readonly mem: IpcMemory) {}

  get(t: Task, key: number, flags: number): number {
    return ipcGet(this.ids, {
      key,
      flags,
      creds: t.creds,
      create: () => {
        const q = new MsgQueue(key, t.creds, flags);
        q.qbytes = this.limits.msgmnb;
        this.ids.add(q, this.limits.msgmni);
        return q;
      },
    });
  }

  // ---- msgsnd ----

  /** The caller validated size and type and copied the text (EINVAL, EFAULT come first). */
  send(t: Task, id: number, msg: Message, flags: number): number | Block {
    const q = this.ids.get(id);
    const attempt = (): number | Block => {
      q.check(t.creds, MAY_WRITE_IPC);
      if (q.removed) throw EIDRM;
      const size = msg.data.length;
      if (!(size + q.cbytes <= q.qbytes && 1 + q.messages.length <= q.qbytes)) {
        if (flags & IPC_NOWAIT) throw EAGAIN;
        // msgsnd is not restarted after a handler (ERESTARTNOHAND).
        return new Block(attempt, [{ queue: q.space, mask: 1 }], null, null, true, 'eintr');
      }
      q.lspid = t.pid;
      q.stime = nowSeconds();
      if (!this.pipelinedSend(q, msg)) {
        this.mem.charge(size + MSG_OVERHEAD);
        q.messages.push(msg);
        q.cbytes += size;
      }
      return 0;
    };
    return attempt();
  }

  /** Hands msg to the first sleeping receiver that wants it; false if none does. */
  private pipelinedSend(q: MsgQueue, msg: Message): boolean {
    for (const r of [...q.receivers]) {
      if (!receiverLive(r)) {
        dropReceiver(q, r);
        continue;
      }
      if (!matches(msg, r.type, r.mode)) continue;
      dropReceiver(q, r);
      if (r.maxSize < msg.data.length) {
        deliver(r, E2BIG);
        continue;
      }
      q.lrpid = r.task.pid;
      q.rtime = nowSeconds();
      deliver(r, msg);
      return true;
    }
    return false;
  }

  // ---- msgrcv ----

  /**
   * `fill` copies a message to the caller and returns the byte count. MSG_COPY's
   * argument checks (EINVAL) are the caller's; msgtyp is then an index.
   */
  receive(t: Task, id: number, bufsz: number, msgtyp: bigint, flags: number,
    fill: (m: Message) => number): number | Block {
    let type = msgtyp;
    let mode: Search;
    if (flags & MSG_COPY) mode = Search.Number;
    else if (type === 0n) mode = Search.Any;
    else if (type < 0n) {
      type = type === -(1n << 63n) ? (1n << 63n) - 1n : -type;
      mode = Search.LessEqual;
    } else mode = flags & MSG_EXCEPT ? Search.NotEqual : Search.Equal;
    const q = this.ids.get(id);
    const attempt = (): number | Block => {
      q.check(t.creds, MAY_READ_IPC);
      if (q.removed) throw EIDRM;
      const i = findMessage(q, type, mode);
      if (i >= 0) {
        const m = q.messages[i]!;
        if (bufsz < m.data.length && !(flags & MSG_NOERROR)) throw E2BIG;
        if (flags & MSG_COPY) {
          // copy_msg: the copy buffer holds at most bufsz bytes.
          if (m.data.length > bufsz) throw EINVAL;
          return fill(m);
        }
        q.messages.splice(i, 1);
        q.cbytes -= m.data.length;
        this.mem.release(m.data.length + MSG_OVERHEAD);
        q.rtime = nowSeconds();
        q.lrpid = t.pid;
        q.space.notify(1);
        return fill(m);
      }
      if (flags & IPC_NOWAIT) throw ENOMSG;
      const r: Receiver = {
        task: t, type, mode, maxSize: flags & MSG_NOERROR ? INT_MAX : bufsz, result: null,
        queue: new WaitQueue(), block: null,
      };
      const done = (): number | Block => {
        const res = r.result;
        if (res === null) return park();
        if (res === EAGAIN) return attempt();
        if (!('type' in res)) throw res;
        return fill(res);
      };
      const park = (): Block => {
        r.block = new Block(done, [{ queue: r.queue, mask: 1 }], null, null, true, 'eintr', () => dropReceiver(q, r));
        return r.block;
      };
      q.receivers.push(r);
      return park();
    };
    return attempt();
  }

  // ---- msgctl ----

  stat(t: Task, id: number, byIndex: boolean, checkPerm: boolean): MsgQueue {
    const q = byIndex ? this.ids.atIndex(id % 32768) : this.ids.get(id);
    if (checkPerm) q.check(t.creds, MAY_READ_IPC);
    return q;
  }

  info(usage: boolean): { info: MsgInfoValues; maxIdx: number } {
    let msgs = 0;
    let bytes = 0;
    if (usage) {
      for (const q of this.ids.values()) {
        msgs += q.messages.length;
        bytes += q.cbytes;
      }
    }
    const l = this.limits;
    return {
      info: {
        msgpool: usage ? this.ids.inUse : MSGPOOL,
        msgmap: usage ? Math.min(msgs, INT_MAX) : MSGMAP,
        msgmax: l.msgmax,
        msgmnb: l.msgmnb,
        msgmni: l.msgmni,
        msgssz: MSGSSZ,
        msgtql: usage ? Math.min(bytes, INT_MAX) : MSGTQL,
        msgseg: MSGSEG,
      },
      maxIdx: this.ids.maxIdx(),
    };
  }

  set(t: Task, id: number, perm: DecodedPerm, qbytes: number): void {
    const q = this.ids.get(id);
    q.checkOwner(t.creds);
    if (qbytes > this.limits.msgmnb && !t.creds.hasCap(CAP_SYS_RESOURCE)) throw EPERM;
    q.updatePerm(perm);
    q.qbytes = qbytes;
    // Sleeping receivers may have lost permission: they look again (expunge_all(-EAGAIN)).
    for (const r of [...q.receivers]) {
      dropReceiver(q, r);
      deliver(r, EAGAIN);
    }
    // A bigger queue may let senders in.
    q.space.notify(1);
  }

  remove(t: Task, id: number): void {
    const q = this.ids.get(id);
    q.checkOwner(t.creds);
    this.ids.remove(q);
    for (const r of [...q.receivers]) {
      dropReceiver(q, r);
      deliver(r, EIDRM);
    }
    this.mem.release(q.cbytes + q.messages.length * MSG_OVERHEAD);
    q.messages.length = 0;
    q.cbytes = 0;
    q.space.notify(1);
  }
}

function matches(m: Message, type: bigint, mode: Search): boolean {
  switch (mode) {
    case Search.Any:
    case Search.Number:
      return true;
    case Search.LessEqual:
      return m.type <= type;
    case Search.Equal:
      return m.type === type;
    case Search.NotEqual:
      return m.type !== type;
  }
}

/** find_msg: index of the message to take, or -1. LessEqual takes the first of the lowest type. */
function findMessage(q: MsgQueue, type: bigint, mode: Search): number {
  let found = -1;
  let count = 0n;
  let limit = type;
  for (let i = 0; i < q.messages.length; i++) {
    const m = q.messages[i]!;
    if (!matches(m, limit, mode)) continue;
    if (mode === Search.LessEqual && m.type !== 1n) {
      limit = m.type - 1n;
      found = i;
    } else if (mode === Search.Number) {
      if (type === count) return i;
    } else {
      return i;
    }
    count++;
  }
  return found;
}

function receiverLive(r: Receiver): boolean {
  return r.result === null && r.block !== null && r.task.block === r.block;
}

function dropReceiver(q: MsgQueue, r: Receiver): void {
  const i = q.receivers.indexOf(r);
  if (i >= 0) q.receivers.splice(i, 1);
}

function deliver(r: Receiver, res: Message | SysError): void {
  r.result = res;
  r.queue.notify(1);
}
