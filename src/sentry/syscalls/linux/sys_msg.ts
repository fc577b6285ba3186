// msgget(2), msgsnd(2), msgrcv(2), msgctl(2): argument decoding and the x86_64
// layouts of struct msgbuf, msqid64_ds and msginfo.
import { EINVAL } from '../../../abi/linux/errno.js';
import type { Block } from '../../kernel/block.js';
import { IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT, decodePerm } from '../../kernel/ipc/ipc.js';
import { MSG_COPY, MSG_EXCEPT, MSG_INFO, MSG_STAT, MSG_STAT_ANY, type Message } from '../../kernel/ipc/msg.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const MSQID64_DS_SIZE = 120;
const MSGINFO_SIZE = 32;
const TWO63 = 1n << 63n;

/** A C long from its unsigned 64-bit register value. */
function asLong(v: bigint): bigint {
  return v >= TWO63 ? v - (1n << 64n) : v;
}

export function msgget(t: Task, [key, flags]: SyscallArgs): number {
  return t.kernel.ipc.msg.get(t, key.int32(), flags.int32());
}

export function msgsnd(t: Task, [idArg, msgp, sizeArg, flagsArg]: SyscallArgs): number | Block {
  const msg = t.kernel.ipc.msg;
  const id = idArg.int32();
  const size = asLong(sizeArg.bigint());
  const head = t.mm.copyIn(msgp.addr(), 8);
  const type = new DataView(head.buffer, head.byteOffset, 8).getBigInt64(0, true);
  if (size > BigInt(msg.limits.msgmax) || size < 0n || id < 0) throw EINVAL;
  if (type < 1n) throw EINVAL;
  const data = size > 0n ? t.mm.copyIn(msgp.addr() + 8, Number(size)) : new Uint8Array(0);
  const m: Message = { type, data };
  return msg.send(t, id, m, flagsArg.int32());
}

export function msgrcv(t: Task, [idArg, msgp, sizeArg, typArg, flagsArg]: SyscallArgs): number | Block {
  const msg = t.kernel.ipc.msg;
  const id = idArg.int32();
  const bufsz = asLong(sizeArg.bigint());
  const flags = flagsArg.int32();
  if (id < 0 || bufsz < 0n) throw EINVAL;
  if (flags & MSG_COPY && (flags & MSG_EXCEPT || !(flags & IPC_NOWAIT))) throw EINVAL;
  // Anything above MSGMAX cannot matter: no message is longer.
  const cap = bufsz > 1n << 40n ? 2 ** 40 : Number(bufsz);
  const addr = msgp.addr();
  const fill = (m: Message): number => {
    const n = Math.min(cap, m.data.length);
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigInt64(0, m.type, true);
    t.mm.copyOut(addr, head);
    t.mm.copyOut(addr + 8, m.data.subarray(0, n));
    return n;
  };
  const msgtyp = asLong(typArg.bigint());
  return msg.receive(t, id, flags & MSG_COPY ? Math.min(cap, msg.limits.msgmax) : cap, msgtyp, flags, fill);
}

export function msgctl(t: Task, [idArg, cmdArg, buf]: SyscallArgs): number {
  const id = idArg.int32();
  const cmd = cmdArg.int32();
  if (id < 0 || cmd < 0) throw EINVAL;
  const msg = t.kernel.ipc.msg;
  switch (cmd) {
    case IPC_INFO:
    case MSG_INFO: {
      const { info, maxIdx } = msg.info(cmd === MSG_INFO);
      const b = new Uint8Array(MSGINFO_SIZE);
      const dv = new DataView(b.buffer);
      [info.msgpool, info.msgmap, info.msgmax, info.msgmnb, info.msgmni, info.msgssz, info.msgtql]
        .forEach((v, i) => dv.setInt32(i * 4, v, true));
      dv.setUint16(28, info.msgseg, true);
      t.mm.copyOut(buf.addr(), b);
      return Math.max(0, maxIdx);
    }
    case IPC_STAT:
    case MSG_STAT:
    case MSG_STAT_ANY: {
      const q = msg.stat(t, id, cmd !== IPC_STAT, cmd !== MSG_STAT_ANY);
      const b = new Uint8Array(MSQID64_DS_SIZE);
      const dv = new DataView(b.buffer);
      q.encodePerm(dv, 0);
      dv.setBigInt64(48, BigInt(q.stime), true);
      dv.setBigInt64(56, BigInt(q.rtime), true);
      dv.setBigInt64(64, BigInt(q.ctime), true);
      dv.setBigUint64(72, BigInt(q.cbytes), true);
      dv.setBigUint64(80, BigInt(q.messages.length), true);
      dv.setBigUint64(88, BigInt(q.qbytes), true);
      dv.setInt32(96, q.lspid, true);
      dv.setInt32(100, q.lrpid, true);
      t.mm.copyOut(buf.addr(), b);
      return cmd === IPC_STAT ? 0 : q.id;
    }
    case IPC_SET: {
      const b = t.mm.copyIn(buf.addr(), MSQID64_DS_SIZE);
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      const qbytes = dv.getBigUint64(88, true);
      msg.set(t, id, decodePerm(dv, 0), qbytes > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(qbytes));
      return 0;
    }
    case IPC_RMID:
      msg.remove(t, id);
      return 0;
    default:
      throw EINVAL;
  }
}
