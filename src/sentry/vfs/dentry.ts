// Dentries: the name cache (Linux's struct dentry). A dentry names an inode within
// its parent; mount points are dentries with a mount on top (see MountNamespace).
import type { Inode } from './inode.js';

export class Dentry {
  private children: Map<string, Dentry> | null = null;
  /** Unlinked while still in use (open files, cwd). */
  deleted = false;
  /** Number of mounts on this dentry (any namespace). */
  mountCount = 0;

  constructor(
    public name: string,
    public parent: Dentry | null,
    public inode: Inode,
  ) {}

  /** Cached child or null; no file system call. */
  cached(name: string): Dentry | null {
    return this.children?.get(name) ?? null;
  }

  /** Looks up `name`, using the cache first. Returns null if it does not exist. */
  lookup(name: string): Dentry | null {
    const c = this.children?.get(name);
    if (c && !this.inode.fs.revalidates) return c;
    const inode = this.inode.lookup(name);
    if (!inode) {
      if (c) this.drop(name);
      return null;
    }
    if (c && c.inode === inode) return c;
    const d = new Dentry(name, this, inode);
    (this.children ??= new Map()).set(name, d);
    if (c) {
      // The file changed behind our back: keep mounts attached to the old dentry working.
      c.deleted = true;
    }
    return d;
  }

  /** Records a new child (after create/mkdir/...). */
  add(name: string, inode: Inode): Dentry {
    const d = new Dentry(name, this, inode);
    (this.children ??= new Map()).set(name, d);
    return d;
  }

  /** Forgets a child (after unlink/rmdir/rename). */
  drop(name: string): Dentry | null {
    const d = this.children?.get(name) ?? null;
    if (d) {
      this.children!.delete(name);
      d.deleted = true;
    }
    return d;
  }

  /** Moves a cached child to a new parent/name (rename). */
  move(oldName: string, newParent: Dentry, newName: string): void {
    const d = this.children?.get(oldName);
    newParent.drop(newName);
    if (!d) return;
    this.children!.delete(oldName);
    d.name = newName;
    d.parent = newParent;
    (newParent.children ??= new Map()).set(newName, d);
  }

  /** RENAME_EXCHANGE: `a` of this directory and `b` of `other` trade places. */
  exchange(a: string, other: Dentry, b: string): void {
    const da = this.children?.get(a) ?? null;
    const db = other.children?.get(b) ?? null;
    this.children?.delete(a);
    other.children?.delete(b);
    if (db) {
      db.name = a;
      db.parent = this;
      (this.children ??= new Map()).set(a, db);
    }
    if (da) {
      da.name = b;
      da.parent = other;
      (other.children ??= new Map()).set(b, da);
    }
  }

  /** True if this dentry is `other` or below it. */
  isDescendantOf(other: Dentry): boolean {
    for (let d: Dentry | null = this; d; d = d.parent) if (d === other) return true;
    return false;
  }
}
