// /proc through the real VFS (path walk, open, read, readlink) over a small kernel
// fixture: a real Kernel with a fake platform and an in-memory memory file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../dist/tsc/sentry/kernel/kernel.js';
import { Task, TaskState } from '../../dist/tsc/sentry/kernel/task.js';
import { ThreadGroup } from '../../dist/tsc/sentry/kernel/thread_group.js';
import { Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { Limits } from '../../dist/tsc/sentry/kernel/limits.js';
import { SignalHandlers } from '../../dist/tsc/sentry/kernel/signal_handlers.js';
import { MemoryManager } from '../../dist/tsc/sentry/mm/mm.js';
import { FdTable } from '../../dist/tsc/sentry/vfs/fd_table.js';
import { FsContext } from '../../dist/tsc/sentry/vfs/fs_context.js';
import { Mount, MountNamespace, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY } from '../../dist/tsc/sentry/vfs/mount.js';
import { openAt, readlinkAt, statAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { resolvePath } from '../../dist/tsc/sentry/vfs/path.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { newPipe } from '../../dist/tsc/sentry/fsimpl/pipe/pipe.js';
import { newProcFilesystem } from '../../dist/tsc/sentry/fsimpl/proc/procfs.js';
import { newDevFilesystem } from '../../dist/tsc/sentry/fsimpl/dev/devfs.js';
import { newSysFilesystem } from '../../dist/tsc/sentry/fsimpl/sys/sysfs.js';
import { ENOENT, EACCES, EIO, EINVAL, EPERM, EROFS } from '../../dist/tsc/abi/linux/errno.js';
import { O_RDONLY, O_WRONLY, O_RDWR, O_DIRECTORY, O_CREAT, O_TRUNC } from '../../dist/tsc/abi/linux/fcntl.js';
import { SIG_IGN } from '../../dist/tsc/abi/linux/signal.js';

const AT_FDCWD = -100;
const PAGE = 4096;

class FakeMemoryFile {
  buf = new Uint8Array(32 << 20);
  bump = 0;
  allocated = 0;
  allocate(len) {
    const off = this.bump;
    this.bump += len;
    this.allocated += len;
    return [{ off, len }];
  }
  view(off, len) {
    return this.buf.subarray(off, off + len);
  }
  releaseExtents(exts) {
    for (const e of exts) this.allocated -= e.len;
  }
}

const fakeAs = { pid: 1, mapFile() {}, unmap() {}, protect() {}, release() {} };

/** A kernel with /, /proc, /dev and /sys mounted, and helpers to make processes. */
function fixture(opts = {}) {
  const mf = new FakeMemoryFile();
  const kernel = new Kernel({
    platform: {}, memoryFile: mf, syscalls: {}, hostname: 'sandbox', strace: false, straceSyscalls: null,
    cpus: opts.cpus ?? 4, totalMemory: 1 << 30, cpuinfo: opts.cpuinfo,
  });
  const rootFs = new TmpfsFilesystem({ mode: 0o755 });
  const rootMount = new Mount(rootFs, rootFs.root(), 0, null, null, 'rootfs');
  const mntns = new MountNamespace(rootMount);
  kernel.mntns = mntns;
  const rootVd = mntns.rootVd();
  const mountAt = (name, fs, flags, source) => {
    const inode = rootFs.root().inode.mkdir(name, { mode: 0o40755, uid: 0, gid: 0 });
    const d = rootFs.root().add(name, inode);
    const m = new Mount(fs, fs.root(), flags, null, null, source);
    mntns.attach(m, { mount: rootMount, dentry: d });
    return m;
  };
  const procFs = newProcFilesystem(kernel);
  mountAt('proc', procFs, MS_NOSUID | MS_NODEV | MS_NOEXEC, 'proc');
  mountAt('dev', newDevFilesystem(kernel), MS_NOSUID, 'tmpfs');
  mountAt('sys', newSysFilesystem(kernel), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 'sysfs');
  const bin = rootFs.root().inode.mkdir('bin', { mode: 0o40755, uid: 0, gid: 0 });
  const binD = rootFs.root().add('bin', bin);
  const trueInode = bin.create('true', { mode: 0o100755, uid: 0, gid: 0 });
  const exeVd = { mount: rootMount, dentry: binD.add('true', trueInode) };

  function spawn({ pid, parent = null, creds = Credentials.root(), argv = ['true'], envp = ['A=1'] }) {
    const mm = new MemoryManager(mf, fakeAs, 2 ** 47);
    mm.mmap({ addr: 0x400000, length: PAGE, prot: 5, fixed: true, shared: false,
      file: { path: '/bin/true', dev: rootFs.dev, ino: trueInode.ino, offset: 0, readAt() {} } });
    const stackTop = 0x7ff000000000;
    mm.mmap({ addr: stackTop - 8 * PAGE, length: 8 * PAGE, prot: 3, fixed: true, shared: false,
      name: '[stack]', growsDown: true });
    const env = Buffer.from(envp.map((s) => s + '\0').join(''), 'latin1');
    const args = Buffer.from(argv.map((s) => s + '\0').join(''), 'latin1');
    mm.envEnd = stackTop - 64;
    mm.envStart = mm.envEnd - env.length;
    mm.argEnd = mm.envStart;
    mm.argStart = mm.argEnd - args.length;
    mm.copyOut(mm.envStart, env);
    mm.copyOut(mm.argStart, args);
    mm.auxv = [6, 4096, 0, 0];
    mm.executable = '/bin/true';
    mm.exeVd = exeVd;
    const tg = new ThreadGroup(pid, parent, new SignalHandlers(), new Limits(), pid, parent ? parent.sid : pid);
    const fs = new FsContext(mntns, rootVd, rootVd);
    const t = new Task(kernel, pid, 10000 + pid, tg, mm, new FdTable(), fs, creds);
    tg.addTask(t);
    parent?.children.add(tg);
    t.comm = argv[0].slice(0, 15);
    kernel.registerTask(t);
    kernel.threadGroups.set(pid, tg);
    return t;
  }

  function thread(leader, tid) {
    const t = new Task(kernel, tid, 10000 + tid, leader.tg, leader.mm, leader.fdTable, leader.fs, leader.creds);
    leader.tg.addTask(t);
    t.comm = leader.comm;
    kernel.registerTask(t);
    return t;
  }

  return { kernel, mf, rootFs, rootMount, procFs, spawn, thread };
}

function open(t, path, flags = O_RDONLY) {
  return openAt(t, AT_FDCWD, path, { flags, mode: 0 });
}

function readAll(t, path) {
  const f = open(t, path);
  const chunks = [];
  for (;;) {
    const b = new Uint8Array(7); // small reads exercise offsets into the snapshot
    const n = f.read(t, [b], -1);
    if (n === 0) break;
    chunks.push(b.subarray(0, n));
  }
  f.decRef();
  return Buffer.concat(chunks);
}

const readText = (t, path) => readAll(t, path).toString('latin1');

function listDir(t, path) {
  const f = open(t, path, O_RDONLY | O_DIRECTORY);
  const names = [];
  f.iterateDir(t, (e) => {
    names.push(e.name);
    return true;
  });
  return names;
}

function errOf(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

test('/proc/self and /proc/thread-self resolve to the caller', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const child = fx.spawn({ pid: 7, parent: init.tg });
  assert.equal(readlinkAt(child, AT_FDCWD, '/proc/self', false), '7');
  assert.equal(readlinkAt(init, AT_FDCWD, '/proc/self', false), '1');
  const vd = resolvePath(child.walkCtx, child.fs.root, '/proc/self', { follow: true });
  const direct = resolvePath(child.walkCtx, child.fs.root, '/proc/7', { follow: true });
  assert.equal(vd.dentry, direct.dentry);
  const th = fx.thread(child, 9);
  assert.equal(readlinkAt(th, AT_FDCWD, '/proc/thread-self', false), '7/task/9');
  assert.match(readText(th, '/proc/thread-self/status'), /^Pid:\t9$/m);
  assert.match(readText(th, '/proc/self/status'), /^Pid:\t7$/m);
});

test('/proc/<pid>/status has Linux fields', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const creds = Credentials.user(1000, 1000, [1000, 27]);
  const child = fx.spawn({ pid: 42, parent: init.tg, creds, argv: ['sleep', '10'] });
  child.tg.handlers.set(13, { handler: SIG_IGN, flags: 0, restorer: 0, mask: 0n });
  child.tg.handlers.set(2, { handler: 0x401000, flags: 0, restorer: 0, mask: 0n });
  child.sigmask = 1n << 9n;
  const s = readText(child, '/proc/self/status');
  const lines = s.split('\n');
  assert.equal(lines[0], 'Name:\tsleep');
  assert.equal(lines[1], 'Umask:\t0022');
  assert.equal(lines[2], 'State:\tR (running)');
  assert.match(s, /^Tgid:\t42\nNgid:\t0\nPid:\t42\nPPid:\t1\nTracerPid:\t0\n/m);
  assert.match(s, /^Uid:\t1000\t1000\t1000\t1000$/m);
  assert.match(s, /^Gid:\t1000\t1000\t1000\t1000$/m);
  assert.match(s, /^FDSize:\t64$/m);
  assert.match(s, /^Groups:\t1000 27 $/m);
  assert.match(s, /^VmSize:\t      36 kB$/m);
  assert.match(s, /^VmStk:\t      32 kB$/m);
  assert.match(s, /^VmExe:\t       4 kB$/m);
  assert.match(s, /^Threads:\t1$/m);
  assert.match(s, /^SigBlk:\t0000000000000200$/m);
  assert.match(s, /^SigIgn:\t0000000000001000$/m);
  assert.match(s, /^SigCgt:\t0000000000000002$/m);
  assert.match(s, /^CapEff:\t0000000000000000$/m);
  assert.match(s, /^CapBnd:\t000001ffffffffff$/m);
  assert.match(s, /^Cpus_allowed:\tf\nCpus_allowed_list:\t0-3$/m);
  assert.ok(s.endsWith('nonvoluntary_ctxt_switches:\t0\n'));
  // Root's view of init.
  const si = readText(child, '/proc/1/status');
  assert.match(si, /^PPid:\t0$/m);
  assert.match(si, /^CapEff:\t000001ffffffffff$/m);
});

test('/proc/<pid>/stat has 52 fields in order', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const child = fx.spawn({ pid: 5, parent: init.tg, argv: ['my prog)', 'x'] });
  child.state = TaskState.Blocked;
  const s = readText(init, '/proc/5/stat');
  assert.ok(s.endsWith('\n'));
  const m = /^(\d+) \((.*)\) (.*)\n$/s.exec(s);
  assert.ok(m);
  assert.equal(m[1], '5');
  assert.equal(m[2], 'my prog)');
  const rest = m[3].split(' ');
  assert.equal(rest.length, 50);
  assert.equal(rest[0], 'S'); // state
  assert.equal(rest[1], '1'); // ppid
  assert.equal(rest[2], '5'); // pgrp
  assert.equal(rest[5], '-1'); // tpgid
  assert.equal(rest[17], '1'); // num_threads
  assert.equal(rest[20], String(9 * PAGE)); // vsize
  assert.equal(rest[21], '9'); // rss pages
  assert.equal(rest[22], '18446744073709551615'); // rsslim
  assert.equal(rest[23], String(0x400000)); // startcode
  assert.equal(rest[35], '17'); // exit_signal
  assert.equal(rest[45], String(child.mm.argStart)); // arg_start
});

test('/proc/<pid>/statm, maps, cmdline, environ, comm, auxv, limits', () => {
  const fx = fixture();
  const t = fx.spawn({ pid: 1, argv: ['/bin/sh', '-c', 'echo hi'], envp: ['PATH=/bin', 'HOME=/'] });
  assert.equal(readText(t, '/proc/1/statm'), '9 9 1 1 0 8 0\n');
  assert.equal(readText(t, '/proc/self/maps'), t.mm.mapsText());
  assert.match(readText(t, '/proc/self/maps'), /^00400000-00401000 r-xp 00000000 00:\w\w \d+ +\/bin\/true$/m);
  assert.equal(readText(t, '/proc/self/cmdline'), '/bin/sh\0-c\0echo hi\0');
  assert.equal(readText(t, '/proc/self/environ'), 'PATH=/bin\0HOME=/\0');
  assert.equal(readText(t, '/proc/self/comm'), '/bin/sh\n');
  const auxv = readAll(t, '/proc/self/auxv');
  assert.equal(auxv.length, 32);
  assert.equal(auxv.readBigUInt64LE(0), 6n);
  assert.equal(auxv.readBigUInt64LE(8), 4096n);
  t.tg.limits.set(13 /* RLIMIT_NICE */, { cur: 0, max: 0 });
  const limits = readText(t, '/proc/self/limits').split('\n');
  assert.equal(limits[0], 'Limit                     Soft Limit           Hard Limit           Units     ');
  assert.equal(limits[1], 'Max cpu time              unlimited            unlimited            seconds   ');
  assert.equal(limits[4], 'Max stack size            8388608              unlimited            bytes     ');
  assert.equal(limits[8], 'Max open files            1024                 1048576              files     ');
  assert.equal(limits[14], 'Max nice priority         0                    0                    ');
  // setproctitle: one string over argv, running into the environment.
  t.mm.copyOut(t.mm.argStart, Buffer.from('nginx: master process /usr/sbin/nginx\0'));
  assert.equal(readText(t, '/proc/self/cmdline'), 'nginx: master process /usr/sbin/nginx\0');
});

test('writing comm renames the thread, only from its own process', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const other = fx.spawn({ pid: 2, parent: init.tg });
  const f = open(init, '/proc/self/comm', O_WRONLY);
  assert.equal(f.write(init, [Buffer.from('renamed-process-name')], -1), 20);
  assert.equal(init.comm, 'renamed-process');
  assert.equal(readText(init, '/proc/1/comm'), 'renamed-process\n');
  const g = open(init, '/proc/2/comm', O_WRONLY);
  assert.equal(errOf(() => g.write(init, [Buffer.from('x')], -1)), EINVAL);
  assert.equal(other.comm, 'true');
});

test('exe, cwd, root and fd/N are magic links', () => {
  const fx = fixture();
  const t = fx.spawn({ pid: 1 });
  assert.equal(readlinkAt(t, AT_FDCWD, '/proc/self/exe', false), '/bin/true');
  assert.equal(readlinkAt(t, AT_FDCWD, '/proc/self/cwd', false), '/');
  assert.equal(readlinkAt(t, AT_FDCWD, '/proc/self/root', false), '/');
  const exe = resolvePath(t.walkCtx, t.fs.root, '/proc/self/exe', { follow: true });
  assert.equal(exe.dentry, t.mm.exeVd.dentry);
  const cwd = resolvePath(t.walkCtx, t.fs.root, '/proc/1/cwd/bin/true', { follow: true });
  assert.equal(cwd.dentry, t.mm.exeVd.dentry);

  const devnull = open(t, '/dev/null', O_RDWR);
  t.fdTable.add(devnull, true, 1024);
  devnull.decRef();
  const [r, w] = newPipe(0);
  t.fdTable.add(r, false, 1024);
  t.fdTable.add(w, false, 1024);
  assert.deepEqual(listDir(t, '/proc/self/fd'), ['.', '..', '0', '1', '2']);
  assert.equal(readlinkAt(t, AT_FDCWD, '/proc/self/fd/0', false), '/dev/null');
  assert.equal(readlinkAt(t, AT_FDCWD, '/proc/self/fd/1', false), `pipe:[${r.inode.ino}]`);
  // Mode shows the access mode: lrwx------ for O_RDWR, lr-x------ for a read end.
  assert.equal(statAt(t, AT_FDCWD, '/proc/self/fd/0', false, false).mode, 0o120700);
  assert.equal(statAt(t, AT_FDCWD, '/proc/self/fd/1', false, false).mode, 0o120500);
  assert.equal(statAt(t, AT_FDCWD, '/proc/self/fd/2', false, false).mode, 0o120300);
  // Following fd/0 reaches the same file; /dev/stdin goes through it too.
  const via = resolvePath(t.walkCtx, t.fs.root, '/dev/stdin', { follow: true });
  assert.equal(via.dentry, devnull.vd.dentry);
  assert.equal(readText(t, '/proc/self/fdinfo/0'), `pos:\t0\nflags:\t02000002\nmnt_id:\t${devnull.vd.mount.id}\nino:\t${devnull.inode.ino}\n`);
  assert.equal(errOf(() => readlinkAt(t, AT_FDCWD, '/proc/self/fd/7', false)), ENOENT);
  assert.equal(errOf(() => readlinkAt(t, AT_FDCWD, '/proc/self/fd/01', false)), ENOENT);
  t.fdTable.remove(2);
  assert.deepEqual(listDir(t, '/proc/self/fd'), ['.', '..', '0', '1']);
});

test("other users' secrets are protected; ownership follows euid", () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const user = fx.spawn({ pid: 3, parent: init.tg, creds: Credentials.user(1000, 1000) });
  assert.equal(statAt(init, AT_FDCWD, '/proc/3', true, false).uid, 1000);
  assert.equal(statAt(init, AT_FDCWD, '/proc/3/status', true, false).uid, 1000);
  assert.equal(statAt(init, AT_FDCWD, '/proc/1', true, false).uid, 0);
  assert.equal(statAt(init, AT_FDCWD, '/proc/3', true, false).mode, 0o40555);
  assert.equal(statAt(init, AT_FDCWD, '/proc/3/environ', true, false).mode, 0o100400);
  assert.equal(errOf(() => readText(user, '/proc/1/environ')), EACCES);
  assert.equal(errOf(() => readlinkAt(user, AT_FDCWD, '/proc/1/exe', false)), EACCES);
  assert.equal(errOf(() => readText(user, '/proc/1/maps')), EACCES);
  assert.equal(errOf(() => listDir(user, '/proc/1/fd')), EACCES);
  assert.match(readText(user, '/proc/1/status'), /^Pid:\t1$/m);
  // Root may read anyone's.
  assert.equal(readText(init, '/proc/3/environ'), 'A=1\0');
  user.creds.euid = 0;
  assert.equal(statAt(init, AT_FDCWD, '/proc/3', true, false).uid, 0);
});

test('listing /proc shows static entries, self, thread-self and pids', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  fx.spawn({ pid: 12, parent: init.tg });
  fx.spawn({ pid: 3, parent: init.tg });
  fx.thread(init, 4);
  const names = listDir(init, '/proc');
  for (const n of ['cpuinfo', 'meminfo', 'version', 'uptime', 'loadavg', 'stat', 'filesystems', 'mounts', 'cmdline', 'sys']) {
    assert.ok(names.includes(n), n);
  }
  assert.deepEqual(names.slice(-5), ['self', 'thread-self', '1', '3', '12']);
  assert.ok(!names.includes('4'));
  assert.ok(!names.includes('kallsyms'));
  // A non-leader thread is reachable by tid, and listed under task/.
  assert.match(readText(init, '/proc/4/status'), /^Pid:\t4$/m);
  assert.deepEqual(listDir(init, '/proc/1/task'), ['.', '..', '1', '4']);
  assert.match(readText(init, '/proc/1/task/4/stat'), /^4 \(true\) R 0 /);
  const pidDir = listDir(init, '/proc/1');
  for (const n of ['stat', 'status', 'statm', 'maps', 'cmdline', 'environ', 'comm', 'exe', 'cwd', 'root', 'fd',
    'fdinfo', 'mounts', 'limits', 'auxv', 'task']) assert.ok(pidDir.includes(n), n);
  assert.ok(!listDir(init, '/proc/1/task/4').includes('task'));
});

test('/proc/kallsyms does not exist; dead processes vanish', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const child = fx.spawn({ pid: 2, parent: init.tg });
  assert.equal(errOf(() => open(init, '/proc/kallsyms')), ENOENT);
  assert.equal(errOf(() => statAt(init, AT_FDCWD, '/proc/kallsyms', true, false)), ENOENT);
  assert.equal(errOf(() => open(init, '/proc/99/status')), ENOENT);
  assert.ok(readText(init, '/proc/2/status'));
  child.state = TaskState.Dead;
  fx.kernel.threadGroups.delete(2);
  fx.kernel.tasks.delete(2);
  assert.equal(errOf(() => open(init, '/proc/2/status')), ENOENT);
  assert.ok(!listDir(init, '/proc').includes('2'));
});

test('system files: version, meminfo, cpuinfo, uptime, loadavg, stat, filesystems, cmdline', () => {
  const fx = fixture({ cpus: 2 });
  const t = fx.spawn({ pid: 1 });
  assert.equal(readText(t, '/proc/version'), 'Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n');
  const mem = readText(t, '/proc/meminfo');
  assert.match(mem, /^MemTotal:        1048576 kB\n/);
  const used = fx.mf.allocated / 1024;
  assert.ok(mem.includes(`MemFree:        ${String(1048576 - used).padStart(8)} kB\n`));
  assert.match(mem, /^SwapTotal:             0 kB$/m);
  assert.match(mem, /^HugePages_Total:       0$/m);
  for (const line of mem.trimEnd().split('\n')) assert.match(line, /^[\w()]+:\s+\d+( kB)?$/);
  const cpu = readText(t, '/proc/cpuinfo');
  assert.equal(cpu.match(/^processor\t: \d+$/gm).length, 2);
  assert.match(cpu, /^processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n/m);
  assert.match(cpu, /^flags\t\t: fpu .* sse2 /m);
  assert.ok(cpu.endsWith('power management:\n\n'));
  assert.match(readText(t, '/proc/uptime'), /^\d+\.\d\d \d+\.\d\d\n$/);
  assert.equal(readText(t, '/proc/loadavg'), '0.00 0.00 0.00 1/1 1\n');
  const stat = readText(t, '/proc/stat');
  assert.match(stat, /^cpu  \d+ 0 \d+ \d+ 0 0 0 0 0 0\ncpu0 \d+ 0 \d+ \d+ 0 0 0 0 0 0\ncpu1 /);
  assert.match(stat, /^btime \d+$/m);
  assert.match(stat, /^processes 1\nprocs_running 1\nprocs_blocked 0$/m);
  assert.match(readText(t, '/proc/filesystems'), /^nodev\tproc$/m);
  assert.equal(readText(t, '/proc/cmdline'), 'quiet\n');
});

test('cpuinfo follows the host template when the launcher passes one', () => {
  const host = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n' +
    'siblings\t: 64\ncore id\t\t: 0\ncpu cores\t: 32\napicid\t\t: 0\nflags\t\t: fpu vme\nbugs\t\t:\n' +
    'power management: ts ttp\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n\n';
  const fx = fixture({ cpus: 3, cpuinfo: host });
  const t = fx.spawn({ pid: 1 });
  const cpu = readText(t, '/proc/cpuinfo');
  const blocks = cpu.split('\n\n').filter(Boolean);
  assert.equal(blocks.length, 3);
  assert.equal(blocks[2], 'processor\t: 2\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n' +
    'siblings\t: 3\ncore id\t\t: 2\ncpu cores\t: 3\napicid\t\t: 2\nflags\t\t: fpu vme\nbugs\t\t:\n' +
    'power management: ts ttp');
});

test('mounts and mountinfo list the namespace', () => {
  const fx = fixture();
  const t = fx.spawn({ pid: 1 });
  const mounts = readText(t, '/proc/mounts').split('\n');
  assert.match(mounts[0], /^rootfs \/ tmpfs rw[ ,]/);
  assert.equal(mounts[1], 'proc /proc proc rw,nosuid,nodev,noexec 0 0');
  assert.equal(mounts[3], 'sysfs /sys sysfs ro,nosuid,nodev,noexec 0 0');
  const info = readText(t, '/proc/self/mountinfo').split('\n');
  assert.match(info[1], /^\d+ \d+ 0:\d+ \/ \/proc rw,nosuid,nodev,noexec - proc proc rw$/);
});

test('/proc/sys: values, hostname writes, read-only refusals', () => {
  const fx = fixture();
  const init = fx.spawn({ pid: 1 });
  const user = fx.spawn({ pid: 2, parent: init.tg, creds: Credentials.user(1000, 1000) });
  const r = (p) => readText(init, `/proc/sys/${p}`);
  assert.equal(r('kernel/hostname'), 'sandbox\n');
  assert.equal(r('kernel/osrelease'), '4.4.0\n');
  assert.equal(r('kernel/ostype'), 'Linux\n');
  assert.equal(r('kernel/version'), '#1 SMP Sun Jan 10 15:06:54 PST 2016\n');
  assert.equal(r('kernel/pid_max'), '4194304\n');
  assert.equal(r('kernel/ngroups_max'), '65536\n');
  assert.equal(r('kernel/cap_last_cap'), '40\n');
  assert.equal(r('kernel/overflowuid'), '65534\n');
  assert.equal(r('kernel/overflowgid'), '65534\n');
  assert.equal(r('kernel/shmmax'), '18446744073692774399\n');
  assert.equal(r('kernel/shmall'), '18446744073692774399\n');
  assert.equal(r('kernel/shmmni'), '4096\n');
  assert.equal(r('vm/overcommit_memory'), '0\n');
  assert.equal(r('vm/max_map_count'), '65530\n');
  assert.equal(r('vm/mmap_min_addr'), '65536\n');
  assert.equal(r('fs/nr_open'), '1048576\n');
  assert.match(r('fs/file-max'), /^\d+\n$/);
  assert.equal(r('net/core/somaxconn'), '4096\n');
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/;
  assert.match(r('kernel/random/uuid'), uuid);
  assert.notEqual(r('kernel/random/uuid'), r('kernel/random/uuid'));
  assert.match(r('kernel/random/boot_id'), uuid);
  assert.equal(r('kernel/random/boot_id'), r('kernel/random/boot_id'));

  const f = open(init, '/proc/sys/kernel/hostname', O_WRONLY);
  assert.equal(f.write(init, [Buffer.from('newhost\n')], -1), 8);
  assert.equal(fx.kernel.uts.nodename, 'newhost');
  assert.equal(r('kernel/hostname'), 'newhost\n');
  assert.equal(errOf(() => f.write(init, [Buffer.alloc(65, 0x61)], 0)), EINVAL);
  // A shell's `echo name > /proc/sys/kernel/hostname` opens with O_CREAT|O_TRUNC.
  const sh = open(init, '/proc/sys/kernel/hostname', O_WRONLY | O_CREAT | O_TRUNC);
  sh.write(init, [Buffer.from('shellhost\n')], -1);
  assert.equal(fx.kernel.uts.nodename, 'shellhost');
  const vdH = resolvePath(init.walkCtx, init.fs.root, '/proc/sys/kernel/hostname', { follow: true });
  assert.equal(errOf(() => vdH.dentry.inode.setattr({ mode: 0o777 })), EPERM);
  assert.equal(errOf(() => open(user, '/proc/sys/kernel/hostname', O_WRONLY)), EACCES);
  assert.equal(errOf(() => open(init, '/proc/sys/kernel/osrelease', O_WRONLY)), EACCES);
  assert.equal(errOf(() => open(init, '/proc/sys/vm/max_map_count', O_RDWR)), EACCES);
  // Ordinary proc files open for root but refuse the write with EIO.
  const v = open(init, '/proc/version', O_WRONLY);
  assert.equal(errOf(() => v.write(init, [Buffer.from('x')], -1)), EIO);
  assert.equal(errOf(() => open(user, '/proc/version', O_WRONLY)), EACCES);
});

test('reads are snapshots: offsets stay consistent after the source changes', () => {
  const fx = fixture();
  const t = fx.spawn({ pid: 1 });
  const f = open(t, '/proc/self/comm');
  const a = new Uint8Array(2);
  assert.equal(f.read(t, [a], -1), 2);
  t.comm = 'zzzzzzzz';
  const b = new Uint8Array(10);
  const n = f.read(t, [b], -1);
  assert.equal(Buffer.from(a).toString() + Buffer.from(b.subarray(0, n)).toString(), 'true\n');
  assert.equal(f.seek(0, 0), 0);
  assert.equal(f.read(t, [b], -1), 5);
  assert.equal(errOf(() => f.seek(0, 2)), EINVAL);
  assert.equal(f.read(t, [b], 1), 4); // pread
});

test('/sys: cpus, cgroup mount point, THP policy; read-only', () => {
  const fx = fixture({ cpus: 4 });
  const t = fx.spawn({ pid: 1 });
  for (const f of ['online', 'possible', 'present']) {
    assert.equal(readText(t, `/sys/devices/system/cpu/${f}`), '0-3\n');
  }
  const cpuDir = listDir(t, '/sys/devices/system/cpu');
  for (const c of ['cpu0', 'cpu1', 'cpu2', 'cpu3']) assert.ok(cpuDir.includes(c), c);
  assert.ok(!cpuDir.includes('cpu4'));
  assert.deepEqual(listDir(t, '/sys/fs/cgroup'), ['.', '..']);
  assert.equal(readText(t, '/sys/kernel/mm/transparent_hugepage/enabled'), 'always [madvise] never\n');
  // The mount is read-only (EROFS); the attribute itself refuses writers too, even root.
  assert.equal(errOf(() => open(t, '/sys/devices/system/cpu/online', O_WRONLY)), EROFS);
  const vd = resolvePath(t.walkCtx, t.fs.root, '/sys/devices/system/cpu/online', { follow: true });
  assert.equal(errOf(() => vd.dentry.inode.open(t, vd, O_WRONLY)), EACCES);
  assert.equal(statAt(t, AT_FDCWD, '/sys/devices', true, false).mode, 0o40555);
  const one = fixture({ cpus: 1 });
  assert.equal(readText(one.spawn({ pid: 1 }), '/sys/devices/system/cpu/online'), '0\n');
});
