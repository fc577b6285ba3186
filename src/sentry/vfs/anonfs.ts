// Anonymous file systems (pipefs, anon_inodefs, sockfs): files with no path, whose
// descriptions still need a dentry and mount (for fstat, /proc/<pid>/fd).
import { Dentry } from './dentry.js';
import { Filesystem, anonDev } from './filesystem.js';
import type { Inode } from './inode.js';
import { Mount, type VirtualDentry } from './mount.js';

export class AnonFilesystem extends Filesystem {
  readonly dev = anonDev();
  private readonly rootDentry: Dentry;
  readonly mount: Mount;

  constructor(
    readonly name: string,
    rootInode: (fs: AnonFilesystem) => Inode,
  ) {
    super();
    this.rootDentry = new Dentry('/', null, rootInode(this));
    this.mount = new Mount(this, this.rootDentry, 0, null, null, name);
  }

  root(): Dentry {
    return this.rootDentry;
  }

  /** A detached dentry for a new anonymous inode. */
  vdFor(name: string, inode: Inode): VirtualDentry {
    return { mount: this.mount, dentry: new Dentry(name, this.rootDentry, inode) };
  }
}
