// The gofer file system: host files served with the gofer's rules (runsc's "9p"
// mounts), either by the gofer process over lisafs or, with directfs, by the same
// handlers in-process on a donated root fd (lisafs/file_server.ts). Metadata comes
// once per path component (the dentry cache keeps it); file data flows through host fds.
import { S_IFMT } from '../../../abi/linux/stat.js';
import type { FileServer } from '../../../lisafs/file_server.js';
import { FEATURE_READONLY } from '../../../lisafs/messages.js';
import type { WalkEntry } from '../../../lisafs/types.js';
import { Dentry } from '../../vfs/dentry.js';
import { native } from '../../../native.js';
import { Filesystem, anonDev, type StatFs } from '../../vfs/filesystem.js';
import { GoferInode } from './inode.js';

export const V9FS_MAGIC = 0x01021997;

/** Inode numbers for files on other host devices than the root's start here, so they cannot collide. */
const VIRTUAL_INO_BASE = 1n << 62n;

export interface GoferFsOptions {
  /**
   * --file-access=shared: the host tree may change behind the Sentry's back, so
   * every lookup and stat asks the gofer. Exclusive (the default) trusts the
   * caches, including negative lookups and symlink targets.
   */
  shared?: boolean;
}

/** An inode's gofer handle; held apart from the inode so the handle can be closed after the inode is collected. */
export class HandleRef {
  constructor(
    public handle: number,
    /** Host "dev:ino". */
    readonly key: string,
  ) {}
}

export class GoferFilesystem extends Filesystem {
  readonly name = '9p';
  readonly dev = anonDev();
  readonly shared: boolean;
  /** The gofer refuses writes (--ro): mount this read-only or under an overlay. */
  readonly readOnly: boolean;
  readonly rootHandle: number;
  /** Host device of the root: its files keep their host inode numbers. */
  readonly rootHostDev: bigint;
  private readonly rootDentry: Dentry;
  /** Live inodes by host "dev:ino", so hard links and repeated walks share one inode. */
  private readonly inodes = new Map<string, WeakRef<GoferInode>>();
  private readonly virtualInos = new Map<string, bigint>();
  private nextVirtualIno = VIRTUAL_INO_BASE;
  /** Handles of collected inodes go back to the gofer in batches. */
  private readonly registry = new FinalizationRegistry<HandleRef>((h) => this.forget(h));

  constructor(
    readonly client: FileServer,
    opts: GoferFsOptions = {},
  ) {
    super();
    this.shared = opts.shared ?? false;
    this.revalidates = this.shared;
    const a = client.attach();
    this.readOnly = (a.features & FEATURE_READONLY) !== 0;
    this.rootHandle = a.handle;
    this.rootHostDev = a.stat.dev;
    const root = new GoferInode(this, new HandleRef(a.handle, `${a.stat.dev}:${a.stat.ino}`), a.stat);
    this.remember(root);
    this.rootDentry = new Dentry('/', null, root);
  }

  root(): Dentry {
    return this.rootDentry;
  }

  /** The inode for a walked entry: an existing one for the same host file, else a new one owning the handle. */
  inodeFor(e: WalkEntry): GoferInode {
    const st = e.stat;
    const key = `${st.dev}:${st.ino}`;
    const old = this.inodes.get(key)?.deref();
    if (old && old.type === (st.mode & S_IFMT)) {
      // Keep the newest handle: its (parent, name) is the one known to exist now,
      // which matters when the file was renamed since (reopen goes by name).
      this.client.closeLater(old.ref.handle);
      old.ref.handle = e.handle;
      if (this.shared) old.apply(st);
      return old;
    }
    const n = new GoferInode(this, new HandleRef(e.handle, key), st);
    this.remember(n);
    return n;
  }

  /** The inode for an entry we just made: always a new one (the host may reuse a freed inode number). */
  newInode(e: WalkEntry): GoferInode {
    const n = new GoferInode(this, new HandleRef(e.handle, `${e.stat.dev}:${e.stat.ino}`), e.stat);
    this.remember(n);
    return n;
  }

  /** The live inode for a host file, if there is one. */
  liveInode(st: { dev: bigint; ino: bigint }): GoferInode | null {
    return this.inodes.get(`${st.dev}:${st.ino}`)?.deref() ?? null;
  }

  /** The file's last link is gone: a new file reusing its host inode number must get a new inode. */
  evict(n: GoferInode): void {
    if (this.inodes.get(n.ref.key)?.deref() === n) this.inodes.delete(n.ref.key);
  }

  /**
   * The fd a create opened, kept for the open(2) that follows it at once (one
   * round trip for O_CREAT). Only the latest is kept; an older one is closed.
   */
  private pending: { inode: GoferInode; fd: number } | null = null;

  setPending(inode: GoferInode, fd: number): void {
    if (this.pending) native().close(this.pending.fd);
    this.pending = { inode, fd };
  }

  /** The create's fd if `inode` is the file just made, else -1 (and any other pending fd is closed). */
  takePending(inode: GoferInode): number {
    const p = this.pending;
    if (!p) return -1;
    this.pending = null;
    if (p.inode === inode) return p.fd;
    native().close(p.fd);
    return -1;
  }

  private remember(n: GoferInode): void {
    this.inodes.set(n.ref.key, new WeakRef(n));
    this.registry.register(n, n.ref);
  }

  private forget(h: HandleRef): void {
    this.client.closeLater(h.handle);
    const r = this.inodes.get(h.key);
    if (r && !r.deref()) this.inodes.delete(h.key);
  }

  /** The inode number the Sentry shows for a host file. */
  inoOf(hostDev: bigint, hostIno: bigint): bigint {
    if (hostDev === this.rootHostDev) return hostIno;
    const key = `${hostDev}:${hostIno}`;
    let ino = this.virtualInos.get(key);
    if (ino === undefined) {
      ino = this.nextVirtualIno++;
      this.virtualInos.set(key, ino);
    }
    return ino;
  }

  override statfs(): StatFs {
    const s = this.client.statfs(this.rootHandle);
    return {
      type: V9FS_MAGIC,
      bsize: s.bsize,
      blocks: s.blocks,
      bfree: s.bfree,
      bavail: s.bavail,
      files: s.files,
      ffree: s.ffree,
      namelen: s.namelen,
      frsize: s.frsize,
      flags: 0,
    };
  }

  override mountOptions(): string {
    return `${this.client.mountOptions()}${this.shared ? ',cache=remote_revalidating' : ''}`;
  }
}
