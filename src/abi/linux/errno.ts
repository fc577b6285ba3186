// Linux errno values (x86_64, from <asm-generic/errno*.h>).
//
// A syscall fails by throwing one of these preallocated SysError singletons: they carry
// no stack trace, so throwing them on hot paths costs little. Anything else thrown from
// a syscall handler is a Sentry bug (the dispatcher logs it and returns EIO).

export class SysError {
  constructor(
    readonly errno: number,
    readonly name: string,
  ) {}
  toString(): string {
    return `${this.name} (${this.errno})`;
  }
}

const byNumber: SysError[] = [];
function e(errno: number, name: string): SysError {
  const err = new SysError(errno, name);
  byNumber[errno] ??= err;
  return err;
}

export const EPERM = e(1, 'EPERM');
export const ENOENT = e(2, 'ENOENT');
export const ESRCH = e(3, 'ESRCH');
export const EINTR = e(4, 'EINTR');
export const EIO = e(5, 'EIO');
export const ENXIO = e(6, 'ENXIO');
export const E2BIG = e(7, 'E2BIG');
export const ENOEXEC = e(8, 'ENOEXEC');
export const EBADF = e(9, 'EBADF');
export const ECHILD = e(10, 'ECHILD');
export const EAGAIN = e(11, 'EAGAIN');
export const ENOMEM = e(12, 'ENOMEM');
export const EACCES = e(13, 'EACCES');
export const EFAULT = e(14, 'EFAULT');
export const ENOTBLK = e(15, 'ENOTBLK');
export const EBUSY = e(16, 'EBUSY');
export const EEXIST = e(17, 'EEXIST');
export const EXDEV = e(18, 'EXDEV');
export const ENODEV = e(19, 'ENODEV');
export const ENOTDIR = e(20, 'ENOTDIR');
export const EISDIR = e(21, 'EISDIR');
export const EINVAL = e(22, 'EINVAL');
export const ENFILE = e(23, 'ENFILE');
export const EMFILE = e(24, 'EMFILE');
export const ENOTTY = e(25, 'ENOTTY');
export const ETXTBSY = e(26, 'ETXTBSY');
export const EFBIG = e(27, 'EFBIG');
export const ENOSPC = e(28, 'ENOSPC');
export const ESPIPE = e(29, 'ESPIPE');
export const EROFS = e(30, 'EROFS');
export const EMLINK = e(31, 'EMLINK');
export const EPIPE = e(32, 'EPIPE');
export const EDOM = e(33, 'EDOM');
export const ERANGE = e(34, 'ERANGE');
export const EDEADLK = e(35, 'EDEADLK');
export const ENAMETOOLONG = e(36, 'ENAMETOOLONG');
export const ENOLCK = e(37, 'ENOLCK');
export const ENOSYS = e(38, 'ENOSYS');
export const ENOTEMPTY = e(39, 'ENOTEMPTY');
export const ELOOP = e(40, 'ELOOP');
export const ENOMSG = e(42, 'ENOMSG');
export const EIDRM = e(43, 'EIDRM');
export const ECHRNG = e(44, 'ECHRNG');
export const EL2NSYNC = e(45, 'EL2NSYNC');
export const EL3HLT = e(46, 'EL3HLT');
export const EL3RST = e(47, 'EL3RST');
export const ELNRNG = e(48, 'ELNRNG');
export const EUNATCH = e(49, 'EUNATCH');
export const ENOCSI = e(50, 'ENOCSI');
export const EL2HLT = e(51, 'EL2HLT');
export const EBADE = e(52, 'EBADE');
export const EBADR = e(53, 'EBADR');
export const EXFULL = e(54, 'EXFULL');
export const ENOANO = e(55, 'ENOANO');
export const EBADRQC = e(56, 'EBADRQC');
export const EBADSLT = e(57, 'EBADSLT');
export const EBFONT = e(59, 'EBFONT');
export const ENOSTR = e(60, 'ENOSTR');
export const ENODATA = e(61, 'ENODATA');
export const ETIME = e(62, 'ETIME');
export const ENOSR = e(63, 'ENOSR');
export const ENONET = e(64, 'ENONET');
export const ENOPKG = e(65, 'ENOPKG');
export const EREMOTE = e(66, 'EREMOTE');
export const ENOLINK = e(67, 'ENOLINK');
export const EADV = e(68, 'EADV');
export const ESRMNT = e(69, 'ESRMNT');
export const ECOMM = e(70, 'ECOMM');
export const EPROTO = e(71, 'EPROTO');
export const EMULTIHOP = e(72, 'EMULTIHOP');
export const EDOTDOT = e(73, 'EDOTDOT');
export const EBADMSG = e(74, 'EBADMSG');
export const EOVERFLOW = e(75, 'EOVERFLOW');
export const ENOTUNIQ = e(76, 'ENOTUNIQ');
export const EBADFD = e(77, 'EBADFD');
export const EREMCHG = e(78, 'EREMCHG');
export const ELIBACC = e(79, 'ELIBACC');
export const ELIBBAD = e(80, 'ELIBBAD');
export const ELIBSCN = e(81, 'ELIBSCN');
export const ELIBMAX = e(82, 'ELIBMAX');
export const ELIBEXEC = e(83, 'ELIBEXEC');
export const EILSEQ = e(84, 'EILSEQ');
export const ERESTART = e(85, 'ERESTART');
export const ESTRPIPE = e(86, 'ESTRPIPE');
export const EUSERS = e(87, 'EUSERS');
export const ENOTSOCK = e(88, 'ENOTSOCK');
export const EDESTADDRREQ = e(89, 'EDESTADDRREQ');
export const EMSGSIZE = e(90, 'EMSGSIZE');
export const EPROTOTYPE = e(91, 'EPROTOTYPE');
export const ENOPROTOOPT = e(92, 'ENOPROTOOPT');
export const EPROTONOSUPPORT = e(93, 'EPROTONOSUPPORT');
export const ESOCKTNOSUPPORT = e(94, 'ESOCKTNOSUPPORT');
export const EOPNOTSUPP = e(95, 'EOPNOTSUPP');
export const EPFNOSUPPORT = e(96, 'EPFNOSUPPORT');
export const EAFNOSUPPORT = e(97, 'EAFNOSUPPORT');
export const EADDRINUSE = e(98, 'EADDRINUSE');
export const EADDRNOTAVAIL = e(99, 'EADDRNOTAVAIL');
export const ENETDOWN = e(100, 'ENETDOWN');
export const ENETUNREACH = e(101, 'ENETUNREACH');
export const ENETRESET = e(102, 'ENETRESET');
export const ECONNABORTED = e(103, 'ECONNABORTED');
export const ECONNRESET = e(104, 'ECONNRESET');
export const ENOBUFS = e(105, 'ENOBUFS');
export const EISCONN = e(106, 'EISCONN');
export const ENOTCONN = e(107, 'ENOTCONN');
export const ESHUTDOWN = e(108, 'ESHUTDOWN');
export const ETOOMANYREFS = e(109, 'ETOOMANYREFS');
export const ETIMEDOUT = e(110, 'ETIMEDOUT');
export const ECONNREFUSED = e(111, 'ECONNREFUSED');
export const EHOSTDOWN = e(112, 'EHOSTDOWN');
export const EHOSTUNREACH = e(113, 'EHOSTUNREACH');
export const EALREADY = e(114, 'EALREADY');
export const EINPROGRESS = e(115, 'EINPROGRESS');
export const ESTALE = e(116, 'ESTALE');
export const EUCLEAN = e(117, 'EUCLEAN');
export const ENOTNAM = e(118, 'ENOTNAM');
export const ENAVAIL = e(119, 'ENAVAIL');
export const EISNAM = e(120, 'EISNAM');
export const EREMOTEIO = e(121, 'EREMOTEIO');
export const EDQUOT = e(122, 'EDQUOT');
export const ENOMEDIUM = e(123, 'ENOMEDIUM');
export const EMEDIUMTYPE = e(124, 'EMEDIUMTYPE');
export const ECANCELED = e(125, 'ECANCELED');
export const ENOKEY = e(126, 'ENOKEY');
export const EKEYEXPIRED = e(127, 'EKEYEXPIRED');
export const EKEYREVOKED = e(128, 'EKEYREVOKED');
export const EKEYREJECTED = e(129, 'EKEYREJECTED');
export const EOWNERDEAD = e(130, 'EOWNERDEAD');
export const ENOTRECOVERABLE = e(131, 'ENOTRECOVERABLE');
export const ERFKILL = e(132, 'ERFKILL');
export const EHWPOISON = e(133, 'EHWPOISON');

// Internal restart codes (never seen by applications; include/linux/errno.h).
export const ERESTARTSYS = e(512, 'ERESTARTSYS');
export const ERESTARTNOINTR = e(513, 'ERESTARTNOINTR');
export const ERESTARTNOHAND = e(514, 'ERESTARTNOHAND');
export const ERESTART_RESTARTBLOCK = e(516, 'ERESTART_RESTARTBLOCK');

/** The SysError for an errno number (a fresh one for numbers Linux does not define). */
// Aliases share numbers; the canonical names are the ones strace prints.
byNumber[EOPNOTSUPP.errno] = EOPNOTSUPP;

export function errnoFromNumber(errno: number): SysError {
  return byNumber[errno] ?? new SysError(errno, `E${errno}`);
}

/** Name of an errno for logs and strace, e.g. "ENOENT". */
export function errnoName(errno: number): string {
  return byNumber[errno]?.name ?? `E${errno}`;
}

export function isSysError(x: unknown): x is SysError {
  return x instanceof SysError;
}
