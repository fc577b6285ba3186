// The ptrace platform (DESIGN.md §5): stubs traced with PTRACE_SYSEMU by the JS
// main thread, application memory mapped from the memory file by injecting mmap
// into the stub, a native watcher thread that kicks running stubs when the event
// loop has work.
import { setPriority } from 'node:os';
import { native, stubPath, type NativeAddon } from '../../../native.js';
import { Registers } from '../../arch/amd64/registers.js';
import { SYS } from '../../../abi/linux/syscalls.js';
import { MAP_FIXED, MAP_SHARED } from '../../../abi/linux/mm.js';
import type { AddressSpace, Platform } from '../platform.js';
import { StopKind } from '../platform.js';

/** The stub's text sits at 0x7fff00001000 (native/stub): apps live below. */
export const STUB_BASE = 0x7fff_0000_0000;
/** Nice value of the Sentry's threads started from here on (the watcher, the main thread). */
const SENTRY_NICE = -10;
/** fd of the memory file inside every stub. */
const STUB_MEMFD = 3;
const SIGKILL = 9;
const SIGSTOP = 19;
const SI_TKILL = -6;
/** Largest XSAVE area we expect (AVX-512 + AMX tiles fit in 16 KiB). */
const FP_STATE_MAX = 16384;

export class PtracePlatform implements Platform {
  readonly regs = new Registers();
  readonly maxUserAddress = STUB_BASE;
  private readonly info = new Int32Array(64);
  private readonly n: NativeAddon = native();
  readonly cpu: number;

  constructor(memfd: number, cpu = -1) {
    // Tracer, watcher and syscall-heavy stubs share one CPU: cross-CPU wake-ups
    // cost ~55 µs here, same-CPU handoffs a few µs (DESIGN.md §5).
    this.cpu = cpu >= 0 ? cpu : this.n.currentCpu();
    this.n.setAffinity(0, this.cpu);
    // The tracer is its sandbox's kernel: under CPU contention a syscall round trip
    // waits for it to be scheduled twice, so it runs boosted (nice -10 measured: 13-16 µs
    // -> 7 µs per getpid with both CPUs busy). Stubs reset themselves to nice 0, so
    // application code gets no extra CPU. Without CAP_SYS_NICE (rootless) we keep 0.
    try {
      setPriority(0, SENTRY_NICE);
    } catch {
      // not permitted: run at normal priority
    }
    // A SIGCHLD handler from libuv would run on every ptrace stop.
    this.n.sigchldNocldstop();
    const leader = this.n.ptraceInit(this.regs.bytes.buffer as ArrayBuffer, this.info, stubPath, memfd, this.cpu);
    if (leader < 0) throw new Error(`cannot start the ptrace stub (${stubPath}): errno ${-leader}`);
    const w = this.n.watcherStart(this.cpu);
    if (w < 0) throw new Error(`cannot start the preemption watcher: errno ${-w}`);
  }

  get stoppedTid(): number {
    return this.info[0]!;
  }

  get waitStatus(): number {
    return this.info[1]!;
  }

  get siginfo(): { signo: number; code: number; addr: number } {
    const i = this.info;
    // siginfo_t at info[16]: si_signo, si_errno, si_code, pad, then the union (si_addr at +16).
    return { signo: i[16]!, code: i[18]!, addr: (i[20]! >>> 0) + (i[21]! >>> 0) * 4294967296 };
  }

  /** PTRACE_EVENT_* of the last Event stop and its message (e.g. new tid). */
  get event(): { event: number; msg: number } {
    return { event: this.info[2]!, msg: this.info[3]! };
  }

  newAddressSpace(): AddressSpace {
    const pid = this.n.newStub();
    if (pid < 0) throw new Error(`cannot create a stub process: errno ${-pid}`);
    return new Stub(this.n, pid);
  }

  wait(kickTid: number): StopKind {
    const k = this.n.wait(kickTid);
    if (k < 0) throw new Error(`waitpid on stubs failed: errno ${-k}`);
    return k as StopKind;
  }

  resume(tid: number, regs: Registers, sig: number): void {
    const r = this.n.resume(tid, regs.bytes, sig);
    // ESRCH: the thread was killed meanwhile; its exit is reported by wait().
    if (r < 0 && r !== -3) throw new Error(`ptrace resume of ${tid} failed: errno ${-r}`);
  }

  interrupt(tid: number): void {
    // SIGSTOP cannot be blocked or ignored; under ptrace it only produces a stop.
    this.n.tkill(tid, SIGSTOP);
  }

  isInterrupt(): boolean {
    const i = this.info;
    // siginfo: si_signo, si_errno, si_code, pad, si_pid at +16.
    return i[16] === SIGSTOP && i[18] === SI_TKILL && i[20] === process.pid;
  }

  getFpState(tid: number): Uint8Array {
    const buf = new Uint8Array(FP_STATE_MAX);
    const n = this.n.getFpState(tid, buf);
    if (n < 0) throw new Error(`PTRACE_GETREGSET(NT_X86_XSTATE) of ${tid}: errno ${-n}`);
    return buf.slice(0, n);
  }

  setFpState(tid: number, state: Uint8Array): void {
    const r = this.n.setFpState(tid, state);
    if (r < 0 && r !== -3) throw new Error(`PTRACE_SETREGSET(NT_X86_XSTATE) of ${tid}: errno ${-r}`);
  }

  activate(): void {
    this.n.watcherActivate();
  }

  deactivate(): void {
    this.n.watcherDeactivate();
  }

  /** Number of preemption kicks so far (for benchmarks and tests). */
  kicks(): number {
    return this.n.watcherStats();
  }
}

class Stub implements AddressSpace {
  private released = false;

  constructor(
    private readonly n: NativeAddon,
    readonly pid: number,
  ) {}

  private check(what: string, r: number): void {
    if (r < 0 && !this.released) throw new Error(`stub ${this.pid}: ${what} failed: errno ${-r}`);
  }

  mapFile(via: number, addr: number, len: number, prot: number, fileOff: number): void {
    const r = this.n.inject(via, SYS.mmap, addr, len, prot, MAP_SHARED | MAP_FIXED, STUB_MEMFD, fileOff);
    this.check('mmap', r);
  }

  newThread(via: number): number {
    const tid = this.n.cloneThread(via);
    if (tid < 0) throw new Error(`stub ${this.pid}: cannot create a thread: errno ${-tid}`);
    return tid;
  }

  exitThread(tid: number): void {
    const r = this.n.exitThread(tid);
    if (r < 0 && r !== -3) throw new Error(`stub ${this.pid}: cannot end thread ${tid}: errno ${-r}`);
  }

  unmap(via: number, addr: number, len: number): void {
    this.check('munmap', this.n.inject(via, SYS.munmap, addr, len));
  }

  protect(via: number, addr: number, len: number, prot: number): void {
    this.check('mprotect', this.n.inject(via, SYS.mprotect, addr, len, prot));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.n.kill(this.pid, SIGKILL);
  }
}
