// File descriptor table (Linux's files_struct): fd -> file description + FD_CLOEXEC.
import { EBADF, EINVAL, EMFILE } from '../../abi/linux/errno.js';
import type { FileDescription } from './file.js';
import { releasePosixLocks } from './locks.js';

interface Slot {
  file: FileDescription;
  cloexec: boolean;
}

/** Hard ceiling on descriptor numbers (fs.nr_open). */
export const NR_OPEN = 1 << 20;

export class FdTable {
  private readonly slots: (Slot | undefined)[] = [];
  private users = 1;

  /** Throws EBADF for a closed or invalid descriptor. */
  get(fd: number): FileDescription {
    const s = fd >= 0 ? this.slots[fd] : undefined;
    if (!s) throw EBADF;
    return s.file;
  }

  /** Like get, but O_PATH descriptors (which allow no I/O) are EBADF too. */
  getIO(fd: number): FileDescription {
    const f = this.get(fd);
    if (f.flags & 0o10000000 /* O_PATH */) throw EBADF;
    return f;
  }

  getOrNull(fd: number): FileDescription | null {
    return (fd >= 0 ? this.slots[fd]?.file : undefined) ?? null;
  }

  getCloexec(fd: number): boolean {
    const s = fd >= 0 ? this.slots[fd] : undefined;
    if (!s) throw EBADF;
    return s.cloexec;
  }

  setCloexec(fd: number, on: boolean): void {
    const s = fd >= 0 ? this.slots[fd] : undefined;
    if (!s) throw EBADF;
    s.cloexec = on;
  }

  /** Installs file at the lowest free fd >= minFd (takes a new reference). */
  add(file: FileDescription, cloexec: boolean, limit: number, minFd = 0): number {
    const max = Math.min(limit, NR_OPEN);
    for (let fd = minFd; fd < max; fd++) {
      if (!this.slots[fd]) {
        file.incRef();
        this.slots[fd] = { file, cloexec };
        return fd;
      }
    }
    throw EMFILE;
  }

  /** Installs file at exactly fd, closing what was there (dup2/dup3). */
  setAt(fd: number, file: FileDescription, cloexec: boolean, limit: number): void {
    if (fd < 0 || fd >= Math.min(limit, NR_OPEN)) throw EBADF;
    file.incRef();
    const old = this.slots[fd];
    this.slots[fd] = { file, cloexec };
    if (old) this.closed(old.file);
  }

  /** Closes fd; throws EBADF if it is not open. */
  remove(fd: number): FileDescription {
    const s = fd >= 0 ? this.slots[fd] : undefined;
    if (!s) throw EBADF;
    this.slots[fd] = undefined;
    this.closed(s.file);
    return s.file;
  }

  /** A descriptor went away: this table's POSIX locks on the file go with it (filp_close). */
  private closed(file: FileDescription): void {
    releasePosixLocks(file, this);
    file.decRef();
  }

  /** close_range(2) without flags: closes [first, last]. */
  removeRange(first: number, last: number, cloexecOnly: boolean): void {
    if (first > last) throw EINVAL;
    const end = Math.min(last, this.slots.length - 1);
    for (let fd = first; fd <= end; fd++) {
      const s = this.slots[fd];
      if (!s) continue;
      if (cloexecOnly) s.cloexec = true;
      else this.remove(fd);
    }
  }

  /** execve: closes every FD_CLOEXEC descriptor. */
  closeOnExec(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.cloexec) this.remove(fd);
  }

  /** Open descriptors in increasing order. */
  *entries(): IterableIterator<[number, FileDescription]> {
    for (let fd = 0; fd < this.slots.length; fd++) {
      const s = this.slots[fd];
      if (s) yield [fd, s.file];
    }
  }

  /** The open file descriptions (a description open on several fds comes once per fd). */
  *files(): IterableIterator<FileDescription> {
    for (const s of this.slots) if (s) yield s.file;
  }

  get count(): number {
    let n = 0;
    for (const s of this.slots) if (s) n++;
    return n;
  }

  /** A copy sharing the same file descriptions (fork without CLONE_FILES). */
  fork(): FdTable {
    const t = new FdTable();
    this.slots.forEach((s, fd) => {
      if (!s) return;
      s.file.incRef();
      t.slots[fd] = { file: s.file, cloexec: s.cloexec };
    });
    return t;
  }

  incUsers(): void {
    this.users++;
  }

  /** More than one task uses this table (CLONE_FILES). */
  get shared(): boolean {
    return this.users > 1;
  }

  /** Drops a user; the last one closes everything. */
  decUsers(): void {
    if (--this.users > 0) return;
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]) this.remove(fd);
  }
}
