// Control messages (net/core/scm.c): the cmsghdr list of sendmsg(2) decoded into
// SCM_RIGHTS descriptions and SCM_CREDENTIALS, and received ones encoded back into
// the caller's msg_control (put_cmsg, scm_detach_fds), installing passed
// descriptions in the receiver's table.
import { EBADF, EFAULT, EINVAL, EMFILE, EPERM, ESRCH } from '../../abi/linux/errno.js';
import { RLIMIT_NOFILE } from '../../abi/linux/limits.js';
import {
  CMSGHDR_SIZE, MSG_CTRUNC, SCM_CREDENTIALS, SCM_MAX_FD, SCM_RIGHTS, SOL_SOCKET, UCRED_SIZE, cmsgAlign, cmsgLen,
  cmsgSpace,
} from '../../abi/linux/socket.js';
import { CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN } from '../kernel/credentials.js';
import type { Task } from '../kernel/task.js';
import type { FileDescription } from '../vfs/file.js';
import { releaseFiles, type UCred } from './socket.js';

export interface SendControl {
  rights: FileDescription[] | null;
  creds: UCred | null;
}

/**
 * scm_check_creds: a sender may claim its own pid and any of its real, effective
 * or saved ids; CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID lift each rule.
 */
function checkCreds(t: Task, c: UCred): void {
  const cr = t.creds;
  const pidOk = c.pid === t.tg.pid || cr.hasCap(CAP_SYS_ADMIN);
  const uidOk = c.uid === cr.ruid || c.uid === cr.euid || c.uid === cr.suid || cr.hasCap(CAP_SETUID);
  const gidOk = c.gid === cr.rgid || c.gid === cr.egid || c.gid === cr.sgid || cr.hasCap(CAP_SETGID);
  if (!pidOk || !uidOk || !gidOk) throw EPERM;
  if (c.pid !== t.tg.pid && !t.kernel.tasks.has(c.pid) && !t.kernel.threadGroups.has(c.pid)) throw ESRCH;
  // (uid_t)-1 is no id at all.
  if (c.uid === -1 || c.gid === -1) throw EINVAL;
}

/**
 * __scm_send: walks the cmsghdr list of `buf` (msg_control, msg_controllen bytes).
 * Every header must fit (EINVAL); SOL_SOCKET ones must be SCM_RIGHTS (AF_UNIX
 * only) or SCM_CREDENTIALS; other levels are the protocol's and ignored here.
 */
export function parseControl(t: Task, buf: Uint8Array, allowRights: boolean): SendControl {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const rights: FileDescription[] = [];
  let creds: UCred | null = null;
  let off = 0;
  while (buf.length - off >= CMSGHDR_SIZE) {
    const len = dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 4294967296;
    const level = dv.getInt32(off + 8, true);
    const type = dv.getInt32(off + 12, true);
    if (len < CMSGHDR_SIZE || len > buf.length - off) throw EINVAL;
    if (level === SOL_SOCKET) {
      if (type === SCM_RIGHTS) {
        if (!allowRights) throw EINVAL;
        const num = Math.floor((len - CMSGHDR_SIZE) / 4);
        if (num > SCM_MAX_FD || rights.length + num > SCM_MAX_FD) throw EINVAL;
        for (let i = 0; i < num; i++) {
          const fd = dv.getInt32(off + CMSGHDR_SIZE + 4 * i, true);
          // fget_raw: O_PATH descriptors may travel too.
          const f = fd >= 0 ? t.fdTable.getOrNull(fd) : null;
          if (!f) throw EBADF;
          rights.push(f);
        }
      } else if (type === SCM_CREDENTIALS) {
        if (len !== cmsgLen(UCRED_SIZE)) throw EINVAL;
        const c = {
          pid: dv.getInt32(off + CMSGHDR_SIZE, true),
          uid: dv.getInt32(off + CMSGHDR_SIZE + 4, true),
          gid: dv.getInt32(off + CMSGHDR_SIZE + 8, true),
        };
        checkCreds(t, c);
        creds = c;
      } else {
        throw EINVAL;
      }
    }
    off += cmsgAlign(len);
  }
  return { rights: rights.length > 0 ? rights : null, creds };
}

/** Where received control messages go: msg_control and msg_controllen, filled in order. */
export class ControlWriter {
  private pos = 0;
  flags = 0;

  constructor(
    private readonly t: Task,
    private readonly addr: number,
    private readonly len: number,
  ) {}

  /** Bytes used (the msg_controllen recvmsg reports). */
  get used(): number {
    return this.pos;
  }

  private get space(): number {
    return this.len - this.pos;
  }

  private header(cmlen: number, level: number, type: number): Uint8Array {
    const b = new Uint8Array(CMSGHDR_SIZE);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, cmlen, true);
    dv.setInt32(8, level, true);
    dv.setInt32(12, type, true);
    return b;
  }

  /** put_cmsg: a message cut to the space left sets MSG_CTRUNC; a fault drops it. */
  put(level: number, type: number, data: Uint8Array): void {
    if (this.addr === 0 || this.space < CMSGHDR_SIZE) {
      this.flags |= MSG_CTRUNC;
      return;
    }
    let cmlen = cmsgLen(data.length);
    if (this.space < cmlen) {
      this.flags |= MSG_CTRUNC;
      cmlen = this.space;
    }
    const out = new Uint8Array(cmlen);
    out.set(this.header(cmlen, level, type));
    out.set(data.subarray(0, cmlen - CMSGHDR_SIZE), CMSGHDR_SIZE);
    try {
      this.t.mm.copyOut(this.addr + this.pos, out);
    } catch (e) {
      if (e === EFAULT) return;
      throw e;
    }
    this.pos += Math.min(cmsgSpace(data.length), this.space);
  }

  creds(c: UCred): void {
    const b = new Uint8Array(UCRED_SIZE);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, c.pid, true);
    dv.setInt32(4, c.uid, true);
    dv.setInt32(8, c.gid, true);
    this.put(SOL_SOCKET, SCM_CREDENTIALS, b);
  }

  /**
   * scm_detach_fds: installs as many descriptions as fit (and the fd limit allows),
   * writes their numbers, and sets MSG_CTRUNC for the rest, which are closed.
   * Consumes the caller's references.
   */
  rights(files: FileDescription[], cloexec: boolean): void {
    try {
      const space = this.addr === 0 ? 0 : this.space;
      const fdmax = Math.min(space > CMSGHDR_SIZE ? Math.floor((space - CMSGHDR_SIZE) / 4) : 0, files.length);
      const limit = this.t.limit(RLIMIT_NOFILE).cur;
      const fds: number[] = [];
      for (let i = 0; i < fdmax; i++) {
        try {
          fds.push(this.t.fdTable.add(files[i]!, cloexec, limit));
        } catch (e) {
          if (e === EMFILE) break;
          throw e;
        }
      }
      if (fds.length > 0) {
        const n = fds.length;
        const out = new Uint8Array(cmsgLen(4 * n));
        out.set(this.header(cmsgLen(4 * n), SOL_SOCKET, SCM_RIGHTS));
        const dv = new DataView(out.buffer);
        fds.forEach((fd, i) => dv.setInt32(CMSGHDR_SIZE + 4 * i, fd, true));
        try {
          this.t.mm.copyOut(this.addr + this.pos, out);
          this.pos += Math.min(cmsgSpace(4 * n), this.space);
        } catch (e) {
          // The numbers could not be written: the descriptors are not installed after all.
          for (const fd of fds) this.t.fdTable.remove(fd);
          fds.length = 0;
          if (e !== EFAULT) throw e;
        }
      }
      if (fds.length < files.length) this.flags |= MSG_CTRUNC;
    } finally {
      releaseFiles(files);
    }
  }
}
