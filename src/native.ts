// Typed binding of the native addon (native/). Only platform primitives live there.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeAddon {
  // memory file
  memfdCreate(name: string, size: number): number;
  mmapShared(fd: number, offset: number, length: number): ArrayBuffer | number;
  punchHole(fd: number, offset: number, length: number): number;
  // ptrace platform
  ptraceInit(regs: ArrayBuffer, info: Int32Array, stubPath: string, memfd: number, cpu: number): number;
  newStub(): number;
  cloneThread(via: number): number;
  exitThread(tid: number): number;
  injectBatch(tid: number, base: number, count: number): number;
  inject(tid: number, nr: number, a0?: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): number;
  resume(tid: number, regs: Uint8Array | null, sig: number): number;
  wait(kickTid: number): number;
  getRegs(tid: number, buf: Uint8Array): number;
  setRegs(tid: number, buf: Uint8Array): number;
  getFpState(tid: number, buf: Uint8Array): number;
  setFpState(tid: number, buf: Uint8Array): number;
  tkill(tid: number, sig: number): number;
  reap(pid: number): number;
  setAffinity(tid: number, cpu: number): number;
  currentCpu(): number;
  // preemption watcher
  watcherStart(cpu: number): number;
  watcherActivate(): void;
  watcherDeactivate(): void;
  watcherStats(): number;
  // host I/O Node lacks
  openat(dirfd: number, path: string, flags: number, mode: number): number;
  fstatat(dirfd: number, path: string, flags: number, out: Uint8Array): number;
  fstat(fd: number, out: Uint8Array): number;
  readlinkat(dirfd: number, path: string, out: Uint8Array): number;
  getdents64(fd: number, out: Uint8Array): number;
  lseek(fd: number, off: number, whence: number): number;
  pread(fd: number, buf: Uint8Array, off: number): number;
  pwrite(fd: number, buf: Uint8Array, off: number): number;
  ioctl(fd: number, req: number, arg: Uint8Array | number | null): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  poll1(fd: number, events: number, timeoutMs: number): number;
  dup3(oldfd: number, newfd: number, flags: number): number;
  close(fd: number): number;
  socketpair(): [number, number] | number;
  sendmsg(sock: number, buf: Uint8Array, fds: number[] | null): number;
  recvmsg(sock: number, buf: Uint8Array, fdsOut: Int32Array, flags: number): number;
  /** unshareFlags (CLONE_NEW*) and capKeep (bounding set mask, -1: unchanged) confine the child before exec. */
  spawn(path: string, argv: string[], envp: string[], fdmap: number[], cpu: number, newPgrp: number,
    unshareFlags?: number, capKeep?: number): number;
  waitpid(pid: number, options: number, status: Int32Array): number;
  hwcap(): [number, number];
  sigchldNocldstop(): number;
  gettid(): number;
  kill(pid: number, sig: number): number;
  fstatfs(fd: number, out: Uint8Array): number;
  ftruncate(fd: number, len: number): number;
  fsync(fd: number, dataOnly: number): number;
  fallocate(fd: number, mode: number, off: number, len: number): number;
  syncfs(fd: number): number;
  syncFileRange(fd: number, off: number, len: number, flags: number): number;
  // readiness of host fds on the event loop (uv_poll)
  pollStart(fd: number, events: number, cb: (events: number) => void): number;
  pollStop(id: number): number;
  /** The host clock's value in ns (negative errno on failure). */
  clockNs(clock: number): bigint;
  /** Offsets of the host vDSO's clock_gettime, gettimeofday, time from its header; [] without one. */
  hostVdsoOffsets(): number[];
  getrandom(buf: Uint8Array): number;
  isatty(fd: number): number;
  // tree changes for the gofer's write side (hostfs.c): one name per *at() call, attributes via O_PATH fds
  mkdirat(dirfd: number, name: string, mode: number): number;
  mknodat(dirfd: number, name: string, mode: number, rdev: number | bigint): number;
  symlinkat(target: string, dirfd: number, name: string): number;
  linkat(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): number;
  unlinkat(dirfd: number, name: string, flags: number): number;
  renameat2(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): number;
  fchownat(dirfd: number, name: string, uid: number, gid: number, flags: number): number;
  fchmodFd(fd: number, mode: number): number;
  utimensFd(fd: number, asec: number, ansec: number, msec: number, mnsec: number): number;
  getxattrFd(fd: number, name: string, buf: Uint8Array): number;
  setxattrFd(fd: number, name: string, value: Uint8Array, flags: number): number;
  listxattrFd(fd: number, buf: Uint8Array): number;
  removexattrFd(fd: number, name: string): number;
  // confinement (confine.c): policy in gofer/confine.ts
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): number;
  umount2(target: string, flags: number): number;
  pivotRoot(newRoot: string, putOld: string): number;
  /** [threads signalled, threads done, first error] (see confine.c). */
  dropCaps(keepMask: number, otherThreads: number): [number, number, number] | number;
  /**
   * defaultAction: 0 kill the process, 1 log, 2 EPERM. argRules: [nr, argIndex, count, values...]...
   * (allowed for those argument values only); enosys: syscalls answered ENOSYS.
   */
  seccompInstall(nrs: Int32Array, defaultAction: number, argRules: Int32Array, enosys: Int32Array): number;
}

/** The project root: the directory holding package.json, native/ and build/. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('tsvisor: cannot find the project root (package.json next to native/)');
})();

export const stubPath = join(projectRoot, 'build', 'tsvisor-stub');
/** The sandbox's vDSO image (native/vdso), built by `npm install`. */
export const vdsoPath = join(projectRoot, 'build', 'vdso.so');

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const require = createRequire(import.meta.url);
    const path = join(projectRoot, 'native', 'build', 'Release', 'tsvisor.node');
    if (!existsSync(path)) throw new Error(`tsvisor: native addon missing at ${path}; run npm install`);
    addon = require(path) as NativeAddon;
  }
  return addon;
}
