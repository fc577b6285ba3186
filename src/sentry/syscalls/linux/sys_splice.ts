// sendfile(2), splice(2), tee(2), vmsplice(2), copy_file_range(2): moving data between descriptions
// inside the Sentry, with fs/splice.c's rules. Pipes are byte buffers here, so
// "buffers" are bytes: a splice into a pipe moves at most its free space, one out of
// a pipe at most what it holds. Waits use the pipes' (or sockets') queues, so they are
// interruptible and restart like read and write.
import {
  EAGAIN, EBADF, EINVAL, EISDIR, EOVERFLOW, EPIPE, ESPIPE, EXDEV,
} from '../../../abi/linux/errno.js';
import { O_APPEND, O_NONBLOCK } from '../../../abi/linux/fcntl.js';
import { SIGPIPE } from '../../../abi/linux/signal.js';
import { SPLICE_F_ALL, SPLICE_F_NONBLOCK } from '../../../abi/linux/splice.js';
import { Block, type SyscallResult } from '../../kernel/block.js';
import { sendToThread } from '../../kernel/signals.js';
import { SI_USER } from '../../kernel/signal_queue.js';
import type { SyscallArgs } from '../../kernel/syscall_args.js';
import type { Task } from '../../kernel/task.js';
import { EVENT_IN, EVENT_OUT } from '../../kernel/waiter.js';
import { PipeDescription, type Pipe } from '../../fsimpl/pipe/pipe.js';
import { SocketDescription } from '../../socket/socket.js';
import { returnOnInterrupt } from '../../socket/wait.js';
import type { FileDescription } from '../../vfs/file.js';
import { seqLength, seqTake } from '../../vfs/iosequence.js';
import { MAX_RW_COUNT, readIovecs } from './iovec.js';

/** Bytes moved per step between two files. */
const CHUNK = 256 * 1024;
/** A long copy yields to the event loop after this many bytes, so other tasks keep running. */
const SLICE = 64 * 1024 * 1024;
/** Most bytes one call moves into or out of a pipe (a privileged pipe may be far larger). */
const MAX_PIPE_MOVE = 1 << 20;
const MAX_OFF = 2 ** 63;

let scratchBuf = new Uint8Array(0);

/** A transfer buffer; only valid until the handler yields (copy it before blocking). */
function scratch(n: number): Uint8Array {
  if (scratchBuf.length < n) scratchBuf = new Uint8Array(Math.max(n, Math.min(CHUNK, 2 * scratchBuf.length)));
  return scratchBuf.subarray(0, n);
}

function pipeOf(f: FileDescription): Pipe | null {
  return f instanceof PipeDescription ? f.pipe : null;
}

/** Writing to a pipe or stream socket nobody reads raises SIGPIPE too. */
function raiseSigpipe(t: Task, out: FileDescription): void {
  if (!(out instanceof SocketDescription) || out.sigpipe) {
    sendToThread(t, { signo: SIGPIPE, code: SI_USER, pid: t.tg.pid, uid: t.creds.ruid });
  }
}

/** rw_verify_area: offsets are non-negative and the range must not wrap. */
function verifyArea(pos: number, count: number): void {
  if (pos < 0 || pos + count >= MAX_OFF) throw EINVAL;
}

/** A size_t count that is negative as ssize_t is EINVAL; larger ones are capped. */
function countOf(arg: SyscallArgs[number]): number {
  if (BigInt.asIntN(64, arg.bigint()) < 0n) throw EINVAL;
  return Math.min(arg.size(), MAX_RW_COUNT);
}

/** Where a transfer reads or writes a file and how the new position is published. */
interface Cursor {
  pos: number;
  /** Positional I/O at pos; false for files without positions (sockets, ttys). */
  positional: boolean;
  commit(): void;
}

function cursor(t: Task, f: FileDescription, ptr: number, userOff: number | null): Cursor {
  const c: Cursor = {
    pos: userOff ?? f.offset,
    positional: f.positional,
    commit: () => {
      if (userOff !== null) t.mm.writeU64(ptr, c.pos);
      else if (c.positional) f.offset = c.pos;
    },
  };
  return c;
}

/** Reads into dst at the cursor; EAGAIN from a socket-like file propagates. */
function readAt(t: Task, f: FileDescription, c: Cursor, dst: Uint8Array): number {
  return f.read(t, [dst], c.positional ? c.pos : -1);
}

function writeAt(t: Task, f: FileDescription, c: Cursor, src: Uint8Array): number {
  return f.write(t, [src], c.positional ? c.pos : -1);
}

/** Splices up to len bytes from a file into a pipe (splice_file_to_pipe). */
function fileToPipe(t: Task, src: FileDescription, c: Cursor, pipeFile: FileDescription, pipe: Pipe, len: number,
  nonblock: boolean): SyscallResult {
  const attempt = (): number | Block => {
    if (pipe.readers === 0) {
      raiseSigpipe(t, pipeFile);
      throw EPIPE;
    }
    if (pipe.free === 0) {
      if (nonblock) throw EAGAIN;
      return t.waitOn(pipe.queue, EVENT_OUT, attempt);
    }
    const n = Math.min(len, pipe.free, MAX_PIPE_MOVE);
    if (n === 0) return 0;
    const buf = scratch(n);
    let got: number;
    try {
      got = readAt(t, src, c, buf);
    } catch (e) {
      if (e !== EAGAIN || nonblock || src.flags & O_NONBLOCK) throw e;
      return t.waitOn(src.waitQueue, EVENT_IN, attempt);
    }
    if (got > 0) pipe.write([buf.subarray(0, got)]);
    c.pos += got;
    c.commit();
    return got;
  };
  return attempt();
}

/** Splices up to len bytes out of a pipe into a file; nothing leaves the pipe unless written. */
function pipeToFile(t: Task, pipe: Pipe, dst: FileDescription, c: Cursor, len: number, nonblock: boolean): SyscallResult {
  const attempt = (): number | Block => {
    if (pipe.size === 0) {
      if (pipe.writers === 0) return 0;
      if (nonblock) throw EAGAIN;
      return t.waitOn(pipe.queue, EVENT_IN, attempt);
    }
    const data = pipe.peek(Math.min(len, pipe.size, MAX_PIPE_MOVE));
    let w: number;
    try {
      w = writeAt(t, dst, c, data);
    } catch (e) {
      if (e === EAGAIN && !nonblock && !(dst.flags & O_NONBLOCK)) return t.waitOn(dst.waitQueue, EVENT_OUT, attempt);
      if (e === EPIPE) raiseSigpipe(t, dst);
      throw e;
    }
    pipe.discard(w);
    c.pos += w;
    c.commit();
    return w;
  };
  return attempt();
}

/** splice between two pipes, or tee (consume = false): ipipe_prep, opipe_prep, then move. */
function pipeToPipe(t: Task, ip: Pipe, op: Pipe, out: FileDescription, len: number, nonblock: boolean,
  consume: boolean): SyscallResult {
  const attempt = (): number | Block => {
    if (ip.size === 0) {
      if (ip.writers === 0) return 0;
      if (nonblock) throw EAGAIN;
      return t.waitOn(ip.queue, EVENT_IN, attempt);
    }
    if (op.readers === 0) {
      raiseSigpipe(t, out);
      throw EPIPE;
    }
    if (op.free === 0) {
      if (nonblock) throw EAGAIN;
      return t.waitOn(op.queue, EVENT_OUT, attempt);
    }
    const n = Math.min(len, ip.size, op.free, MAX_PIPE_MOVE);
    op.write([ip.peek(n)]);
    if (consume) ip.discard(n);
    return n;
  };
  return attempt();
}

/**
 * Copies count bytes from a regular file to a file or socket (do_splice_direct):
 * returns the bytes moved; a wait after some progress that a signal ends returns them.
 */
function directCopy(t: Task, src: FileDescription, sc: Cursor, dst: FileDescription, dc: Cursor, count: number,
  nonblock: boolean): SyscallResult {
  let done = 0;
  let pending: Uint8Array | null = null;
  const finish = (): number => {
    sc.commit();
    dc.commit();
    return done;
  };
  const onInterrupt = (): void => {
    if (done > 0) returnOnInterrupt(t, finish());
  };
  const attempt = (): number | Block => {
    const sliceEnd = done + SLICE;
    while (done < count) {
      if (done >= sliceEnd) return new Block(attempt, [], t.kernel.uptimeNs(), null, true, 'restart', onInterrupt);
      if (!pending || pending.length === 0) {
        const buf = scratch(Math.min(CHUNK, count - done));
        const got = readAt(t, src, sc, buf);
        if (got === 0) break;
        pending = buf.subarray(0, got);
      }
      let w: number;
      try {
        w = writeAt(t, dst, dc, pending);
      } catch (e) {
        if (e === EAGAIN && !nonblock && !(dst.flags & O_NONBLOCK)) {
          pending = pending.slice(); // the scratch buffer is shared
          return new Block(attempt, [{ queue: dst.waitQueue, mask: EVENT_OUT }], null, null, true, 'restart', onInterrupt);
        }
        if (done > 0) break;
        if (e === EPIPE) raiseSigpipe(t, dst);
        throw e;
      }
      done += w;
      sc.pos += w;
      dc.pos += w;
      pending = pending.subarray(w);
      if (w === 0) break;
    }
    return finish();
  };
  return attempt();
}

/** Files a splice can read from: anything but directories and pipes (those go through pipeToPipe). */
function spliceReadable(f: FileDescription): boolean {
  return !f.inode.isDir() && !(f instanceof PipeDescription);
}

export function sendfile(t: Task, [outFd, inFd, offPtr, countArg]: SyscallArgs): SyscallResult {
  const ptr = offPtr.addr();
  const userOff = ptr !== 0 ? t.mm.readI64(ptr) : null;
  const src = t.fdTable.getIO(inFd.int32());
  if (!src.readable) throw EBADF;
  if (userOff !== null && !src.positional) throw ESPIPE;
  const sc = cursor(t, src, ptr, userOff);
  const count = countOf(countArg);
  verifyArea(sc.pos, count);
  const dst = t.fdTable.getIO(outFd.int32());
  if (!dst.writable) throw EBADF;
  const op = pipeOf(dst);
  if (op) {
    if (!spliceReadable(src)) throw EINVAL;
    return fileToPipe(t, src, sc, dst, op, count, (dst.flags & O_NONBLOCK) !== 0);
  }
  if (dst.flags & O_APPEND) throw EINVAL;
  // Only seekable input: a socket-to-socket copy could drop data on the floor.
  if (!src.inode.isRegular()) throw EINVAL;
  const dc = cursor(t, dst, 0, null);
  verifyArea(dc.pos, count);
  return directCopy(t, src, sc, dst, dc, count, false);
}

export function splice(t: Task, [inFd, offInArg, outFd, offOutArg, lenArg, flagsArg]: SyscallArgs): SyscallResult {
  if (lenArg.bigint() === 0n) return 0;
  const flags = flagsArg.uint32();
  if (flags & ~SPLICE_F_ALL) throw EINVAL;
  const src = t.fdTable.getIO(inFd.int32());
  const dst = t.fdTable.getIO(outFd.int32());
  const ip = pipeOf(src);
  const op = pipeOf(dst);
  const inPtr = offInArg.addr();
  const outPtr = offOutArg.addr();
  if (ip && inPtr !== 0) throw ESPIPE;
  if (op && outPtr !== 0) throw ESPIPE;
  const offOut = outPtr !== 0 ? t.mm.readI64(outPtr) : null;
  const offIn = inPtr !== 0 ? t.mm.readI64(inPtr) : null;
  if (!src.readable || !dst.writable) throw EBADF;
  const len = Math.min(lenArg.size(), MAX_RW_COUNT);
  let nonblock = (flags & SPLICE_F_NONBLOCK) !== 0;
  if (ip && op) {
    if (ip === op) throw EINVAL;
    if ((src.flags | dst.flags) & O_NONBLOCK) nonblock = true;
    return pipeToPipe(t, ip, op, dst, len, nonblock, true);
  }
  if (ip) {
    if (offOut !== null && !dst.positional) throw EINVAL;
    if (dst.flags & O_APPEND) throw EINVAL;
    const dc = cursor(t, dst, outPtr, offOut);
    verifyArea(dc.pos, len);
    if (src.flags & O_NONBLOCK) nonblock = true;
    return pipeToFile(t, ip, dst, dc, len, nonblock);
  }
  if (op) {
    if (offIn !== null && !src.positional) throw EINVAL;
    const sc = cursor(t, src, inPtr, offIn);
    verifyArea(sc.pos, len);
    if (!spliceReadable(src)) throw EINVAL;
    if (dst.flags & O_NONBLOCK) nonblock = true;
    return fileToPipe(t, src, sc, dst, op, len, nonblock);
  }
  throw EINVAL;
}

export function tee(t: Task, [inFd, outFd, lenArg, flagsArg]: SyscallArgs): SyscallResult {
  const flags = flagsArg.uint32();
  if (flags & ~SPLICE_F_ALL) throw EINVAL;
  if (lenArg.bigint() === 0n) return 0;
  const src = t.fdTable.getIO(inFd.int32());
  const dst = t.fdTable.getIO(outFd.int32());
  if (!src.readable || !dst.writable) throw EBADF;
  const ip = pipeOf(src);
  const op = pipeOf(dst);
  if (!ip || !op || ip === op) throw EINVAL;
  const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || ((src.flags | dst.flags) & O_NONBLOCK) !== 0;
  return pipeToPipe(t, ip, op, dst, Math.min(lenArg.size(), MAX_RW_COUNT), nonblock, false);
}

export function copy_file_range(t: Task, [inFd, offInArg, outFd, offOutArg, lenArg, flagsArg]: SyscallArgs): SyscallResult {
  if (flagsArg.uint32() !== 0) throw EINVAL;
  const src = t.fdTable.getIO(inFd.int32());
  const dst = t.fdTable.getIO(outFd.int32());
  const inPtr = offInArg.addr();
  const outPtr = offOutArg.addr();
  const sc = cursor(t, src, inPtr, inPtr !== 0 ? t.mm.readI64(inPtr) : null);
  const dc = cursor(t, dst, outPtr, outPtr !== 0 ? t.mm.readI64(outPtr) : null);
  // generic_file_rw_checks: regular files only, opened the right way round.
  if (src.inode.isDir() || dst.inode.isDir()) throw EISDIR;
  if (!src.inode.isRegular() || !dst.inode.isRegular()) throw EINVAL;
  if (!src.readable || !dst.writable || dst.flags & O_APPEND) throw EBADF;
  // Since Linux 5.19 only file systems with their own copy method cross file systems.
  if (src.inode.fs !== dst.inode.fs) throw EXDEV;
  // pos + count must not wrap as unsigned 64-bit numbers (so a negative offset usually does).
  const wraps = (p: number): boolean => BigInt.asUintN(64, BigInt(p)) + lenArg.bigint() >= 2n ** 64n;
  if (wraps(sc.pos) || wraps(dc.pos)) throw EOVERFLOW;
  let count = lenArg.size();
  // Shortened to the input's end.
  const sizeIn = src.inode.size();
  count = sc.pos >= sizeIn ? 0 : Math.min(count, sizeIn - sc.pos);
  if (src.inode === dst.inode && dc.pos + count > sc.pos && dc.pos < sc.pos + count) throw EINVAL;
  verifyArea(sc.pos, count);
  verifyArea(dc.pos, count);
  if (count === 0) return 0;
  return directCopy(t, src, sc, dst, dc, Math.min(count, MAX_RW_COUNT), true);
}

/**
 * vmsplice(2): user memory into a pipe (write end) or out of it (read end). Pages are
 * copied, never gifted; like splice into a pipe it moves at most the free space.
 */
export function vmsplice(t: Task, [fdArg, iovArg, nrArg, flagsArg]: SyscallArgs): SyscallResult {
  const flags = flagsArg.uint32();
  if (flags & ~SPLICE_F_ALL) throw EINVAL;
  const file = t.fdTable.getIO(fdArg.int32());
  if (!file.writable && !file.readable) throw EBADF;
  const toPipe = file.writable;
  const nr = nrArg.size();
  const seq = readIovecs(t, iovArg.addr(), nr > 0x7fffffff ? -1 : nr, !toPipe);
  const total = Math.min(seqLength(seq), MAX_RW_COUNT);
  if (total === 0) return 0;
  const pipe = pipeOf(file);
  if (!pipe) throw EBADF;
  const nonblock = (flags & SPLICE_F_NONBLOCK) !== 0 || (file.flags & O_NONBLOCK) !== 0;
  const attempt = (): number | Block => {
    if (toPipe) {
      if (pipe.readers === 0) {
        raiseSigpipe(t, file);
        throw EPIPE;
      }
      if (pipe.free === 0) {
        if (nonblock) throw EAGAIN;
        return t.waitOn(pipe.queue, EVENT_OUT, attempt);
      }
      return pipe.write(seqTake(seq, Math.min(total, pipe.free, MAX_PIPE_MOVE)));
    }
    if (pipe.size === 0) {
      if (pipe.writers === 0) return 0;
      if (nonblock) throw EAGAIN;
      return t.waitOn(pipe.queue, EVENT_IN, attempt);
    }
    return pipe.read(seqTake(seq, total));
  };
  return attempt();
}
