// The memory devices of major 1 (drivers/char/mem.c, random.c): null, zero, full,
// random, urandom; and the terminal aliases of major 5: tty and console.
import { fillRandom } from '../../kernel/rand.js';
import { ENOSPC, ENXIO } from '../../../abi/linux/errno.js';
import type { Task } from '../../kernel/task.js';
import { FileDescription, type MappingSource } from '../../vfs/file.js';
import { seqLength, type IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import { openControllingPty } from '../devpts/devpts.js';
import { registerCharDevice } from './devices.js';

/** Shared by the memory devices: writes vanish, lseek always lands at 0 (null_lseek). */
abstract class MemDeviceFile extends FileDescription {
  override write(t: Task, src: IOSequence, off: number): number {
    return seqLength(src);
  }

  override seek(): number {
    this.offset = 0;
    return 0;
  }
}

function fillZero(dst: IOSequence): number {
  let n = 0;
  for (const v of dst) {
    v.fill(0);
    n += v.length;
  }
  return n;
}

/** /dev/null (1,3): reads end at once, writes are swallowed. */
export class NullFile extends MemDeviceFile {
  override read(): number {
    return 0;
  }
}

/** /dev/zero (1,5): an endless source of zeros; mmap gives zero-filled pages. */
export class ZeroFile extends MemDeviceFile {
  override read(t: Task, dst: IOSequence): number {
    return fillZero(dst);
  }

  override mapping(): MappingSource {
    return {
      // Linux backs shared /dev/zero maps with an unlinked shmem file of this name.
      name: '/dev/zero (deleted)',
      readAt: (dst) => {
        dst.fill(0);
      },
    };
  }
}

/** /dev/full (1,7): reads zeros, every write fails with ENOSPC. */
export class FullFile extends MemDeviceFile {
  override read(t: Task, dst: IOSequence): number {
    return fillZero(dst);
  }

  override write(): number {
    throw ENOSPC;
  }
}

/** Fill large reads in bounded pieces so one read cannot stall the Sentry in one call. */
const RANDOM_CHUNK = 1 << 20;

/** /dev/random (1,8) and /dev/urandom (1,9): the host CSPRNG; neither blocks. Writes are accepted. */
export class RandomFile extends MemDeviceFile {
  override read(t: Task, dst: IOSequence): number {
    let n = 0;
    for (const v of dst) {
      for (let off = 0; off < v.length; off += RANDOM_CHUNK) {
        fillRandom(v.subarray(off, off + Math.min(RANDOM_CHUNK, v.length - off)));
      }
      n += v.length;
    }
    return n;
  }
}

type FileCtor = new (vd: VirtualDentry, flags: number) => FileDescription;

function simple(ctor: FileCtor): { open: (t: Task, vd: VirtualDentry, flags: number) => FileDescription } {
  return { open: (t, vd, flags) => new ctor(vd, flags) };
}

/** /dev/tty and /dev/console: the caller's pty or the sandbox's controlling terminal, if it has one. */
const terminal = {
  open(t: Task, vd: VirtualDentry, flags: number): FileDescription {
    const pty = openControllingPty(t, vd, flags);
    if (pty) return pty;
    const open = t.kernel.controllingTty;
    if (!open) throw ENXIO;
    return open(t, vd, flags);
  },
};

export const MEM_MAJOR = 1;
export const TTYAUX_MAJOR = 5;

/** Installs the drivers above in the character-device table (idempotent). */
export function registerMemDevices(): void {
  registerCharDevice(MEM_MAJOR, 3, simple(NullFile));
  registerCharDevice(MEM_MAJOR, 5, simple(ZeroFile));
  registerCharDevice(MEM_MAJOR, 7, simple(FullFile));
  registerCharDevice(MEM_MAJOR, 8, simple(RandomFile));
  registerCharDevice(MEM_MAJOR, 9, simple(RandomFile));
  registerCharDevice(TTYAUX_MAJOR, 0, terminal);
  registerCharDevice(TTYAUX_MAJOR, 1, terminal);
}
