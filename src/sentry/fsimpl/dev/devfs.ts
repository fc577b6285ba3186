// devfs: the sandbox's /dev, a tmpfs populated with the standard device nodes,
// the /proc/self/fd aliases and the directories programs expect. Nothing of the
// host's /dev is visible; in particular there is no /dev/net/tun.
import { S_IFCHR, S_IFDIR, makedev } from '../../../abi/linux/stat.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { CreateOpts } from '../../vfs/inode.js';
import { TmpfsFilesystem } from '../tmpfs/tmpfs.js';
import { devSpecialInode } from './devices.js';
import { MEM_MAJOR, TTYAUX_MAJOR, registerMemDevices } from './mem.js';

export { devSpecialInode, registerCharDevice, lookupCharDevice, DeviceInode } from './devices.js';
export type { CharDevice } from './devices.js';

registerMemDevices();

const root = (mode: number): CreateOpts => ({ mode, uid: 0, gid: 0 });

/** The standard character devices: name, major, minor, permissions. */
const DEVICES: [string, number, number, number][] = [
  ['null', MEM_MAJOR, 3, 0o666],
  ['zero', MEM_MAJOR, 5, 0o666],
  ['full', MEM_MAJOR, 7, 0o666],
  ['random', MEM_MAJOR, 8, 0o666],
  ['urandom', MEM_MAJOR, 9, 0o666],
  ['tty', TTYAUX_MAJOR, 0, 0o666],
  ['console', TTYAUX_MAJOR, 1, 0o600],
];

const SYMLINKS: [string, string][] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
  // Dangling until devpts is mounted on pts/.
  ['ptmx', 'pts/ptmx'],
];

const DIRS: [string, number][] = [
  ['pts', 0o755],
  ['shm', 0o1777],
  ['mqueue', 0o1777],
];

/** The launcher's entry point: a fresh /dev for one sandbox. */
export function newDevFilesystem(kernel: Kernel): TmpfsFilesystem {
  const fs = new TmpfsFilesystem({ name: 'tmpfs', mode: 0o755 });
  fs.special = devSpecialInode;
  const dir = fs.root().inode;
  for (const [name, maj, min, perm] of DEVICES) dir.mknod(name, { ...root(S_IFCHR | perm), rdev: makedev(maj, min) });
  for (const [name, target] of SYMLINKS) dir.symlink(name, target, root(0o777));
  for (const [name, perm] of DIRS) dir.mkdir(name, root(S_IFDIR | perm));
  return fs;
}
