// Mounts and mount namespaces (Linux's struct mount / mnt_namespace).
import type { Dentry } from './dentry.js';
import type { Filesystem } from './filesystem.js';

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_RELATIME = 1 << 21;

let nextMountId = 1;

export class Mount {
  readonly id = nextMountId++;

  constructor(
    readonly fs: Filesystem,
    /** Root of this mount within fs (a bind mount may start below fs.root()). */
    readonly root: Dentry,
    public flags: number,
    /** Where this mount is attached; null for a namespace root. */
    public parent: Mount | null = null,
    public mountpoint: Dentry | null = null,
    /** Source shown in /proc/mounts. */
    readonly source = 'none',
  ) {}

  get readOnly(): boolean {
    return (this.flags & MS_RDONLY) !== 0;
  }
}

/** A location in the VFS: a dentry as seen through a mount. */
export interface VirtualDentry {
  mount: Mount;
  dentry: Dentry;
}

export class MountNamespace {
  /** Mounts by (parent mount, mountpoint dentry). */
  private readonly children = new Map<Mount, Map<Dentry, Mount>>();
  readonly mounts: Mount[] = [];

  constructor(readonly root: Mount) {
    this.mounts.push(root);
  }

  rootVd(): VirtualDentry {
    return { mount: this.root, dentry: this.root.root };
  }

  /** Attaches `m` at vd (stacking on top of what is mounted there). */
  attach(m: Mount, at: VirtualDentry): void {
    const top = this.topOf(at);
    m.parent = top.mount;
    m.mountpoint = top.dentry;
    let byDentry = this.children.get(top.mount);
    if (!byDentry) this.children.set(top.mount, (byDentry = new Map()));
    byDentry.set(top.dentry, m);
    top.dentry.mountCount++;
    this.mounts.push(m);
  }

  detach(m: Mount): void {
    if (!m.parent || !m.mountpoint) return;
    this.children.get(m.parent)?.delete(m.mountpoint);
    m.mountpoint.mountCount--;
    const i = this.mounts.indexOf(m);
    if (i >= 0) this.mounts.splice(i, 1);
  }

  /** The mount attached at exactly this location, if any. */
  mountAt(vd: VirtualDentry): Mount | null {
    if (vd.dentry.mountCount === 0) return null;
    return this.children.get(vd.mount)?.get(vd.dentry) ?? null;
  }

  /** Follows mounts stacked on vd down to the top-most one (path walk into a mount point). */
  topOf(vd: VirtualDentry): VirtualDentry {
    let cur = vd;
    for (;;) {
      const m = this.mountAt(cur);
      if (!m) return cur;
      cur = { mount: m, dentry: m.root };
    }
  }

  /** Mounts below `m` (for umount checks). */
  hasChildren(m: Mount): boolean {
    const c = this.children.get(m);
    return !!c && c.size > 0;
  }

  /** Absolute path of vd as seen from `root` (for getcwd, /proc, d_path). */
  pathOf(vd: VirtualDentry, root: VirtualDentry = this.rootVd()): string {
    const parts: string[] = [];
    let { mount, dentry } = vd;
    for (let guard = 0; guard < 4096; guard++) {
      if (dentry === root.dentry && mount === root.mount) break;
      if (dentry === mount.root) {
        if (!mount.parent || !mount.mountpoint) break; // namespace root (or outside `root`)
        dentry = mount.mountpoint;
        mount = mount.parent;
        continue;
      }
      parts.push(dentry.name);
      if (!dentry.parent) break;
      dentry = dentry.parent;
    }
    return '/' + parts.reverse().join('/');
  }
}
