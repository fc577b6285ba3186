// O_TMPFILE (open(2)): an unnamed regular file in a directory, which linkat(2) may
// name later unless O_EXCL was given (Linux's I_LINKABLE). File systems whose
// directories say `tmpfileOk` get it; others fail with EOPNOTSUPP as on Linux.
import { EOPNOTSUPP, EROFS } from '../../abi/linux/errno.js';
import { O_CREAT, O_EXCL, O_TMPFILE, O_TRUNC } from '../../abi/linux/fcntl.js';
import { S_IFREG } from '../../abi/linux/stat.js';
import type { Task } from '../kernel/task.js';
import { Dentry } from './dentry.js';
import type { FileDescription } from './file.js';
import type { VirtualDentry } from './mount.js';
import { MAY_EXEC, MAY_WRITE, checkPermission } from './permissions.js';
import { createOpts } from './ops.js';

let seq = 0;

/** Opens a new unnamed file in the directory `dir` with `flags` (O_TMPFILE included) and `mode`. */
export function openTmpfile(t: Task, dir: VirtualDentry, flags: number, mode: number): FileDescription {
  const d = dir.dentry.inode;
  if (!d.tmpfileOk()) throw EOPNOTSUPP;
  if (dir.mount.readOnly) throw EROFS;
  checkPermission(t.creds, d, MAY_WRITE | MAY_EXEC);
  // Made under a hidden name that is gone again before anyone could see it (no
  // dentry, no inotify event): file systems need no unnamed-inode support.
  const name = `.tsvisor-tmpfile-${process.pid}-${++seq}`;
  const inode = d.create(name, createOpts(t, d, S_IFREG | (mode & 0o7777 & ~t.fs.umask)));
  const dentry = new Dentry(name, dir.dentry, inode);
  let file: FileDescription;
  try {
    file = inode.open(t, { mount: dir.mount, dentry }, flags & ~(O_TMPFILE | O_CREAT | O_EXCL | O_TRUNC));
  } finally {
    d.unlink(name);
    dentry.deleted = true;
  }
  inode.linkable = (flags & O_EXCL) === 0;
  file.holdWriteAccess(inode);
  return file;
}
