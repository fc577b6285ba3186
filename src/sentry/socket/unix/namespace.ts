// Where AF_UNIX names live (one per kernel, Linux's per-netns unix table):
// abstract names, by socket type as Linux hashes them; path names, as socket
// inodes in the file system mapped to the socket bound there (Linux keeps the
// socket on the inode); the live sockets for /proc/net/unix; and the count of
// descriptors in flight in SCM_RIGHTS messages per user (ETOOMANYREFS).
import { EADDRINUSE, ECONNREFUSED, EEXIST, ENOSPC, EPROTOTYPE } from '../../../abi/linux/errno.js';
import { AT_FDCWD } from '../../../abi/linux/fcntl.js';
import { S_IFSOCK } from '../../../abi/linux/stat.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { OverlayInode } from '../../fsimpl/overlay/overlay.js';
import type { Inode } from '../../vfs/inode.js';
import { lookupAt, mknodAt } from '../../vfs/ops.js';
import { MAY_WRITE, checkPermission } from '../../vfs/permissions.js';
import { autobindAddr, type UnixAddr } from './addr.js';
import type { UnixSocket } from './unix.js';

/** The inode that stays the same across overlay lookups and renames: the upper layer's. */
function realInode(i: Inode): Inode {
  return i instanceof OverlayInode ? (i.upper ?? i.lower ?? i) : i;
}

export class UnixNamespace {
  private readonly abstractNames = new Map<string, UnixSocket>();
  private readonly pathBound = new WeakMap<Inode, UnixSocket>();
  /** Every open AF_UNIX socket, in creation order (/proc/net/unix). */
  readonly sockets = new Set<UnixSocket>();
  private readonly inflight = new Map<number, number>();
  private autobindNext = Math.floor(Math.random() * 0x100000);

  private key(type: number, name: string): string {
    return `${type}:${name}`;
  }

  /** Binds an abstract name (EADDRINUSE when taken by a socket of the same type). */
  bindAbstract(s: UnixSocket, a: UnixAddr): void {
    const k = this.key(s.type, a.name);
    if (this.abstractNames.has(k)) throw EADDRINUSE;
    this.abstractNames.set(k, s);
  }

  /** A free autobind name (ENOSPC when all 2^20 are taken, as Linux says). */
  autobind(s: UnixSocket): UnixAddr {
    for (let i = 0; i < 0x100000; i++) {
      const n = this.autobindNext;
      this.autobindNext = (n + 1) & 0xfffff;
      const a = autobindAddr(n);
      const k = this.key(s.type, a.name);
      if (this.abstractNames.has(k)) continue;
      this.abstractNames.set(k, s);
      return a;
    }
    throw ENOSPC;
  }

  /**
   * unix_bind_bsd: makes the socket inode at `path` (mode 0777 & ~umask, with every
   * mknod check; an existing name is EADDRINUSE) and records the socket on it.
   */
  bindPath(t: Task, path: string, s: UnixSocket): Inode {
    let inode: Inode;
    try {
      inode = mknodAt(t, AT_FDCWD, path, S_IFSOCK | 0o777, 0n);
    } catch (e) {
      throw e === EEXIST ? EADDRINUSE : e;
    }
    const real = realInode(inode);
    this.pathBound.set(real, s);
    return real;
  }

  /** Forgets a socket's name (it is closing); the path's inode stays, refusing connections. */
  unbind(s: UnixSocket, a: UnixAddr, inode: Inode | null): void {
    if (a.abstract) {
      const k = this.key(s.type, a.name);
      if (this.abstractNames.get(k) === s) this.abstractNames.delete(k);
    } else if (inode && this.pathBound.get(inode) === s) {
      this.pathBound.delete(inode);
    }
  }

  /**
   * unix_find_other: the socket a connect or sendto names. Abstract names are per
   * type (ECONNREFUSED otherwise); a path needs write permission on the socket
   * inode, a socket bound there (ECONNREFUSED) and the same type (EPROTOTYPE).
   */
  find(t: Task, a: UnixAddr, type: number): UnixSocket {
    if (a.abstract) {
      const s = this.abstractNames.get(this.key(type, a.name));
      if (!s) throw ECONNREFUSED;
      return s;
    }
    const vd = lookupAt(t, AT_FDCWD, a.name, true);
    const inode = vd.dentry.inode;
    checkPermission(t.creds, inode, MAY_WRITE);
    if (inode.type !== S_IFSOCK) throw ECONNREFUSED;
    const s = this.pathBound.get(realInode(inode));
    if (!s) throw ECONNREFUSED;
    if (s.type !== type) throw EPROTOTYPE;
    return s;
  }

  /** Whether any descriptor is in flight (the GC has work only then). */
  get hasInflight(): boolean {
    return this.inflight.size > 0;
  }

  /** Descriptors user `uid` has in flight. */
  inflightOf(uid: number): number {
    return this.inflight.get(uid) ?? 0;
  }

  addInflight(uid: number, n: number): void {
    const v = (this.inflight.get(uid) ?? 0) + n;
    if (v > 0) this.inflight.set(uid, v);
    else this.inflight.delete(uid);
  }
}

const namespaces = new WeakMap<Kernel, UnixNamespace>();

export function unixNamespace(k: Kernel): UnixNamespace {
  let ns = namespaces.get(k);
  if (!ns) {
    ns = new UnixNamespace();
    namespaces.set(k, ns);
  }
  return ns;
}
