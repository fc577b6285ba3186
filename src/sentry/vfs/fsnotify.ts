// File system change notification (fs/notify/fsnotify.c, include/linux/fsnotify.h):
// the VFS reports what happened to inodes here, and the watches registered on
// those inodes (inotify instances, fsimpl/inotify) queue events. With no watch in
// the sandbox every hook returns at its first test.
import {
  IN_ACCESS, IN_ATTRIB, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_EXCL_UNLINK,
  IN_ALL_EVENTS, IN_ISDIR, IN_MODIFY, IN_MOVE_SELF, IN_MOVED_FROM, IN_MOVED_TO, IN_ONESHOT, IN_OPEN,
} from '../../abi/linux/inotify.js';
import type { Dentry } from './dentry.js';
import type { FileDescription } from './file.js';
import type { Inode } from './inode.js';

/** One inode watched by one group (an inotify instance's watch descriptor). */
export interface Watch {
  readonly wd: number;
  /** Events wanted, plus IN_ONESHOT and IN_EXCL_UNLINK. */
  mask: number;
  readonly inode: Inode;
  readonly group: NotifyGroup;
}

export interface NotifyGroup {
  /** Queues an event for one of the group's watches. */
  deliver(w: Watch, mask: number, cookie: number, name: string): void;
  /** The watch is gone (its inode died, or IN_ONESHOT fired): forget it, queue IN_IGNORED. */
  destroyWatch(w: Watch): void;
}

const marks = new Map<Inode, Set<Watch>>();

export function addMark(w: Watch): void {
  let set = marks.get(w.inode);
  if (!set) marks.set(w.inode, (set = new Set()));
  set.add(w);
}

export function removeMark(w: Watch): void {
  const set = marks.get(w.inode);
  if (!set) return;
  set.delete(w);
  if (set.size === 0) marks.delete(w.inode);
}

function isdir(inode: Inode): number {
  return inode.isDir() ? IN_ISDIR : 0;
}

/**
 * Sends `mask` to the watches of `inode`. `name` names a child for events reported
 * to a directory; `unlinked` is set when the file the event is about has no name left.
 */
function send(inode: Inode, mask: number, cookie: number, name: string, unlinked: boolean): void {
  const set = marks.get(inode);
  if (!set) return;
  for (const w of [...set]) {
    if (!(w.mask & mask & IN_ALL_EVENTS)) continue;
    if (unlinked && w.mask & IN_EXCL_UNLINK) continue;
    w.group.deliver(w, mask, cookie, name);
    if (w.mask & IN_ONESHOT) w.group.destroyWatch(w);
  }
}

/** An event about the file at `d`: its parent's watches hear it with the name first, then its own. */
function dentryEvent(d: Dentry, mask: number): void {
  if (marks.size === 0) return;
  const m = mask | isdir(d.inode);
  if (d.parent) send(d.parent.inode, m, 0, d.name, d.deleted);
  send(d.inode, m, 0, '', d.deleted);
}

/** The inode is gone: IN_DELETE_SELF, then every watch on it ends (IN_IGNORED). */
function inodeRemoved(inode: Inode): void {
  const set = marks.get(inode);
  if (!set) return;
  send(inode, IN_DELETE_SELF, 0, '', false);
  for (const w of [...(marks.get(inode) ?? [])]) w.group.destroyWatch(w);
}

// ---- hooks the VFS calls ----

/** open(2) of a path (not O_PATH): IN_OPEN now, IN_CLOSE_* when the description goes. */
export function notifyOpen(f: FileDescription): void {
  f.notifyClose = true;
  dentryEvent(f.vd.dentry, IN_OPEN);
}

/** The last reference to a description opened by path went away. */
export function notifyClose(f: FileDescription): void {
  dentryEvent(f.vd.dentry, f.writable ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

/** read(2) returned data. */
export function notifyAccess(f: FileDescription): void {
  if (marks.size !== 0) dentryEvent(f.vd.dentry, IN_ACCESS);
}

/** write(2) wrote data through `f`. */
export function notifyWrite(f: FileDescription): void {
  if (marks.size !== 0) dentryEvent(f.vd.dentry, IN_MODIFY);
}

/** truncate changed the size of the file at `d`. */
export function notifyModify(d: Dentry): void {
  if (marks.size !== 0) dentryEvent(d, IN_MODIFY);
}

/** chmod, chown, utimes (IN_ATTRIB) and the size/time changes of fsnotify_change. */
export function notifyChange(d: Dentry, mask: number): void {
  if (marks.size !== 0) dentryEvent(d, mask);
}

/** A new name `d` in its parent (create, mkdir, mknod, symlink, link, bind). */
export function notifyCreate(d: Dentry, linked = false): void {
  if (marks.size === 0) return;
  // link(2) raises the link count first (fsnotify_link).
  if (linked) send(d.inode, IN_ATTRIB, 0, '', false);
  if (d.parent) send(d.parent.inode, IN_CREATE | isdir(d.inode), 0, d.name, false);
}

/** unlink/rmdir of `name` (now `inode`) from `dir`. */
export function notifyDelete(dir: Inode, name: string, inode: Inode, rmdir: boolean): void {
  if (marks.size === 0) return;
  if (!rmdir) send(inode, IN_ATTRIB, 0, '', false);
  if (rmdir || inode.nlink === 0) inodeRemoved(inode);
  send(dir, IN_DELETE | isdir(inode), 0, name, false);
}

let lastCookie = 0;

/** rename(2): MOVED_FROM/MOVED_TO share a cookie; a replaced target loses a link. */
export function notifyRename(
  oldDir: Inode, oldName: string, newDir: Inode, newName: string, moved: Inode, target: Inode | null, exchange: boolean,
): void {
  if (marks.size === 0) return;
  const move = (fromDir: Inode, from: string, toDir: Inode, to: string, inode: Inode): void => {
    const cookie = (lastCookie = (lastCookie + 1) >>> 0 || 1);
    send(fromDir, IN_MOVED_FROM | isdir(inode), cookie, from, false);
    send(toDir, IN_MOVED_TO | isdir(inode), cookie, to, false);
    if (target && !exchange) send(target, IN_ATTRIB, 0, '', false);
    send(inode, IN_MOVE_SELF, 0, '', false);
  };
  move(oldDir, oldName, newDir, newName, moved);
  if (exchange && target) move(newDir, newName, oldDir, oldName, target);
  else if (target && (target.isDir() || target.nlink === 0)) inodeRemoved(target);
}
