// Path resolution (fs/namei.c): walks components through the dentry cache, mounts
// and symlinks with Linux's errnos and its limit of 40 symlinks per lookup.
import { EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV } from '../../abi/linux/errno.js';
import type { Credentials } from '../kernel/credentials.js';
import type { Task } from '../kernel/task.js';
import type { Dentry } from './dentry.js';
import type { FsContext } from './fs_context.js';
import type { VirtualDentry } from './mount.js';
import { MAY_EXEC, mayAccess } from './permissions.js';

export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const MAXSYMLINKS = 40;

// openat2 RESOLVE_* flags
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;
export const RESOLVE_CACHED = 0x20;

export interface ResolveOpts {
  /** Follow a symlink in the last component. */
  follow: boolean;
  /** The result must be a directory (trailing slash, O_DIRECTORY). */
  directory?: boolean;
  /** RESOLVE_* flags from openat2. */
  resolve?: number;
}

/** What a walk needs from the caller. */
export interface WalkContext {
  task: Task;
  fs: FsContext;
  creds: Credentials;
}

interface WalkState {
  ctx: WalkContext;
  root: VirtualDentry;
  links: number;
  resolve: number;
  start: VirtualDentry;
}

function splitPath(path: string): { parts: string[]; trailingSlash: boolean; absolute: boolean } {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((p) => p.length > 0);
  const trailingSlash = path.length > 1 && path.endsWith('/');
  return { parts, trailingSlash, absolute };
}

function checkLength(path: string): void {
  if (path.length === 0) throw ENOENT;
  if (path.length >= PATH_MAX) throw ENAMETOOLONG;
}

function sameVd(a: VirtualDentry, b: VirtualDentry): boolean {
  return a.mount === b.mount && a.dentry === b.dentry;
}

/** One step "..": stays at the root, crosses mount roots upward. */
function stepUp(st: WalkState, cur: VirtualDentry): VirtualDentry {
  let vd = cur;
  for (;;) {
    if (sameVd(vd, st.root)) return vd;
    if (vd.dentry === vd.mount.root) {
      const m = vd.mount;
      if (!m.parent || !m.mountpoint) return vd;
      if (st.resolve & RESOLVE_NO_XDEV) throw EXDEV;
      vd = { mount: m.parent, dentry: m.mountpoint };
      continue;
    }
    const parent: Dentry = vd.dentry.parent ?? vd.dentry;
    return st.ctx.fs.mntns.topOf({ mount: vd.mount, dentry: parent });
  }
}

function stepDown(st: WalkState, cur: VirtualDentry, name: string): VirtualDentry | null {
  const inode = cur.dentry.inode;
  if (!inode.isDir()) throw ENOTDIR;
  if (!mayAccess(st.ctx.creds, inode, MAY_EXEC)) throw EACCES;
  const child = cur.dentry.lookup(name);
  if (!child) return null;
  const next = st.ctx.fs.mntns.topOf({ mount: cur.mount, dentry: child });
  if (next.mount !== cur.mount && st.resolve & RESOLVE_NO_XDEV) throw EXDEV;
  return next;
}

/** Follows the symlink at vd (whose parent is `dir`); returns where it points. */
function followLink(st: WalkState, dir: VirtualDentry, vd: VirtualDentry): VirtualDentry {
  if (++st.links > MAXSYMLINKS) throw ELOOP;
  if (st.resolve & RESOLVE_NO_SYMLINKS) throw ELOOP;
  const magic = vd.dentry.inode.magicLink(st.ctx.task);
  if (magic) {
    if (st.resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT)) throw ELOOP;
    return magic;
  }
  const target = vd.dentry.inode.readlink(st.ctx.task);
  checkLength(target);
  return walk(st, dir, target, true);
}

/** Walks all components of `path` from `start`, following every symlink. */
function walk(st: WalkState, start: VirtualDentry, path: string, followLast: boolean): VirtualDentry {
  const { parts, absolute, trailingSlash } = splitPath(path);
  let cur = start;
  if (absolute) {
    if (st.resolve & RESOLVE_BENEATH) throw EXDEV;
    cur = st.root;
  }
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    const last = i === parts.length - 1;
    // Checked when reached, so an earlier missing component reports ENOENT first.
    if (name.length > NAME_MAX) throw ENAMETOOLONG;
    if (name === '.' || name === '..') {
      // Every component is a lookup in the current directory: it needs search permission.
      if (!cur.dentry.inode.isDir()) throw ENOTDIR;
      if (!mayAccess(st.ctx.creds, cur.dentry.inode, MAY_EXEC)) throw EACCES;
    }
    if (name === '.') continue;
    if (name === '..') {
      if (st.resolve & RESOLVE_BENEATH && sameVd(cur, st.start)) throw EXDEV;
      cur = stepUp(st, cur);
      continue;
    }
    const next = stepDown(st, cur, name);
    if (!next) throw ENOENT;
    if (next.dentry.inode.isSymlink() && (!last || followLast || trailingSlash)) {
      cur = followLink(st, cur, next);
    } else {
      cur = next;
    }
  }
  if (trailingSlash && !cur.dentry.inode.isDir()) throw ENOTDIR;
  return cur;
}

function stateFor(ctx: WalkContext, start: VirtualDentry, resolve: number): WalkState {
  const root = resolve & RESOLVE_IN_ROOT ? start : ctx.fs.root;
  return { ctx, root, links: 0, resolve, start };
}

/** Resolves `path` relative to `start`. Throws ENOENT, ENOTDIR, ELOOP, EACCES, ... */
export function resolvePath(ctx: WalkContext, start: VirtualDentry, path: string, opts: ResolveOpts): VirtualDentry {
  checkLength(path);
  const st = stateFor(ctx, start, opts.resolve ?? 0);
  const vd = walk(st, start, path, opts.follow);
  if (opts.directory && !vd.dentry.inode.isDir()) throw ENOTDIR;
  return vd;
}

export interface ParentAndName {
  parent: VirtualDentry;
  /** Last component; "" when the path names the root or ends in "." or "..". */
  name: string;
  trailingSlash: boolean;
}

/** Resolves all but the last component (for create, unlink, rename, ...). */
export function resolveParent(ctx: WalkContext, start: VirtualDentry, path: string, resolve = 0): ParentAndName {
  checkLength(path);
  const st = stateFor(ctx, start, resolve);
  const trimmed = path.replace(/\/+$/, '');
  const trailingSlash = trimmed.length !== path.length;
  if (trimmed.length === 0) return { parent: st.root, name: '', trailingSlash };
  const cut = trimmed.lastIndexOf('/');
  const dirPart = cut < 0 ? '' : trimmed.slice(0, cut + 1);
  const name = trimmed.slice(cut + 1);
  if (name.length > NAME_MAX) throw ENAMETOOLONG;
  let parent = start;
  if (dirPart.length > 0) parent = walk(st, start, dirPart, true);
  else if (st.resolve & RESOLVE_IN_ROOT) parent = st.root;
  if (!parent.dentry.inode.isDir()) throw ENOTDIR;
  if (name === '.' || name === '..') return { parent: name === '..' ? stepUp(st, parent) : parent, name: '', trailingSlash };
  return { parent, name, trailingSlash };
}

/** Looks up one component in a resolved parent without following mounts' symlinks. */
export function lookupChild(ctx: WalkContext, parent: VirtualDentry, name: string): VirtualDentry | null {
  const st = stateFor(ctx, parent, 0);
  return stepDown(st, parent, name);
}

/**
 * The child dentry itself, without stepping into a mount on it (rename and unlink
 * must see mount points to refuse them with EBUSY).
 */
export function lookupChildNoMount(ctx: WalkContext, parent: VirtualDentry, name: string): VirtualDentry | null {
  const inode = parent.dentry.inode;
  if (!inode.isDir()) throw ENOTDIR;
  if (!mayAccess(ctx.creds, inode, MAY_EXEC)) throw EACCES;
  const child = parent.dentry.lookup(name);
  return child ? { mount: parent.mount, dentry: child } : null;
}

/** Follows a symlink found as the last component (open with O_CREAT on an existing link). */
export function followSymlink(ctx: WalkContext, dir: VirtualDentry, link: VirtualDentry, resolve = 0): VirtualDentry {
  const st = stateFor(ctx, dir, resolve);
  let cur = link;
  let parent = dir;
  while (cur.dentry.inode.isSymlink()) {
    const next = followLink(st, parent, cur);
    parent = next;
    cur = next;
  }
  return cur;
}
