// semget(2), semop(2), semtimedop(2), semctl(2): argument decoding and the x86_64
// layouts of struct sembuf, semid64_ds and seminfo.
import { E2BIG, EINVAL } from '../../../abi/linux/errno.js';
import type { Block } from '../../kernel/block.js';
import { IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, decodePerm } from '../../kernel/ipc/ipc.js';
import {
  GETALL, GETNCNT, GETPID, GETVAL, GETZCNT, SEM_INFO, SEM_STAT, SEM_STAT_ANY, SETALL, SETVAL, type SemBuf,
} from '../../kernel/ipc/sem.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const SEMBUF_SIZE = 6;
const SEMID64_DS_SIZE = 104;
const SEMINFO_SIZE = 40;

export function semget(t: Task, [key, nsems, flags]: SyscallArgs): number {
  return t.kernel.ipc.sem.get(t, key.int32(), nsems.int32(), flags.int32());
}

/** Reads a relative struct timespec; EFAULT here, EINVAL is checked later (as Linux orders it). */
function readTimeout(t: Task, addr: number): { sec: bigint; nsec: bigint } {
  const b = t.mm.copyIn(addr, 16);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return { sec: dv.getBigInt64(0, true), nsec: dv.getBigInt64(8, true) };
}

function doSemop(t: Task, semid: number, sopsAddr: number, nsops: number, timeoutAddr: number): number | Block {
  const timeout = timeoutAddr !== 0 ? readTimeout(t, timeoutAddr) : null;
  const sem = t.kernel.ipc.sem;
  if (nsops > sem.limits.semopm) throw E2BIG;
  if (nsops < 1) throw EINVAL;
  const raw = t.mm.copyIn(sopsAddr, nsops * SEMBUF_SIZE);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const sops: SemBuf[] = [];
  for (let i = 0; i < nsops; i++) {
    const o = i * SEMBUF_SIZE;
    sops.push({ num: dv.getUint16(o, true), op: dv.getInt16(o + 2, true), flg: dv.getInt16(o + 4, true) });
  }
  if (semid < 0) throw EINVAL;
  let ns: number | null = null;
  if (timeout) {
    if (timeout.sec < 0n || timeout.nsec < 0n || timeout.nsec >= 1_000_000_000n) throw EINVAL;
    ns = Number(timeout.sec * 1_000_000_000n + timeout.nsec);
  }
  return sem.op(t, semid, sops, ns);
}

export function semop(t: Task, [semid, sops, nsops]: SyscallArgs): number | Block {
  return doSemop(t, semid.int32(), sops.addr(), nsops.uint32(), 0);
}

export function semtimedop(t: Task, [semid, sops, nsops, timeout]: SyscallArgs): number | Block {
  return doSemop(t, semid.int32(), sops.addr(), nsops.uint32(), timeout.addr());
}

export function semctl(t: Task, [idArg, semnumArg, cmdArg, arg]: SyscallArgs): number {
  const id = idArg.int32();
  const semnum = semnumArg.int32();
  const cmd = cmdArg.int32();
  if (id < 0) throw EINVAL;
  const sem = t.kernel.ipc.sem;
  const p = arg.addr();
  switch (cmd) {
    case IPC_INFO:
    case SEM_INFO: {
      const { info, maxIdx } = sem.info(cmd === SEM_INFO);
      const b = new Uint8Array(SEMINFO_SIZE);
      const dv = new DataView(b.buffer);
      [info.semmap, info.semmni, info.semmns, info.semmnu, info.semmsl, info.semopm, info.semume, info.semusz,
        info.semvmx, info.semaem].forEach((v, i) => dv.setInt32(i * 4, v, true));
      t.mm.copyOut(p, b);
      return Math.max(0, maxIdx);
    }
    case IPC_STAT:
    case SEM_STAT:
    case SEM_STAT_ANY: {
      const set = sem.stat(t, id, cmd !== IPC_STAT, cmd !== SEM_STAT_ANY);
      const b = new Uint8Array(SEMID64_DS_SIZE);
      const dv = new DataView(b.buffer);
      set.encodePerm(dv, 0);
      dv.setBigInt64(48, BigInt(set.otime), true);
      dv.setBigInt64(64, BigInt(set.ctime), true);
      dv.setBigUint64(80, BigInt(set.nsems), true);
      t.mm.copyOut(p, b);
      return cmd === IPC_STAT ? 0 : set.id;
    }
    case GETVAL:
      return sem.getVal(t, id, semnum);
    case GETPID:
      return sem.getPid(t, id, semnum);
    case GETNCNT:
    case GETZCNT:
      return sem.count(t, id, semnum, cmd === GETZCNT);
    case GETALL: {
      const vals = sem.getAll(t, id);
      const b = new Uint8Array(vals.length * 2);
      const dv = new DataView(b.buffer);
      vals.forEach((v, i) => dv.setUint16(i * 2, v, true));
      t.mm.copyOut(p, b);
      return 0;
    }
    case SETALL:
      sem.setAll(t, id, (n) => {
        const b = t.mm.copyIn(p, n * 2);
        const dv = new DataView(b.buffer, b.byteOffset, b.length);
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push(dv.getUint16(i * 2, true));
        return out;
      });
      return 0;
    case SETVAL:
      // union semun by value: the int is the low half of the register.
      sem.setVal(t, id, semnum, arg.int32());
      return 0;
    case IPC_SET: {
      const b = t.mm.copyIn(p, SEMID64_DS_SIZE);
      sem.set(t, id, decodePerm(new DataView(b.buffer, b.byteOffset, b.length), 0));
      return 0;
    }
    case IPC_RMID:
      sem.remove(t, id);
      return 0;
    default:
      throw EINVAL;
  }
}
