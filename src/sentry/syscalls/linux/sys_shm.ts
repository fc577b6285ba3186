// shmget(2), shmat(2), shmdt(2), shmctl(2): argument decoding and the x86_64
// layouts of struct shmid64_ds, shminfo64 and shm_info.
import { EINVAL } from '../../../abi/linux/errno.js';
import { IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, decodePerm } from '../../kernel/ipc/ipc.js';
import {
  SHM_INFO, SHM_LOCK, SHM_STAT, SHM_STAT_ANY, SHM_UNLOCK, SHMMIN, type ShmStat,
} from '../../kernel/ipc/shm.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const SHMID64_DS_SIZE = 112;
const SHMINFO64_SIZE = 72;
const SHM_INFO_SIZE = 48;

export function shmget(t: Task, [key, size, flags]: SyscallArgs): number {
  return t.kernel.ipc.shm.get(t, key.int32(), size.bigint(), flags.int32());
}

export function shmat(t: Task, [id, addr, flags]: SyscallArgs): number {
  return t.kernel.ipc.shm.attach(t, id.int32(), addr.addr(), flags.int32());
}

export function shmdt(t: Task, [addr]: SyscallArgs): number {
  t.kernel.ipc.shm.detach(t, addr.addr());
  return 0;
}

function encodeShmid(s: ShmStat): Uint8Array {
  const b = new Uint8Array(SHMID64_DS_SIZE);
  const dv = new DataView(b.buffer);
  const seg = s.seg;
  seg.encodePerm(dv, 0);
  dv.setBigUint64(48, BigInt(seg.size), true);
  dv.setBigInt64(56, BigInt(seg.atime), true);
  dv.setBigInt64(64, BigInt(seg.dtime), true);
  dv.setBigInt64(72, BigInt(seg.ctime), true);
  dv.setInt32(80, seg.cpid, true);
  dv.setInt32(84, seg.lpid, true);
  dv.setBigUint64(88, BigInt(s.nattch), true);
  return b;
}

export function shmctl(t: Task, [idArg, cmdArg, buf]: SyscallArgs): number {
  const id = idArg.int32();
  const cmd = cmdArg.int32();
  if (cmd < 0 || id < 0) throw EINVAL;
  const shm = t.kernel.ipc.shm;
  switch (cmd) {
    case IPC_INFO: {
      const b = new Uint8Array(SHMINFO64_SIZE);
      const dv = new DataView(b.buffer);
      const l = shm.limits;
      dv.setBigUint64(0, l.shmmax, true);
      dv.setBigUint64(8, BigInt(SHMMIN), true);
      dv.setBigUint64(16, BigInt(l.shmmni), true);
      dv.setBigUint64(24, BigInt(l.shmmni), true); // shmseg
      dv.setBigUint64(32, l.shmall, true);
      t.mm.copyOut(buf.addr(), b);
      return Math.max(0, shm.info().maxIdx);
    }
    case SHM_INFO: {
      const info = shm.info();
      const b = new Uint8Array(SHM_INFO_SIZE);
      const dv = new DataView(b.buffer);
      dv.setInt32(0, info.usedIds, true);
      dv.setBigUint64(8, BigInt(info.totPages), true);
      dv.setBigUint64(16, BigInt(info.rssPages), true);
      t.mm.copyOut(buf.addr(), b);
      return Math.max(0, info.maxIdx);
    }
    case IPC_STAT:
    case SHM_STAT:
    case SHM_STAT_ANY: {
      const s = shm.stat(t, id, cmd !== IPC_STAT, cmd !== SHM_STAT_ANY);
      t.mm.copyOut(buf.addr(), encodeShmid(s));
      return cmd === IPC_STAT ? 0 : s.seg.id;
    }
    case IPC_SET: {
      const b = t.mm.copyIn(buf.addr(), SHMID64_DS_SIZE);
      shm.set(t, id, decodePerm(new DataView(b.buffer, b.byteOffset, b.length), 0));
      return 0;
    }
    case IPC_RMID:
      shm.remove(t, id);
      return 0;
    case SHM_LOCK:
    case SHM_UNLOCK:
      shm.lock(t, id, cmd === SHM_LOCK);
      return 0;
    default:
      throw EINVAL;
  }
}
