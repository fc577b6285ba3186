// /proc/net: tables the socket families publish (Linux's proc_net entries). The
// families register their files here (socket/ sits above fsimpl/), so the
// directory lists whatever is registered when it is read.
import type { Task } from '../../kernel/task.js';
import type { Filesystem } from '../../vfs/filesystem.js';
import type { DirEntry, Inode } from '../../vfs/inode.js';
import { GenFile, SynthDir, entriesOf } from './nodes.js';

export type NetTable = (t: Task) => string;

const tables = new Map<string, NetTable>();

/** Adds /proc/net/<name> (unix now; dev, tcp, udp, route ... with issue #7). */
export function registerProcNet(name: string, gen: NetTable): void {
  tables.set(name, gen);
}

export class ProcNetDir extends SynthDir {
  private readonly files = new Map<string, GenFile>();

  constructor(fs: Filesystem) {
    super(fs, 0o555);
  }

  private file(name: string): GenFile | null {
    const gen = tables.get(name);
    if (!gen) return null;
    let f = this.files.get(name);
    if (!f) {
      f = new GenFile(this.fs, gen);
      this.files.set(name, f);
    }
    return f;
  }

  protected override lookupDynamic(name: string): Inode | null {
    return this.file(name);
  }

  protected override readdirDynamic(): DirEntry[] {
    return entriesOf([...tables.keys()].sort().map((n): [string, Inode] => [n, this.file(n)!]));
  }
}
