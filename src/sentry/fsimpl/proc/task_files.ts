// Contents of /proc/<pid>/ files (fs/proc/array.c, fs/proc/base.c), byte for byte
// in Linux's layout. Each function renders one file for `task` as seen by `caller`.
import { EACCES, EINVAL } from '../../../abi/linux/errno.js';
import { O_CLOEXEC } from '../../../abi/linux/fcntl.js';
import {
  RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE,
  RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK,
} from '../../../abi/linux/limits.js';
import { PROT_EXEC, PROT_WRITE } from '../../../abi/linux/mm.js';
import { NSIG, SIG_DFL, SIG_IGN, SIGCHLD } from '../../../abi/linux/signal.js';
import { CAP_SYS_PTRACE } from '../../kernel/credentials.js';
import { TaskState, type Task } from '../../kernel/task.js';
import type { MemoryManager } from '../../mm/mm.js';
import type { FileDescription } from '../../vfs/file.js';
import { cpuList, cpuMask, hex16, nsToTicks, padNum, u64 } from './format.js';
import { controllingTerminalOf } from '../devpts/ctty.js';

const PAGE = 4096;

/** ptrace_may_access(PTRACE_MODE_READ_FSCREDS): same process, same ids, or CAP_SYS_PTRACE. */
export function mayReadTask(caller: Task, target: Task): boolean {
  if (caller.tg === target.tg) return true;
  const c = caller.creds;
  const tc = target.creds;
  if (c.fsuid === tc.ruid && c.fsuid === tc.euid && c.fsuid === tc.suid &&
    c.fsgid === tc.rgid && c.fsgid === tc.egid && c.fsgid === tc.sgid) return true;
  return c.hasCap(CAP_SYS_PTRACE);
}

export function checkReadTask(caller: Task, target: Task): void {
  if (!mayReadTask(caller, target)) throw EACCES;
}

/** A task whose memory and files are gone (zombie or reaped) has no mm in Linux's sense. */
export function hasMm(task: Task): boolean {
  return task.state !== TaskState.Zombie && task.state !== TaskState.Dead;
}

function stateName(task: Task): string {
  switch (task.state) {
    case TaskState.Blocked:
      return 'S (sleeping)';
    case TaskState.Zombie:
      return 'Z (zombie)';
    case TaskState.Dead:
      return 'X (dead)';
    default:
      // Computing on the host, or stopped while the Sentry serves its syscall.
      return 'R (running)';
  }
}

// ---- memory accounting ----

export interface MemStats {
  /** All in bytes. */
  vsize: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  data: number;
  stack: number;
  exe: number;
  lib: number;
  /** Estimated page-table bytes (8 bytes per mapped page). */
  pte: number;
}

export function memStats(mm: MemoryManager | null): MemStats {
  const s: MemStats = { vsize: 0, rss: 0, rssAnon: 0, rssFile: 0, rssShmem: 0, data: 0, stack: 0, exe: 0, lib: 0, pte: 0 };
  if (!mm) return s;
  for (const v of mm.mappings) {
    const len = v.end - v.start;
    s.vsize += len;
    const isStack = v.growsDown || v.name === '[stack]';
    if (v.backing) {
      s.rss += len;
      if (v.file) s.rssFile += len;
      else if (v.shared) s.rssShmem += len;
      else s.rssAnon += len;
    }
    if (isStack) s.stack += len;
    else if ((v.prot & PROT_WRITE) && !v.shared) s.data += len;
    else if ((v.prot & PROT_EXEC) && !(v.prot & PROT_WRITE)) {
      if (v.file && v.file.path === mm.executable) s.exe += len;
      else s.lib += len;
    }
  }
  s.pte = (s.vsize / PAGE) * 8;
  return s;
}

function mmOf(task: Task): MemoryManager | null {
  return hasMm(task) ? task.mm : null;
}

// ---- signals ----

/** Bit (sig-1) set for every signal whose disposition matches. */
function sigsWhere(task: Task, pred: (handler: number) => boolean): bigint {
  let mask = 0n;
  for (let sig = 1; sig <= NSIG; sig++) if (pred(task.tg.handlers.get(sig).handler)) mask |= 1n << BigInt(sig - 1);
  return mask;
}

const ignored = (t: Task): bigint => sigsWhere(t, (h) => h === SIG_IGN);
const caught = (t: Task): bigint => sigsWhere(t, (h) => h !== SIG_IGN && h !== SIG_DFL);

// ---- times ----

interface Times {
  utime: number;
  stime: number;
}

function cpuTimes(task: Task, whole: boolean): Times {
  if (!whole) return { utime: task.cpuUserNs, stime: task.cpuSysNs };
  const tg = task.tg;
  let utime = tg.cpuUserNs;
  let stime = tg.cpuSysNs;
  for (const t of tg.tasks) {
    utime += t.cpuUserNs;
    stime += t.cpuSysNs;
  }
  return { utime, stime };
}

/** Start time in clock ticks after boot. */
function startTicks(task: Task): number {
  return nsToTicks(Math.max(0, task.tg.startTime - Number(task.kernel.bootNs)));
}

// ---- files ----

/** /proc/<pid>/stat (do_task_stat): 52 space-separated fields. */
export function statText(caller: Task, task: Task, whole: boolean): string {
  const tg = task.tg;
  const permitted = mayReadTask(caller, task);
  const mm = mmOf(task);
  const ms = memStats(mm);
  const { utime, stime } = cpuTimes(task, whole);
  const state = stateName(task)[0]!;
  const ppid = tg.parent?.pid ?? 0;
  const low31 = (m: bigint): string => String(m & 0x7fffffffn);
  const rsslim = task.limit(RLIMIT_RSS).cur;
  const code = mm ? codeRange(mm) : { start: 0, end: 0 };
  const ctty = controllingTerminalOf(task.kernel, tg);
  const f: (string | number)[] = [
    task.tid,
    `(${task.comm})`,
    state,
    ppid,
    tg.pgid,
    tg.sid,
    ctty?.ttyNr ?? 0, // tty_nr: ptys only (the host terminal is not a sandbox device)
    ctty?.foreground() ?? -1, // tpgid
    0, // flags
    0, 0, 0, 0, // minflt cminflt majflt cmajflt
    nsToTicks(utime),
    nsToTicks(stime),
    0, 0, // cutime cstime
    20, // priority
    0, // nice
    whole ? tg.tasks.size : 1,
    0, // itrealvalue
    startTicks(task),
    ms.vsize,
    ms.rss / PAGE,
    u64(rsslim),
    mm ? (permitted ? code.start : 1) : 0,
    mm ? (permitted ? code.end : 1) : 0,
    mm && permitted ? stackStart(mm) : 0,
    0, 0, // kstkesp kstkeip
    0, // pending signals
    low31(task.sigmask),
    low31(ignored(task)),
    low31(caught(task)),
    0, // wchan
    0, 0, // nswap cnswap
    SIGCHLD, // exit_signal
    0, // processor
    0, 0, // rt_priority policy
    0, // delayacct_blkio_ticks
    0, 0, // guest_time cguest_time
  ];
  const mmOk = mm !== null && permitted;
  f.push(
    0, 0, // start_data end_data
    mmOk ? mm.brkStart : 0,
    mmOk ? mm.argStart : 0,
    mmOk ? mm.argEnd : 0,
    mmOk ? mm.envStart : 0,
    mmOk ? mm.envEnd : 0,
    tg.exitStatus !== null && permitted ? tg.exitStatus : 0,
  );
  return f.join(' ') + '\n';
}

/** The executable's text mapping (start_code/end_code). */
function codeRange(mm: MemoryManager): { start: number; end: number } {
  for (const v of mm.mappings) {
    if ((v.prot & PROT_EXEC) && v.file && v.file.path === mm.executable) return { start: v.start, end: v.end };
  }
  return { start: 0, end: 0 };
}

function stackStart(mm: MemoryManager): number {
  // The initial stack pointer sits just below argv's strings; argStart is the
  // closest address the MM records (start_stack is only used as a hint by tools).
  return mm.argStart;
}

/** /proc/<pid>/statm: sizes in pages. */
export function statmText(task: Task): string {
  const ms = memStats(mmOf(task));
  const p = (b: number): number => Math.floor(b / PAGE);
  return `${p(ms.vsize)} ${p(ms.rss)} ${p(ms.rssFile + ms.rssShmem)} ${p(ms.exe)} 0 ${p(ms.data + ms.stack)} 0\n`;
}

/** fdtable max_fds: 64, doubled until every open descriptor fits. */
function fdSize(task: Task): number {
  if (!hasMm(task)) return 0;
  let max = -1;
  for (const [fd] of task.fdTable.entries()) max = fd;
  let size = 64;
  while (size <= max) size *= 2;
  return size;
}

/** comm as status prints it (escapes backslash and control characters). */
function escapeName(s: string): string {
  return s.replace(/[\\\n\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\t'));
}

/** /proc/<pid>/status (proc_pid_status). */
export function statusText(task: Task): string {
  const tg = task.tg;
  const c = task.creds;
  const k = task.kernel;
  let s = `Name:\t${escapeName(task.comm)}\n`;
  if (hasMm(task)) s += `Umask:\t${task.fs.umask.toString(8).padStart(4, '0')}\n`;
  s += `State:\t${stateName(task)}\n`;
  s += `Tgid:\t${tg.pid}\nNgid:\t0\nPid:\t${task.tid}\nPPid:\t${tg.parent?.pid ?? 0}\nTracerPid:\t0\n`;
  s += `Uid:\t${c.ruid}\t${c.euid}\t${c.suid}\t${c.fsuid}\n`;
  s += `Gid:\t${c.rgid}\t${c.egid}\t${c.sgid}\t${c.fsgid}\n`;
  s += `FDSize:\t${fdSize(task)}\n`;
  // Linux keeps a trailing space after the group list for compatibility.
  s += `Groups:\t${c.groups.join(' ')} \n`;
  s += `NStgid:\t${tg.pid}\nNSpid:\t${task.tid}\nNSpgid:\t${tg.pgid}\nNSsid:\t${tg.sid}\n`;
  const mm = mmOf(task);
  if (mm) {
    const ms = memStats(mm);
    const kb = (name: string, bytes: number): string => `${name}:\t${padNum(Math.floor(bytes / 1024), 8)} kB\n`;
    s += kb('VmPeak', ms.vsize) + kb('VmSize', ms.vsize) + kb('VmLck', 0) + kb('VmPin', 0) +
      kb('VmHWM', ms.rss) + kb('VmRSS', ms.rss) + kb('RssAnon', ms.rssAnon) + kb('RssFile', ms.rssFile) +
      kb('RssShmem', ms.rssShmem) + kb('VmData', ms.data) + kb('VmStk', ms.stack) + kb('VmExe', ms.exe) +
      kb('VmLib', ms.lib) + kb('VmPTE', ms.pte) + kb('VmSwap', 0);
    s += `HugetlbPages:\t${padNum(0, 8)} kB\n`;
    s += 'CoreDumping:\t0\nTHP_enabled:\t1\n';
  }
  s += `Threads:\t${tg.tasks.size}\n`;
  s += `SigQ:\t0/${u64(task.limit(RLIMIT_SIGPENDING).cur)}\n`;
  s += `SigPnd:\t${hex16(0n)}\nShdPnd:\t${hex16(0n)}\n`;
  s += `SigBlk:\t${hex16(task.sigmask)}\nSigIgn:\t${hex16(ignored(task))}\nSigCgt:\t${hex16(caught(task))}\n`;
  s += `CapInh:\t${hex16(c.inheritable)}\nCapPrm:\t${hex16(c.permitted)}\nCapEff:\t${hex16(c.effective)}\n`;
  s += `CapBnd:\t${hex16(c.bounding)}\nCapAmb:\t${hex16(c.ambient)}\n`;
  let filters = 0;
  for (let f = task.seccomp?.filter ?? null; f; f = f.prev) filters++;
  s += `NoNewPrivs:\t${task.noNewPrivs ? 1 : 0}\nSeccomp:\t${task.seccomp?.mode ?? 0}\nSeccomp_filters:\t${filters}\n`;
  s += `Cpus_allowed:\t${cpuMask(k.opts.cpus)}\nCpus_allowed_list:\t${cpuList(k.opts.cpus)}\n`;
  s += 'Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n';
  s += 'voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n';
  return s;
}

/** Bytes of app memory in [start, end), or nothing when the range is gone. */
function readArea(mm: MemoryManager, start: number, end: number): Uint8Array {
  if (end <= start || start === 0) return new Uint8Array(0);
  try {
    return mm.copyIn(start, end - start);
  } catch {
    return new Uint8Array(0);
  }
}

/** /proc/<pid>/cmdline: argv as NUL-separated bytes, honouring setproctitle(3). */
export function cmdlineBytes(task: Task): Uint8Array {
  const mm = mmOf(task);
  if (!mm) return new Uint8Array(0);
  const args = readArea(mm, mm.argStart, mm.argEnd);
  if (args.length === 0 || args[args.length - 1] === 0) return args;
  // The NUL ending argv was overwritten: the program rewrote its title, which may
  // run past argv into the environment. Linux shows the string at arg_start, up to
  // a page, with its NUL (get_mm_proctitle).
  const vma = mm.find(mm.argStart);
  let title = vma ? readArea(mm, mm.argStart, Math.min(mm.argStart + PAGE, vma.end)) : args;
  if (title.length === 0) title = args;
  const z = title.indexOf(0);
  return z >= 0 ? title.subarray(0, z + 1) : title;
}

/** /proc/<pid>/environ. */
export function environBytes(caller: Task, task: Task): Uint8Array {
  checkReadTask(caller, task);
  const mm = mmOf(task);
  return mm ? readArea(mm, mm.envStart, mm.envEnd) : new Uint8Array(0);
}

/** /proc/<pid>/auxv: (type, value) u64 pairs ending with AT_NULL. */
export function auxvBytes(caller: Task, task: Task): Uint8Array {
  checkReadTask(caller, task);
  const mm = mmOf(task);
  if (!mm) return new Uint8Array(0);
  const words = [...mm.auxv];
  if (words.length % 2 !== 0) words.pop();
  if (words.length < 2 || words[words.length - 2] !== 0) words.push(0, 0);
  const out = new Uint8Array(words.length * 8);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(Math.trunc(w))), true));
  return out;
}

/** /proc/<pid>/maps (needs ptrace read access, like Linux). */
export function mapsText(caller: Task, task: Task): string {
  checkReadTask(caller, task);
  const mm = mmOf(task);
  return mm ? mm.mapsText() : '';
}

const LIMIT_NAMES: [number, string, string | null][] = [
  [RLIMIT_CPU, 'Max cpu time', 'seconds'],
  [RLIMIT_FSIZE, 'Max file size', 'bytes'],
  [RLIMIT_DATA, 'Max data size', 'bytes'],
  [RLIMIT_STACK, 'Max stack size', 'bytes'],
  [RLIMIT_CORE, 'Max core file size', 'bytes'],
  [RLIMIT_RSS, 'Max resident set', 'bytes'],
  [RLIMIT_NPROC, 'Max processes', 'processes'],
  [RLIMIT_NOFILE, 'Max open files', 'files'],
  [RLIMIT_MEMLOCK, 'Max locked memory', 'bytes'],
  [RLIMIT_AS, 'Max address space', 'bytes'],
  [RLIMIT_LOCKS, 'Max file locks', 'locks'],
  [RLIMIT_SIGPENDING, 'Max pending signals', 'signals'],
  [RLIMIT_MSGQUEUE, 'Max msgqueue size', 'bytes'],
  [RLIMIT_NICE, 'Max nice priority', null],
  [RLIMIT_RTPRIO, 'Max realtime priority', null],
  [RLIMIT_RTTIME, 'Max realtime timeout', 'us'],
];

/** /proc/<pid>/limits (proc_pid_limits). */
export function limitsText(task: Task): string {
  const col = (v: number): string => (!Number.isFinite(v) || v >= 2 ** 63 ? 'unlimited' : u64(v)).padEnd(20);
  let s = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  for (const [r, name, unit] of LIMIT_NAMES) {
    const l = task.limit(r);
    s += `${name.padEnd(25)} ${col(l.cur)} ${col(l.max)} ${unit ? `${unit.padEnd(10)}\n` : '\n'}`;
  }
  return s;
}

/** /proc/<pid>/comm. */
export function commText(task: Task): string {
  return `${task.comm}\n`;
}

/** Writing /proc/<pid>/comm renames a thread of the caller's own process. */
export function writeComm(caller: Task, task: Task, data: Uint8Array): number {
  if (caller.tg !== task.tg) throw EINVAL;
  let n = data.indexOf(0);
  if (n < 0) n = data.length;
  task.comm = Buffer.from(data.subarray(0, Math.min(n, 15))).toString('latin1');
  return data.length;
}

/** /proc/<pid>/fdinfo/N (seq_show in fs/proc/fd.c). */
export function fdinfoText(file: FileDescription, cloexec: boolean): string {
  const flags = file.flags | (cloexec ? O_CLOEXEC : 0);
  return `pos:\t${file.offset}\nflags:\t0${flags.toString(8)}\nmnt_id:\t${file.vd.mount.id}\nino:\t${file.inode.ino}\n` +
    file.fdinfo();
}
