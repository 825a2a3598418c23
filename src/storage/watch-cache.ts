/**
 * The watch cache: the decoded current state of one storage prefix, kept current by a backend watch, plus a
 * bounded ring of recent events. It serves list snapshots at its revision and fans each event (decoded once)
 * out to many subscribers, from any revision still inside the ring.
 *
 * Objects handed out are shared with the cache and with other subscribers: callers must copy before mutating.
 */
import { expired } from "../api/status-error.js";
import type { KubeObject } from "../api/types.js";
import { ClosedError, CompactedError, StoreUnavailableError, type Backend, type KeyValue, type WatchEvent } from "./backend.js";

/** One change to the cached state. */
export interface CacheEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  key: string;
  /** Store revision of the change; for DELETED the delete's revision. */
  revision: number;
  /** The new state; for DELETED the last state, its resourceVersion set to the delete's revision. */
  object: KubeObject;
  /** The state before the change; undefined for ADDED. */
  prevObject: KubeObject | undefined;
}

/** One cached object and its storage key. */
export interface CachedItem {
  key: string;
  object: KubeObject;
}

/** Options of a WatchCache. */
export interface WatchCacheOptions {
  backend: Backend;
  /** Storage prefix the cache mirrors (every key under it). */
  prefix: string;
  /** Decodes a stored value into an object whose metadata.resourceVersion is the key's modRevision; may throw. */
  decode: (kv: KeyValue) => KubeObject;
  /** Recent events kept for watchers resuming from a revision (default 10000). */
  bufferSize?: number;
  /** Undelivered events one subscriber may hold before it is closed as lagging (default bufferSize + 1000). */
  maxWatcherLag?: number;
  /** Secondary indexes: name → function giving an object's index value (e.g. its namespace). */
  indexers?: Record<string, (object: KubeObject) => string>;
  /** Receives faults the cache recovers from (undecodable values, watch restarts). */
  onError?: (error: unknown) => void;
}

/** What a list of the cache returns: the items in key order and the revision they reflect. */
export interface CacheSnapshot {
  revision: number;
  items: CachedItem[];
}

/** Restricts a cache list to the keys whose index `name` has `value`. */
export interface IndexQuery {
  name: string;
  value: string;
}

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Deliver events with a revision strictly greater than this one. */
  afterRevision: number;
  /** Only events for which this holds are queued (evaluated once per event per subscriber). */
  filter?: (event: CacheEvent) => boolean;
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const defaultBufferSize = 10_000;
const retryDelayMs = 100;

/** A stream of cache events for one consumer; see WatchCache.subscribe. */
export class WatchSubscription {
  private queue: CacheEvent[] = [];
  private head = 0;
  private waiting: ((event: CacheEvent | undefined) => void) | undefined;
  private delivered: number;
  private closedFlag = false;
  private laggedFlag = false;

  /** @internal Created by WatchCache.subscribe. */
  constructor(
    private readonly cache: WatchCache,
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

  /** Revision up to which this subscriber has seen every relevant event (for bookmarks). */
  get revision(): number {
    if (this.head < this.queue.length) return this.delivered;
    return Math.max(this.delivered, this.cache.revision);
  }

  /** True when the subscription was closed because its consumer fell too far behind. */
  get lagged(): boolean {
    return this.laggedFlag;
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
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.delivered = event.revision;
    return event;
  }
}

/** Mirrors one storage prefix in memory and fans its changes out; see the file comment. */
export class WatchCache {
  private readonly backend: Backend;
  private readonly prefix: string;
  private readonly decode: (kv: KeyValue) => KubeObject;
  private readonly bufferSize: number;
  private readonly maxLag: number;
  private readonly indexers: [string, (object: KubeObject) => string][];
  private readonly onError: (error: unknown) => void;

  private readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private ring: (CacheEvent | undefined)[];
  private ringStart = 0;
  private ringLength = 0;
  /** Watchers may resume from any revision >= this one. */
  private oldestResumable = 0;
  private rev = 0;
  private primed = false;
  private stoppedFlag = false;
  private readonly subscriptions = new Set<WatchSubscription>();
  private waiters: Waiter[] = [];

  constructor(options: WatchCacheOptions) {
    this.backend = options.backend;
    this.prefix = options.prefix;
    this.decode = options.decode;
    this.bufferSize = Math.max(1, options.bufferSize ?? defaultBufferSize);
    this.maxLag = Math.max(1, options.maxWatcherLag ?? this.bufferSize + 1000);
    this.indexers = Object.entries(options.indexers ?? {});
    for (const [name] of this.indexers) this.indexes.set(name, new Map());
    this.onError = options.onError ?? (() => undefined);
    this.ring = new Array<CacheEvent | undefined>(this.bufferSize);
  }

  /** Revision the cached state reflects. */
  get revision(): number {
    return this.rev;
  }

  /** Oldest revision a subscription may start after (older ones answer 410 Expired). */
  get oldestRevision(): number {
    return this.oldestResumable;
  }

  /** True once the cache has stopped following the backend (aborted or backend closed). */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Number of cached objects. */
  get size(): number {
    return this.objects.size;
  }

  /** Primes the cache with a list of the prefix and keeps following the backend until `signal` aborts; resolves once primed. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.primed || this.stoppedFlag) throw new Error("watch cache already started");
    await this.prime();
    this.primed = true;
    if (signal.aborted) {
      this.stop(new ClosedError());
      return;
    }
    signal.addEventListener("abort", () => this.stop(new ClosedError()), { once: true });
    this.follow(signal).catch((error: unknown) => {
      this.onError(error);
      this.stop(error);
    });
  }

  /** The cached object at `key` (shared: copy before mutating). */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** The cached objects in key order, all of them or those of one index value; optionally only keys starting with `keyPrefix`. */
  list(index?: IndexQuery, keyPrefix?: string): CacheSnapshot {
    const { revision, items } = this.scan(index, keyPrefix);
    return { revision, items: [...items] };
  }

  /**
   * The cached objects in key order from `startKey` on (inclusive), produced lazily so a caller taking a page reads
   * only what it takes: all of them or those of one index value, optionally only keys starting with `keyPrefix`.
   * The iteration reflects the cache at the time of the call only if consumed before the cache changes.
   */
  scan(index?: IndexQuery, keyPrefix?: string, startKey?: string): { revision: number; items: Iterable<CachedItem> } {
    let keys: string[];
    if (index !== undefined) {
      const byValue = this.indexes.get(index.name);
      if (byValue === undefined) throw new Error(`no index ${index.name}`);
      keys = [...(byValue.get(index.value) ?? [])].sort(compareKeys);
    } else {
      this.sortedKeys ??= [...this.objects.keys()].sort(compareKeys);
      keys = this.sortedKeys;
    }
    const from = startKey === undefined ? 0 : lowerBound(keys, startKey);
    const objects = this.objects;
    function* items(): Generator<CachedItem> {
      for (let i = from; i < keys.length; i++) {
        const key = keys[i] as string;
        if (keyPrefix !== undefined && !key.startsWith(keyPrefix)) {
          // Keys with the prefix are one contiguous run in key order: past it, none follows.
          if (key > keyPrefix) return;
          continue;
        }
        const object = objects.get(key);
        if (object !== undefined) yield { key, object };
      }
    }
    return { revision: this.rev, items: items() };
  }

  /** True when the cache has an index named `name`. */
  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  /** Resolves once the cache reflects `revision` (at once if it already does); rejects if the cache stops or `signal` aborts. */
  waitUntilFresh(revision: number, signal?: AbortSignal): Promise<void> {
    if (this.rev >= revision) return Promise.resolve();
    if (this.stoppedFlag) return Promise.reject(new ClosedError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { revision, resolve, reject };
      if (signal !== undefined) {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = (): void => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        waiter.resolve = () => { signal.removeEventListener("abort", onAbort); resolve(); };
        waiter.reject = (e) => { signal.removeEventListener("abort", onAbort); reject(e); };
      }
      this.waiters.push(waiter);
    });
  }

  /**
   * Subscribes to the events after `options.afterRevision`: buffered ones are replayed first, then live ones.
   * Throws 410 Expired (`too old resource version: N (M)`) when the ring no longer holds that history.
   * A revision beyond the cache's own is allowed (events up to it are skipped).
   */
  subscribe(options: SubscribeOptions): WatchSubscription {
    const after = options.afterRevision;
    if (after < this.oldestResumable) {
      throw expired(`too old resource version: ${after} (${this.oldestResumable})`);
    }
    const sub = new WatchSubscription(this, after, options.filter, this.maxLag, (s) => this.subscriptions.delete(s));
    if (this.stoppedFlag) {
      sub.close();
      return sub;
    }
    sub.replay(this.eventsAfter(after));
    this.subscriptions.add(sub);
    return sub;
  }

  /** Number of live subscriptions. */
  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  private async prime(): Promise<void> {
    const result = await this.backend.list(this.prefix);
    this.objects.clear();
    this.sortedKeys = undefined;
    for (const byValue of this.indexes.values()) byValue.clear();
    for (const kv of result.kvs) {
      const object = this.tryDecode(kv);
      if (object !== undefined) this.put(kv.key, object, undefined);
    }
    this.ring = new Array<CacheEvent | undefined>(this.bufferSize);
    this.ringStart = 0;
    this.ringLength = 0;
    this.oldestResumable = result.revision;
    this.advance(Math.max(this.rev, result.revision));
  }

  private async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.stoppedFlag) {
      try {
        for await (const batch of this.backend.watch(this.prefix, this.rev, signal)) {
          this.apply(batch);
        }
        if (!signal.aborted) this.stop(new ClosedError());
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ClosedError) {
          this.stop(error);
          return;
        }
        this.onError(error);
        if (error instanceof CompactedError) {
          await this.reset();
        } else {
          // The store is unreachable: end the watchers (their clients re-watch and, if they fell behind, relist)
          // and resume from the cache's revision once it answers again.
          if (error instanceof StoreUnavailableError) for (const sub of [...this.subscriptions]) sub.close();
          await delay(retryDelayMs, signal);
        }
      }
    }
  }

  /** Re-primes after the cache fell behind compaction: watchers are ended and must re-watch (older revisions expire). */
  private async reset(): Promise<void> {
    for (const sub of [...this.subscriptions]) sub.close();
    await this.prime();
  }

  private apply(batch: WatchEvent[]): void {
    let last = this.rev;
    for (const e of batch) {
      const revision = e.kv.modRevision;
      if (revision <= this.rev) continue;
      last = Math.max(last, revision);
      const prev = this.objects.get(e.kv.key);
      let event: CacheEvent;
      if (e.type === "DELETE") {
        const lastState = prev ?? this.tryDecode(e.kv);
        if (lastState === undefined) { this.remove(e.kv.key); continue; }
        const object: KubeObject = { ...lastState, metadata: { ...lastState.metadata, resourceVersion: String(revision) } };
        this.remove(e.kv.key);
        event = { type: "DELETED", key: e.kv.key, revision, object, prevObject: prev ?? lastState };
      } else {
        const object = this.tryDecode(e.kv);
        if (object === undefined) continue;
        this.put(e.kv.key, object, prev);
        event = { type: prev === undefined ? "ADDED" : "MODIFIED", key: e.kv.key, revision, object, prevObject: prev };
      }
      this.record(event);
      for (const sub of this.subscriptions) sub.offer(event);
    }
    this.advance(last);
  }

  private record(event: CacheEvent): void {
    if (this.ringLength === this.bufferSize) {
      const evicted = this.ring[this.ringStart] as CacheEvent;
      this.oldestResumable = evicted.revision;
      this.ring[this.ringStart] = event;
      this.ringStart = (this.ringStart + 1) % this.bufferSize;
    } else {
      this.ring[(this.ringStart + this.ringLength) % this.bufferSize] = event;
      this.ringLength++;
    }
  }

  private eventsAfter(revision: number): CacheEvent[] {
    const at = (i: number): CacheEvent => this.ring[(this.ringStart + i) % this.bufferSize] as CacheEvent;
    let low = 0;
    let high = this.ringLength;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (at(mid).revision > revision) high = mid;
      else low = mid + 1;
    }
    const first = low;
    const events: CacheEvent[] = [];
    for (let i = first; i < this.ringLength; i++) events.push(at(i));
    return events;
  }

  private put(key: string, object: KubeObject, prev: KubeObject | undefined): void {
    if (prev === undefined) this.sortedKeys = undefined;
    this.objects.set(key, object);
    for (const [name, indexer] of this.indexers) {
      const byValue = this.indexes.get(name) as Map<string, Set<string>>;
      const value = indexer(object);
      if (prev !== undefined) {
        const old = indexer(prev);
        if (old === value) continue;
        removeFromIndex(byValue, old, key);
      }
      let keys = byValue.get(value);
      if (keys === undefined) { keys = new Set(); byValue.set(value, keys); }
      keys.add(key);
    }
  }

  private remove(key: string): void {
    const prev = this.objects.get(key);
    if (prev === undefined) return;
    this.objects.delete(key);
    this.sortedKeys = undefined;
    for (const [name, indexer] of this.indexers) {
      removeFromIndex(this.indexes.get(name) as Map<string, Set<string>>, indexer(prev), key);
    }
  }

  private advance(revision: number): void {
    if (revision > this.rev) this.rev = revision;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= this.rev);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > this.rev);
    for (const w of ready) w.resolve();
  }

  private stop(reason: unknown): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const sub of [...this.subscriptions]) sub.close();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(reason);
  }

  private tryDecode(kv: KeyValue): KubeObject | undefined {
    try {
      return this.decode(kv);
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }
}

function removeFromIndex(byValue: Map<string, Set<string>>, value: string, key: string): void {
  const keys = byValue.get(value);
  if (keys === undefined) return;
  keys.delete(key);
  if (keys.size === 0) byValue.delete(value);
}

/** Index of the first key >= `key` in ascending `keys`. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((keys[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
