// /proc/<pid>/smaps, smaps_rollup (fs/proc/task_mmu.c) and /proc/<pid>/mem
// (fs/proc/base.c): a process's memory seen VMA by VMA, and read/written by address.
import { EIO } from '../../../abi/linux/errno.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../abi/linux/mm.js';
import { S_IFREG } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import type { MemoryManager } from '../../mm/mm.js';
import type { Vma } from '../../mm/vma.js';
import { FileDescription } from '../../vfs/file.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import { copyToSeq, gather, type IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { SynthInode, seekSetOrCur } from './nodes.js';
import { checkReadTask, hasMm } from './task_files.js';

const kB = (bytes: number): string => `${String(Math.floor(bytes / 1024)).padStart(8)} kB`;

/** Every page of a VMA with memory behind it is resident: we never swap. */
function residentBytes(v: Vma): number {
  return v.backing ? v.end - v.start : 0;
}

/** The "VmFlags:" letters (show_smap_vma_flags) for what we track. */
function vmFlags(v: Vma): string {
  const f: string[] = [];
  if (v.prot & PROT_READ) f.push('rd');
  if (v.prot & PROT_WRITE) f.push('wr');
  if (v.prot & PROT_EXEC) f.push('ex');
  if (v.shared) f.push('sh');
  if (v.maxProt & PROT_READ) f.push('mr');
  if (v.maxProt & PROT_WRITE) f.push('mw');
  if (v.maxProt & PROT_EXEC) f.push('me');
  if (v.shared) f.push('ms');
  if (v.growsDown) f.push('gd');
  if (v.locked) f.push('lo');
  if (v.dontFork) f.push('dc');
  if (v.wipeOnFork) f.push('wf');
  return f.join(' ');
}

/** The counters of one VMA, or of all of them (smaps_rollup), in Linux's order. */
function counters(vmas: readonly Vma[], withSize: boolean): string {
  let size = 0;
  let rss = 0;
  let anon = 0;
  let shared = 0;
  let clean = 0;
  let locked = 0;
  for (const v of vmas) {
    size += v.end - v.start;
    const r = residentBytes(v);
    rss += r;
    if (!v.file && !v.shared) anon += r;
    // We track no dirty bits: read-only file pages are the page cache's (clean, shared).
    if (v.file && !(v.prot & PROT_WRITE) && !v.shared) clean += r;
    else if (v.shared) shared += r;
    if (v.locked) locked += r;
  }
  const priv = rss - shared - clean;
  const lines: [string, number][] = [];
  if (withSize) lines.push(['Size', size], ['KernelPageSize', 4096], ['MMUPageSize', 4096]);
  lines.push(
    ['Rss', rss], ['Pss', rss], ['Shared_Clean', clean], ['Shared_Dirty', shared], ['Private_Clean', 0],
    ['Private_Dirty', priv], ['Referenced', rss], ['Anonymous', anon], ['LazyFree', 0], ['AnonHugePages', 0],
    ['ShmemPmdMapped', 0], ['FilePmdMapped', 0], ['Shared_Hugetlb', 0], ['Private_Hugetlb', 0], ['Swap', 0],
    ['SwapPss', 0], ['Locked', locked],
  );
  return lines.map(([k, v]) => `${`${k}:`.padEnd(16)}${kB(v)}\n`).join('');
}

/** /proc/<pid>/smaps: each maps line followed by its counters. */
export function smapsText(caller: Task, task: Task): string {
  checkReadTask(caller, task);
  if (!hasMm(task)) return '';
  const mm = task.mm;
  let out = '';
  for (const v of mm.mappings) {
    out += mm.mapsLine(v) + counters([v], true) + 'THPeligible:    0\n' + `VmFlags: ${vmFlags(v)}\n`;
  }
  return out;
}

/** /proc/<pid>/smaps_rollup: the span of all VMAs and the summed counters. */
export function smapsRollupText(caller: Task, task: Task): string {
  checkReadTask(caller, task);
  if (!hasMm(task)) return '';
  const vmas = task.mm.mappings;
  if (vmas.length === 0) return '';
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const head = `${hex(vmas[0]!.start)}-${hex(vmas[vmas.length - 1]!.end)} ---p 00000000 00:00 0`;
  return `${head.padEnd(73)}[rollup]\n${counters(vmas, false)}`;
}

/**
 * /proc/<pid>/mem: the file offset is the address. Opening needs ptrace-attach
 * rights (checked like a read of the task); access uses FOLL_FORCE semantics.
 */
export class MemInode extends SynthInode {
  constructor(
    fs: Filesystem,
    private readonly target: () => Task,
  ) {
    super(fs, S_IFREG | 0o600);
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    const task = this.target();
    checkReadTask(t, task);
    return new MemDescription(vd, flags, hasMm(task) ? task.mm : null);
  }
}

class MemDescription extends FileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    /** The address space at open time; a later exec does not redirect us (like Linux's mm grab). */
    private readonly mm: MemoryManager | null,
  ) {
    super(vd, flags);
  }

  override read(t: Task, dst: IOSequence, off: number): number {
    const pos = off >= 0 ? off : this.offset;
    let want = 0;
    for (const v of dst) want += v.length;
    if (!this.mm || this.mm.userCount === 0 || want === 0) return 0;
    const buf = new Uint8Array(want);
    const n = this.mm.forceAccess(pos, buf, false);
    if (n === 0) throw EIO;
    copyToSeq(dst, buf.subarray(0, n));
    if (off < 0) this.offset += n;
    return n;
  }

  override write(t: Task, src: IOSequence, off: number): number {
    const pos = off >= 0 ? off : this.offset;
    const data = gather(src);
    if (!this.mm || this.mm.userCount === 0 || data.length === 0) return 0;
    const n = this.mm.forceAccess(pos, data, true);
    if (n === 0) throw EIO;
    if (off < 0) this.offset += n;
    return n;
  }

  /** mem_lseek: any address is a valid offset. */
  override seek(off: number, whence: number): number {
    return seekSetOrCur(this, off, whence);
  }
}
