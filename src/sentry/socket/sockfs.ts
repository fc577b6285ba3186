// sockfs: the anonymous file system every socket's inode lives in (net/socket.c).
// fstat shows S_IFSOCK|0777 owned by the creator's fsuid/fsgid; /proc/<pid>/fd
// shows "socket:[ino]"; opening one through /proc/<pid>/fd/N fails with ENXIO.
import { EINVAL, ENXIO } from '../../abi/linux/errno.js';
import { S_IFDIR, S_IFSOCK } from '../../abi/linux/stat.js';
import type { Task } from '../kernel/task.js';
import { AnonFilesystem } from '../vfs/anonfs.js';
import type { FileDescription } from '../vfs/file.js';
import { Inode } from '../vfs/inode.js';
import type { VirtualDentry } from '../vfs/mount.js';

class SockfsRoot extends Inode {
  constructor(readonly fs: AnonFilesystem) {
    super(1n, S_IFDIR | 0o700);
  }

  override open(): FileDescription {
    throw EINVAL;
  }
}

export class SocketInode extends Inode {
  constructor(readonly fs: AnonFilesystem, uid: number, gid: number) {
    super(fs.allocIno(), S_IFSOCK | 0o777, uid, gid);
  }

  override open(): FileDescription {
    throw ENXIO;
  }
}

let sockfs: AnonFilesystem | null = null;

function fs(): AnonFilesystem {
  return (sockfs ??= new AnonFilesystem('sockfs', (f) => new SockfsRoot(f)));
}

/** A new socket inode (sock_alloc) and the dentry its description hangs on. */
export function newSocketDentry(t: Task): VirtualDentry {
  const inode = new SocketInode(fs(), t.creds.fsuid, t.creds.fsgid);
  return fs().vdFor(`socket:[${inode.ino}]`, inode);
}
