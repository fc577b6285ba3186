// epoll instances (fs/eventpoll.c). An epoll file holds an interest list keyed by
// (file description, fd) and a ready list in the order events arrived.
//
// How readiness is tracked:
// - Each item watches its file's wait queue, as ep_poll_callback does: a wake-up
//   puts the item on the ready list and wakes our own queue (epoll_wait waiters,
//   pollers of this epoll, enclosing epolls). Callbacks never call readiness();
//   they only say "something happened".
// - epoll_wait re-checks every ready item's actual readiness before reporting it
//   (ep_send_events): items that are no longer ready are dropped. Level-triggered
//   items that were reported go back to the tail of the list, so they are reported
//   again next time if still ready; EPOLLET items leave the list until their next
//   wake-up; EPOLLONESHOT items are disabled until EPOLL_CTL_MOD.
// - Files whose queue is costly to watch (host fds arm an event-loop poll; nested
//   epolls arm their own host fds) are watched only while someone waits on this
//   epoll. Whenever they are not watched, a wait or a poll of this epoll first
//   checks their readiness directly. Edge-triggered ones report rising edges of
//   readiness (bits not seen at the last check), and are watched only for events
//   they have not seen yet, so a host fd that stays writable does not spin the event
//   loop; while waited on, such items are re-checked every 100 ms so a hang-up is
//   still noticed. A "new data on an already readable fd" edge can be missed for
//   them; Linux would report it. In-Sentry files have exact semantics.
// - Closing the last reference to a watched file removes it from every interest
//   list (eventpoll_release), through FileDescription.onRelease.
import { EEXIST, EFAULT, ELOOP } from '../../../abi/linux/errno.js';
import { O_RDWR } from '../../../abi/linux/fcntl.js';
import {
  EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLRDNORM, EPOLL_EVENT_SIZE, EP_MAX_NESTS, EP_PRIVATE_BITS,
} from '../../../abi/linux/poll.js';
import type { Task } from '../../kernel/task.js';
import { ALL_EVENTS, WaitQueue } from '../../kernel/waiter.js';
import { FileDescription } from '../../vfs/file.js';
import { anonInodeVd } from './anon_inode.js';
import { costlyToWatch, pollMask, pollQueue, type CallerAware, type ExactPollBits } from './pollable.js';

/** One entry of the interest list (struct epitem). */
class EpollItem {
  /** The watch on the file's queue, when there is one. */
  unwatch: (() => void) | null = null;
  /** The mask the current watch was registered with. */
  watchMask = 0;
  /** Readiness bits seen at the last check of a costly, edge-triggered item. */
  seen = 0;
  cancelRelease: () => void = () => {};

  constructor(
    readonly file: FileDescription,
    readonly fd: number,
    /** Requested events plus EPOLLERR|EPOLLHUP and the EPOLLET/ONESHOT/... flags. */
    public events: number,
    public data: bigint,
    /** Whoever added it: signalfd watches the signals of `current` at EPOLL_CTL_ADD, as Linux. */
    readonly adder: Task,
    readonly costly: boolean,
  ) {}

  get edge(): boolean {
    return (this.events & EPOLLET) !== 0;
  }

  /** A oneshot item that fired has no events left until EPOLL_CTL_MOD. */
  get enabled(): boolean {
    return (this.events & ~EP_PRIVATE_BITS) !== 0;
  }

  /** Reportable readiness now. */
  poll(t: Task | null): number {
    return pollMask(this.file, t ?? this.adder) & this.events & ALL_EVENTS;
  }
}

export class EpollDescription extends FileDescription implements CallerAware, ExactPollBits {
  readonly exactPollBits = true;
  private readonly items = new Map<FileDescription, Map<number, EpollItem>>();
  /** struct eventpoll's rdllist: insertion order is arrival order. */
  private ready = new Set<EpollItem>();
  /** Items whose queue is costly to watch (see costlyToWatch). */
  private readonly costly = new Set<EpollItem>();
  private readonly queue = new WaitQueue();
  /** Epoll instances watching this one (for the nesting-depth check). */
  private readonly parents = new Map<EpollDescription, number>();
  /** Whether costly items are watched now (someone waits on our queue). */
  private armed = false;
  private caller: Task | null = null;
  /** Inside reconcile(): wake-ups are deferred (we may be inside a waiter's registration). */
  private reconciling = false;
  private deferredWake = false;
  /** While armed with edge-triggered costly items watched for fewer events than they want. */
  private slowPoll: NodeJS.Timeout | null = null;

  constructor() {
    super(anonInodeVd('eventpoll'), O_RDWR);
    this.queue.onChange = () => this.reconcile();
  }

  override get waitQueue(): WaitQueue {
    return this.queue;
  }

  override get positional(): boolean {
    return false;
  }

  override linkName(): string {
    return 'anon_inode:[eventpoll]';
  }

  setPollCaller(t: Task): void {
    this.caller = t;
  }

  // ---- interest list (epoll_ctl) ----

  find(file: FileDescription, fd: number): EpollItem | null {
    return this.items.get(file)?.get(fd) ?? null;
  }

  /** EPOLL_CTL_ADD; `events` already includes EPOLLERR|EPOLLHUP. */
  add(t: Task, file: FileDescription, fd: number, events: number, data: bigint): void {
    if (file instanceof EpollDescription && this.wouldLoop(file)) throw ELOOP;
    if (this.find(file, fd)) throw EEXIST;
    const item = new EpollItem(file, fd, events, data, t, costlyToWatch(pollQueue(file, t)));
    let byFd = this.items.get(file);
    if (!byFd) this.items.set(file, (byFd = new Map()));
    byFd.set(fd, item);
    item.cancelRelease = file.onRelease(() => this.remove(item));
    if (item.costly) this.costly.add(item);
    if (file instanceof EpollDescription) file.parents.set(this, (file.parents.get(this) ?? 0) + 1);
    if (!item.costly || this.armed) this.watch(item);
    this.recheck(item, t);
  }

  /** EPOLL_CTL_MOD: new events and data; reports the item now if it is ready (ep_modify). */
  modify(t: Task, item: EpollItem, events: number, data: bigint): void {
    item.events = events;
    item.data = data;
    item.seen = 0;
    if (!item.costly || this.armed) this.watch(item);
    this.recheck(item, t);
  }

  /** EPOLL_CTL_DEL, and a watched file's last close. */
  remove(item: EpollItem): void {
    const byFd = this.items.get(item.file);
    if (!byFd || byFd.get(item.fd) !== item) return;
    byFd.delete(item.fd);
    if (byFd.size === 0) this.items.delete(item.file);
    this.unwatchItem(item);
    item.cancelRelease();
    this.ready.delete(item);
    this.costly.delete(item);
    if (item.file instanceof EpollDescription) {
      const p = item.file.parents;
      const n = (p.get(this) ?? 1) - 1;
      if (n > 0) p.set(this, n);
      else p.delete(this);
    }
  }

  /** Puts a ready item on the ready list and wakes waiters (after ADD and MOD). */
  private recheck(item: EpollItem, t: Task): void {
    if (!item.enabled) return;
    const r = item.poll(t);
    if (item.costly && item.edge) item.seen = r;
    if (r !== 0) this.markReady(item);
  }

  // ---- loops and nesting (ep_loop_check) ----

  /** Adding `child` would create a cycle or nest deeper than EP_MAX_NESTS. */
  private wouldLoop(child: EpollDescription): boolean {
    const down = child.depthBelow(this, 0);
    if (down < 0 || down > EP_MAX_NESTS) return true;
    return down + 1 + this.depthAbove(0) > EP_MAX_NESTS;
  }

  /** How deep epolls nest under this one; -1 if `target` is reachable (a loop). */
  private depthBelow(target: EpollDescription, level: number): number {
    if (this === target) return -1;
    if (level > EP_MAX_NESTS) return level;
    let depth = 0;
    for (const byFd of this.items.values()) {
      for (const item of byFd.values()) {
        if (!(item.file instanceof EpollDescription)) continue;
        const d = item.file.depthBelow(target, level + 1);
        if (d < 0) return -1;
        depth = Math.max(depth, d + 1);
      }
    }
    return depth;
  }

  /** How many epolls are stacked above this one. */
  private depthAbove(level: number): number {
    if (level > EP_MAX_NESTS) return level;
    let depth = 0;
    for (const p of this.parents.keys()) depth = Math.max(depth, p.depthAbove(level + 1) + 1);
    return depth;
  }

  // ---- watching files ----

  /** What an item's watch listens for. Costly edge-triggered items skip bits already seen. */
  private maskFor(item: EpollItem): number {
    const want = item.events & ALL_EVENTS;
    return item.costly && item.edge ? want & ~item.seen : want;
  }

  /** (Re)registers the item on its file's queue with the mask it needs now. */
  private watch(item: EpollItem): void {
    // Cheap queues get every event and filter here, so MOD need not re-register.
    const mask = item.costly ? this.maskFor(item) : ALL_EVENTS;
    if (item.unwatch && item.watchMask === mask) return;
    this.unwatchItem(item);
    if (mask === 0) return;
    item.watchMask = mask;
    item.unwatch = pollQueue(item.file, item.adder).register((ev) => this.onEvent(item, ev), mask);
  }

  private unwatchItem(item: EpollItem): void {
    const u = item.unwatch;
    item.unwatch = null;
    item.watchMask = 0;
    u?.();
  }

  /** ep_poll_callback: the file woke its queue. */
  private onEvent(item: EpollItem, events: number): void {
    if (!item.enabled || (events & item.events) === 0) return;
    if (item.costly && item.edge) {
      // Host fds report levels, not edges: only bits we have not seen count.
      const r = item.poll(null);
      const rising = r & ~item.seen;
      item.seen = r;
      if (this.armed) this.watch(item);
      this.updateSlowPoll();
      if (rising === 0) return;
    }
    this.markReady(item);
  }

  /**
   * An edge-triggered host fd whose ready bits were already reported is not watched
   * for them (the host would report them continuously), so it would not notice a
   * hang-up, an error, or the bits falling and rising again. While someone waits,
   * look at such items every 100 ms instead.
   */
  private updateSlowPoll(): void {
    let need = false;
    if (this.armed) for (const i of this.costly) if (i.edge && i.enabled && i.seen !== 0) need = true;
    if (need && !this.slowPoll) {
      this.slowPoll = setInterval(() => this.recheckEdges(), 100);
      this.slowPoll.unref();
    } else if (!need && this.slowPoll) {
      clearInterval(this.slowPoll);
      this.slowPoll = null;
    }
  }

  private recheckEdges(): void {
    let rose = false;
    for (const item of this.costly) {
      if (!item.edge || !item.enabled) continue;
      const r = item.poll(null);
      const rising = r & ~item.seen;
      item.seen = r;
      if (this.armed) this.watch(item);
      if (rising !== 0) {
        this.ready.add(item);
        rose = true;
      }
    }
    if (rose) this.queue.notify(EPOLLIN | EPOLLRDNORM);
    this.updateSlowPoll();
  }

  private markReady(item: EpollItem): void {
    if (!this.ready.has(item)) this.ready.add(item);
    if (!this.reconciling) {
      this.queue.notify(EPOLLIN | EPOLLRDNORM);
      return;
    }
    // A watch that fires while being registered (an unpollable host fd) would wake a
    // task that is still being parked: wake it from the event loop instead.
    if (this.deferredWake) return;
    this.deferredWake = true;
    setImmediate(() => {
      this.deferredWake = false;
      this.queue.notify(EPOLLIN | EPOLLRDNORM);
    });
  }

  /**
   * Costly items not watched right now: look at them directly. Level-triggered
   * ones join the ready list when ready, edge-triggered ones on a rising edge.
   */
  private checkCostly(t: Task | null): void {
    if (this.armed) return;
    for (const item of this.costly) {
      if (!item.enabled) continue;
      const r = item.poll(t);
      if (item.edge) {
        const rising = r & ~item.seen;
        item.seen = r;
        if (rising !== 0) this.ready.add(item);
      } else if (r !== 0) {
        this.ready.add(item);
      }
    }
  }

  /** Our queue's waiters came or went: watch costly items only while someone waits. */
  private reconcile(): void {
    const want = this.queue.size > 0;
    if (want === this.armed) return;
    this.armed = want;
    this.reconciling = true;
    try {
      for (const item of this.costly) {
        if (want) this.watch(item);
        else this.unwatchItem(item);
      }
    } finally {
      this.reconciling = false;
    }
    this.updateSlowPoll();
  }

  // ---- waiting ----

  /**
   * ep_send_events: copies up to `max` ready events to `addr` (struct epoll_event[]).
   * Returns how many; EFAULT if not even the first could be written.
   */
  collect(t: Task, addr: number, max: number): number {
    this.checkCostly(t);
    if (this.ready.size === 0) return 0;
    const buf = new Uint8Array(EPOLL_EVENT_SIZE);
    const dv = new DataView(buf.buffer);
    let n = 0;
    for (const item of [...this.ready]) {
      if (n >= max) break;
      this.ready.delete(item);
      const r = item.enabled ? item.poll(t) : 0;
      if (r === 0) continue;
      dv.setUint32(0, r >>> 0, true);
      dv.setBigUint64(4, item.data, true);
      try {
        t.mm.copyOut(addr + n * EPOLL_EVENT_SIZE, buf);
      } catch (e) {
        // The event stays ready, in front, for the next call.
        this.ready = new Set([item, ...this.ready]);
        if (n === 0) throw e === EFAULT ? EFAULT : e;
        break;
      }
      n++;
      if (item.costly && item.edge) item.seen = r;
      if (item.events & EPOLLONESHOT) item.events &= EP_PRIVATE_BITS;
      else if (!item.edge) this.ready.add(item);
    }
    return n;
  }

  /** Readable when some ready item really is ready (ep_eventpoll_poll). */
  override readiness(mask: number): number {
    const t = this.caller;
    this.caller = null;
    this.checkCostly(t);
    for (const item of [...this.ready]) {
      if (item.enabled && item.poll(t) !== 0) return mask & (EPOLLIN | EPOLLRDNORM);
      this.ready.delete(item);
    }
    return 0;
  }

  /** ep_show_fdinfo: one line per watched file. */
  override fdinfo(): string {
    let s = '';
    for (const byFd of this.items.values()) {
      for (const i of byFd.values()) {
        const ino = i.file.inode;
        s += `tfd: ${String(i.fd).padStart(8)} events: ${(i.events >>> 0).toString(16).padStart(8)} ` +
          `data: ${i.data.toString(16).padStart(16)}  pos:${i.file.offset} ino:${ino.ino.toString(16)} ` +
          `sdev:${ino.fs.dev.toString(16)}\n`;
      }
    }
    return s;
  }

  protected override release(): void {
    for (const byFd of [...this.items.values()]) for (const item of [...byFd.values()]) this.remove(item);
    this.updateSlowPoll();
  }
}

