// arch_prctl(2): the FS and GS base registers (TLS).
import { EINVAL, EPERM } from '../../../abi/linux/errno.js';
import { Reg } from '../../arch/amd64/registers.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;
const ARCH_GET_FS = 0x1003;
const ARCH_GET_GS = 0x1004;
const ARCH_GET_CPUID = 0x1011;
const ARCH_SET_CPUID = 0x1012;

/** Canonical user addresses only (above this the CPU would fault). */
const MAX_CANONICAL = 0x7fff_ffff_f000;

export function arch_prctl(t: Task, [code, addr]: SyscallArgs): number {
  switch (code.int32()) {
    case ARCH_SET_FS:
      if (addr.uint64() >= MAX_CANONICAL) throw EPERM;
      t.regs.set(Reg.fs_base, addr.uint64());
      return 0;
    case ARCH_SET_GS:
      if (addr.uint64() >= MAX_CANONICAL) throw EPERM;
      t.regs.set(Reg.gs_base, addr.uint64());
      return 0;
    case ARCH_GET_FS:
      t.mm.writeU64(addr.addr(), t.regs.get(Reg.fs_base));
      return 0;
    case ARCH_GET_GS:
      t.mm.writeU64(addr.addr(), t.regs.get(Reg.gs_base));
      return 0;
    case ARCH_GET_CPUID:
      return 1; // CPUID is not faulting.
    case ARCH_SET_CPUID:
      throw EINVAL;
    default:
      throw EINVAL;
  }
}
