// System-wide /proc files (fs/proc/meminfo.c, stat.c, uptime.c, loadavg.c,
// version.c, fs/filesystems.c): the sandbox's view, never the host's.
import type { Kernel } from '../../kernel/kernel.js';
import { TaskState } from '../../kernel/task.js';
import { centis, nsToTicks, padNum } from './format.js';

/** /proc/version, as gVisor prints it: the UTS names, no compiler banner. */
export function versionText(k: Kernel): string {
  return `${k.uts.sysname} version ${k.uts.release} ${k.uts.version}\n`;
}

/** /proc/meminfo: MemTotal from the configured size, use from the memory file. */
export function meminfoText(k: Kernel): string {
  const totalKb = Math.floor(k.opts.totalMemory / 1024);
  const usedKb = Math.min(totalKb, Math.floor(k.mf.allocated / 1024));
  const freeKb = totalKb - usedKb;
  const kb = (name: string, v: number): string => `${`${name}:`.padEnd(16)}${padNum(v, 8)} kB\n`;
  const count = (name: string, v: number): string => `${`${name}:`.padEnd(16)}   ${padNum(v, 5)}\n`;
  return kb('MemTotal', totalKb) + kb('MemFree', freeKb) + kb('MemAvailable', freeKb) +
    kb('Buffers', 0) + kb('Cached', 0) + kb('SwapCached', 0) +
    kb('Active', usedKb) + kb('Inactive', 0) + kb('Active(anon)', usedKb) + kb('Inactive(anon)', 0) +
    kb('Active(file)', 0) + kb('Inactive(file)', 0) + kb('Unevictable', 0) + kb('Mlocked', 0) +
    kb('SwapTotal', 0) + kb('SwapFree', 0) + kb('Dirty', 0) + kb('Writeback', 0) +
    kb('AnonPages', usedKb) + kb('Mapped', 0) + kb('Shmem', 0) + kb('Slab', 0) +
    kb('SReclaimable', 0) + kb('SUnreclaim', 0) + kb('KernelStack', 0) + kb('PageTables', 0) +
    kb('NFS_Unstable', 0) + kb('Bounce', 0) + kb('WritebackTmp', 0) +
    kb('CommitLimit', Math.floor(totalKb / 2)) + kb('Committed_AS', usedKb) +
    kb('VmallocTotal', 34359738367) + kb('VmallocUsed', 0) + kb('VmallocChunk', 0) +
    // HardwareCorrupted has its own "%5lu" width.
    'HardwareCorrupted:     0 kB\n' + kb('AnonHugePages', 0) + kb('CmaTotal', 0) + kb('CmaFree', 0) +
    count('HugePages_Total', 0) + count('HugePages_Free', 0) + count('HugePages_Rsvd', 0) + count('HugePages_Surp', 0) +
    kb('Hugepagesize', 2048) + kb('DirectMap4k', totalKb) + kb('DirectMap2M', 0);
}

/** CPU time of every task, live and exited, in ns. */
function busyNs(k: Kernel): { user: number; sys: number } {
  let user = 0;
  let sys = 0;
  for (const tg of k.threadGroups.values()) {
    user += tg.cpuUserNs;
    sys += tg.cpuSysNs;
    for (const t of tg.tasks) {
      user += t.cpuUserNs;
      sys += t.cpuSysNs;
    }
  }
  return { user, sys };
}

function runnable(k: Kernel): number {
  let n = 0;
  for (const t of k.tasks.values()) if (t.state === TaskState.Running || t.state === TaskState.InSentry) n++;
  return n;
}

function lastPid(k: Kernel): number {
  let max = 0;
  for (const tid of k.tasks.keys()) if (tid > max) max = tid;
  return max;
}

/** /proc/uptime: seconds up and idle CPU-seconds (summed over CPUs). */
export function uptimeText(k: Kernel): string {
  const up = k.uptimeNs();
  const busy = busyNs(k);
  const idle = Math.max(0, up * k.opts.cpus - busy.user - busy.sys);
  return `${centis(up / 1e7)} ${centis(idle / 1e7)}\n`;
}

/** /proc/loadavg: no load history is kept, so the averages are those of a quiet machine. */
export function loadavgText(k: Kernel): string {
  return `0.00 0.00 0.00 ${runnable(k)}/${k.tasks.size} ${lastPid(k)}\n`;
}

/** /proc/stat: CPU time split evenly over the sandbox's CPUs. */
export function statText(k: Kernel): string {
  const cpus = Math.max(1, k.opts.cpus);
  const upNs = k.uptimeNs();
  const busy = busyNs(k);
  const user = nsToTicks(busy.user);
  const sys = nsToTicks(busy.sys);
  const idle = Math.max(0, nsToTicks(upNs) * cpus - user - sys);
  const line = (name: string, u: number, s: number, i: number): string =>
    `${name} ${u} 0 ${s} ${i} 0 0 0 0 0 0\n`;
  let out = line('cpu ', user, sys, idle);
  for (let c = 0; c < cpus; c++) {
    out += line(`cpu${c}`, Math.floor(user / cpus), Math.floor(sys / cpus), Math.floor(idle / cpus));
  }
  const btime = Math.floor((Date.now() - upNs / 1e6) / 1000);
  out += 'intr 0\n';
  out += 'ctxt 0\n';
  out += `btime ${btime}\n`;
  out += `processes ${lastPid(k)}\n`;
  out += `procs_running ${runnable(k)}\n`;
  out += 'procs_blocked 0\n';
  out += 'softirq 0 0 0 0 0 0 0 0 0 0 0\n';
  return out;
}

/**
 * File systems the Sentry implements, all "nodev" (no block device). Packages that
 * add one (devpts, the gofer client) append its name here.
 */
export const filesystemNames = ['sysfs', 'tmpfs', 'proc', 'pipefs', 'devpts', 'overlay'];

export function filesystemsText(): string {
  return filesystemNames.map((f) => `nodev\t${f}\n`).join('');
}

/** /proc/cmdline: there is no boot loader; show a quiet, plausible command line. */
export function cmdlineText(): string {
  return 'quiet\n';
}

/** /proc/swaps: no swap in the sandbox. */
export function swapsText(): string {
  return 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
}
