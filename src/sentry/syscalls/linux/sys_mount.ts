// mount(2), umount2(2), pivot_root(2): changes to the sandbox's mount tree.
// Only the Sentry's own tree changes; nothing reaches the host's mounts.
import { EAGAIN, EBUSY, EINVAL, ENOTDIR, EPERM } from '../../../abi/linux/errno.js';
import { AT_FDCWD } from '../../../abi/linux/fcntl.js';
import { CAP_SYS_ADMIN } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { newFilesystem } from '../../fsimpl/fstypes.js';
import { MNT_FLAGS, MS_NOATIME, MS_RELATIME, Mount, type MountNamespace, type VirtualDentry } from '../../vfs/mount.js';
import { lookupAt, lookupDir } from '../../vfs/ops.js';

const MS_REMOUNT = 0x20;
const MS_STRICTATIME = 1 << 24;
const MS_BIND = 0x1000;
const MS_MOVE = 0x2000;
const MS_REC = 0x4000;
const MS_UNBINDABLE = 1 << 17;
const MS_PRIVATE = 1 << 18;
const MS_SLAVE = 1 << 19;
const MS_SHARED = 1 << 20;
const MS_PROPAGATION = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;
/** Old callers put this magic number in the top 16 bits of flags; Linux drops it. */
const MS_MGC_MSK = 0xffff0000;
const MS_MGC_VAL = 0xc0ed0000;

const MNT_FORCE = 1;
const MNT_DETACH = 2;
const MNT_EXPIRE = 4;
const UMOUNT_NOFOLLOW = 8;

/** Mount roots marked by a first MNT_EXPIRE umount; a second one removes them if still unused. */
const expiring = new WeakSet<Mount>();

function isMountRoot(vd: VirtualDentry): boolean {
  return vd.dentry === vd.mount.root;
}

function optionalString(t: Task, addr: number): string {
  return addr === 0 ? '' : t.mm.readCString(addr, 4095);
}

export function mount(t: Task, [sourceArg, targetArg, typeArg, flagsArg, dataArg]: SyscallArgs): number {
  let flags = flagsArg.uint32();
  if ((flags & MS_MGC_MSK) === MS_MGC_VAL) flags &= ~MS_MGC_MSK;
  const source = optionalString(t, sourceArg.addr());
  const type = optionalString(t, typeArg.addr());
  const data = optionalString(t, dataArg.addr());
  const target = lookupAt(t, AT_FDCWD, t.readPath(targetArg.addr()), true);
  if (!t.creds.hasCap(CAP_SYS_ADMIN)) throw EPERM;
  const ns = t.fs.mntns;
  // Mounts default to relatime unless told otherwise, as in Linux's path_mount.
  if (!(flags & (MS_NOATIME | MS_STRICTATIME))) flags |= MS_RELATIME;
  if (flags & MS_REMOUNT) return remount(target, flags);
  if (flags & MS_BIND) return bindMount(t, ns, source, target, flags);
  if (flags & MS_PROPAGATION) {
    // Propagation types: accepted (one namespace, nothing to propagate to); exactly one type.
    const kinds = flags & MS_PROPAGATION;
    if ((kinds & (kinds - 1)) !== 0 || !isMountRoot(target)) throw EINVAL;
    return 0;
  }
  if (flags & MS_MOVE) return moveMount(t, ns, source, target);
  const fs = newFilesystem(t.kernel, type, data);
  ns.attach(new Mount(fs, fs.root(), flags & MNT_FLAGS, null, null, source || 'none'), target);
  return 0;
}

/** MS_REMOUNT: new per-mount flags (with MS_BIND only those; without, the fs too — ours keep none). */
function remount(target: VirtualDentry, flags: number): number {
  if (!isMountRoot(target)) throw EINVAL;
  target.mount.flags = flags & MNT_FLAGS;
  return 0;
}

/** MS_BIND: the subtree at `source` seen again at `target`; MS_REC brings the mounts below it. */
function bindMount(t: Task, ns: MountNamespace, source: string, target: VirtualDentry, flags: number): number {
  const from = lookupAt(t, AT_FDCWD, source === '' ? '.' : source, true);
  if (from.dentry.inode.isDir() !== target.dentry.inode.isDir()) throw ENOTDIR;
  const copy = (m: Mount, root: VirtualDentry['dentry']): Mount => new Mount(m.fs, root, m.flags, null, null, m.source);
  const top = copy(from.mount, from.dentry);
  ns.attach(top, target);
  if (flags & MS_REC) {
    // Copies of the mounts under the source, attached at the same places in the copy.
    const copies = new Map<Mount, Mount>([[from.mount, top]]);
    for (const m of ns.subtree(from.mount)) {
      if (m === from.mount || m === top || !m.parent || !m.mountpoint) continue;
      const parentCopy = copies.get(m.parent);
      if (!parentCopy) continue;
      if (m.parent === from.mount && !m.mountpoint.isDescendantOf(from.dentry)) continue;
      const c = copy(m, m.root);
      copies.set(m, c);
      ns.attach(c, { mount: parentCopy, dentry: m.mountpoint });
    }
  }
  return 0;
}

/** MS_MOVE: the mount at `source` is attached at `target` instead. */
function moveMount(t: Task, ns: MountNamespace, source: string, target: VirtualDentry): number {
  const from = lookupAt(t, AT_FDCWD, source, true);
  if (!isMountRoot(from) || from.mount === ns.root) throw EINVAL;
  // Not into itself: that would make a loop.
  for (let m: Mount | null = target.mount; m; m = m.parent) if (m === from.mount) throw EINVAL;
  ns.detach(from.mount);
  ns.attach(from.mount, target);
  return 0;
}

/** A mount something still uses: a task's root or cwd, or an open file. */
function inUse(t: Task, mounts: Set<Mount>): boolean {
  for (const task of t.kernel.tasks.values()) {
    if (mounts.has(task.fs.root.mount) || mounts.has(task.fs.cwd.mount)) return true;
    for (const f of task.fdTable.files()) if (f.vd && mounts.has(f.vd.mount)) return true;
  }
  return false;
}

export function umount2(t: Task, [targetArg, flagsArg]: SyscallArgs): number {
  const flags = flagsArg.int32();
  if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) throw EINVAL;
  const target = lookupAt(t, AT_FDCWD, t.readPath(targetArg.addr()), (flags & UMOUNT_NOFOLLOW) === 0);
  if (!t.creds.hasCap(CAP_SYS_ADMIN)) throw EPERM;
  const ns = t.fs.mntns;
  const m = target.mount;
  if (!isMountRoot(target) || !ns.mounts.includes(m)) throw EINVAL;
  if (flags & MNT_EXPIRE && flags & (MNT_FORCE | MNT_DETACH)) throw EINVAL;
  if (m === ns.root) throw flags & MNT_DETACH ? EINVAL : EBUSY;
  if (flags & MNT_DETACH) {
    // Lazy: gone from the tree now; open files keep working on the detached mounts.
    for (const sub of ns.subtree(m).reverse()) ns.detach(sub);
    return 0;
  }
  if (ns.childrenOf(m).length > 0 || inUse(t, new Set([m]))) throw EBUSY;
  if (flags & MNT_EXPIRE && !expiring.has(m)) {
    expiring.add(m);
    throw EAGAIN;
  }
  ns.detach(m);
  return 0;
}

/**
 * pivot_root(2): the mount at new_root becomes the namespace's root and the old root
 * is attached at put_old; tasks whose root or cwd was the old root move to the new one.
 */
export function pivot_root(t: Task, [newRootArg, putOldArg]: SyscallArgs): number {
  if (!t.creds.hasCap(CAP_SYS_ADMIN)) throw EPERM;
  const newRoot = lookupDir(t, AT_FDCWD, t.readPath(newRootArg.addr()));
  const putOld = lookupDir(t, AT_FDCWD, t.readPath(putOldArg.addr()));
  const ns = t.fs.mntns;
  const root = t.fs.root;
  const oldRoot = ns.root;
  if (!isMountRoot(root) || root.mount !== oldRoot) throw EINVAL; // chrooted below a mount root
  if (newRoot.mount === oldRoot || putOld.mount === oldRoot) throw EBUSY;
  if (!isMountRoot(newRoot)) throw EINVAL;
  // put_old must be at or below new_root.
  let below = false;
  for (let m: Mount | null = putOld.mount, d = putOld.dentry; m; d = m.mountpoint!, m = m.parent) {
    if (m === newRoot.mount) {
      below = d.isDescendantOf(newRoot.dentry) || d === newRoot.dentry;
      break;
    }
    if (!m.mountpoint) break;
  }
  if (!below) throw EINVAL;
  const oldVd: VirtualDentry = { mount: oldRoot, dentry: oldRoot.root };
  ns.detach(newRoot.mount);
  ns.setRoot(newRoot.mount);
  ns.attach(oldRoot, putOld);
  const newVd: VirtualDentry = { mount: newRoot.mount, dentry: newRoot.mount.root };
  const same = (a: VirtualDentry): boolean => a.mount === oldVd.mount && a.dentry === oldVd.dentry;
  for (const task of t.kernel.tasks.values()) {
    if (task.fs.mntns !== ns) continue;
    if (same(task.fs.root)) task.fs.root = newVd;
    if (same(task.fs.cwd)) task.fs.cwd = newVd;
  }
  return 0;
}
