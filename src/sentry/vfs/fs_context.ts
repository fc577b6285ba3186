// Per-task file system context (Linux's fs_struct): root, cwd, umask, namespace.
import type { MountNamespace, VirtualDentry } from './mount.js';

export class FsContext {
  constructor(
    public mntns: MountNamespace,
    public root: VirtualDentry,
    public cwd: VirtualDentry,
    public umask = 0o022,
  ) {}

  /** Absolute path of vd as this task sees it (chroot-relative). */
  pathOf(vd: VirtualDentry): string {
    const p = this.mntns.pathOf(vd, this.root);
    return vd.dentry.deleted && vd.dentry !== vd.mount.root ? `${p} (deleted)` : p;
  }

  /** CLONE_NEWNS / unshare(CLONE_NEWNS): a private copy of the mount tree; root and cwd move into it. */
  unshareMounts(): void {
    const { ns, map } = this.mntns.copy();
    const move = (vd: VirtualDentry): VirtualDentry => ({ mount: map.get(vd.mount) ?? vd.mount, dentry: vd.dentry });
    this.mntns = ns;
    this.root = move(this.root);
    this.cwd = move(this.cwd);
  }

  clone(): FsContext {
    return new FsContext(this.mntns, this.root, this.cwd, this.umask);
  }
}
