/**
 * The watch cache: the decoded current state of one storage prefix, kept current by a backend watch, plus a
 * bounded ring of recent events. It serves list snapshots at its revision and fans each event (decoded once)
 * out to many subscribers, from any revision still inside the ring.
 *
 * Objects handed out are shared with the cache and with other subscribers: callers must copy before mutating.
 */
import { expired } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { ClosedError, CompactedError, StoreUnavailableError, type Backend, type KeyValue, type WatchEvent } from "../../storage/backend.js";
import { realClock, sleep } from "../../util/clock.js";
import { copyWith } from "../../util/json.js";
import { EventRing } from "./event-ring.js";
import { ObjectIndex } from "./object-index.js";
import { RevisionWaiters } from "./revision-waiters.js";
import { WatchSubscription } from "./subscription.js";
import type { CacheEvent, CachedItem, CacheSnapshot, IndexQuery, SubscribeOptions, WatchCacheOptions } from "./types.js";
import { noteStoredText, storedTextOf } from "../../util/stored-text.js";

export type { CacheEvent, CachedItem, CacheSnapshot, IndexQuery, SubscribeOptions, WatchCacheOptions } from "./types.js";
export { WatchSubscription } from "./subscription.js";

const defaultBufferSize = 10_000;
const retryDelayMs = 100;

/** Mirrors one storage prefix in memory and fans its changes out; see the file comment. */
export class WatchCache {
  private readonly backend: Backend;
  private readonly prefix: string;
  private readonly decode: (kv: KeyValue) => KubeObject;
  private readonly maxLag: number;
  private readonly onError: (error: unknown) => void;

  private readonly objects: ObjectIndex;
  private readonly ring: EventRing;
  private readonly waiters = new RevisionWaiters();
  private rev = 0;
  private primed = false;
  private stoppedFlag = false;
  private readonly subscriptions = new Set<WatchSubscription>();
  /** Keys whose stored value does not decode, with the decode error: they are errors, never silently absent. */
  private readonly corrupt = new Map<string, CorruptObject>();
  /** Objects offered for values about to be stored (see expect), by key. */
  private readonly expected = new Map<string, { value: string; object: KubeObject }>();

  /** A cache of `options.prefix`; nothing is read until `start`. */
  constructor(options: WatchCacheOptions) {
    this.backend = options.backend;
    this.prefix = options.prefix;
    this.decode = options.decode;
    const bufferSize = Math.max(1, options.bufferSize ?? defaultBufferSize);
    this.maxLag = Math.max(1, options.maxWatcherLag ?? bufferSize + 1000);
    this.objects = new ObjectIndex(options.indexers ?? {});
    this.onError = options.onError ?? (() => undefined);
    this.ring = new EventRing(bufferSize, (kv) => {
      const object = this.decode(kv);
      noteStoredText(object, kv.value);
      return object;
    });
  }

  /**
   * The stored value `object` (an object this cache handed out, unchanged) was decoded from: decoding it again and
   * setting metadata.resourceVersion to the object's gives an equal object. Undefined for any other object.
   */
  storedValueOf(object: KubeObject): string | undefined {
    return storedTextOf(object);
  }

  /**
   * Offers `object` as what `value`, about to be stored at `key`, decodes to (metadata.resourceVersion aside): when
   * the cache next sees that value stored at the key, it keeps `object` itself, with its resourceVersion set, instead
   * of decoding the value again. The caller hands `object` over: nobody may change it afterwards. A later offer for
   * the key replaces this one.
   */
  expect(key: string, value: string, object: KubeObject): void {
    this.expected.set(key, { value, object });
  }

  /** Withdraws the offer of `object` at `key` (its write failed), unless another offer replaced it. */
  unexpect(key: string, object: KubeObject): void {
    if (this.expected.get(key)?.object === object) this.expected.delete(key);
  }

  /** Revision the cached state reflects. */
  get revision(): number {
    return this.rev;
  }

  /** Oldest revision a subscription may start after (older ones answer 410 Expired). */
  get oldestRevision(): number {
    return this.ring.oldestResumable;
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
    return { revision: this.rev, items: this.objects.scan(index, keyPrefix, startKey) };
  }

  /** The undecodable stored object at `key`, if that is what is stored there. */
  corruptAt(key: string): CorruptObject | undefined {
    return this.corrupt.get(key);
  }

  /** The first undecodable stored object (in key order) whose key starts with `keyPrefix`, if any. */
  corruptUnder(keyPrefix: string): CorruptObject | undefined {
    let first: CorruptObject | undefined;
    for (const c of this.corrupt.values()) if (c.key.startsWith(keyPrefix) && (first === undefined || c.key < first.key)) first = c;
    return first;
  }

  /**
   * True when the cache holds exactly the keys of `stored` (key → modRevision) among its keys starting with
   * `keyPrefix`, at those revisions: the store's state there, when `stored` was read, is the cache's.
   */
  holds(keyPrefix: string, stored: ReadonlyMap<string, number>): boolean {
    let count = 0;
    for (const item of this.objects.scan(undefined, keyPrefix)) {
      if (stored.get(item.key) !== Number(item.object.metadata?.resourceVersion)) return false;
      count++;
    }
    for (const c of this.corrupt.values()) {
      if (!c.key.startsWith(keyPrefix)) continue;
      if (stored.get(c.key) !== c.revision) return false;
      count++;
    }
    return count === stored.size;
  }

  /** True when the cache has an index named `name`. */
  hasIndex(name: string): boolean {
    return this.objects.hasIndex(name);
  }

  /** Resolves once the cache reflects `revision` (at once if it already does); rejects if the cache stops or `signal` aborts. */
  waitUntilFresh(revision: number, signal?: AbortSignal): Promise<void> {
    if (this.rev >= revision) return Promise.resolve();
    if (this.stoppedFlag) return Promise.reject(new ClosedError());
    return this.waiters.wait(revision, signal);
  }

  /**
   * Subscribes to the events after `options.afterRevision`: buffered ones are replayed first, then live ones.
   * Throws 410 Expired (`too old resource version: N (M)`) when the ring no longer holds that history.
   * A revision beyond the cache's own is allowed (events up to it are skipped).
   */
  subscribe(options: SubscribeOptions): WatchSubscription {
    const after = options.afterRevision;
    const oldest = this.ring.oldestResumable;
    if (after < oldest) {
      throw expired(`too old resource version: ${after} (${oldest})`);
    }
    const sub = new WatchSubscription(this, after, options.filter, this.maxLag, (s) => this.subscriptions.delete(s));
    if (this.stoppedFlag) {
      sub.close();
      return sub;
    }
    sub.replay(this.ring.eventsAfter(after));
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
    this.corrupt.clear();
    for (const kv of result.kvs) {
      const object = this.tryDecode(kv);
      if (object !== undefined) this.objects.put(kv.key, object, undefined);
    }
    this.ring.reset(result.revision);
    this.advance(Math.max(this.rev, result.revision));
  }

  /**
   * Follows the backend watch; a compaction re-primes, other faults retry after a pause, a closed backend stops.
   * An unreachable store ends the watchers (their clients re-watch, and relist if they fell behind) and the
   * cache resumes from its revision once the store answers again.
   */
  private async follow(signal: AbortSignal): Promise<void> {
    let compacted = false;
    while (!signal.aborted && !this.stoppedFlag) {
      try {
        if (compacted) await this.reset();
        compacted = false;
        const onProgress = (revision: number): void => this.advance(revision);
        for await (const batch of this.backend.watch(this.prefix, this.rev, signal, { onProgress })) {
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
        if (error instanceof CompactedError || error instanceof OutOfOrderEventError) {
          compacted = true;
        } else {
          if (error instanceof StoreUnavailableError) for (const sub of [...this.subscriptions]) sub.close();
          await sleep(realClock(), retryDelayMs, signal);
        }
      }
    }
  }

  /**
   * Re-primes after the cache fell behind compaction, or after the backend broke its ordering promise: watchers
   * are ended and must re-watch (older revisions expire).
   */
  private async reset(): Promise<void> {
    for (const sub of [...this.subscriptions]) sub.close();
    await this.prime();
  }

  private apply(batch: WatchEvent[]): void {
    let last = this.rev;
    for (const e of batch) {
      const revision = e.kv.modRevision;
      // The backend promised every event up to this.rev already: the cache may have served reads without it.
      if (revision <= this.rev) throw new OutOfOrderEventError(e.kv.key, revision, this.rev);
      last = Math.max(last, revision);
      const prev = this.objects.get(e.kv.key);
      let event: CacheEvent;
      if (e.type === "DELETE") {
        // An undecodable object's deletion is no event: its watchers were already ended with the error.
        this.expected.delete(e.kv.key);
        if (this.corrupt.delete(e.kv.key)) continue;
        const lastState = prev ?? this.tryDecode(e.kv);
        if (lastState === undefined) { this.objects.remove(e.kv.key); continue; }
        const object: KubeObject = { ...lastState, metadata: { ...lastState.metadata, resourceVersion: String(revision) } };
        const value = storedTextOf(lastState);
        if (value !== undefined) noteStoredText(object, value);
        this.objects.remove(e.kv.key);
        event = { type: "DELETED", key: e.kv.key, revision, object, prevObject: prev ?? lastState };
      } else {
        const object = this.adopt(e.kv) ?? this.tryDecode(e.kv);
        if (object === undefined) {
          // What the cache held for the key is no longer what is stored; watchers learn of it as an error.
          this.objects.remove(e.kv.key);
          const corrupt = this.corrupt.get(e.kv.key);
          for (const sub of [...this.subscriptions]) sub.fail(new CorruptObjectError(corrupt ?? { key: e.kv.key, revision, message: "undecodable" }));
          continue;
        }
        this.objects.put(e.kv.key, object, prev);
        event = { type: prev === undefined ? "ADDED" : "MODIFIED", key: e.kv.key, revision, object, prevObject: prev };
      }
      for (const sub of this.subscriptions) sub.offer(event);
      this.ring.record(event, this.textOf(event.object), event.prevObject === undefined ? undefined : this.textOf(event.prevObject));
    }
    this.advance(last);
  }

  private advance(revision: number): void {
    if (revision > this.rev) this.rev = revision;
    this.waiters.advance(this.rev);
  }

  private stop(reason: unknown): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const sub of [...this.subscriptions]) sub.close();
    this.waiters.rejectAll(reason);
  }

  /** The JSON `object` decodes from: its stored value (every object the cache decoded has one), else its own text. */
  private textOf(object: KubeObject): string {
    return storedTextOf(object) ?? JSON.stringify(object);
  }

  private tryDecode(kv: KeyValue): KubeObject | undefined {
    try {
      const object = this.decode(kv);
      noteStoredText(object, kv.value);
      this.corrupt.delete(kv.key);
      return object;
    } catch (error) {
      const corrupt: CorruptObject = { key: kv.key, revision: kv.modRevision, message: error instanceof Error ? error.message : String(error) };
      this.corrupt.set(kv.key, corrupt);
      this.onError(new CorruptObjectError(corrupt));
      return undefined;
    }
  }

  /** The object offered for this stored value (see expect), now the cache's, with its resourceVersion; else undefined. */
  private adopt(kv: KeyValue): KubeObject | undefined {
    const offered = this.expected.get(kv.key);
    if (offered === undefined || offered.value !== kv.value) return undefined;
    this.expected.delete(kv.key);
    const object = offered.object;
    object.metadata = copyWith(object.metadata, "resourceVersion", String(kv.modRevision));
    noteStoredText(object, kv.value);
    this.corrupt.delete(kv.key);
    return object;
  }
}

/** An event at or below the revision the backend already reported complete: the cache relists. */
export class OutOfOrderEventError extends Error {
  constructor(readonly key: string, readonly revision: number, readonly cacheRevision: number) {
    super(`watch of the store delivered ${key} at revision ${revision} after reporting every event up to ${cacheRevision}: relisting`);
    this.name = "OutOfOrderEventError";
  }
}

/** A stored value that does not decode. */
export interface CorruptObject {
  key: string;
  /** Revision of the write that stored it. */
  revision: number;
  /** The decode error. */
  message: string;
}

/** The fault of an undecodable stored object, worded as upstream's storage error for corrupt objects. */
export class CorruptObjectError extends Error {
  constructor(readonly corrupt: CorruptObject) {
    super(`StorageError: corrupt object, Code: 7, Key: ${corrupt.key}, ResourceVersion: ${corrupt.revision}, AdditionalErrorMsg: ${corrupt.message}`);
    this.name = "CorruptObjectError";
  }
}
