// directfs set-up, the launcher's half: open the sandbox root before the Sentry is
// assembled and hand the fd over, as runsc's CLI donates fds to `runsc boot`. The
// Sentry then serves its root with the gofer's handlers on this fd (gofer/direct.ts)
// and never resolves a host path itself.
import { errnoFromNumber } from '../abi/linux/errno.js';
import { AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_PATH } from '../abi/linux/fcntl.js';
import { native } from '../native.js';
import type { GoferOptions } from './gofer_launch.js';

/** A root directory fd for the Sentry and the rules the gofer would apply to it. */
export interface DonatedRoot {
  /** O_PATH|O_DIRECTORY fd of the root; the Sentry owns it once booted. */
  fd: number;
  readOnly: boolean;
  deny: string[];
  mask: string[];
}

/**
 * Opens `o.root` (the operator named it, so symlinks on the way are followed, as
 * the gofer does for its root). Throws a SysError when it is not an openable directory.
 */
export function donateRoot(o: GoferOptions): DonatedRoot {
  // GoferOptions.root is command-line text; host paths are byte strings (latin1, one char per byte).
  const path = Buffer.from(o.root, 'utf8').toString('latin1');
  const fd = native().openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) throw errnoFromNumber(-fd);
  return { fd, readOnly: o.readOnly, deny: [...o.deny], mask: [...o.mask] };
}
