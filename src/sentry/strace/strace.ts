// --strace: one line per application syscall, like strace(1) and runsc --strace:
//   [pid   12] openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
// Arguments the app passes in are decoded at entry, while memory holds them;
// buffers and structs the kernel fills are decoded at exit. The kernel calls
// enter and exit (kernel/strace_hook.ts); a syscall that blocks prints once, when done.
import { SYSCALL_NAMES } from '../../abi/linux/syscalls.js';
import { errnoName } from '../../abi/linux/errno.js';
import { Reg } from '../arch/amd64/registers.js';
import { setStraceFormatter, type StraceFormatter } from '../kernel/strace_hook.js';
import type { SyscallValue } from '../kernel/block.js';
import type { Task } from '../kernel/task.js';
import { errnoText, isRestartErrno } from './errno_text.js';
import { SIGNATURES, type Sig } from './signatures.js';
import { hex, octal, ptr } from './text.js';
import { Val, type Ctx, type Tracee } from './value.js';

// TaskState.Zombie and TaskState.Dead (kernel/task.ts): the task is gone.
const ZOMBIE = 3;
const DEAD = 4;

/** Marks an argument whose text is filled in at exit: \0<index>\0 (decoded strings never hold a raw NUL). */
const HOLE = /\0(\d)\0/g;

interface Pending {
  readonly nr: number;
  readonly sig: Sig | null;
  readonly v: readonly Val[];
}

/** Argument values as captured at entry, for the exit-time decoders. */
const pending = new WeakMap<object, Pending>();

export function syscallLabel(nr: number): string {
  return (nr >= 0 ? SYSCALL_NAMES[nr] : undefined) ?? `syscall_${nr}`;
}

function capture(t: Tracee): Val[] {
  const v: Val[] = [];
  for (let i = 0; i < 6; i++) v.push(new Val(t.args[i]!.bigint()));
  return v;
}

/** Formats one argument; a bad pointer (or any surprise) prints the raw value. */
function arg(sig: Sig, c: Ctx, i: number): string {
  const k = sig.args[i]!;
  try {
    return k.f(c, i);
  } catch {
    return ptr(c.v[i]!.raw);
  }
}

function argCount(sig: Sig, c: Ctx): number {
  if (!sig.argc) return sig.args.length;
  try {
    return Math.min(Math.max(sig.argc(c), 0), sig.args.length);
  } catch {
    return sig.args.length;
  }
}

/** The `name(args` part of a line, with holes for exit-time arguments. */
export function formatEnter(t: Tracee, nr: number): string {
  const v = capture(t);
  const name = syscallLabel(nr);
  const sig = SIGNATURES[name] ?? null;
  pending.set(t, { nr, sig, v });
  if (!sig) return `${name}(${v.map((a) => hex(a.raw)).join(', ')})`;
  const c: Ctx = { t, v, ret: null };
  const parts: string[] = [];
  const n = argCount(sig, c);
  for (let i = 0; i < n; i++) parts.push(sig.args[i]!.exit ? `\0${i}\0` : arg(sig, c, i));
  return `${name}(${parts.join(', ')})`;
}

/** The signed 64-bit result, or null when there is none to show. */
function resultOf(t: Tracee, result: SyscallValue | null): bigint | null {
  if (result !== null) return BigInt.asIntN(64, BigInt(result));
  if (t.state === ZOMBIE || t.state === DEAD) return null;
  // REGS_SET (execve, rt_sigreturn): the handler left the result in rax.
  try {
    return BigInt.asIntN(64, t.regs.getBig(Reg.rax));
  } catch {
    return null;
  }
}

function formatResult(sig: Sig | null, c: Ctx): string {
  const r = c.ret;
  if (r === null || sig?.ret === 'none') return '= ?';
  if (r < 0n && r >= -4095n) {
    const e = Number(-r);
    const text = `${errnoName(e)} (${errnoText(e)})`;
    return isRestartErrno(e) ? `= ? ${text}` : `= -1 ${text}`;
  }
  if (sig?.retText) {
    try {
      const s = sig.retText(c, r);
      if (s !== null) return `= ${s}`;
    } catch {
      // fall through to the plain number
    }
  }
  switch (sig?.ret ?? 'dec') {
    case 'hex':
      return `= ${hex(r)}`;
    case 'oct':
      return `= ${octal(Number(BigInt.asUintN(32, r)))}`;
    default:
      return `= ${r}`;
  }
}

/** Completes a line at exit: fills the exit-time arguments and appends the result. */
export function formatExit(t: Tracee, nr: number, entry: string, result: SyscallValue | null): string {
  const p = pending.get(t);
  pending.delete(t);
  const v = p && p.nr === nr ? p.v : capture(t);
  const sig = p && p.nr === nr ? p.sig : SIGNATURES[syscallLabel(nr)] ?? null;
  const c: Ctx = { t, v, ret: resultOf(t, result) };
  const line = sig ? entry.replace(HOLE, (_m, i: string) => arg(sig, c, Number(i))) : entry;
  return `${line} ${formatResult(sig, c)}`;
}

/** The line prefix: the thread id, padded like strace -f. */
export function linePrefix(t: Tracee): string {
  return `[pid ${String(t.tid).padStart(5)}] `;
}

export class Strace implements StraceFormatter {
  constructor(
    readonly filter: Set<string> | null,
    private readonly sink: (line: string) => void,
  ) {}

  enter(t: Task, nr: number): string {
    if (this.filter && !this.filter.has(syscallLabel(nr))) return '';
    try {
      return formatEnter(t, nr);
    } catch {
      return `${syscallLabel(nr)}(...)`;
    }
  }

  exit(t: Task, nr: number, entry: string, result: SyscallValue | null): string {
    if (entry === '') return '';
    try {
      return linePrefix(t) + formatExit(t, nr, entry, result);
    } catch {
      return `${linePrefix(t)}${entry.replace(HOLE, '?')} = ${String(result ?? '?')}`;
    }
  }

  write(line: string): void {
    if (line === '') return;
    try {
      this.sink(line);
    } catch {
      // A broken log sink must not take the Sentry down.
    }
  }
}

/** Turns on --strace: every syscall (or only the named ones) is written, one line each. */
export function installStrace(filter: Set<string> | null, write: (line: string) => void): void {
  setStraceFormatter(new Strace(filter, write));
}
