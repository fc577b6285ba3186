// Shared fixtures for the VFS tests (vfs_path, vfs_ops, tmpfs, overlay, pipe): a
// real Kernel with a fake platform and memory file, a tmpfs root mounted in a real
// MountNamespace, and real Tasks whose only job is to carry credentials, an
// FsContext and an FdTable into the VFS. No host process, no memory file, no ptrace.
import assert from 'node:assert/strict';
import { Kernel } from '../../dist/tsc/sentry/kernel/kernel.js';
import { Task } from '../../dist/tsc/sentry/kernel/task.js';
import { ThreadGroup } from '../../dist/tsc/sentry/kernel/thread_group.js';
import { Credentials } from '../../dist/tsc/sentry/kernel/credentials.js';
import { Limits } from '../../dist/tsc/sentry/kernel/limits.js';
import { SignalHandlers } from '../../dist/tsc/sentry/kernel/signal_handlers.js';
import { FdTable } from '../../dist/tsc/sentry/vfs/fd_table.js';
import { FsContext } from '../../dist/tsc/sentry/vfs/fs_context.js';
import { Mount, MountNamespace } from '../../dist/tsc/sentry/vfs/mount.js';
import { mkdirAt, openAt } from '../../dist/tsc/sentry/vfs/ops.js';
import { resolvePath } from '../../dist/tsc/sentry/vfs/path.js';
import { TmpfsFilesystem } from '../../dist/tsc/sentry/fsimpl/tmpfs/tmpfs.js';
import { SysError } from '../../dist/tsc/abi/linux/errno.js';
import { O_CREAT, O_DIRECTORY, O_RDONLY, O_WRONLY } from '../../dist/tsc/abi/linux/fcntl.js';

export const AT_FDCWD = -100;

export { Credentials };

/** A Kernel that never runs anything: the VFS only needs it to exist. */
export function makeKernel() {
  return new Kernel({
    platform: {}, memoryFile: { allocated: 0 }, syscalls: {}, hostname: 'sandbox', strace: false,
    straceSyscalls: null, cpus: 2, totalMemory: 1 << 30,
  });
}

let nextPid = 100;

/**
 * A mount namespace whose root is `rootFs` (default: a fresh tmpfs, mode 0755),
 * and a factory for tasks living in it.
 */
export function makeWorld({ rootFs = new TmpfsFilesystem({ mode: 0o755 }), rootFlags = 0, umask = 0o022 } = {}) {
  const kernel = makeKernel();
  const rootMount = new Mount(rootFs, rootFs.root(), rootFlags, null, null, 'rootfs');
  const mntns = new MountNamespace(rootMount);
  kernel.mntns = mntns;
  const world = {
    kernel,
    rootFs,
    rootMount,
    mntns,
    /** A task with these credentials, cwd and root at the namespace root. */
    task(creds = Credentials.root()) {
      const pid = nextPid++;
      const tg = new ThreadGroup(pid, null, new SignalHandlers(), new Limits(), pid, pid);
      const root = mntns.rootVd();
      const fs = new FsContext(mntns, root, root, umask);
      // No address space: these tests never read paths or buffers from app memory.
      const t = new Task(kernel, pid, pid, tg, /* mm */ null, new FdTable(), fs, creds);
      tg.addTask(t);
      return t;
    },
  };
  world.root = world.task();
  return world;
}

/** Attaches `fs` (or a bind of `rootDentry`) at the existing directory `path`. */
export function mountAt(world, path, fs, { flags = 0, rootDentry = fs.root(), source = 'none' } = {}) {
  const vd = lookup(world.root, path);
  const m = new Mount(fs, rootDentry, flags, null, null, source);
  world.mntns.attach(m, vd);
  return m;
}

/** A user's credentials (no capabilities). */
export function user(uid, gid = uid, groups = []) {
  return Credentials.user(uid, gid, groups);
}

// ---- errors ----

/** What fn throws (null when it returns). */
export function errOf(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

/** Asserts fn fails with exactly this errno singleton. */
export function assertErrno(fn, errno, message) {
  const e = errOf(fn);
  const show = (x) => (x instanceof SysError ? x.name : x === null ? 'success' : String(x));
  assert.ok(e === errno, `${message ? message + ': ' : ''}expected ${show(errno)}, got ${show(e)}`);
}

// ---- bytes ----

export const enc = (s) => new Uint8Array(Buffer.from(s, 'latin1'));
export const dec = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString('latin1');

// ---- VFS shortcuts (AT_FDCWD, paths relative to the task's cwd) ----

export function open(t, path, flags = O_RDONLY, mode = 0o644, resolve = 0) {
  return openAt(t, AT_FDCWD, path, { flags, mode, resolve });
}

export function mkdir(t, path, mode = 0o755) {
  mkdirAt(t, AT_FDCWD, path, mode);
}

/** Resolves path (following symlinks) to a VirtualDentry. */
export function lookup(t, path, follow = true) {
  return resolvePath(t.walkCtx, t.startFor(AT_FDCWD, path), path, { follow });
}

/** Creates (or truncates) a file holding `text` and closes it. */
export function writeFile(t, path, text, mode = 0o644) {
  const f = open(t, path, O_WRONLY | O_CREAT | 0o1000 /* O_TRUNC */, mode);
  try {
    if (text.length > 0) f.write(t, [enc(text)], -1);
  } finally {
    f.decRef();
  }
}

/** Reads up to n bytes at the file position (or at off). */
export function readN(f, t, n, off = -1) {
  const buf = new Uint8Array(n);
  const got = f.read(t, [buf], off);
  return buf.subarray(0, got);
}

/** The whole content of an open file from offset 0. */
export function readAllFrom(f, t) {
  const parts = [];
  for (let off = 0; ; ) {
    const b = readN(f, t, 65536, off);
    if (b.length === 0) break;
    parts.push(dec(b));
    off += b.length;
  }
  return parts.join('');
}

/** Opens path read-only and returns its content as latin1 text. */
export function readFile(t, path) {
  const f = open(t, path, O_RDONLY);
  try {
    return readAllFrom(f, t);
  } finally {
    f.decRef();
  }
}

/** Names in a directory (without "." and ".."), sorted, read through getdents' path. */
export function listDir(t, path) {
  const f = open(t, path, O_RDONLY | O_DIRECTORY);
  try {
    const names = [];
    f.iterateDir(t, (e) => {
      if (e.name !== '.' && e.name !== '..') names.push(e.name);
      return true;
    });
    return names.sort();
  } finally {
    f.decRef();
  }
}
