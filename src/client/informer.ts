import { groupVersion, type ResourceInfo } from "../api/resources.js";
import { StatusError, statusError } from "../api/status-error.js";
import type { ApiObject, Status } from "../api/types.js";
import { realClock, sleep, type Clock } from "../util/clock.js";
import { Indexer, objectKey, type Indexers, type Store } from "./cache.js";
import type { Client, WatchEvent } from "./client.js";
import { reportTo } from "../util/report.js";

/** Callbacks for cache changes; called synchronously, in event order. */
export interface EventHandler<T extends ApiObject> {
  /** An object appeared; `isInitialList` is true for the first list and for replays to late handlers. */
  onAdd?(obj: T, isInitialList: boolean): void;
  /** An object changed (its resourceVersion moved). */
  onUpdate?(oldObj: T, newObj: T): void;
  /** An object went away; `obj` is its last known state. */
  onDelete?(obj: T): void;
}

/** Handle returned by addEventHandler. */
export interface HandlerRegistration {
  /** Stops delivering events to the handler. */
  remove(): void;
}

/** Options of an Informer. */
export interface InformerOptions<T extends ApiObject> {
  client: Client;
  resource: ResourceInfo;
  /** Namespace to watch; undefined = all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Indices of the store, in addition to none by default. */
  indexers?: Indexers<T>;
  /** Time source of the retry backoff (default: the real clock). */
  clock?: Clock;
  /** Page size of lists (default 500). */
  pageSize?: number;
  /** First retry delay after a failure (default 800 ms), doubling per consecutive failure. */
  backoffInitialMs?: number;
  /** Upper bound of the retry delay (default 30 s). */
  backoffMaxMs?: number;
  /** Ask the server to end each watch after this many seconds (default: no limit). */
  watchTimeoutSeconds?: number;
  /** Receives list/watch failures and exceptions thrown by handlers (default: ignore). */
  onError?: (error: unknown) => void;
  /**
   * Applied to every listed or watched object before it enters the store and reaches the handlers (e.g.
   * stripManagedFields); must not change its argument, which may be shared.
   */
  transform?: (obj: T) => T;
}

/** A watch counts as healthy (resetting the backoff) if it delivered an event or lasted this long. */
const healthyWatchMs = 1000;

/**
 * Keeps a local cache of one resource in sync with the API: lists (paged), then watches from the list's
 * resourceVersion, re-watching from the last seen version when a watch ends and relisting when that version
 * has expired (410). Every change is applied to `store` and then announced to the event handlers.
 */
export class Informer<T extends ApiObject> {
  /** Read access to the cached objects. */
  readonly store: Store<T>;
  private readonly indexer: Indexer<T>;
  private readonly clock: Clock;
  private handlers: readonly EventHandler<T>[] = [];
  private readonly syncWaiters = new Set<() => void>();
  private synced = false;
  private started = false;
  private lastRv = "";

  /** Creates a stopped informer; call `run` to start it. */
  constructor(private readonly options: InformerOptions<T>) {
    this.indexer = new Indexer<T>(options.indexers);
    this.store = this.indexer;
    this.clock = options.clock ?? realClock();
  }

  /** Registers a handler; if objects are already cached, it first receives them as adds (isInitialList true). */
  addEventHandler(handler: EventHandler<T>): HandlerRegistration {
    // Copy on write: a dispatch in progress keeps walking the list it started with.
    this.handlers = [...this.handlers, handler];
    for (const obj of this.indexer.list()) this.call(() => handler.onAdd?.(obj, true));
    return {
      remove: () => {
        this.handlers = this.handlers.filter((h) => h !== handler);
      },
    };
  }

  /** Adds indices to the store (built over what is already cached); throws if a name is taken. */
  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** True once the first list has been applied and announced. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => { this.syncWaiters.delete(onSync); resolve(false); };
      const onSync = (): void => { signal.removeEventListener("abort", onAbort); resolve(true); };
      this.syncWaiters.add(onSync);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The resourceVersion of the last list, event or bookmark seen ("" before the first list). */
  lastSyncResourceVersion(): string {
    return this.lastRv;
  }

  /** Lists and watches until `signal` aborts, retrying failures with backoff; rejects only if run twice. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.options.resource.resource} already started`);
    this.started = true;
    const initialDelay = this.options.backoffInitialMs ?? 800;
    const maxDelay = this.options.backoffMaxMs ?? 30_000;
    let needList = true;
    let delay = initialDelay;
    // One expiry after a healthy watch relists at once; further expiries without progress back off.
    let relistedAtOnce = false;
    const backoff = (): Promise<void> => {
      const ms = delay;
      delay = Math.min(maxDelay, delay * 2);
      return sleep(this.clock, ms, signal);
    };
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          if (signal.aborted) break;
        }
        const outcome = await this.watchOnce(signal);
        if (signal.aborted) break;
        if (outcome.healthy) {
          delay = initialDelay;
          relistedAtOnce = false;
        }
        if (outcome.expired) {
          needList = true;
          if (relistedAtOnce) await backoff();
          relistedAtOnce = true;
        } else if (!outcome.healthy) {
          await backoff();
        }
      } catch (error) {
        if (signal.aborted) break;
        this.report(error);
        await backoff();
      }
    }
  }

  /** Lists every page, replaces the cache and announces the differences. */
  private async relist(signal: AbortSignal): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.options;
    const items: T[] = [];
    let resourceVersion = "";
    let cont: string | undefined;
    do {
      const page = await client.list<T>(resource, namespace, { labelSelector, fieldSelector, limit: this.options.pageSize ?? 500, continue: cont });
      if (signal.aborted) return;
      for (const item of page.items) items.push(this.withType(item));
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont !== undefined);
    const initial = !this.synced;
    const diff = this.indexer.replace(items, resourceVersion);
    this.lastRv = resourceVersion;
    for (const obj of diff.added) this.dispatch((h) => h.onAdd?.(obj, initial));
    for (const [old, obj] of diff.updated) this.dispatch((h) => h.onUpdate?.(old, obj));
    for (const obj of diff.deleted) this.dispatch((h) => h.onDelete?.(obj));
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w();
      this.syncWaiters.clear();
    }
  }

  /** Watches from the last seen version until the stream ends; reports whether the version expired. */
  private async watchOnce(signal: AbortSignal): Promise<{ expired: boolean; healthy: boolean }> {
    const { client, resource, namespace, labelSelector, fieldSelector, watchTimeoutSeconds } = this.options;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const started = this.clock.now();
    let events = 0;
    const healthy = (): boolean => events > 0 || this.clock.now() - started >= healthyWatchMs;
    try {
      const stream = client.watch<T>(resource, namespace, {
        labelSelector, fieldSelector, resourceVersion: this.lastRv, allowWatchBookmarks: true, timeoutSeconds: watchTimeoutSeconds,
      }, stop.signal);
      for await (const ev of stream) {
        if (signal.aborted) break;
        if (ev.type === "ERROR") {
          const status = ev.object as Status;
          if (isExpired(status.code, status.reason)) return { expired: true, healthy: healthy() };
          throw statusError(status.code ?? 500, status.reason ?? "InternalError", status.message ?? "watch failed");
        }
        events++;
        this.apply(ev);
      }
    } catch (error) {
      if (error instanceof StatusError && isExpired(error.code, error.reason)) return { expired: true, healthy: healthy() };
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort);
      stop.abort();
    }
    return { expired: false, healthy: healthy() };
  }

  /** Applies one watch event to the cache and announces it; replays of a version already held are skipped. */
  private apply(ev: WatchEvent<T>): void {
    const obj = ev.type === "BOOKMARK" ? (ev.object as T) : this.withType(ev.object as T);
    const rv = obj.metadata?.resourceVersion ?? "";
    if (ev.type !== "BOOKMARK") {
      const key = objectKey(obj);
      const old = this.indexer.get(key);
      if (ev.type === "DELETED") {
        if (old !== undefined) {
          this.indexer.delete(key);
          this.dispatch((h) => h.onDelete?.(obj));
        }
      } else if (old === undefined) {
        this.indexer.add(obj);
        this.dispatch((h) => h.onAdd?.(obj, false));
      } else if (rv === "" || old.metadata?.resourceVersion !== rv) {
        this.indexer.update(obj);
        this.dispatch((h) => h.onUpdate?.(old, obj));
      }
    }
    if (rv !== "") this.lastRv = rv;
  }

  private withType(received: T): T {
    const item = this.options.transform === undefined ? received : this.options.transform(received);
    if (item.apiVersion === undefined) item.apiVersion = groupVersion(this.options.resource);
    if (item.kind === undefined) item.kind = this.options.resource.kind;
    return item;
  }

  private dispatch(fn: (h: EventHandler<T>) => void): void {
    for (const h of this.handlers) {
      try {
        fn(h);
      } catch (error) {
        this.report(error);
      }
    }
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    reportTo(this.options.onError, error);
  }
}

/** True for the 410 a too-old resourceVersion or continue token gets (reason Expired or Gone). */
function isExpired(code: number | undefined, reason: string | undefined): boolean {
  return code === 410 || reason === "Expired" || reason === "Gone";
}
