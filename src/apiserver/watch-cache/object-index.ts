import type { KubeObject } from "../../api/types.js";
import type { CachedItem, IndexQuery } from "./types.js";

/** An object's value under one secondary index (e.g. its namespace). */
export type Indexer = (object: KubeObject) => string;

/** The cached objects by storage key, with secondary indexes and key-ordered scans. */
export class ObjectIndex {
  private readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;
  private readonly indexers: [string, Indexer][];
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  /** Maintains one secondary index per entry of `indexers`. */
  constructor(indexers: Record<string, Indexer>) {
    this.indexers = Object.entries(indexers);
    for (const [name] of this.indexers) this.indexes.set(name, new Map());
  }

  /** Number of objects held. */
  get size(): number {
    return this.objects.size;
  }

  /** The object at `key`, if any. */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** True when there is an index named `name`. */
  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  /** Removes every object. */
  clear(): void {
    this.objects.clear();
    this.sortedKeys = undefined;
    for (const byValue of this.indexes.values()) byValue.clear();
  }

  /** Stores `object` at `key`; `prev` must be the object held there before (undefined when none). */
  put(key: string, object: KubeObject, prev: KubeObject | undefined): void {
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

  /** Removes the object at `key`, if any. */
  remove(key: string): void {
    const prev = this.objects.get(key);
    if (prev === undefined) return;
    this.objects.delete(key);
    this.sortedKeys = undefined;
    for (const [name, indexer] of this.indexers) {
      removeFromIndex(this.indexes.get(name) as Map<string, Set<string>>, indexer(prev), key);
    }
  }

  /**
   * The objects in key order from `startKey` on (inclusive), produced lazily: all of them or those of one index
   * value, optionally only keys starting with `keyPrefix`. Throws when the index does not exist.
   */
  scan(index?: IndexQuery, keyPrefix?: string, startKey?: string): Iterable<CachedItem> {
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
    return items();
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
