// Device nodes and the character-device table (Linux's chrdev registry). A device
// inode is only a (major, minor) number; opening it finds the driver. Nodes made
// by mknod(2) in any tmpfs that uses `devSpecialInode` work the same way, and
// unknown numbers fail to open with ENXIO, as on Linux.
import { ENXIO } from '../../../abi/linux/errno.js';
import { S_IFBLK, S_IFCHR, S_IFMT, major, minor } from '../../../abi/linux/stat.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import { Inode, type CreateOpts } from '../../vfs/inode.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import type { TmpfsFilesystem } from '../tmpfs/tmpfs.js';

/** A character device driver: makes the open file for a node with its number. */
export interface CharDevice {
  open(t: Task, vd: VirtualDentry, flags: number): FileDescription;
}

const charDevices = new Map<number, CharDevice>();

function key(maj: number, min: number): number {
  return maj * 0x100000 + min;
}

/** Registers the driver for character device (major, minor); later ones replace earlier. */
export function registerCharDevice(maj: number, min: number, dev: CharDevice): void {
  charDevices.set(key(maj, min), dev);
}

export function lookupCharDevice(maj: number, min: number): CharDevice | null {
  return charDevices.get(key(maj, min)) ?? null;
}

/** A character or block device node, FIFO or socket node in some file system. */
export class DeviceInode extends Inode {
  constructor(
    readonly fs: Filesystem,
    mode: number,
    uid: number,
    gid: number,
    rdev: bigint,
  ) {
    super(fs.allocIno(), mode, uid, gid);
    this.rdev = rdev;
  }

  override open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    // Block devices have no drivers in the sandbox; socket nodes cannot be opened.
    if (this.type !== S_IFCHR) throw ENXIO;
    const dev = lookupCharDevice(major(this.rdev), minor(this.rdev));
    if (!dev) throw ENXIO;
    return dev.open(t, vd, flags);
  }
}

/** TmpfsFilesystem.special for mknod(2) of devices and sockets (tmpfs makes FIFOs itself). */
export function devSpecialInode(fs: TmpfsFilesystem, opts: CreateOpts): Inode {
  const type = opts.mode & S_IFMT;
  const rdev = type === S_IFCHR || type === S_IFBLK ? opts.rdev ?? 0n : 0n;
  return new DeviceInode(fs, opts.mode, opts.uid, opts.gid, rdev);
}
