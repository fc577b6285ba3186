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
/** Per-mount flags (the rest of a mount(2) flags word is per file system or an operation). */
export const MNT_FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;

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

/** Namespace inode numbers start where Linux's initial namespaces sit (PROC_*_INIT_INO). */
let nextNamespaceIno = 4026531841;

export class MountNamespace {
  /** Shown as mnt:[ino] in /proc/<pid>/ns/mnt. */
  readonly ino = nextNamespaceIno++;
  /** Mounts by (parent mount, mountpoint dentry). */
  private readonly children = new Map<Mount, Map<Dentry, Mount>>();
  readonly mounts: Mount[] = [];

  constructor(public root: Mount) {
    this.mounts.push(root);
  }

  /** pivot_root: `m`, already detached from its parent, becomes the namespace root. */
  setRoot(m: Mount): void {
    this.root = m;
    if (!this.mounts.includes(m)) this.mounts.push(m);
  }

  /**
   * CLONE_NEWNS: a new namespace with a copy of every mount (same file systems and
   * roots), and the old-to-new map so callers can move their root and cwd over.
   */
  copy(): { ns: MountNamespace; map: Map<Mount, Mount> } {
    const map = new Map<Mount, Mount>();
    const dup = (m: Mount): Mount => new Mount(m.fs, m.root, m.flags, null, null, m.source);
    const ns = new MountNamespace(dup(this.root));
    map.set(this.root, ns.root);
    for (const m of this.subtree(this.root)) {
      if (m === this.root || !m.parent || !m.mountpoint) continue;
      const parent = map.get(m.parent);
      if (!parent) continue;
      const c = dup(m);
      map.set(m, c);
      ns.attachExactly(c, parent, m.mountpoint);
    }
    return { ns, map };
  }

  /** Attaches `m` at (parent, mountpoint) without following mounts stacked there. */
  private attachExactly(m: Mount, parent: Mount, mountpoint: Dentry): void {
    m.parent = parent;
    m.mountpoint = mountpoint;
    let byDentry = this.children.get(parent);
    if (!byDentry) this.children.set(parent, (byDentry = new Map()));
    byDentry.set(mountpoint, m);
    mountpoint.mountCount++;
    this.mounts.push(m);
  }

  /** Mounts attached directly on `m`. */
  childrenOf(m: Mount): Mount[] {
    return [...(this.children.get(m)?.values() ?? [])];
  }

  /** `m` and every mount below it, parents before children. */
  subtree(m: Mount): Mount[] {
    const out = [m];
    for (let i = 0; i < out.length; i++) out.push(...this.childrenOf(out[i]!));
    return out;
  }

  rootVd(): VirtualDentry {
    return { mount: this.root, dentry: this.root.root };
  }

  /** Attaches `m` at vd (stacking on top of what is mounted there). */
  attach(m: Mount, at: VirtualDentry): void {
    const top = this.topOf(at);
    this.attachExactly(m, top.mount, top.dentry);
  }

  detach(m: Mount): void {
    if (!m.parent || !m.mountpoint) return;
    this.children.get(m.parent)?.delete(m.mountpoint);
    m.mountpoint.mountCount--;
    const i = this.mounts.indexOf(m);
    if (i >= 0) this.mounts.splice(i, 1);
    m.parent = null;
    m.mountpoint = null;
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
