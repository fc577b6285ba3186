// The initial process stack as Linux builds it (fs/binfmt_elf.c create_elf_tables):
// strings at the top (argv, envp, then the exec file name), AT_PLATFORM and
// AT_RANDOM bytes below them, then argc, argv[], NULL, envp[], NULL, auxv pairs.
import { E2BIG } from '../../abi/linux/errno.js';
import type { MemoryManager } from '../mm/mm.js';

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_PLATFORM = 15;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_HWCAP2 = 26;
export const AT_EXECFN = 31;
export const AT_SYSINFO_EHDR = 33;

export interface AuxInfo {
  phdr: number;
  phnum: number;
  base: number;
  entry: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  secure: number;
  hwcap: number;
  hwcap2: number;
  vdso?: number;
}

const TWO32 = 4294967296;

/** Writes the stack below `top` and returns the initial stack pointer (at argc). */
export function buildStack(mm: MemoryManager, top: number, argv: string[], envp: string[], execfn: string,
  random: Uint8Array, aux: AuxInfo): number {
  // Strings, from the top down: 8 zero bytes, execfn, envp (last first), argv (last first).
  let p = top - 8;
  const put = (s: string): number => {
    const b = Buffer.from(s + '\0', 'latin1');
    p -= b.length;
    mm.copyOut(p, b);
    return p;
  };
  const execfnAddr = put(execfn);
  const envAddrs: number[] = new Array(envp.length);
  for (let i = envp.length - 1; i >= 0; i--) envAddrs[i] = put(envp[i]!);
  mm.envStart = p;
  mm.envEnd = execfnAddr;
  const argAddrs: number[] = new Array(argv.length);
  for (let i = argv.length - 1; i >= 0; i--) argAddrs[i] = put(argv[i]!);
  mm.argStart = p;
  mm.argEnd = envAddrs.length > 0 ? envAddrs[0]! : execfnAddr;
  const platformAddr = put('x86_64');
  // Addresses exceed 32 bits: align with arithmetic, never with bitwise operators.
  p = Math.floor((p - 16) / 16) * 16;
  const randomAddr = p;
  mm.copyOut(randomAddr, random);

  const auxv: number[] = [];
  if (aux.vdso) auxv.push(AT_SYSINFO_EHDR, aux.vdso);
  auxv.push(
    AT_HWCAP, aux.hwcap,
    AT_PAGESZ, 4096,
    AT_CLKTCK, 100,
    AT_PHDR, aux.phdr,
    AT_PHENT, 56,
    AT_PHNUM, aux.phnum,
    AT_BASE, aux.base,
    AT_FLAGS, 0,
    AT_ENTRY, aux.entry,
    AT_UID, aux.uid,
    AT_EUID, aux.euid,
    AT_GID, aux.gid,
    AT_EGID, aux.egid,
    AT_SECURE, aux.secure,
    AT_RANDOM, randomAddr,
    AT_HWCAP2, aux.hwcap2,
    AT_EXECFN, execfnAddr,
    AT_PLATFORM, platformAddr,
    AT_NULL, 0,
  );
  mm.auxv = auxv;
  const words = 1 + argv.length + 1 + envp.length + 1 + auxv.length;
  const sp = Math.floor((p - words * 8) / 16) * 16;
  if (sp < top - 8 * 1024 * 1024 + 4096) throw E2BIG;
  const table = new Uint8Array(words * 8);
  const dv = new DataView(table.buffer);
  let w = 0;
  const word = (v: number): void => {
    dv.setUint32(w, v >>> 0, true);
    dv.setUint32(w + 4, Math.floor(v / TWO32) >>> 0, true);
    w += 8;
  };
  word(argv.length);
  for (const a of argAddrs) word(a);
  word(0);
  for (const e of envAddrs) word(e);
  word(0);
  for (const v of auxv) word(v);
  mm.copyOut(sp, table);
  return sp;
}
