// The sandbox's vDSO (native/vdso/vdso.c): a parameter page ([vvar]) and the image
// ([vdso]) right after it, in memory-file pages shared by every address space
// copy-on-write. The parameter page tells the image where the host kernel's own
// vDSO functions are in the stub, so that clock_gettime and friends never leave
// user space; without them every entry is 0 and the image makes system calls.
import { readFileSync } from 'node:fs';
import { PAGE_SIZE, PROT_EXEC, PROT_READ, pageRoundUp } from '../../abi/linux/mm.js';
import { native, vdsoPath } from '../../native.js';
import type { Extent, MemoryFile } from '../pgalloc/memory_file.js';
import type { MemoryManager } from '../mm/mm.js';
import { log } from '../../log.js';

/** Order of the host function addresses in the parameter page (struct vdso_params). */
const PARAM_SLOTS = 3;

export class Vdso {
  private readonly params: Extent[];
  private readonly image: Extent[];
  readonly imageBytes: number;

  /** `hostVdsoBase`: the host vDSO's address in the stubs (0: unknown, use syscalls). */
  constructor(mf: MemoryFile, bytes: Uint8Array, hostVdsoBase: number) {
    if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new Error('vdso.so is not an ELF image');
    }
    this.imageBytes = pageRoundUp(bytes.length);
    this.params = mf.allocate(PAGE_SIZE);
    this.image = mf.allocate(this.imageBytes);
    let pos = 0;
    for (const e of this.image) {
      mf.view(e.off, e.len).set(bytes.subarray(pos, pos + e.len));
      pos += e.len;
    }
    const offsets = hostVdsoBase ? native().hostVdsoOffsets() : [];
    const page = new BigUint64Array(PARAM_SLOTS);
    for (let i = 0; i < PARAM_SLOTS; i++) {
      const off = offsets[i] ?? 0;
      page[i] = off > 0 ? BigInt(hostVdsoBase + off) : 0n;
    }
    mf.view(this.params[0]!.off, PAGE_SIZE).set(new Uint8Array(page.buffer));
  }

  /** Reads the image built by `npm install`; null (no vDSO, libc uses syscalls) if it is missing. */
  static load(mf: MemoryFile, hostVdsoBase: number): Vdso | null {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(vdsoPath);
    } catch (e) {
      log.warn(`no vDSO (${vdsoPath}: ${(e as Error).message}); time calls will be system calls`);
      return null;
    }
    return new Vdso(mf, bytes, hostVdsoBase);
  }

  /** Maps [vvar] and [vdso] into `mm`; returns the image's address (AT_SYSINFO_EHDR). */
  mapInto(mm: MemoryManager): number {
    const base = mm.findGap(0, PAGE_SIZE + this.imageBytes);
    mm.mmap({ addr: base, length: PAGE_SIZE, prot: PROT_READ, fixed: false, noReplace: true, shared: false,
      name: '[vvar]', backing: this.params });
    const image = base + PAGE_SIZE;
    mm.mmap({ addr: image, length: this.imageBytes, prot: PROT_READ | PROT_EXEC, fixed: false, noReplace: true,
      shared: false, name: '[vdso]', backing: this.image });
    return image;
  }
}
