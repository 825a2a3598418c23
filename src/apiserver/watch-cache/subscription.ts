import type { CacheEvent } from "./types.js";

/** What a subscription reads from its cache: the revision the cache reflects. */
export interface RevisionSource {
  /** Revision the cache reflects. */
  readonly revision: number;
}

/** A stream of cache events for one consumer; see WatchCache.subscribe. */
export class WatchSubscription {
  private queue: CacheEvent[] = [];
  private head = 0;
  private waiting: ((event: CacheEvent | undefined) => void) | undefined;
  private delivered: number;
  private closedFlag = false;
  private laggedFlag = false;
  private failure: Error | undefined;

  /** @internal Created by WatchCache.subscribe. */
  constructor(
    private readonly cache: RevisionSource,
    readonly afterRevision: number,
    private readonly filter: ((event: CacheEvent) => boolean) | undefined,
    private readonly maxLag: number,
    private readonly onClose: (s: WatchSubscription) => void,
  ) {
    this.delivered = afterRevision;
  }

  /** Resolves with the next event, or undefined once the subscription has ended (closed, lagging, cache stopped or reset). */
  next(): Promise<CacheEvent | undefined> {
    const event = this.take();
    if (event !== undefined || this.closedFlag) return Promise.resolve(event);
    return new Promise((resolve) => { this.waiting = resolve; });
  }

  /** The next event if one is queued now (undefined otherwise, and once ended): next() without waiting. */
  poll(): CacheEvent | undefined {
    return this.take();
  }

  /** Revision up to which this subscriber has seen every relevant event (for bookmarks). */
  get revision(): number {
    if (this.head < this.queue.length) return this.delivered;
    return Math.max(this.delivered, this.cache.revision);
  }

  /** True when the subscription was closed because its consumer fell too far behind. */
  get lagged(): boolean {
    return this.laggedFlag;
  }

  /** Why the subscription was ended by a fault of the cache (e.g. an undecodable stored object); undefined otherwise. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** @internal Ends the subscription because of `error` (reported through `error`). */
  fail(error: Error): void {
    if (this.closedFlag) return;
    this.failure = error;
    this.close();
  }

  /** True once ended. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Ends the subscription; a pending next() resolves with undefined. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.queue = [];
    this.head = 0;
    this.onClose(this);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(undefined);
  }

  /** @internal Offers an event (already known to be after afterRevision) to this subscriber. */
  offer(event: CacheEvent): void {
    if (this.closedFlag || event.revision <= this.afterRevision) return;
    if (this.filter !== undefined && !this.filter(event)) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      this.delivered = event.revision;
      waiting(event);
      return;
    }
    if (this.queue.length - this.head >= this.maxLag) {
      this.laggedFlag = true;
      this.close();
      return;
    }
    this.queue.push(event);
  }

  /** @internal Queues replayed events without the lag bound. */
  replay(events: CacheEvent[]): void {
    for (const event of events) {
      if (event.revision <= this.afterRevision) continue;
      if (this.filter !== undefined && !this.filter(event)) continue;
      this.queue.push(event);
    }
  }

  private take(): CacheEvent | undefined {
    if (this.head >= this.queue.length) return undefined;
    const event = this.queue[this.head] as CacheEvent;
    this.head++;
    // Taken events must not stay reachable from the queue: drop them once it is drained, or once they are most of it.
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.delivered = event.revision;
    return event;
  }
}
