// The ptrace platform (DESIGN.md §5): stubs traced with PTRACE_SYSEMU by the JS
// main thread, application memory mapped from the memory file by injecting mmap
// into the stub, a native watcher thread that kicks running stubs when the event
// loop has work.
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { native, stubPath, type NativeAddon } from '../../../native.js';
import { Registers } from '../../arch/amd64/registers.js';
import { SYS } from '../../../abi/linux/syscalls.js';
import { MAP_FIXED, MAP_SHARED } from '../../../abi/linux/mm.js';
import type { AddressSpace, Platform } from '../platform.js';
import { StopKind } from '../platform.js';

/** The stub's text sits at 0x7fff00001000 (native/stub): apps live below. */
export const STUB_BASE = 0x7fff_0000_0000;
/** The batch page, mapped in every stub just above its text (the app never sees it). */
const BATCH_ADDR = 0x7fff_0001_0000;
const BATCH_ENTRIES = 1024;
const BATCH_BYTES = BATCH_ENTRIES * 64;
/** Pre-forked stubs kept ready for the next fork or exec. */
const SPARE_STUBS = 1;
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
  /** Stubs forked ahead of time. */
  private readonly spare: number[] = [];
  private refillScheduled = false;
  private readonly n: NativeAddon = native();
  readonly cpu: number;
  readonly hostVdsoBase: number;

  /** The batch page as the Sentry sees it (entries of nr, a0..a5, result). */
  private readonly batch: BigInt64Array;
  /** Stubs with queued host mm operations, run right before any thread resumes. */
  readonly dirty = new Set<Stub>();

  /** `scratchOff` is a memory-file offset the platform may use for its batch page. */
  constructor(memfd: number, scratchOff: number, cpu = -1) {
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
    // The batch page: mapped in the leader (every stub forked from it inherits it) and here.
    const m = this.n.inject(leader, SYS.mmap, BATCH_ADDR, BATCH_BYTES, 3 /* PROT_READ|PROT_WRITE */,
      MAP_SHARED | MAP_FIXED, STUB_MEMFD, scratchOff);
    if (m !== BATCH_ADDR) throw new Error(`cannot map the batch page in the stub: ${m}`);
    const ab = this.n.mmapShared(memfd, scratchOff, BATCH_BYTES);
    if (typeof ab === 'number') throw new Error(`cannot map the batch page: errno ${-ab}`);
    this.batch = new BigInt64Array(ab);
    this.hostVdsoBase = hostVdsoOf(leader);
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
    // A pre-forked stub when one is ready (fork latency), refilled when the loop is idle.
    const pid = this.spare.pop() ?? this.forkStub();
    if (!this.refillScheduled) {
      this.refillScheduled = true;
      setImmediate(() => {
        this.refillScheduled = false;
        try {
          while (this.spare.length < SPARE_STUBS) this.spare.push(this.forkStub());
        } catch {
          // Out of host processes: fork will report it when it needs one.
        }
      });
    }
    return new Stub(this.n, this, pid);
  }

  private forkStub(): number {
    const pid = this.n.newStub();
    if (pid < 0) throw new Error(`cannot create a stub process: errno ${-pid}`);
    return pid;
  }

  wait(kickTid: number): StopKind {
    const k = this.n.wait(kickTid);
    if (k < 0) throw new Error(`waitpid on stubs failed: errno ${-k}`);
    return k as StopKind;
  }

  resume(tid: number, regs: Registers, sig: number): void {
    if (this.dirty.size > 0) this.flushAll();
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

  /** Runs every queued host mm operation (each stub's through one of its stopped threads). */
  flushAll(): void {
    for (const s of [...this.dirty]) s.flush();
  }

  /** Runs `ops` in the stub of the stopped thread `via`; returns the results. */
  runBatch(via: number, ops: readonly number[][]): number[] {
    const b = this.batch;
    ops.forEach((op, i) => {
      for (let j = 0; j < 7; j++) b[i * 8 + j] = BigInt(op[j] ?? 0);
      b[i * 8 + 7] = 0n;
    });
    const r = this.n.injectBatch(via, BATCH_ADDR, ops.length);
    if (r < 0) return ops.map(() => r);
    return ops.map((_, i) => Number(b[i * 8 + 7]!));
  }

  deactivate(): void {
    this.n.watcherDeactivate();
  }

  /** Number of preemption kicks so far (for benchmarks and tests). */
  kicks(): number {
    return this.n.watcherStats();
  }
}

/**
 * One stub process. Host mm operations are queued and run in one batch stop right
 * before any thread is resumed (a fork used to cost a dozen round trips).
 */
class Stub implements AddressSpace {
  private released = false;
  private ops: number[][] = [];
  private via = 0;

  constructor(
    private readonly n: NativeAddon,
    private readonly platform: PtracePlatform,
    readonly pid: number,
  ) {}

  private queue(via: number, op: number[]): void {
    if (this.released) return;
    if (this.ops.length > 0 && via !== this.via) this.flush();
    this.via = via;
    this.ops.push(op);
    this.platform.dirty.add(this);
    if (this.ops.length >= BATCH_ENTRIES) this.flush();
  }

  flush(): void {
    this.platform.dirty.delete(this);
    const ops = this.ops;
    if (ops.length === 0 || this.released) return;
    this.ops = [];
    const results = this.platform.runBatch(this.via, ops);
    results.forEach((r, i) => {
      // A failed host mapping means the app would see stale memory: a Sentry bug, loudly.
      if (r < 0 && r > -4096) {
        throw new Error(`stub ${this.pid}: host syscall ${ops[i]![0]} failed: errno ${-r}`);
      }
    });
  }

  mapFile(via: number, addr: number, len: number, prot: number, fileOff: number): void {
    this.queue(via, [SYS.mmap, addr, len, prot, MAP_SHARED | MAP_FIXED, STUB_MEMFD, fileOff]);
  }

  unmap(via: number, addr: number, len: number): void {
    this.queue(via, [SYS.munmap, addr, len]);
  }

  protect(via: number, addr: number, len: number, prot: number): void {
    this.queue(via, [SYS.mprotect, addr, len, prot]);
  }

  newThread(via: number): number {
    this.flush();
    const tid = this.n.cloneThread(via);
    if (tid < 0) throw new Error(`stub ${this.pid}: cannot create a thread: errno ${-tid}`);
    return tid;
  }

  exitThread(tid: number): void {
    this.flush();
    const r = this.n.exitThread(tid);
    if (r < 0 && r !== -3) throw new Error(`stub ${this.pid}: cannot end thread ${tid}: errno ${-r}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.ops = [];
    this.platform.dirty.delete(this);
    this.n.kill(this.pid, SIGKILL);
  }
}

/**
 * The host vDSO's address in a stub (every stub is forked from the leader, so it is
 * the same in all of them). It lies above the application's range, out of its reach.
 */
function hostVdsoOf(pid: number): number {
  try {
    const m = /^([0-9a-f]+)-[0-9a-f]+ r-xp .*\[vdso\]$/m.exec(readFileSync(`/proc/${pid}/maps`, 'latin1'));
    const base = m ? Number.parseInt(m[1]!, 16) : 0;
    return base >= STUB_BASE ? base : 0;
  } catch {
    return 0;
  }
}
