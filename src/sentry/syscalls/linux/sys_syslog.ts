// syslog(2) (klogctl): the kernel log that dmesg reads.
import { EINVAL, EPERM } from '../../../abi/linux/errno.js';
import { CAP_SYS_ADMIN } from '../../kernel/credentials.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';

const SYSLOG_ACTION_CLOSE = 0;
const SYSLOG_ACTION_OPEN = 1;
const SYSLOG_ACTION_READ = 2;
const SYSLOG_ACTION_READ_ALL = 3;
const SYSLOG_ACTION_READ_CLEAR = 4;
const SYSLOG_ACTION_CLEAR = 5;
const SYSLOG_ACTION_CONSOLE_OFF = 6;
const SYSLOG_ACTION_CONSOLE_ON = 7;
const SYSLOG_ACTION_CONSOLE_LEVEL = 8;
const SYSLOG_ACTION_SIZE_UNREAD = 9;
const SYSLOG_ACTION_SIZE_BUFFER = 10;

export function syslog(t: Task, [typeArg, buf, lenArg]: SyscallArgs): number {
  const type = typeArg.int32();
  const len = lenArg.int32();
  const log = t.kernel.syslog;
  if (type !== SYSLOG_ACTION_READ_ALL && type !== SYSLOG_ACTION_SIZE_BUFFER && !t.creds.hasCap(CAP_SYS_ADMIN)) {
    throw EPERM;
  }
  switch (type) {
    case SYSLOG_ACTION_CLOSE:
    case SYSLOG_ACTION_OPEN:
    case SYSLOG_ACTION_CONSOLE_OFF:
    case SYSLOG_ACTION_CONSOLE_ON:
      return 0;
    case SYSLOG_ACTION_CONSOLE_LEVEL:
      if (len < 1 || len > 8) throw EINVAL;
      return 0;
    case SYSLOG_ACTION_READ:
    case SYSLOG_ACTION_READ_ALL:
    case SYSLOG_ACTION_READ_CLEAR: {
      if (buf.addr() === 0 || len < 0) throw EINVAL;
      if (len === 0) return 0;
      const text = Buffer.from(log.read(true), 'latin1');
      // READ_ALL returns the newest bytes that fit.
      const part = text.subarray(Math.max(0, text.length - len));
      t.mm.copyOut(buf.addr(), part);
      if (type === SYSLOG_ACTION_READ_CLEAR) log.clear();
      return part.length;
    }
    case SYSLOG_ACTION_CLEAR:
      log.clear();
      return 0;
    case SYSLOG_ACTION_SIZE_UNREAD:
    case SYSLOG_ACTION_SIZE_BUFFER:
      return Math.max(log.size, 1 << 14);
    default:
      throw EINVAL;
  }
}
