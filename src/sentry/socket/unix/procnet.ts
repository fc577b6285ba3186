// /proc/net/unix (unix_seq_show): one line per open AF_UNIX socket.
import { registerProcNet } from '../../fsimpl/proc/net.js';
import type { Task } from '../../kernel/task.js';
import { displayName } from './addr.js';
import { unixNamespace } from './namespace.js';

const SO_ACCEPTCON = 1 << 16;
const SS_UNCONNECTED = 1;
const SS_CONNECTED = 3;

function hex(v: number, width: number): string {
  return v.toString(16).toUpperCase().padStart(width, '0');
}

export function procNetUnix(t: Task): string {
  let out = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
  for (const s of unixNamespace(t.kernel).sockets) {
    const st = s.procState;
    // Kernel addresses are hidden (%pK without privilege); 2 references as for an open socket.
    out += `0000000000000000: ${hex(2, 8)} ${hex(0, 8)} ${hex(st.listening ? SO_ACCEPTCON : 0, 8)} ` +
      `${hex(s.type, 4)} ${hex(st.connected ? SS_CONNECTED : SS_UNCONNECTED, 2)} ${String(s.inode.ino).padStart(5)}`;
    if (s.addr) out += ` ${displayName(s.addr)}`;
    out += '\n';
  }
  return out;
}

registerProcNet('unix', procNetUnix);
