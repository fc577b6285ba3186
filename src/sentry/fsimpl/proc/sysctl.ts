// /proc/sys (kernel/sysctl.c): the sandbox's sysctls. Permissions follow
// proc_sys_permission: read-only entries refuse writers with EACCES even for
// root. Only the UTS names are writable, as in a UTS namespace.
import {
  INOTIFY_MAX_QUEUED_EVENTS, INOTIFY_MAX_USER_INSTANCES, INOTIFY_MAX_USER_WATCHES,
} from '../../../abi/linux/inotify.js';
import { EINVAL } from '../../../abi/linux/errno.js';
import { CAP_LAST_CAP } from '../../kernel/credentials.js';
import type { Kernel, UtsNames } from '../../kernel/kernel.js';
import { MAX_MAP_COUNT, MIN_USER_ADDRESS } from '../../mm/mm.js';
import { NR_OPEN } from '../../vfs/fd_table.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import { randomUuid } from './format.js';
import { GenFile, SynthDir, type WriteFn } from './nodes.js';

/** __NEW_UTS_LEN: the longest host or domain name. */
const UTS_LEN = 64;
/** SHMMAX and SHMALL default: ULONG_MAX - 2^24. */
const SHM_DEFAULT = '18446744073692774399';

/**
 * Writes a UTS string the way proc_dostring does with sysctl_writes_strict: a write
 * at offset 0 replaces the value, later offsets append, and the text ends at the
 * first newline or NUL.
 */
function utsWriter(k: Kernel, field: keyof UtsNames): WriteFn {
  return (_t, data: Uint8Array, off: number): number => {
    const cur = k.uts[field];
    if (off > cur.length) return data.length;
    let end = data.findIndex((c) => c === 0 || c === 0x0a);
    if (end < 0) end = data.length;
    const next = (off === 0 ? '' : cur.slice(0, off)) + Buffer.from(data.subarray(0, end)).toString('latin1');
    if (next.length > UTS_LEN) throw EINVAL;
    k.uts[field] = next;
    return data.length;
  };
}

/** Builds /proc/sys under `sys`. */
export function buildSysctl(fs: Filesystem, k: Kernel, sys: SynthDir): void {
  const ro = (dir: SynthDir, name: string, value: () => string): void => {
    dir.add(name, new GenFile(fs, () => `${value()}\n`, { perm: 0o444, strictMode: true }));
  };
  const kernel = sys.dir('kernel');
  const uts: [string, 'nodename' | 'domainname'][] = [['hostname', 'nodename'], ['domainname', 'domainname']];
  for (const [name, field] of uts) {
    kernel.add(name, new GenFile(fs, () => `${k.uts[field]}\n`, {
      perm: 0o644,
      strictMode: true,
      write: utsWriter(k, field),
    }));
  }
  ro(kernel, 'osrelease', () => k.uts.release);
  ro(kernel, 'ostype', () => k.uts.sysname);
  ro(kernel, 'version', () => k.uts.version);
  ro(kernel, 'pid_max', () => '4194304');
  ro(kernel, 'threads-max', () => '4194304');
  ro(kernel, 'ngroups_max', () => '65536');
  ro(kernel, 'cap_last_cap', () => String(CAP_LAST_CAP));
  ro(kernel, 'overflowuid', () => '65534');
  ro(kernel, 'overflowgid', () => '65534');
  ro(kernel, 'shmmax', () => SHM_DEFAULT);
  ro(kernel, 'shmall', () => SHM_DEFAULT);
  ro(kernel, 'shmmni', () => '4096');
  // SysV IPC limits as the sandbox's IPC namespace enforces them (semmsl semmns semopm semmni).
  const sem = k.ipc.sem.limits;
  ro(kernel, 'sem', () => `${sem.semmsl}\t${sem.semmns}\t${sem.semopm}\t${sem.semmni}`);
  ro(kernel, 'msgmax', () => String(k.ipc.msg.limits.msgmax));
  ro(kernel, 'msgmnb', () => String(k.ipc.msg.limits.msgmnb));
  ro(kernel, 'msgmni', () => String(k.ipc.msg.limits.msgmni));
  ro(kernel, 'randomize_va_space', () => '2');
  const random = kernel.dir('random');
  const bootId = randomUuid();
  ro(random, 'boot_id', () => bootId);
  ro(random, 'uuid', () => randomUuid());
  ro(random, 'entropy_avail', () => '256');
  ro(random, 'poolsize', () => '256');

  const vm = sys.dir('vm');
  ro(vm, 'overcommit_memory', () => '0');
  ro(vm, 'overcommit_ratio', () => '50');
  ro(vm, 'max_map_count', () => String(MAX_MAP_COUNT));
  ro(vm, 'mmap_min_addr', () => String(MIN_USER_ADDRESS));

  const fsDir = sys.dir('fs');
  ro(fsDir, 'file-max', () => '9223372036854775807');
  ro(fsDir, 'nr_open', () => String(NR_OPEN));
  const inotify = fsDir.dir('inotify');
  ro(inotify, 'max_queued_events', () => String(INOTIFY_MAX_QUEUED_EVENTS));
  ro(inotify, 'max_user_instances', () => String(INOTIFY_MAX_USER_INSTANCES));
  ro(inotify, 'max_user_watches', () => String(INOTIFY_MAX_USER_WATCHES));
  const mq = fsDir.dir('mqueue');
  const mql = k.ipc.mqueue.limits;
  ro(mq, 'msg_max', () => String(mql.msgMax));
  ro(mq, 'msgsize_max', () => String(mql.msgsizeMax));
  ro(mq, 'msg_default', () => String(mql.msgDefault));
  ro(mq, 'msgsize_default', () => String(mql.msgsizeDefault));
  ro(mq, 'queues_max', () => String(mql.queuesMax));

  const core = sys.dir('net').dir('core');
  ro(core, 'somaxconn', () => '4096');
}
