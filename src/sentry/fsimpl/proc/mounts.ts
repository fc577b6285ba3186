// /proc/<pid>/mounts and mountinfo (fs/proc_namespace.c): the task's mount
// namespace as seen from its root; mounts outside that root are not shown.
import { major, minor } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import type { Dentry } from '../../vfs/dentry.js';
import {
  MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_RELATIME, type Mount, type VirtualDentry,
} from '../../vfs/mount.js';
import { mangle } from './format.js';

/** True when the root of `m` is reachable from `root` (seq_path_root succeeds). */
function visibleFrom(m: Mount, root: VirtualDentry): boolean {
  let mount: Mount = m;
  let dentry: Dentry = m.root;
  for (let guard = 0; guard < 4096; guard++) {
    if (mount === root.mount) return dentry.isDescendantOf(root.dentry);
    if (!mount.parent || !mount.mountpoint) return false;
    dentry = mount.mountpoint;
    mount = mount.parent;
  }
  return false;
}

/** Per-mount options (show_mnt_opts). */
function mountFlags(m: Mount): string {
  let s = m.readOnly ? 'ro' : 'rw';
  const opts: [number, string][] = [
    [MS_NOSUID, 'nosuid'], [MS_NODEV, 'nodev'], [MS_NOEXEC, 'noexec'], [MS_NOATIME, 'noatime'],
    [MS_NODIRATIME, 'nodiratime'], [MS_RELATIME, 'relatime'],
  ];
  for (const [bit, name] of opts) if (m.flags & bit) s += `,${name}`;
  return s;
}

/** File-system options with a leading comma, or "". */
function fsOptions(m: Mount): string {
  const o = m.fs.mountOptions().replace(/^,+/, '');
  return o ? `,${o}` : '';
}

/** Path of a dentry within its file system ("/" for the root). */
function pathInFs(d: Dentry): string {
  const parts: string[] = [];
  for (let cur: Dentry | null = d; cur && cur.parent; cur = cur.parent) parts.push(cur.name);
  return '/' + parts.reverse().join('/');
}

function visibleMounts(task: Task): { m: Mount; path: string }[] {
  const ns = task.fs.mntns;
  const root = task.fs.root;
  const out: { m: Mount; path: string }[] = [];
  for (const m of ns.mounts) {
    if (!visibleFrom(m, root)) continue;
    out.push({ m, path: ns.pathOf({ mount: m, dentry: m.root }, root) });
  }
  return out;
}

/** /proc/<pid>/mounts (show_vfsmnt). */
export function mountsText(task: Task): string {
  let s = '';
  for (const { m, path } of visibleMounts(task)) {
    s += `${mangle(m.source)} ${mangle(path)} ${m.fs.name} ${mountFlags(m)}${fsOptions(m)} 0 0\n`;
  }
  return s;
}

/** /proc/<pid>/mountinfo (show_mountinfo). */
export function mountinfoText(task: Task): string {
  let s = '';
  for (const { m, path } of visibleMounts(task)) {
    const parent = m.parent ? m.parent.id : m.id;
    const dev = `${major(m.fs.dev)}:${minor(m.fs.dev)}`;
    s += `${m.id} ${parent} ${dev} ${mangle(pathInFs(m.root))} ${mangle(path)} ${mountFlags(m)} - ` +
      `${m.fs.name} ${mangle(m.source)} ${m.readOnly ? 'ro' : 'rw'}${fsOptions(m)}\n`;
  }
  return s;
}
