// memfd_create(2) and file seals (fcntl F_ADD_SEALS/F_GET_SEALS, mm/memfd.c). A memfd
// is an unlinked file of an internal tmpfs (Linux's shm_mnt); seals live on the tmpfs
// inode, which enforces them on write, truncate and fallocate; mmap asks the mapping.
import { EBADF, EBUSY, EINVAL, ENAMETOOLONG, EPERM } from '../../../abi/linux/errno.js';
import { O_LARGEFILE, O_PATH, O_RDWR } from '../../../abi/linux/fcntl.js';
import { PROT_WRITE } from '../../../abi/linux/mm.js';
import { RLIMIT_NOFILE } from '../../../abi/linux/limits.js';
import {
  F_ALL_SEALS, F_SEAL_EXEC, F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE, MFD_ALLOW_SEALING,
  MFD_CLOEXEC, MFD_EXEC, MFD_HUGETLB, MFD_NAME_MAX_LEN, MFD_NOEXEC_SEAL,
} from '../../../abi/linux/splice.js';
import { S_IFREG } from '../../../abi/linux/stat.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { TmpfsFile, TmpfsFileDescription, TmpfsFilesystem } from '../../fsimpl/tmpfs/tmpfs.js';
import { Dentry } from '../../vfs/dentry.js';
import type { FileDescription, MappingSource } from '../../vfs/file.js';
import { Mount, type VirtualDentry } from '../../vfs/mount.js';

const MFD_ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;

let shm: { fs: TmpfsFilesystem; mount: Mount } | null = null;

/** The internal tmpfs all memfds live on (never mounted anywhere visible). */
function shmMount(): { fs: TmpfsFilesystem; mount: Mount } {
  if (!shm) {
    const fs = new TmpfsFilesystem({ name: 'tmpfs' });
    shm = { fs, mount: new Mount(fs, fs.root(), 0, null, null, 'tmpfs') };
  }
  return shm;
}

/** A memfd's inode: reopening it (/proc/self/fd/N) gives another memfd description. */
class MemfdFile extends TmpfsFile {
  constructor(fs: TmpfsFilesystem, mode: number, uid: number, gid: number, readonly memfdName: string) {
    super(fs, mode, uid, gid);
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    return new MemfdDescription(vd, flags, this);
  }
}

/** A memfd: /proc/<pid>/fd and maps name it "/memfd:NAME (deleted)". */
export class MemfdDescription extends TmpfsFileDescription {
  constructor(vd: VirtualDentry, flags: number, file: MemfdFile) {
    super(vd, flags, file);
  }

  override linkName(): string {
    return `/memfd:${(this.file as MemfdFile).memfdName} (deleted)`;
  }

  override mapping(): MappingSource {
    return { ...super.mapping(), name: this.linkName() };
  }
}

export function memfd_create(t: Task, [nameArg, flagsArg]: SyscallArgs): number {
  const flags = flagsArg.uint32();
  // MFD_HUGETLB carries a page-size code in the high bits; there are no huge pages here.
  if (flags & ~MFD_ALL_FLAGS) throw EINVAL;
  if (flags & MFD_HUGETLB) throw EINVAL;
  if (flags & MFD_EXEC && flags & MFD_NOEXEC_SEAL) throw EINVAL;
  let name: string;
  try {
    name = t.mm.readCString(nameArg.addr(), MFD_NAME_MAX_LEN);
  } catch (e) {
    throw e === ENAMETOOLONG ? EINVAL : e;
  }
  const { fs, mount } = shmMount();
  const file = new MemfdFile(fs, S_IFREG | 0o777, t.creds.fsuid, t.creds.fsgid, name);
  file.nlink = 0; // never linked: the data goes with the last close
  if (flags & MFD_NOEXEC_SEAL) {
    file.mode &= ~0o111;
    file.seals = F_SEAL_EXEC;
  } else if (flags & MFD_ALLOW_SEALING) {
    file.seals = 0;
  }
  const vd: VirtualDentry = { mount, dentry: new Dentry(`memfd:${name}`, fs.root(), file) };
  vd.dentry.deleted = true;
  const desc = new MemfdDescription(vd, O_RDWR | O_LARGEFILE, file);
  try {
    return t.fdTable.add(desc, (flags & MFD_CLOEXEC) !== 0, t.limit(RLIMIT_NOFILE).cur);
  } finally {
    desc.decRef(); // the table holds its own reference
  }
}

/** The sealable inode behind a description: shmem files only (tmpfs, memfd), not overlay or host files. */
function sealable(file: FileDescription): TmpfsFile | null {
  return file instanceof TmpfsFileDescription && file.vd.dentry.inode === file.file ? file.file : null;
}

/** Whether any address space maps the file shared and possibly writable (i_mmap_writable). */
function writablyMapped(t: Task, inode: TmpfsFile): boolean {
  const seen = new Set<object>();
  for (const task of t.kernel.tasks.values()) {
    const mm = task.mm;
    if (seen.has(mm)) continue;
    seen.add(mm);
    for (const v of mm.mappings) {
      if (v.shared && v.maxProt & PROT_WRITE && v.file && v.file.ino === inode.ino && v.file.dev === inode.fs.dev) {
        return true;
      }
    }
  }
  return false;
}

/** fcntl(F_ADD_SEALS). */
export function addSeals(t: Task, file: FileDescription, seals: number): number {
  if (file.flags & O_PATH) throw EBADF;
  if (!file.writable) throw EPERM;
  if (seals & ~F_ALL_SEALS) throw EINVAL;
  const inode = sealable(file);
  if (!inode) throw EINVAL;
  if (inode.seals & F_SEAL_SEAL) throw EPERM;
  if (seals & F_SEAL_WRITE && !(inode.seals & F_SEAL_WRITE) && writablyMapped(t, inode)) throw EBUSY;
  // F_SEAL_EXEC on an executable file implies the write seals (W^X from the start).
  if (seals & F_SEAL_EXEC && inode.mode & 0o111) seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
  inode.seals |= seals;
  return 0;
}

/** fcntl(F_GET_SEALS). */
export function getSeals(file: FileDescription): number {
  if (file.flags & O_PATH) throw EBADF;
  const inode = sealable(file);
  if (!inode) throw EINVAL;
  return inode.seals;
}
