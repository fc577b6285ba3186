// --strace formatting on a stand-in task: registers, syscall args, and an mm that
// reads from one Uint8Array (EFAULT outside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registers, SYSCALL_ARG_REGS } from '../../dist/tsc/sentry/arch/amd64/registers.js';
import { makeSyscallArgs } from '../../dist/tsc/sentry/kernel/syscall_args.js';
import { EFAULT } from '../../dist/tsc/abi/linux/errno.js';
import { SYS } from '../../dist/tsc/abi/linux/syscalls.js';
import { Strace, installStrace, formatEnter, formatExit } from '../../dist/tsc/sentry/strace/strace.js';
import { quote } from '../../dist/tsc/sentry/strace/text.js';
import { straceEnter, straceExit } from '../../dist/tsc/sentry/kernel/strace_hook.js';

const BASE = 0x10000;
const RAX = 10;

class FakeMM {
  constructor(size = 0x4000) {
    this.mem = new Uint8Array(size);
  }
  copyIn(addr, len) {
    if (addr < BASE || addr + len > BASE + this.mem.length) throw EFAULT;
    return this.mem.slice(addr - BASE, addr - BASE + len);
  }
  put(addr, bytes) {
    this.mem.set(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, addr - BASE);
    return addr;
  }
  cstr(addr, s) {
    return this.put(addr, s + '\0');
  }
  u64(addr, v) {
    new DataView(this.mem.buffer).setBigUint64(addr - BASE, BigInt(v), true);
    return addr;
  }
}

function fakeTask(tid = 12) {
  const regs = new Registers();
  return { tid, regs, args: makeSyscallArgs(regs), mm: new FakeMM(), state: 1, comm: 'test' };
}

function setArgs(t, args) {
  args.forEach((a, i) => t.regs.setBig(SYSCALL_ARG_REGS[i], BigInt.asUintN(64, BigInt(a))));
}

/** One syscall through the formatter: args, then `during` (the kernel's writes), then the result. */
function trace(t, nr, args, result, during = () => {}, filter = null) {
  const f = new Strace(filter, () => {});
  setArgs(t, args);
  const entry = f.enter(t, nr);
  during();
  if (typeof result === 'number' || typeof result === 'bigint') t.regs.setBig(RAX, BigInt.asUintN(64, BigInt(result)));
  return f.exit(t, nr, entry, result);
}

test('openat: AT_FDCWD, quoted path, open flags, fd result', () => {
  const t = fakeTask();
  const p = t.mm.cstr(BASE, '/etc/passwd');
  assert.equal(trace(t, SYS.openat, [-100, p, 0o2000000, 0], 3),
    '[pid    12] openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3');
});

test('openat shows the mode only with O_CREAT', () => {
  const t = fakeTask();
  const p = t.mm.cstr(BASE, 'out.txt');
  assert.equal(trace(t, SYS.openat, [5, p, 0o1101, 0o644], 4),
    '[pid    12] openat(5, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4');
});

test('failed stat: errno name and message, struct left as an address', () => {
  const t = fakeTask(7);
  const p = t.mm.cstr(BASE, '/nonexistent');
  assert.equal(trace(t, SYS.stat, [p, BASE + 0x100], -2),
    '[pid     7] stat("/nonexistent", 0x10100) = -1 ENOENT (No such file or directory)');
});

test('successful newfstatat decodes struct stat at exit', () => {
  const t = fakeTask();
  const p = t.mm.cstr(BASE, 'f');
  const buf = BASE + 0x200;
  const line = trace(t, SYS.newfstatat, [-100, p, buf, 0x100], 0, () => {
    const v = new DataView(t.mm.mem.buffer, buf - BASE, 144);
    v.setUint32(24, 0o100644, true);
    v.setBigInt64(48, 123n, true);
  });
  assert.equal(line,
    '[pid    12] newfstatat(AT_FDCWD, "f", {st_mode=S_IFREG|0644, st_size=123, ...}, AT_SYMLINK_NOFOLLOW) = 0');
});

test('write: buffer escaped like strace at entry', () => {
  const t = fakeTask();
  const b = t.mm.put(BASE, 'hi\n\t"\\\x01\x007\xff');
  assert.equal(trace(t, SYS.write, [1, b, 10], 10),
    '[pid    12] write(1, "hi\\n\\t\\"\\\\\\1\\0007\\377", 10) = 10');
});

test('write: long buffers are cut at 32 bytes with ...', () => {
  const t = fakeTask();
  const b = t.mm.put(BASE, 'a'.repeat(100));
  assert.equal(trace(t, SYS.write, [1, b, 100], 100),
    `[pid    12] write(1, "${'a'.repeat(32)}"..., 100) = 100`);
});

test('read: shows the bytes actually read, at exit', () => {
  const t = fakeTask();
  const b = BASE + 0x400;
  const line = trace(t, SYS.read, [0, b, 4096], 6, () => t.mm.put(b, 'hello\nGARBAGE'));
  assert.equal(line, '[pid    12] read(0, "hello\\n", 4096) = 6');
  assert.equal(trace(t, SYS.read, [0, b, 4096], -11),
    '[pid    12] read(0, 0x10400, 4096) = -1 EAGAIN (Resource temporarily unavailable)');
});

test('mmap: prot and map flags, result in hex', () => {
  const t = fakeTask();
  assert.equal(trace(t, SYS.mmap, [0, 8192, 3, 0x22, -1, 0], 0x7f1234560000),
    '[pid    12] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1234560000');
  assert.equal(trace(t, SYS.mprotect, [0x7f1234560000, 4096, 0], 0),
    '[pid    12] mprotect(0x7f1234560000, 4096, PROT_NONE) = 0');
  assert.equal(trace(t, SYS.brk, [0], 0x555555559000), '[pid    12] brk(NULL) = 0x555555559000');
});

test('a bad pointer prints as its address, never throws', () => {
  const t = fakeTask();
  assert.equal(trace(t, SYS.openat, [-100, 0xdead0000, 0, 0], -14),
    '[pid    12] openat(AT_FDCWD, 0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)');
  assert.equal(trace(t, SYS.write, [1, 0x1234, 5], -14),
    '[pid    12] write(1, 0x1234, 5) = -1 EFAULT (Bad address)');
});

test('exit_group never returns: = ?', () => {
  const t = fakeTask();
  t.state = 3;
  assert.equal(trace(t, SYS.exit_group, [0], null), '[pid    12] exit_group(0) = ?');
});

test('execve: path, first argv strings, env count; success left in rax', () => {
  const t = fakeTask();
  const path = t.mm.cstr(BASE, '/bin/ls');
  const a0 = t.mm.cstr(BASE + 0x20, 'ls');
  const a1 = t.mm.cstr(BASE + 0x28, '-l');
  const e0 = t.mm.cstr(BASE + 0x30, 'PATH=/bin');
  const argv = BASE + 0x100;
  t.mm.u64(argv, a0); t.mm.u64(argv + 8, a1); t.mm.u64(argv + 16, 0);
  const envp = BASE + 0x140;
  t.mm.u64(envp, e0); t.mm.u64(envp + 8, 0);
  const f = new Strace(null, () => {});
  setArgs(t, [path, argv, envp]);
  const entry = f.enter(t, SYS.execve);
  // The new image replaces memory; the line must not depend on it.
  t.mm.mem.fill(0);
  t.regs.setBig(RAX, 0n);
  assert.equal(f.exit(t, SYS.execve, entry, null),
    '[pid    12] execve("/bin/ls", ["ls", "-l"], 0x10140 /* 1 var */) = 0');
});

test('signals, clone flags, futex ops, fcntl results', () => {
  const t = fakeTask();
  assert.equal(trace(t, SYS.kill, [42, 2], 0), '[pid    12] kill(42, SIGINT) = 0');
  assert.equal(trace(t, SYS.clone, [0x1200011, 0, 0, BASE, 0], 13),
    '[pid    12] clone(flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_stack=NULL, ' +
    'parent_tid=NULL, child_tid=0x10000, tls=NULL) = 13');
  assert.equal(trace(t, SYS.futex, [BASE, 0x80, 2, 0, 0, 0], 0),
    '[pid    12] futex(0x10000, FUTEX_WAIT_PRIVATE, 2, NULL) = 0');
  assert.equal(trace(t, SYS.futex, [BASE, 0x81, 1, 0, 0, 0], 1),
    '[pid    12] futex(0x10000, FUTEX_WAKE_PRIVATE, 1) = 1');
  assert.equal(trace(t, SYS.fcntl, [3, 3, 0], 0o100002),
    '[pid    12] fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)');
  assert.equal(trace(t, SYS.fcntl, [3, 2, 1], 0), '[pid    12] fcntl(3, F_SETFD, FD_CLOEXEC) = 0');
  assert.equal(trace(t, SYS.umask, [0o22], 0o22), '[pid    12] umask(022) = 022');
});

test('rt_sigaction and rt_sigprocmask decode sets and handlers', () => {
  const t = fakeTask();
  const act = BASE + 0x100;
  t.mm.u64(act, 0x401000); t.mm.u64(act + 8, 0x04000000 | 0x10000000); t.mm.u64(act + 16, 0x402000);
  t.mm.u64(act + 24, (1n << 1n) | (1n << 14n));
  assert.equal(trace(t, SYS.rt_sigaction, [2, act, 0, 8], 0),
    '[pid    12] rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[INT TERM], ' +
    'sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x402000}, NULL, 8) = 0');
  const set = t.mm.u64(BASE + 0x200, 0xfffffffffffffffen);
  const old = BASE + 0x300;
  assert.equal(trace(t, SYS.rt_sigprocmask, [0, set, old, 8], 0, () => t.mm.u64(old, 0)),
    '[pid    12] rt_sigprocmask(SIG_BLOCK, ~[HUP], [], 8) = 0');
});

test('interrupted and unknown syscalls', () => {
  const t = fakeTask();
  assert.equal(trace(t, SYS.pause, [], -514), '[pid    12] pause() = ? ERESTARTNOHAND (To be restarted if no handler)');
  assert.equal(trace(t, 400, [1, 0, 0xff], -38),
    '[pid    12] syscall_400(0x1, 0, 0xff, 0, 0, 0) = -1 ENOSYS (Function not implemented)');
});

test('sockets: domain, type flags, sockaddr', () => {
  const t = fakeTask();
  assert.equal(trace(t, SYS.socket, [2, 1 | 0o2000000, 6], 3),
    '[pid    12] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3');
  const sa = t.mm.put(BASE, new Uint8Array([2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(trace(t, SYS.connect, [3, sa, 16], -111),
    '[pid    12] connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = ' +
    '-1 ECONNREFUSED (Connection refused)');
  const un = t.mm.put(BASE + 0x100, '\x01\x00/tmp/s\x00');
  assert.equal(trace(t, SYS.bind, [3, un, 9], 0), '[pid    12] bind(3, {sa_family=AF_UNIX, sun_path="/tmp/s"}, 9) = 0');
});

test('pipe2 and wait4 decode outputs at exit', () => {
  const t = fakeTask();
  const fds = BASE + 0x10;
  assert.equal(trace(t, SYS.pipe2, [fds, 0o2000000], 0, () => t.mm.put(fds, new Uint8Array([3, 0, 0, 0, 4, 0, 0, 0]))),
    '[pid    12] pipe2([3, 4], O_CLOEXEC) = 0');
  const st = BASE + 0x20;
  assert.equal(trace(t, SYS.wait4, [-1, st, 0, 0], 13, () => t.mm.put(st, new Uint8Array([0, 1, 0, 0]))),
    '[pid    12] wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 1}], 0, NULL) = 13');
});

test('quote escapes like strace', () => {
  assert.equal(quote('a\x1bb'), '"a\\33b"');
  assert.equal(quote('\x001'), '"\\0001"');
  assert.equal(quote('x'.repeat(40)), `"${'x'.repeat(32)}"...`);
});

test('installStrace: filter and one line per syscall through the kernel hook', () => {
  const lines = [];
  installStrace(new Set(['getpid']), (l) => lines.push(l));
  const t = fakeTask(3);
  setArgs(t, []);
  straceEnter(t, SYS.getuid);
  straceExit(t, SYS.getuid, 0);
  straceEnter(t, SYS.getpid);
  straceExit(t, SYS.getpid, 3);
  assert.deepEqual(lines, ['[pid     3] getpid() = 3']);
});

test('formatEnter/formatExit never throw on a hostile task', () => {
  const t = fakeTask();
  t.mm = { copyIn() { throw new Error('boom'); } };
  for (let nr = 0; nr < 470; nr++) {
    setArgs(t, [0xffffffffffffffffn, 1, 2, 3, 4, 5]);
    const e = formatEnter(t, nr);
    const line = formatExit(t, nr, e, -1);
    assert.match(line, /^\w+\(.*\) = /);
  }
});

// ---- `tsvisor syscalls` (src/runsc/cmd/syscalls.ts) ----

const { syscallRows, renderText, renderMarkdown, compatibilityMarkdown } =
  await import('../../dist/tsc/runsc/cmd/syscalls.js');

function fakeTable() {
  const h = () => 0;
  const table = [];
  table[0] = { nr: 0, name: 'read', handler: h, support: 'full', note: '' };
  table[1] = { nr: 1, name: 'write', handler: h, support: 'partial', note: 'no O_DIRECT | yet' };
  table[2] = { nr: 2, name: 'open', handler: null, support: 'full', note: '' };
  table[101] = { nr: 101, name: 'ptrace', handler: null, support: 'unimplemented', note: 'sandboxed', errno: 1 };
  return table;
}

test('syscall rows: missing entries are unimplemented with ENOSYS, holes skipped', () => {
  const rows = syscallRows(fakeTable());
  const by = new Map(rows.map((r) => [r.nr, r]));
  assert.deepEqual(by.get(0), { nr: 0, name: 'read', support: 'full', note: '', errno: null });
  assert.equal(by.get(2).support, 'unimplemented'); // an entry without a handler cannot be served
  assert.equal(by.get(3).name, 'close');
  assert.equal(by.get(3).errno, 'ENOSYS');
  assert.equal(by.get(101).errno, 'EPERM');
  assert.equal(by.has(400), false); // 335..423 are not syscalls on x86_64
  assert.equal(by.get(469).name, 'file_setattr');
});

test('syscall printers: text summary, markdown escaping, grouped compatibility page', () => {
  const table = fakeTable();
  const text = renderText(syscallRows(table));
  assert.match(text, /^1 +write +partial +no O_DIRECT \| yet$/m);
  assert.match(text, /1 full, 1 partial, \d+ unimplemented/);
  assert.match(renderMarkdown(syscallRows(table)), /\| 1 \| `write` \| partial \| no O_DIRECT \\\| yet \|/);
  const doc = compatibilityMarkdown(table);
  assert.match(doc, /## Fully supported \(1\)/);
  assert.match(doc, /## Partially supported \(1\)/);
  assert.match(doc, /\| 101 \| `ptrace` \| EPERM \| sandboxed \|/);
});
