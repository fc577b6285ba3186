// Open regular files of the gofer file system: I/O goes straight to the host fd
// the gofer donated (pread/pwrite into application memory), no gofer round trip.
import { errnoFromNumber } from '../../../abi/linux/errno.js';
import { decodeStat } from '../../../abi/linux/stat.js';
import { native } from '../../../native.js';
import { RegularFileDescription, type MappingSource } from '../../vfs/file.js';
import type { IOSequence } from '../../vfs/iosequence.js';
import type { VirtualDentry } from '../../vfs/mount.js';
import type { GoferInode } from './inode.js';

/** Linux caps one read/write at this; a shorter transfer below it means EOF (or a full disk). */
const MAX_RW = 0x7ffff000;

/** A donated host fd shared by a description and the mappings made from it. */
export class HostFd {
  private refs = 1;

  constructor(readonly fd: number) {}

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs === 0) native().close(this.fd);
  }
}

// A mapping may re-read the file (mremap growth, MADV_DONTNEED) after the app closed
// the descriptor, as ld.so does right after mmap: it keeps the fd until collected.
const mappingRefs = new FinalizationRegistry<HostFd>((h) => h.decRef());

/** Fills dst from the file at `off`; bytes past EOF read as zero (a mapped page's tail). */
function fillFrom(fd: number, dst: Uint8Array, off: number): void {
  const nat = native();
  let done = 0;
  while (done < dst.length) {
    const n = nat.pread(fd, dst.subarray(done), off + done);
    if (n <= 0) break;
    done += n;
  }
  if (done < dst.length) dst.fill(0, done);
}

export class GoferFileDescription extends RegularFileDescription {
  constructor(
    vd: VirtualDentry,
    flags: number,
    /** The gofer inode (vd's inode may be an overlay inode above it). */
    readonly file: GoferInode,
    readonly host: HostFd,
  ) {
    super(vd, flags);
  }

  protected readAt(dst: IOSequence, off: number): number {
    const nat = native();
    const fd = this.host.fd;
    let done = 0;
    for (const v of dst) {
      if (v.length === 0) continue;
      const n = nat.pread(fd, v, off + done);
      if (n < 0) {
        if (done > 0) break;
        throw errnoFromNumber(-n);
      }
      done += n;
      if (n < v.length && n < MAX_RW) break;
    }
    return done;
  }

  protected writeAt(src: IOSequence, off: number): number {
    const nat = native();
    const fd = this.host.fd;
    let done = 0;
    let err = 0;
    for (const v of src) {
      if (v.length === 0) continue;
      const n = nat.pwrite(fd, v, off + done);
      if (n < 0) {
        err = -n;
        break;
      }
      done += n;
      if (n < v.length && n < MAX_RW) break;
    }
    if (done > 0) this.file.noteWrite(off + done);
    else if (err) throw errnoFromNumber(err);
    return done;
  }

  protected fileSize(): number {
    return this.file.currentSize(this.host.fd);
  }

  override dataInode(): object {
    return this.file;
  }

  override truncate(size: number): void {
    const r = native().ftruncate(this.host.fd, size);
    if (r < 0) throw errnoFromNumber(-r);
    this.file.noteTruncate(size);
  }

  // Data went straight to the host fd, so durability is the host's: ask it.
  override fsync(dataOnly: boolean): void {
    const r = native().fsync(this.host.fd, dataOnly ? 1 : 0);
    if (r < 0) throw errnoFromNumber(-r);
  }

  override syncRange(off: number, len: number, flags: number): void {
    const r = native().syncFileRange(this.host.fd, off, len, flags);
    if (r < 0) throw errnoFromNumber(-r);
  }

  override syncfs(): void {
    const r = native().syncfs(this.host.fd);
    if (r < 0) throw errnoFromNumber(-r);
  }

  /** The host file system decides which modes it supports (ext4 has ZERO_RANGE, tmpfs not). */
  override allocate(mode: number, off: number, len: number): void {
    const r = native().fallocate(this.host.fd, mode, off, len);
    if (r < 0) throw errnoFromNumber(-r);
    const st = new Uint8Array(144);
    if (native().fstat(this.host.fd, st) === 0) this.file.apply(decodeStat(st));
  }

  override mapping(): MappingSource {
    const host = this.host;
    host.incRef();
    const readAt = (dst: Uint8Array, off: number): void => fillFrom(host.fd, dst, off);
    mappingRefs.register(readAt, host);
    // The host file's identity and version: private maps of it share cached pages.
    const st = new Uint8Array(144);
    if (native().fstat(host.fd, st) !== 0) return { readAt };
    const s = decodeStat(st);
    const cacheKey = `gofer:${s.dev}:${s.ino}:${s.mtime.sec}.${s.mtime.nsec}:${s.ctime.sec}.${s.ctime.nsec}:${s.size}`;
    return { readAt, cacheKey, size: s.size };
  }

  protected override release(): void {
    this.host.decRef();
  }
}
