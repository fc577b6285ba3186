// /dev: the device nodes newDevFilesystem creates, mknod through the device table,
// and the /proc/self/fd aliases, driven through the real VFS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../dist/tsc/sentry/kernel/kernel.js';
import { Task } from '../../dist/tsc/sentry/kernel/task.js';
import { ThreadGroup } from '../../dist/tsc/sentry/kernel/thread_group.js';
import { Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { Limits } from '../../dist/tsc/sentry/kernel/limits.js';
import { SignalHandlers } from '../../dist/tsc/sentry/kernel/signal_handlers.js';
import { MemoryManager } from '../../dist/tsc/sentry/mm/mm.js';
import { FdTable } from '../../dist/tsc/sentry/vfs/fd_table.js';
import { FsContext } from '../../dist/tsc/sentry/vfs/fs_context.js';
import { Mount, MountNamespace } from '../../dist/tsc/sentry/vfs/mount.js';
import { mknodAt, openAt, readlinkAt, statAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { resolvePath } from '../../dist/tsc/sentry/vfs/path.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { newProcFilesystem } from '../../dist/tsc/sentry/fsimpl/proc/procfs.js';
import { devSpecialInode, newDevFilesystem, registerCharDevice } from '../../dist/tsc/sentry/fsimpl/dev/devfs.js';
import { PathDescription } from '../../dist/tsc/sentry/vfs/file.js';
import { ENOENT, ENOSPC, ENXIO } from '../../dist/tsc/abi/linux/errno.js';
import { O_RDONLY, O_RDWR, O_WRONLY, O_DIRECTORY } from '../../dist/tsc/abi/linux/fcntl.js';
import { S_IFCHR, S_IFBLK, S_IFSOCK, makedev } from '../../dist/tsc/abi/linux/stat.js';

const AT_FDCWD = -100;

function fixture() {
  const kernel = new Kernel({
    platform: {}, memoryFile: { allocated: 0 }, syscalls: {}, hostname: 'sandbox', strace: false,
    straceSyscalls: null, cpus: 2, totalMemory: 1 << 30,
  });
  const rootFs = new TmpfsFilesystem({ mode: 0o755 });
  const rootMount = new Mount(rootFs, rootFs.root(), 0, null, null, 'rootfs');
  const mntns = new MountNamespace(rootMount);
  kernel.mntns = mntns;
  const mountAt = (name, fs) => {
    const d = rootFs.root().add(name, rootFs.root().inode.mkdir(name, { mode: 0o40755, uid: 0, gid: 0 }));
    mntns.attach(new Mount(fs, fs.root(), 0, null, null, name), { mount: rootMount, dentry: d });
  };
  const devFs = newDevFilesystem(kernel);
  mountAt('proc', newProcFilesystem(kernel));
  mountAt('dev', devFs);
  const tg = new ThreadGroup(1, null, new SignalHandlers(), new Limits(), 1, 1);
  const mm = new MemoryManager(kernel.mf, { pid: 1, release() {} }, 2 ** 47);
  const fs = new FsContext(mntns, mntns.rootVd(), mntns.rootVd());
  const t = new Task(kernel, 1, 1, tg, mm, new FdTable(), fs, Credentials.root());
  tg.addTask(t);
  kernel.registerTask(t);
  kernel.threadGroups.set(1, tg);
  return { kernel, t, devFs };
}

const open = (t, path, flags = O_RDONLY) => openAt(t, AT_FDCWD, path, { flags, mode: 0 });

function errOf(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

test('/dev lists the standard nodes and nothing of the host', () => {
  const { t } = fixture();
  const f = open(t, '/dev', O_RDONLY | O_DIRECTORY);
  const names = [];
  f.iterateDir(t, (e) => {
    names.push(e.name);
    return true;
  });
  assert.deepEqual(names.sort(), ['.', '..', 'console', 'fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random',
    'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'].sort());
  assert.equal(errOf(() => statAt(t, AT_FDCWD, '/dev/net/tun', true, false)), ENOENT);
  assert.equal(errOf(() => statAt(t, AT_FDCWD, '/dev/core', true, false)), ENOENT);
  const st = statAt(t, AT_FDCWD, '/dev/null', true, false);
  assert.equal(st.mode, S_IFCHR | 0o666);
  assert.equal(st.rdev, makedev(1, 3));
  assert.equal(statAt(t, AT_FDCWD, '/dev/urandom', true, false).rdev, makedev(1, 9));
  assert.equal(statAt(t, AT_FDCWD, '/dev/tty', true, false).rdev, makedev(5, 0));
  assert.equal(statAt(t, AT_FDCWD, '/dev/console', true, false).mode, S_IFCHR | 0o600);
  assert.equal(statAt(t, AT_FDCWD, '/dev/shm', true, false).mode, 0o41777);
  assert.equal(statAt(t, AT_FDCWD, '/dev/pts', true, false).mode, 0o40755);
  assert.equal(statAt(t, AT_FDCWD, '/dev', true, false).mode, 0o40755);
});

test('symlinks point through /proc/self/fd', () => {
  const { t } = fixture();
  assert.equal(readlinkAt(t, AT_FDCWD, '/dev/fd', false), '/proc/self/fd');
  assert.equal(readlinkAt(t, AT_FDCWD, '/dev/stdin', false), '/proc/self/fd/0');
  assert.equal(readlinkAt(t, AT_FDCWD, '/dev/stdout', false), '/proc/self/fd/1');
  assert.equal(readlinkAt(t, AT_FDCWD, '/dev/stderr', false), '/proc/self/fd/2');
  assert.equal(readlinkAt(t, AT_FDCWD, '/dev/ptmx', false), 'pts/ptmx');
  const zero = open(t, '/dev/zero');
  t.fdTable.add(zero, false, 1024);
  const fd = resolvePath(t.walkCtx, t.fs.root, '/dev/fd/0', { follow: true });
  assert.equal(fd.dentry, zero.vd.dentry);
  assert.equal(errOf(() => open(t, '/dev/stdout')), ENOENT);
});

test('/dev/null reads nothing and swallows writes', () => {
  const { t } = fixture();
  const f = open(t, '/dev/null', O_RDWR);
  const buf = new Uint8Array(16).fill(7);
  assert.equal(f.read(t, [buf], -1), 0);
  assert.equal(f.write(t, [new Uint8Array(100), new Uint8Array(28)], -1), 128);
  assert.equal(f.seek(100, 0), 0);
  assert.equal(buf[0], 7);
});

test('/dev/zero reads zeros and maps zero pages', () => {
  const { t } = fixture();
  const f = open(t, '/dev/zero', O_RDWR);
  const a = new Uint8Array(4096).fill(0xff);
  const b = new Uint8Array(10).fill(0xff);
  assert.equal(f.read(t, [a, b], -1), 4106);
  assert.ok(a.every((x) => x === 0) && b.every((x) => x === 0));
  assert.equal(f.write(t, [new Uint8Array(5)], -1), 5);
  const m = f.mapping();
  const page = new Uint8Array(4096).fill(1);
  m.readAt(page, 8192);
  assert.ok(page.every((x) => x === 0));
  assert.equal(m.name, '/dev/zero (deleted)', 'shared /dev/zero maps are named like Linux shows them');
});

test('/dev/full reads zeros and fails writes with ENOSPC', () => {
  const { t } = fixture();
  const f = open(t, '/dev/full', O_RDWR);
  const a = new Uint8Array(8).fill(3);
  assert.equal(f.read(t, [a], -1), 8);
  assert.ok(a.every((x) => x === 0));
  assert.equal(errOf(() => f.write(t, [new Uint8Array(1)], -1)), ENOSPC);
});

test('/dev/urandom and /dev/random return fresh random bytes', () => {
  const { t } = fixture();
  for (const path of ['/dev/urandom', '/dev/random']) {
    const f = open(t, path);
    const a = new Uint8Array(64);
    const b = new Uint8Array(64);
    assert.equal(f.read(t, [a], -1), 64);
    assert.equal(f.read(t, [b], -1), 64);
    assert.notDeepEqual(a, b);
    assert.ok(a.some((x) => x !== 0));
    // Writing is allowed (it would stir the pool).
    const w = open(t, path, O_WRONLY);
    assert.equal(w.write(t, [new Uint8Array(3)], -1), 3);
  }
});

test('/dev/tty opens the controlling terminal, ENXIO without one', () => {
  const { t, kernel } = fixture();
  assert.equal(errOf(() => open(t, '/dev/tty', O_RDWR)), ENXIO);
  assert.equal(errOf(() => open(t, '/dev/console', O_RDWR)), ENXIO);
  let seen = null;
  kernel.controllingTty = (task, vd, flags) => {
    seen = { task, flags };
    return new PathDescription(vd, flags);
  };
  const f = open(t, '/dev/tty', O_RDWR);
  assert.equal(seen.task, t);
  assert.equal(seen.flags & 3, O_RDWR);
  assert.equal(f.vd.dentry.name, 'tty');
});

test('mknod makes working device nodes; unknown numbers give ENXIO', () => {
  const { t } = fixture();
  mknodAt(t, AT_FDCWD, '/dev/null2', S_IFCHR | 0o666, makedev(1, 3));
  const f = open(t, '/dev/null2', O_RDWR);
  assert.equal(f.read(t, [new Uint8Array(4)], -1), 0);
  assert.equal(f.write(t, [new Uint8Array(4)], -1), 4);
  assert.equal(statAt(t, AT_FDCWD, '/dev/null2', true, false).rdev, makedev(1, 3));
  mknodAt(t, AT_FDCWD, '/dev/weird', S_IFCHR | 0o600, makedev(10, 200));
  assert.equal(errOf(() => open(t, '/dev/weird', O_RDWR)), ENXIO);
  mknodAt(t, AT_FDCWD, '/dev/sda', S_IFBLK | 0o600, makedev(8, 0));
  assert.equal(errOf(() => open(t, '/dev/sda')), ENXIO);
  mknodAt(t, AT_FDCWD, '/dev/sock', S_IFSOCK | 0o600, 0n);
  assert.equal(errOf(() => open(t, '/dev/sock')), ENXIO);
  // A driver registered later serves nodes made before.
  registerCharDevice(10, 200, { open: (task, vd, flags) => new PathDescription(vd, flags) });
  assert.equal(open(t, '/dev/weird', O_RDWR).vd.dentry.name, 'weird');
});

test('devSpecialInode makes device nodes in any tmpfs', () => {
  const { t } = fixture();
  const fs = new TmpfsFilesystem();
  fs.special = devSpecialInode;
  const inode = fs.root().inode.mknod('z', { mode: S_IFCHR | 0o666, uid: 0, gid: 0, rdev: makedev(1, 5) });
  const vd = { mount: new Mount(fs, fs.root(), 0), dentry: fs.root().add('z', inode) };
  const f = inode.open(t, vd, O_RDONLY);
  const b = new Uint8Array(3).fill(9);
  assert.equal(f.read(t, [b], -1), 3);
  assert.deepEqual([...b], [0, 0, 0]);
});
