// Creating the first process of a sandbox (init, pid 1): a task with a fresh
// address space, the given files and credentials, loaded through the same exec
// path as execve(2).
import { FdTable } from '../vfs/fd_table.js';
import { resolvePath } from '../vfs/path.js';
import type { FileDescription } from '../vfs/file.js';
import type { FsContext } from '../vfs/fs_context.js';
import { MemoryManager } from '../mm/mm.js';
import { ExecError, explainExecError, loadImage, type LoadedImage } from '../loader/loader.js';
import { EACCES, ENOENT, ENOTDIR } from '../../abi/linux/errno.js';
import type { Credentials } from './credentials.js';
import { commitExec } from './exec.js';
import type { Kernel } from './kernel.js';
import { Limits } from './limits.js';
import { SignalHandlers } from './signal_handlers.js';
import { Task, TaskState } from './task.js';
import { ThreadGroup } from './thread_group.js';
import { cpuLimitChanged } from './timer/rlimit_cpu.js';

export interface InitSpec {
  /** Path of the program (absolute, or relative to cwd), or a name to find in `searchPath`. */
  path: string;
  /** Directories to search when `path` has no slash (execvp semantics); null: use path as is. */
  searchPath?: string[] | null;
  argv: string[];
  envp: string[];
  fs: FsContext;
  creds: Credentials;
  /** Descriptors 0, 1, 2, ... of init. */
  files: FileDescription[];
  /** Working directory path; "/" when it does not resolve in the sandbox. */
  cwd?: string;
  limits?: Limits;
}

/** Loads init's program, searching PATH like execvp(3) when the name has no slash. */
function loadFirst(t: Task, spec: InitSpec, mm: MemoryManager): LoadedImage {
  const candidates = spec.path.includes('/') || !spec.searchPath
    ? [spec.path]
    : spec.searchPath.map((d) => `${d.replace(/\/+$/, '') || ''}/${spec.path}`);
  let firstError: unknown = null;
  for (const path of candidates) {
    try {
      const start = path.startsWith('/') ? spec.fs.root : spec.fs.cwd;
      return loadImage(t, { path, start, argv: spec.argv, envp: spec.envp }, mm);
    } catch (e) {
      // Like execvp: remember a real failure (EACCES, ENOEXEC) over "not here".
      if (firstError === null || (firstError === ENOENT && e !== ENOENT)) firstError = e;
      if (e !== ENOENT && e !== EACCES && e !== ENOTDIR) break;
    }
  }
  throw new ExecError(firstError, explainExecError(t, spec, candidates, firstError));
}

/** Creates and starts init. Throws the exec error (ENOENT, ENOEXEC, ...) if it cannot load. */
export function startInit(k: Kernel, spec: InitSpec): Task {
  const pid = k.allocPid();
  const mm = new MemoryManager(k.mf, k.platform.newAddressSpace(), k.platform.maxUserAddress);
  const fdTable = new FdTable();
  const tg = new ThreadGroup(pid, null, new SignalHandlers(), spec.limits ?? new Limits(), pid, pid);
  const t = new Task(k, pid, mm.as.pid, tg, mm, fdTable, spec.fs, spec.creds);
  tg.addTask(t);
  if (spec.cwd) {
    try {
      spec.fs.cwd = resolvePath(t.walkCtx, spec.fs.root, spec.cwd, { follow: true, directory: true });
    } catch {
      spec.fs.cwd = spec.fs.root;
    }
  }
  try {
    commitExec(t, loadFirst(t, spec, mm));
  } catch (e) {
    mm.decUsers();
    throw e;
  }
  spec.files.forEach((f, i) => fdTable.setAt(i, f, false, 1 << 20));
  k.threadGroups.set(pid, tg);
  k.registerTask(t);
  k.init = tg;
  k.initStarted();
  // Limits given at start (OCI process.rlimits) may include RLIMIT_CPU.
  cpuLimitChanged(tg);
  t.state = TaskState.InSentry;
  k.scheduler.resume(t);
  return t;
}
