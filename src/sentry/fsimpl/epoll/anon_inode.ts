// anon_inodefs (fs/anon_inodes.c): the one inode behind epoll, eventfd, timerfd and
// signalfd files. Linux gives all of them the same inode, mode 0600 with no file
// type bits, and names them "anon_inode:[kind]" in /proc/<pid>/fd.
import { EINVAL } from '../../../abi/linux/errno.js';
import { AnonFilesystem } from '../../vfs/anonfs.js';
import type { FileDescription } from '../../vfs/file.js';
import { Inode } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';

class AnonInode extends Inode {
  constructor(readonly fs: AnonFilesystem) {
    super(fs.allocIno(), 0o600);
  }

  override open(): FileDescription {
    throw EINVAL;
  }

  override size(): number {
    return 0;
  }
}

let anonfs: AnonFilesystem | null = null;
let shared: AnonInode | null = null;

/** Where a new anonymous file of `kind` ("eventfd", "eventpoll", ...) lives. */
export function anonInodeVd(kind: string): VirtualDentry {
  anonfs ??= new AnonFilesystem('anon_inodefs', (f) => new AnonInode(f));
  shared ??= new AnonInode(anonfs);
  return anonfs.vdFor(`[${kind}]`, shared);
}
