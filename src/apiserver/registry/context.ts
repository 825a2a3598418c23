/** State shared by the registry's verbs: the backend, one store (strategy + watch cache) per resource, the clock. */
import { groupVersion, resources, storageKey, type ResourceInfo } from "../../api/resources.js";
import { badRequest, statusError, type ResourceRef } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Backend } from "../../storage/backend.js";
import { WatchCache } from "../watch-cache/watch-cache.js";
import { CoalescedReads } from "../../util/coalesced-reads.js";
import { storageFailure } from "./storage-ops.js";
import { decodeObject } from "./codec.js";
import { strategyFor, type Strategy } from "./strategy.js";
import { noteStoredText, storedTextOf } from "../../util/stored-text.js";

/** One served resource inside the registry. */
export interface ResourceStore {
  readonly info: ResourceInfo;
  readonly ref: ResourceRef;
  readonly strategy: Strategy;
  readonly cache: WatchCache;
  /** `apps/v1` or `v1`. */
  readonly apiVersion: string;
  /** Storage prefix of every object of the resource. */
  readonly prefix: string;
  /** True when the resource has a status subresource (normal writes never change status). */
  readonly hasStatus: boolean;
}

/** Construction options of the context (see Registry). */
export interface ContextOptions {
  backend: Backend;
  now: () => Date;
  bookmarkIntervalMs: number;
  watchBufferSize: number;
  onError: (error: unknown) => void;
  consistentReads: boolean;
  serviceAccountAdmission: boolean;
  serviceAccountTokenVolumes: boolean;
}

/** How long a consistent read waits for the cache to catch up with the store before answering 504. */
const catchUpTimeoutMs = 10_000;

/** How long a consistent read waits for the cache's watch before comparing the cache with the store again. */
const recheckMs = 50;

/** Keys read per page when comparing a cache with the store. */
const keysPage = 5000;

/** The keys under `keyPrefix` with their modRevisions, read in pages at one (the current) revision of the store. */
async function storedRevisions(backend: Backend, keyPrefix: string): Promise<{ revision: number; keys: Map<string, number> }> {
  const keys = new Map<string, number>();
  let revision: number | undefined;
  let startKey = keyPrefix;
  for (;;) {
    const page = await backend.list(keyPrefix, { revision, startKey, limit: keysPage, keysOnly: true }).catch((error: unknown) => { throw storageFailure(error); });
    revision = page.revision;
    for (const kv of page.kvs) keys.set(kv.key, kv.modRevision);
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || last === undefined) return { revision, keys };
    startKey = `${last.key}\u0000`;
  }
}

/** Name of the cache index every namespaced resource has. */
export const namespaceIndex = "metadata.namespace";

/** Shared registry state; see the file comment. */
export class RegistryContext {
  readonly backend: Backend;
  readonly now: () => Date;
  readonly bookmarkIntervalMs: number;
  readonly onError: (error: unknown) => void;
  private readonly consistentReads: boolean;
  /** Run the ServiceAccount admission plugin on pod creation. */
  readonly serviceAccountAdmission: boolean;
  /** Whether ServiceAccount admission mounts the `kube-api-access-*` token volume. */
  readonly serviceAccountTokenVolumes: boolean;
  readonly stores = new Map<string, ResourceStore>();
  /** Resolves once every cache is primed. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private markFailed!: (error: unknown) => void;
  private stampSecond = Number.NaN;
  private stamp = "";
  private readonly lastWrite = new Map<ResourceStore, number>();
  /**
   * The store's keys per range, read once for every consistent read that asks while another read of the range runs
   * (each still gets a read begun after it asked): a burst of creates in one namespace costs one or two reads of
   * the namespace, not one each.
   */
  private readonly storedReads = new CoalescedReads<{ revision: number; keys: ReadonlyMap<string, number> }>();

  constructor(options: ContextOptions) {
    this.backend = options.backend;
    this.now = options.now;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs;
    this.onError = options.onError;
    this.serviceAccountAdmission = options.serviceAccountAdmission;
    this.serviceAccountTokenVolumes = options.serviceAccountTokenVolumes;
    this.consistentReads = options.consistentReads;
    this.ready = new Promise((resolve, reject) => { this.markReady = resolve; this.markFailed = reject; });
    // Callers observe a failed start through `ready`; never as an unhandled rejection.
    this.ready.catch(() => undefined);
    for (const info of resources) {
      const strategy = strategyFor(info);
      const indexers: Record<string, (o: KubeObject) => string> = { ...strategy.indexers };
      if (info.namespaced) indexers[namespaceIndex] = (o) => o.metadata?.namespace ?? "";
      const prefix = storageKey(info, undefined);
      const cache = new WatchCache({
        backend: options.backend, prefix, decode: decodeObject, bufferSize: options.watchBufferSize, indexers, onError: options.onError,
      });
      this.stores.set(`${info.group}/${info.resource}`, {
        info, strategy, cache, prefix,
        ref: { group: info.group, resource: info.resource, kind: info.kind },
        apiVersion: groupVersion(info),
        hasStatus: info.subresources.includes("status"),
      });
    }
  }

  /** Primes every cache (they then follow the backend until `signal` aborts); on failure every waiting call gets 503. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([...this.stores.values()].map((s) => s.cache.start(signal)));
    } catch (error) {
      this.markFailed(statusError(503, "ServiceUnavailable", `the storage is not available: ${error instanceof Error ? error.message : String(error)}`));
      throw error;
    }
    this.markReady();
  }

  /** The store of a served resource; 404 for anything else. */
  store(resource: Pick<ResourceInfo, "group" | "resource">): ResourceStore {
    const store = this.stores.get(`${resource.group}/${resource.resource}`);
    if (store === undefined) throw statusError(404, "NotFound", "the server could not find the requested resource");
    return store;
  }

  /**
   * Notes that `object` (metadata.resourceVersion aside) is what `value` decodes to: the object must not change
   * afterwards (the registry notes only objects it answers with, before handing them out).
   */
  noteStored(object: KubeObject, value: string | undefined): void {
    if (value !== undefined) noteStoredText(object, value);
  }

  /**
   * The stored value an object the registry answered a write with was noted to decode from (see noteStored), with
   * its resourceVersion: decoding `stored` and setting metadata.resourceVersion gives an object equal to `object`,
   * provided nobody changed it since. Undefined for any other value.
   */
  storedFormOf(object: unknown): { stored: string; resourceVersion: string } | undefined {
    if (typeof object !== "object" || object === null) return undefined;
    const stored = storedTextOf(object);
    const resourceVersion = (object as KubeObject).metadata?.resourceVersion;
    return stored !== undefined && resourceVersion !== undefined ? { stored, resourceVersion } : undefined;
  }

  /** Records an acknowledged write so later reads of the resource wait until the cache has it. */
  recordWrite(store: ResourceStore, revision: number): void {
    if (revision > (this.lastWrite.get(store) ?? 0)) this.lastWrite.set(store, revision);
  }

  /**
   * Waits until the registry is primed and the store's cache holds every write acknowledged so far, by this server
   * or (consistent reads) by any: under `keyPrefix` (default the whole resource) when only that range is read.
   * 504 when the cache does not get there within 10 s.
   */
  async fresh(store: ResourceStore, keyPrefix: string = store.prefix): Promise<void> {
    await this.ready;
    if (!this.consistentReads) {
      if (!this.holdsOwnWrites(store)) await this.ownWrites(store);
      return;
    }
    if (!(await this.catchUp(store, keyPrefix, catchUpTimeoutMs))) {
      throw statusError(504, "Timeout", `the storage is not available: the watch cache did not catch up with the store within ${catchUpTimeoutMs / 1000}s`);
    }
  }

  /**
   * As fresh, but resolves false instead of failing when the cache is still behind after `waitMs`: the caller then
   * reads the store itself (as kube-apiserver falls back from its cache to etcd).
   */
  async freshWithin(store: ResourceStore, keyPrefix: string, waitMs: number): Promise<boolean> {
    await this.ready;
    if (!this.consistentReads) {
      if (!this.holdsOwnWrites(store)) await this.ownWrites(store);
      return true;
    }
    return this.catchUp(store, keyPrefix, waitMs);
  }

  /** True when the cache holds every write this server (the only writer) acknowledged. */
  private holdsOwnWrites(store: ResourceStore): boolean {
    return store.cache.revision >= (this.lastWrite.get(store) ?? 0);
  }

  /**
   * True when the store's cache is as current as a read of storage would be now: this server is the only writer
   * (no consistent reads) and the cache holds every write it acknowledged. An outcome computed from the cache (a
   * no-op, a refusal) then needs no confirmation from storage.
   */
  cacheIsCurrent(store: ResourceStore): boolean {
    return !this.consistentReads && !store.cache.stopped && this.holdsOwnWrites(store);
  }

  /** Waits until the cache holds this server's acknowledged writes (the only writer). */
  private async ownWrites(store: ResourceStore): Promise<void> {
    await store.cache.waitUntilFresh(this.lastWrite.get(store) ?? 0).catch(() => { throw statusError(503, "ServiceUnavailable", "the storage is not available"); });
  }

  /** True once the cache reflects the store's current state in `keyPrefix`; false when still behind after `waitMs`. */
  private async catchUp(store: ResourceStore, keyPrefix: string, waitMs: number): Promise<boolean> {
    // Other servers write too. etcd cannot say reliably how far a watch has delivered (its answers to progress
    // requests may overtake events before 3.4.31), so the cache must either reach the store's current revision
    // through its watch (a busy range soon gets an event past it), or hold exactly the keys the store holds in the
    // range at a later revision (a quiet range: compared again whenever the watch has had time to deliver).
    const deadline = Date.now() + waitMs;
    let stored = await this.storedReads.read(keyPrefix, () => storedRevisions(this.backend, keyPrefix));
    const target = stored.revision;
    for (;;) {
      if (store.cache.revision >= target || store.cache.holds(keyPrefix, stored.keys)) return true;
      const wait = Math.min(recheckMs, deadline - Date.now());
      if (wait <= 0) return false;
      // A timer of its own (AbortSignal.timeout's does not keep the process alive while a read waits).
      const pause = new AbortController();
      const timer = setTimeout(() => pause.abort(), wait);
      await store.cache.waitUntilFresh(target, pause.signal).catch((error: unknown) => {
        if (store.cache.stopped) throw statusError(503, "ServiceUnavailable", `the storage is not available: ${error instanceof Error ? error.message : String(error)}`);
      }).finally(() => clearTimeout(timer));
      if (store.cache.revision >= target) return true;
      stored = await this.storedReads.read(keyPrefix, () => storedRevisions(this.backend, keyPrefix));
    }
  }

  /** The storage key of an object; namespaced resources need a namespace. */
  key(store: ResourceStore, namespace: string | undefined, name: string): string {
    return storageKey(store.info, this.namespaceFor(store, namespace), name);
  }

  /** The namespace to use for `store`: undefined for cluster-scoped resources, required for namespaced ones. */
  namespaceFor(store: ResourceStore, namespace: string | undefined): string | undefined {
    if (!store.info.namespaced) return undefined;
    if (!namespace) throw badRequest(`a namespace is required for ${store.info.resource}`);
    return namespace;
  }

  /** RFC 3339 timestamp (seconds) of `date` (default now). */
  timestamp(date: Date = this.now()): string {
    // Every write asks for one; thousands a second share the same text.
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.stampSecond) {
      this.stampSecond = second;
      this.stamp = rfc3339(date);
    }
    return this.stamp;
  }
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
