// sysinfo(2).
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

export function sysinfo(t: Task, [info]: SyscallArgs): number {
  const k = t.kernel;
  const b = new Uint8Array(112);
  const dv = new DataView(b.buffer);
  const total = k.opts.totalMemory;
  const used = Math.min(k.mf.allocated, total);
  dv.setBigInt64(0, BigInt(Math.floor(k.uptimeNs() / 1e9)), true); // uptime
  // loads[3] stay 0: no load average yet.
  dv.setBigUint64(32, BigInt(total), true); // totalram
  dv.setBigUint64(40, BigInt(total - used), true); // freeram
  dv.setBigUint64(48, 0n, true); // sharedram
  dv.setBigUint64(56, 0n, true); // bufferram
  dv.setBigUint64(64, 0n, true); // totalswap
  dv.setBigUint64(72, 0n, true); // freeswap
  dv.setUint16(80, Math.min(k.threadGroups.size, 0xffff), true); // procs
  dv.setUint32(104, 1, true); // mem_unit
  t.mm.copyOut(info.addr(), b);
  return 0;
}
