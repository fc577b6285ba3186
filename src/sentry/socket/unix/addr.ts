// AF_UNIX addresses (struct sockaddr_un): a path name ("/run/x.sock"), an abstract
// name (a leading NUL, then any bytes; the length says where it ends), or none
// (unnamed: just the family). Linux keeps the bytes the socket was bound with and
// returns them from getsockname/getpeername/accept/recvfrom.
import { EINVAL } from '../../../abi/linux/errno.js';
import { AF_UNIX, SOCKADDR_UN_SIZE, SUN_PATH_OFFSET } from '../../../abi/linux/socket.js';

export interface UnixAddr {
  /** The sockaddr as reported back (family, then sun_path); its length is the address length. */
  readonly bytes: Uint8Array;
  readonly abstract: boolean;
  /** A path name's path, or an abstract name's bytes after the NUL (latin1). */
  readonly name: string;
}

/** The address of a socket without a name: sun_family only. */
export const UNNAMED: Uint8Array = Uint8Array.of(AF_UNIX, 0);

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** The family field of a sockaddr (EINVAL when there is none). */
export function sockaddrFamily(raw: Uint8Array): number {
  if (raw.length < 2) throw EINVAL;
  return raw[0]! | (raw[1]! << 8);
}

/**
 * unix_validate_addr + unix_mkname_bsd: an AF_UNIX name longer than the family and
 * no longer than sockaddr_un. A path name ends at its first NUL and is stored with
 * one NUL, so its length is offsetof(sun_path) + strlen + 1.
 */
export function parseUnixAddr(raw: Uint8Array): UnixAddr {
  if (raw.length <= SUN_PATH_OFFSET || raw.length > SOCKADDR_UN_SIZE || sockaddrFamily(raw) !== AF_UNIX) throw EINVAL;
  const path = raw.subarray(SUN_PATH_OFFSET);
  if (path[0] === 0) return { bytes: raw.slice(), abstract: true, name: latin1(path.subarray(1)) };
  const z = path.indexOf(0);
  const p = z >= 0 ? path.subarray(0, z) : path;
  const bytes = new Uint8Array(SUN_PATH_OFFSET + p.length + 1);
  bytes.set(raw.subarray(0, SUN_PATH_OFFSET));
  bytes.set(p, SUN_PATH_OFFSET);
  return { bytes, abstract: false, name: latin1(p) };
}

/** An autobind name: NUL and five hex digits (unix_autobind). */
export function autobindAddr(n: number): UnixAddr {
  const name = n.toString(16).padStart(5, '0');
  const bytes = new Uint8Array(SUN_PATH_OFFSET + 1 + 5);
  bytes[0] = AF_UNIX;
  for (let i = 0; i < 5; i++) bytes[SUN_PATH_OFFSET + 1 + i] = name.charCodeAt(i);
  return { bytes, abstract: true, name };
}

/** /proc/net/unix's Path column: abstract names start with '@' and show NULs as '@'. */
export function displayName(a: UnixAddr): string {
  return a.abstract ? `@${a.name.replace(/\0/g, '@')}` : a.name;
}
