// Program loading for execve (fs/binfmt_elf.c, fs/binfmt_script.c, fs/exec.c):
// resolves the file, follows "#!" interpreters, maps the ELF image and its PT_INTERP
// into a fresh address space, and builds the initial stack (argv, envp, auxv).
import { E2BIG, EACCES, EIO, ELOOP, ENOENT, ENOEXEC, ENOTDIR, ETXTBSY } from '../../abi/linux/errno.js';
import { O_RDONLY } from '../../abi/linux/fcntl.js';
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, pageRoundDown, pageRoundUp } from '../../abi/linux/mm.js';
import { RLIMIT_STACK } from '../../abi/linux/limits.js';
import type { Task } from '../kernel/task.js';
import { MemoryManager } from '../mm/mm.js';
import type { FileDescription } from '../vfs/file.js';
import type { VirtualDentry } from '../vfs/mount.js';
import { checkExec } from '../vfs/ops.js';
import { resolvePath } from '../vfs/path.js';
import { native } from '../../native.js';
import {
  ET_DYN, PF_R, PF_W, PF_X, PHDR_SIZE, PT_INTERP, PT_LOAD, PT_PHDR, elfProblem, isElf, parseElf, type ElfInfo,
} from './elf.js';
import { buildStack } from './stack.js';
import { randomBytes, randomInt } from '../kernel/rand.js';
import { execCreds, type ExecCreds } from '../kernel/exec_creds.js';
import { fileSourceOf } from '../mm/file_source.js';

/** Linux's BINPRM_BUF_SIZE: how much of a file exec reads to identify it. */
const BINPRM_BUF_SIZE = 256;
/** Nested "#!" interpreters allowed (fs/exec.c). */
const MAX_INTERP_DEPTH = 4;
/** Total size of argv + envp strings (MAX_ARG_STRLEN-ish budget: 1/4 of an 8 MiB stack). */
const MAX_ARG_BYTES = 2 * 1024 * 1024;

export interface ExecRequest {
  /** Path as passed to execve (resolved relative to `start`). */
  path: string;
  start: VirtualDentry;
  /** fexecve: the file itself (execveat with AT_EMPTY_PATH); `path` is then only the name. */
  file?: VirtualDentry;
  /** AT_SYMLINK_NOFOLLOW: a symlink as the last component fails with ELOOP. */
  noFollow?: boolean;
  argv: string[];
  envp: string[];
}

export interface LoadedImage {
  mm: MemoryManager;
  entry: number;
  sp: number;
  /** Basename of the path given to execve, for comm. */
  comm: string;
  /** Credentials after the exec (set-id bits, capability rules) and AT_SECURE. */
  creds: ExecCreds;
}

/** Why the first exec of a sandbox failed, in words, for the CLI's one-line errors. */
export class ExecError {
  constructor(
    /** The SysError (or other exception) exec threw. */
    readonly cause: unknown,
    readonly reason: string,
  ) {}
}

/** Explains an exec failure of `path` in words (reads the file head for format errors). */
export function explainExecError(t: Task, spec: { path: string; fs: { root: VirtualDentry; cwd: VirtualDentry } },
  candidates: string[], err: unknown): string {
  if (err === ENOENT) return 'no such file or directory';
  if (err === ENOTDIR) return 'not a directory';
  if (err === ELOOP) return 'too many levels of symbolic links or interpreters';
  if (err === E2BIG) return 'argument list too long';
  for (const path of candidates) {
    let vd: VirtualDentry;
    try {
      vd = resolvePath(t.walkCtx, path.startsWith('/') ? spec.fs.root : spec.fs.cwd, path, { follow: true });
    } catch {
      continue;
    }
    const inode = vd.dentry.inode;
    if (inode.isDir()) return 'is a directory';
    if (!inode.isRegular()) return 'not a regular file';
    if (err === EACCES) return 'permission denied';
    if (err !== ENOEXEC) break;
    let head: Uint8Array;
    try {
      const f = inode.open(t, vd, O_RDONLY);
      try {
        head = readAt(f, t, 0, BINPRM_BUF_SIZE);
      } finally {
        f.decRef();
      }
    } catch {
      break;
    }
    if (head.length === 0) return 'exec format error (empty file)';
    if (!isElf(head)) return 'exec format error (not an ELF binary or #! script)';
    return `exec format error (${elfProblem(head) ?? 'malformed ELF'})`;
  }
  const e = err as { name?: string };
  return typeof e?.name === 'string' ? `exec failed: ${e.name}` : `exec failed: ${String(err)}`;
}

interface OpenedFile {
  vd: VirtualDentry;
  fd: FileDescription;
  path: string;
}

function openForExec(t: Task, start: VirtualDentry, path: string, given?: VirtualDentry, noFollow = false): OpenedFile {
  const vd = given ?? resolvePath(t.walkCtx, start, path, { follow: !noFollow });
  if (vd.dentry.inode.isSymlink()) throw ELOOP;
  checkExec(t, vd);
  if (vd.dentry.inode.writeCount > 0) throw ETXTBSY; // open for writing (deny_write_access)
  const fd = vd.dentry.inode.open(t, vd, O_RDONLY);
  return { vd, fd, path };
}

function readAt(f: FileDescription, t: Task, off: number, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = f.read(t, [buf.subarray(got)], off + got);
    if (n <= 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Parses a "#!" line: interpreter and its optional single argument. */
function parseShebang(head: Uint8Array): { interp: string; arg: string | null } {
  const nl = head.indexOf(0x0a);
  // Linux 5.x+: the interpreter path must fit in the first 256 bytes.
  const line = Buffer.from(head.subarray(2, nl >= 0 ? nl : head.length)).toString('latin1');
  const trimmed = line.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
  if (trimmed.length === 0) throw ENOEXEC;
  const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(trimmed);
  if (!m) throw ENOEXEC;
  if (nl < 0 && head.length >= BINPRM_BUF_SIZE && !m[2]) throw ENOEXEC;
  return { interp: m[1]!, arg: m[2] !== undefined && m[2].length > 0 ? m[2] : null };
}

function protOf(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** Maps the PT_LOAD segments of an image at `bias`. Returns the end of the image. */
function mapSegments(mm: MemoryManager, t: Task, f: OpenedFile, info: ElfInfo, bias: number): number {
  const mapping = f.fd.mapping();
  const source = fileSourceOf(f.fd, mapping);
  const displayPath = t.fs.pathOf(f.vd);
  const st = f.fd.stat();
  let end = 0;
  for (const ph of info.phdrs) {
    if (ph.type !== PT_LOAD || ph.memsz === 0) continue;
    const prot = protOf(ph.flags);
    const start = pageRoundDown(bias + ph.vaddr);
    const fileEnd = bias + ph.vaddr + ph.filesz;
    const mapEnd = pageRoundUp(fileEnd);
    if (ph.filesz > 0) {
      mm.mmap({
        addr: start,
        length: mapEnd - start,
        prot,
        fixed: true,
        shared: false,
        file: { readAt: mapping.readAt, path: displayPath, dev: st.dev, ino: st.ino, offset: pageRoundDown(ph.offset),
          ...(source ? { source } : {}) },
      });
      // The bytes after filesz in the last file page belong to .bss: zero them.
      if (ph.memsz > ph.filesz && mapEnd > fileEnd) mm.forceZero(fileEnd, mapEnd - fileEnd);
    }
    const memEnd = pageRoundUp(bias + ph.vaddr + ph.memsz);
    const anonStart = ph.filesz > 0 ? mapEnd : start;
    if (memEnd > anonStart) {
      mm.mmap({ addr: anonStart, length: memEnd - anonStart, prot, fixed: true, shared: false });
    }
    end = Math.max(end, memEnd);
  }
  return end;
}

/** Span of the PT_LOAD segments, page-aligned: [lo, hi). */
function loadSpan(info: ElfInfo): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = 0;
  for (const ph of info.phdrs) {
    if (ph.type !== PT_LOAD) continue;
    lo = Math.min(lo, pageRoundDown(ph.vaddr));
    hi = Math.max(hi, pageRoundUp(ph.vaddr + ph.memsz));
  }
  return { lo, hi };
}

function randomPages(maxBytes: number): number {
  return randomInt(0, Math.max(1, Math.floor(maxBytes / PAGE_SIZE))) * PAGE_SIZE;
}

let hwcapCache: [number, number] | null = null;

function hwcap(): [number, number] {
  return (hwcapCache ??= native().hwcap());
}

/**
 * Loads `req` into a new address space (or into `into`, an empty one). Throws a
 * SysError (ENOENT, EACCES, ENOEXEC, ELOOP, ...) with nothing left behind.
 */
export function loadImage(t: Task, req: ExecRequest, into: MemoryManager | null = null): LoadedImage {
  let argv = req.argv;
  let path = req.path;
  let start = req.start;
  let total = 0;
  for (const s of [...req.argv, ...req.envp]) total += s.length + 1;
  if (total > MAX_ARG_BYTES) throw E2BIG;
  let given = req.file;
  for (let depth = 0; ; depth++) {
    if (depth > MAX_INTERP_DEPTH) throw ELOOP;
    const f = openForExec(t, start, path, given, depth === 0 && req.noFollow);
    given = undefined;
    try {
      const head = readAt(f.fd, t, 0, BINPRM_BUF_SIZE);
      if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
        const sb = parseShebang(head);
        // The script path replaces argv[0]; interpreter (and its argument) go first.
        argv = [sb.interp, ...(sb.arg !== null ? [sb.arg] : []), path, ...argv.slice(1)];
        path = sb.interp;
        start = t.fs.cwd;
        continue;
      }
      if (!isElf(head)) throw ENOEXEC;
      if (elfProblem(head) !== null) throw ENOEXEC;
      return loadElf(t, f, head, argv, req.envp, req.path, into);
    } finally {
      f.fd.decRef();
    }
  }
}

function loadElf(t: Task, f: OpenedFile, head: Uint8Array, argv: string[], envp: string[], execPath: string,
  into: MemoryManager | null): LoadedImage {
  const info = parseElf(head, (off, len) => readAt(f.fd, t, off, len));
  let interpPath: string | null = null;
  for (const ph of info.phdrs) {
    if (ph.type !== PT_INTERP) continue;
    if (ph.filesz < 2 || ph.filesz > 4096) throw ENOEXEC;
    const raw = readAt(f.fd, t, ph.offset, ph.filesz);
    if (raw.length < ph.filesz) throw EIO;
    const z = raw.indexOf(0);
    interpPath = Buffer.from(raw.subarray(0, z >= 0 ? z : raw.length)).toString('latin1');
    if (interpPath.length === 0) throw ENOEXEC;
  }
  const platform = t.kernel.platform;
  const mm = into ?? new MemoryManager(t.kernel.mf, platform.newAddressSpace(), platform.maxUserAddress);
  mm.via = mm.as.pid;
  try {
    const max = platform.maxUserAddress;
    const stackLimit = Math.min(Math.max(t.limit(RLIMIT_STACK).cur, 128 * 1024), 1 << 30);
    const stackSize = pageRoundUp(Math.min(stackLimit, 8 * 1024 * 1024));
    const stackTop = max - PAGE_SIZE - randomPages(64 * 1024 * 1024);
    const gap = Math.max(stackLimit, 128 * 1024 * 1024);
    mm.layout = { stackTop, mmapBase: pageRoundDown(stackTop - gap - randomPages(1 << 30)) };

    // The main image: ET_EXEC at its addresses, ET_DYN (PIE) at 2/3 of the range.
    let bias = 0;
    if (info.type === ET_DYN) {
      const span = loadSpan(info);
      bias = pageRoundDown(Math.floor((max / 3) * 2)) + randomPages(1 << 30) - span.lo;
    }
    const end = mapSegments(mm, t, f, info, bias);
    let phdrAddr = 0;
    const phdrSeg = info.phdrs.find((p) => p.type === PT_PHDR);
    if (phdrSeg) phdrAddr = bias + phdrSeg.vaddr;
    else {
      const first = info.phdrs.find((p) => p.type === PT_LOAD && p.offset <= info.phoff &&
        info.phoff + info.phnum * PHDR_SIZE <= p.offset + p.filesz);
      if (first) phdrAddr = bias + first.vaddr + (info.phoff - first.offset);
    }
    const entry = bias + info.entry;
    mm.brkStart = mm.brk = end + randomPages(32 * 1024 * 1024);

    let interpBase = 0;
    let startAddr = entry;
    if (interpPath !== null) {
      const interp = openForExec(t, t.fs.root, interpPath);
      try {
        const ihead = readAt(interp.fd, t, 0, BINPRM_BUF_SIZE);
        if (!isElf(ihead) || elfProblem(ihead) !== null) throw ELOOP_OR_NOEXEC(ihead);
        const iinfo = parseElf(ihead, (off, len) => readAt(interp.fd, t, off, len));
        const span = loadSpan(iinfo);
        let ibias = 0;
        if (iinfo.type === ET_DYN) ibias = mm.findGap(0, span.hi - span.lo) - span.lo;
        mapSegments(mm, t, interp, iinfo, ibias);
        interpBase = ibias + span.lo;
        startAddr = ibias + iinfo.entry;
      } finally {
        interp.fd.decRef();
      }
    }

    mm.mmap({ addr: stackTop - stackSize, length: stackSize, prot: PROT_READ | PROT_WRITE, fixed: true,
      shared: false, name: '[stack]', growsDown: true });
    const vdso = t.kernel.vdso?.mapInto(mm) ?? 0;
    const [hw, hw2] = hwcap();
    const ec = execCreds(t, f.vd);
    const c = ec.creds;
    const sp = buildStack(mm, stackTop, argv, envp, execPath, randomBytes(16), {
      phdr: phdrAddr, phnum: info.phnum, base: interpBase, entry,
      uid: c.ruid, euid: c.euid, gid: c.rgid, egid: c.egid, secure: ec.secure ? 1 : 0, hwcap: hw, hwcap2: hw2, vdso,
    });
    mm.executable = t.fs.pathOf(f.vd);
    mm.setExe(f.vd);
    const base = execPath.slice(execPath.lastIndexOf('/') + 1);
    return { mm, entry: startAddr, sp, comm: base.slice(0, 15), creds: ec };
  } catch (e) {
    if (!into) mm.decUsers();
    throw e;
  }
}

/** An interpreter that is not an ELF: Linux fails the exec with ELIBBAD-like ENOEXEC. */
function ELOOP_OR_NOEXEC(head: Uint8Array): typeof ENOEXEC | typeof EACCES {
  return head.length === 0 ? EACCES : ENOEXEC;
}
