import { realClock, type Cancel, type Clock } from "../util/clock.js";
import { DelayHeap } from "./delay-heap.js";
import { FifoItems, PriorityItems, type PendingItems } from "./pending-items.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";
import type { WorkQueueMetrics } from "./loop-metrics.js";

/** Options of a WorkQueue. */
export interface WorkQueueOptions<T> {
  /** Time source of delayed and rate-limited adds (default: the real clock). */
  clock?: Clock;
  /** Retry policy of `addRateLimited` (default: defaultControllerRateLimiter on the queue's clock). */
  rateLimiter?: RateLimiter<T>;
  /** Where depth, adds, waiting and processing times and retries are reported (default: nowhere). */
  metrics?: WorkQueueMetrics;
  /**
   * Hands out waiting items highest priority first (FIFO among equals) instead of first in, first out. An item's
   * priority is read when it enters the queue (added, or re-queued after `done`); dedup, the processing set,
   * delays and rate limits are unchanged.
   */
  priority?: (item: T) => number;
}

/** A `get` call waiting for an item, with the signal it was made with. */
interface Waiter<T> {
  resolve: (item: T | undefined) => void;
  signal: AbortSignal | undefined;
}

/**
 * A work queue of keys in client-go's style. An item is never twice in the queue and never handed to two
 * workers at once: adding an item that waits is a no-op, and adding one that is being processed marks it
 * dirty so it is queued again when `done` is called. Delayed adds share one timer; retries go through a
 * RateLimiter. After `shutDown`, adds are ignored and `get` answers undefined.
 */
export class WorkQueue<T = string> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly queue: PendingItems<T>;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: Waiter<T>[] = [];
  /** Signals passed to `get` that already carry this queue's one abort listener (not one per call: workers call often). */
  private readonly hooked = new WeakSet<AbortSignal>();
  private readonly delayed = new DelayHeap<T>();
  private timer: { at: number; cancel: Cancel } | undefined;
  private shutdown = false;
  private readonly metrics: WorkQueueMetrics | undefined;
  /** With metrics: when each queued item was added, and when each processed item was handed out. */
  private readonly since = new Map<T, number>();

  /** Creates an empty queue. */
  constructor(options: WorkQueueOptions<T> = {}) {
    this.clock = options.clock ?? realClock();
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    this.metrics = options.metrics;
    this.queue = options.priority ? new PriorityItems<T>(options.priority) : new FifoItems<T>();
  }

  /** Queues `item` unless it already waits; if it is being processed it is queued again after `done`. */
  add(item: T): void {
    if (this.shutdown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  /**
   * Hands out the next item, waiting until there is one; the caller must call `done(item)` afterwards.
   * Resolves undefined once the queue is shut down or `signal` aborts.
   */
  get(signal?: AbortSignal): Promise<T | undefined> {
    if (this.shutdown || signal?.aborted) return Promise.resolve(undefined);
    if (this.len() > 0) return Promise.resolve(this.take());
    if (signal !== undefined && !this.hooked.has(signal)) {
      this.hooked.add(signal);
      signal.addEventListener("abort", () => this.releaseWaiters(signal), { once: true });
    }
    return new Promise<T | undefined>((resolve) => this.waiters.push({ resolve, signal }));
  }

  /** Resolves the waiting `get` calls made with `signal` (it aborted) with undefined. */
  private releaseWaiters(signal: AbortSignal): void {
    const released: Waiter<T>[] = [];
    let kept = 0;
    for (const w of this.waiters) {
      if (w.signal === signal) released.push(w);
      else this.waiters[kept++] = w;
    }
    this.waiters.length = kept;
    for (const w of released) w.resolve(undefined);
  }

  /** Marks `item` as no longer processed; re-queues it if it was added meanwhile. */
  done(item: T): void {
    if (this.metrics && this.processing.has(item)) {
      this.metrics.processed(this.elapsed(item));
      this.since.delete(item);
    }
    this.processing.delete(item);
    if (this.dirty.has(item) && !this.shutdown) this.enqueue(item);
  }

  /** Number of items waiting to be handed out (excluding delayed and in-process items). */
  len(): number {
    return this.queue.length;
  }

  /** Reads the priority of every waiting item again (with the `priority` option; e.g. once what it reads is synced). */
  reprioritize(): void {
    this.queue.reprioritize();
  }

  /** Stops the queue: waiting `get` calls resolve undefined, delayed adds are dropped, later adds ignored. */
  shutDown(): void {
    if (this.shutdown) return;
    this.shutdown = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.delayed.clear();
    this.since.clear();
    this.queue.clear();
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
  }

  /** True once `shutDown` was called. */
  shuttingDown(): boolean {
    return this.shutdown;
  }

  /** Adds `item` after `ms` milliseconds (immediately when ms <= 0); repeated delays keep the earliest time. */
  addAfter(item: T, ms: number): void {
    if (this.shutdown) return;
    if (!(ms > 0)) {
      this.add(item);
      return;
    }
    this.delayed.schedule(item, this.clock.now() + ms);
    this.armTimer();
  }

  /** Adds `item` after the delay its rate limiter assigns to one more retry. */
  addRateLimited(item: T): void {
    if (this.shutdown) return;
    this.metrics?.retried();
    this.addAfter(item, this.rateLimiter.whenAt(item));
  }

  /** Clears the item's retry history (call when it was processed successfully). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** How many times `item` was re-added through `addRateLimited` since it was last forgotten. */
  numRequeues(item: T): number {
    return this.rateLimiter.retries(item);
  }

  private enqueue(item: T): void {
    this.metrics?.added();
    this.mark(item);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.handedOut(item);
      this.dirty.delete(item);
      this.processing.add(item);
      waiter.resolve(item);
      return;
    }
    this.queue.push(item);
  }

  private take(): T | undefined {
    if (this.queue.length === 0) return undefined;
    const item = this.queue.shift() as T;
    this.handedOut(item);
    this.dirty.delete(item);
    this.processing.add(item);
    return item;
  }

  /** With metrics: remembers now as the time of `item`'s last transition. */
  private mark(item: T): void {
    if (this.metrics) this.since.set(item, this.clock.now());
  }

  /** Seconds since `item`'s last transition. */
  private elapsed(item: T): number {
    const at = this.since.get(item);
    return at === undefined ? 0 : (this.clock.now() - at) / 1000;
  }

  /** With metrics: reports how long `item` waited and marks the start of its processing. */
  private handedOut(item: T): void {
    if (!this.metrics) return;
    this.metrics.taken(this.elapsed(item));
    this.mark(item);
  }

  /** Keeps exactly one timer, due at the earliest delayed item. */
  private armTimer(): void {
    const at = this.delayed.peekTime();
    if (at === undefined) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    if (this.timer && this.timer.at <= at) return;
    this.timer?.cancel();
    const cancel = this.clock.setTimer(at - this.clock.now(), () => {
      this.timer = undefined;
      for (const item of this.delayed.popReady(this.clock.now())) this.add(item);
      this.armTimer();
    });
    this.timer = { at, cancel };
  }
}
