// The Node event loop keeps running while an application thread computes
// (DESIGN.md §5): the watcher kicks the busy stub, the scheduler yields, timers fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/run.mjs';

const D = join(ROOT, 'dist', 'tsc');

test('timers fire while the app computes; the app still finishes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-preempt-'));
  try {
    const src = join(dir, 'spin.c');
    // ~0.6 s of pure computation, no syscalls, then exit(0).
    writeFileSync(src, 'int main(){ volatile unsigned long x = 0; for (unsigned long i = 0; i < 600000000UL; i++) x += i; return x == 1; }\n');
    const bin = join(dir, 'spin');
    execFileSync('gcc', ['-O0', '-static', '-o', bin, src]);

    const { MemoryFile, PLATFORM_SCRATCH_OFFSET } = await import(`${D}/sentry/pgalloc/memory_file.js`);
    const { PtracePlatform } = await import(`${D}/sentry/platform/ptrace/ptrace.js`);
    const { Kernel } = await import(`${D}/sentry/kernel/kernel.js`);
    const { linuxSyscallTable } = await import(`${D}/sentry/syscalls/linux/table.js`);
    const { TmpfsFilesystem } = await import(`${D}/sentry/fsimpl/tmpfs/tmpfs.js`);
    const { Mount, MountNamespace } = await import(`${D}/sentry/vfs/mount.js`);
    const { FsContext } = await import(`${D}/sentry/vfs/fs_context.js`);
    const { Credentials } = await import(`${D}/sentry/kernel/credentials.js`);
    const { startInit } = await import(`${D}/sentry/kernel/process.js`);

    const mf = new MemoryFile();
    const platform = new PtracePlatform(mf.fd, PLATFORM_SCRATCH_OFFSET);
    const k = new Kernel({ platform, memoryFile: mf, syscalls: linuxSyscallTable, hostname: 't', strace: false,
      straceSyscalls: null, cpus: 1, totalMemory: 2 ** 30 });
    const fs = new TmpfsFilesystem();
    const f = fs.root().inode.create('spin', { mode: 0o100755, uid: 0, gid: 0 });
    f.writeAt([readFileSync(bin)], 0);
    const ns = new MountNamespace(new Mount(fs, fs.root(), 0));
    k.mntns = ns;
    const kicksBefore = platform.kicks();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    startInit(k, { path: '/spin', argv: ['spin'], envp: [], fs: new FsContext(ns, ns.rootVd(), ns.rootVd()),
      creds: Credentials.root(), files: [] });
    const status = await k.exited;
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    assert.equal(status, 0, 'exit status 0');
    assert.ok(elapsed > 200, `the program computed for a while (${elapsed.toFixed(0)} ms)`);
    // A 10 ms interval over the run: expect most of the ticks (the VM is noisy: half is plenty).
    assert.ok(ticks >= (elapsed / 10) / 2, `${ticks} timer ticks in ${elapsed.toFixed(0)} ms`);
    assert.ok(platform.kicks() > kicksBefore, 'the watcher kicked the busy thread');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
