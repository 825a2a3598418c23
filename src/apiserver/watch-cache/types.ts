/** The shapes the watch cache hands out and accepts. */
import type { KubeObject } from "../../api/types.js";
import type { Backend, KeyValue } from "../../storage/backend.js";

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
