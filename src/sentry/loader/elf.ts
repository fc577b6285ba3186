// ELF64 parsing for the loader (include/uapi/linux/elf.h). Only what exec needs:
// the file header, program headers, PT_INTERP. Every field is bounds-checked;
// malformed files fail with ENOEXEC (bad format) or EIO (truncated read).
import { ENOEXEC } from '../../abi/linux/errno.js';

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_X86_64 = 62;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfInfo {
  type: number;
  entry: number;
  phoff: number;
  phnum: number;
  phdrs: ProgramHeader[];
}

export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/** Why a file is not a loadable x86_64 ELF, for error messages (null: it is). */
export function elfProblem(head: Uint8Array): string | null {
  if (head.length < EHDR_SIZE) return 'truncated ELF header';
  if (head[4] !== 2) return 'not a 64-bit ELF';
  if (head[5] !== 1) return 'not a little-endian ELF';
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_X86_64) return `ELF for another architecture (e_machine ${machine})`;
  const type = dv.getUint16(16, true);
  if (type !== ET_EXEC && type !== ET_DYN) return `ELF type ${type} is not executable`;
  if (dv.getUint16(54, true) !== PHDR_SIZE) return 'bad program header size';
  return null;
}

/**
 * Parses the header and program headers. `read(off, len)` returns file bytes
 * (fewer at EOF). Throws ENOEXEC for anything Linux's binfmt_elf would reject.
 */
export function parseElf(head: Uint8Array, read: (off: number, len: number) => Uint8Array): ElfInfo {
  if (!isElf(head) || elfProblem(head) !== null) throw ENOEXEC;
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  const type = dv.getUint16(16, true);
  const entry = Number(dv.getBigUint64(24, true));
  const phoff = Number(dv.getBigUint64(32, true));
  const phnum = dv.getUint16(56, true);
  if (phnum === 0 || phnum > 65536 / PHDR_SIZE) throw ENOEXEC;
  const table = read(phoff, phnum * PHDR_SIZE);
  if (table.length < phnum * PHDR_SIZE) throw ENOEXEC;
  const pv = new DataView(table.buffer, table.byteOffset, table.length);
  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = i * PHDR_SIZE;
    const ph: ProgramHeader = {
      type: pv.getUint32(b, true),
      flags: pv.getUint32(b + 4, true),
      offset: Number(pv.getBigUint64(b + 8, true)),
      vaddr: Number(pv.getBigUint64(b + 16, true)),
      filesz: Number(pv.getBigUint64(b + 32, true)),
      memsz: Number(pv.getBigUint64(b + 40, true)),
      align: Number(pv.getBigUint64(b + 48, true)),
    };
    if (ph.type === PT_LOAD) {
      if (ph.filesz > ph.memsz) throw ENOEXEC;
      if (ph.vaddr % 4096 !== ph.offset % 4096) throw ENOEXEC;
      if (ph.vaddr + ph.memsz > 2 ** 47 || ph.offset > 2 ** 47) throw ENOEXEC;
    }
    phdrs.push(ph);
  }
  if (!phdrs.some((p) => p.type === PT_LOAD)) throw ENOEXEC;
  return { type, entry, phoff, phnum, phdrs };
}
