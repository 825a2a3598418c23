import type { ApiObject, Pod } from "../api/types.js";
import { sameStrings } from "../util/json.js";

/** Computes the index values of an object (none, one or several). */
export type IndexFunc<T extends ApiObject = ApiObject> = (obj: T) => readonly string[];

/** Named index functions. */
export type Indexers<T extends ApiObject = ApiObject> = Record<string, IndexFunc<T>>;

/** Cache key of an object: `namespace/name`, or `name` when it has no namespace (cluster-scoped). */
export function objectKey(obj: ApiObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

/**
 * Informer transform: `obj` without metadata.managedFields, as kube-controller-manager's and kube-scheduler's
 * informers keep their objects (memory: a pod's managedFields are about a third of it decoded). Returns a shallow
 * copy when there were any (`obj` itself is left as it is), else `obj`.
 */
export function stripManagedFields<T extends ApiObject>(obj: T): T {
  const meta = obj.metadata;
  if (meta?.managedFields === undefined) return obj;
  const { managedFields: _trimmed, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/** Splits a cache key back into namespace (undefined for cluster-scoped keys) and name. */
export function splitObjectKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Index function: the object's namespace (nothing for cluster-scoped objects). */
export const byNamespace: IndexFunc = (obj) => {
  const ns = obj.metadata?.namespace;
  return ns ? [ns] : [];
};

/** Index function: a pod's `spec.nodeName` (nothing while unscheduled or for non-pods). */
export const byNodeName: IndexFunc = (obj) => {
  const spec = (obj as Pod).spec;
  const node = spec && typeof spec === "object" ? spec.nodeName : undefined;
  return typeof node === "string" && node ? [node] : [];
};

/** Index function factory: the value of label `key` (nothing when the label is absent). */
export function byLabel(key: string): IndexFunc {
  return (obj) => {
    const v = obj.metadata?.labels?.[key];
    return v === undefined ? [] : [v];
  };
}

/** The changes a `replace` made, in the order they were applied. */
export interface ReplaceDiff<T> {
  added: T[];
  /** Objects whose resourceVersion changed (or that lack one), as [old, new]. */
  updated: [T, T][];
  deleted: T[];
}

/** A read view of cached objects; callers must not mutate the objects it returns. */
export interface Store<T extends ApiObject> {
  /** The object cached under `key` (see objectKey). */
  get(key: string): T | undefined;
  /** Every cached object, in no particular order; the array is a fresh copy. */
  list(): T[];
  /** Every cache key. */
  listKeys(): string[];
  /** Number of cached objects. */
  readonly size: number;
  /** Resource version of the last `replace` (typically the list's), "" before any. */
  readonly resourceVersion: string;
  /** Objects whose index `indexName` contains `value`; throws if the index does not exist. */
  byIndex(indexName: string, value: string): T[];
  /** Keys of the objects whose index `indexName` contains `value`; throws if the index does not exist. */
  byIndexKeys(indexName: string, value: string): string[];
  /** Every value that index `indexName` currently holds; throws if the index does not exist. */
  indexValues(indexName: string): string[];
}

/** An in-memory object cache with named indices, maintained in time proportional to each change. */
export class Indexer<T extends ApiObject> implements Store<T> {
  private readonly items = new Map<string, T>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** Each index function beside its index, for the per-change walks. */
  private readonly maintained: [IndexFunc<T>, Map<string, Set<string>>][] = [];
  private rv = "";

  /** Creates an empty cache with the given indices. */
  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers(indexers);
  }

  /** Adds indices (built over the objects already cached); throws if a name is taken. */
  addIndexers(indexers: Indexers<T>): void {
    for (const name of Object.keys(indexers)) if (this.indices.has(name)) throw new Error(`indexer "${name}" already exists`);
    for (const [name, fn] of Object.entries(indexers)) {
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      this.maintained.push([fn, index]);
      for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  /** The object cached under `key`. */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every cached object (fresh array). */
  list(): T[] {
    return [...this.items.values()];
  }

  /** Every cache key. */
  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** Number of cached objects. */
  get size(): number {
    return this.items.size;
  }

  /** Resource version recorded by the last replace. */
  get resourceVersion(): string {
    return this.rv;
  }

  /** Objects whose index `indexName` contains `value`. */
  byIndex(indexName: string, value: string): T[] {
    const out: T[] = [];
    for (const key of this.index(indexName).get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Keys of the objects whose index `indexName` contains `value`. */
  byIndexKeys(indexName: string, value: string): string[] {
    return [...(this.index(indexName).get(value) ?? [])];
  }

  /** Values currently held by index `indexName`. */
  indexValues(indexName: string): string[] {
    return [...this.index(indexName).keys()];
  }

  /** Inserts or replaces the object under its key; returns the previous one. */
  add(obj: T): T | undefined {
    return this.put(objectKey(obj), obj);
  }

  /** Same as add: inserts or replaces the object under its key; returns the previous one. */
  update(obj: T): T | undefined {
    return this.put(objectKey(obj), obj);
  }

  /** Removes the object with the key of `objOrKey`; returns the removed object. */
  delete(objOrKey: T | string): T | undefined {
    const key = typeof objOrKey === "string" ? objOrKey : objectKey(objOrKey);
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Makes the cache hold exactly `objects`, records `resourceVersion`, and returns what changed. */
  replace(objects: readonly T[], resourceVersion: string): ReplaceDiff<T> {
    const diff: ReplaceDiff<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objects) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.put(key, obj);
      if (old === undefined) diff.added.push(obj);
      else if (!sameVersion(old, obj)) diff.updated.push([old, obj]);
    }
    for (const key of [...this.items.keys()]) {
      if (seen.has(key)) continue;
      const old = this.delete(key);
      if (old !== undefined) diff.deleted.push(old);
    }
    this.rv = resourceVersion;
    return diff;
  }

  /** Caches `obj` at `key`; an index whose values for the key did not change (most updates) is left alone. */
  private put(key: string, obj: T): T | undefined {
    const values = this.maintained.map(([fn]) => fn(obj));
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (let i = 0; i < values.length; i++) {
      const [fn, index] = this.maintained[i] as [IndexFunc<T>, Map<string, Set<string>>];
      const now = values[i] as readonly string[];
      if (old !== undefined) {
        const before = fn(old);
        if (sameStrings(before, now)) continue;
        removeFrom(index, before, key);
      }
      for (const v of now) addTo(index, v, key);
    }
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [fn, index] of this.maintained) removeFrom(index, fn(obj), key);
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return index;
  }
}

function removeFrom(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    const keys = index.get(v);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(v);
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}

function sameVersion(a: ApiObject, b: ApiObject): boolean {
  const ra = a.metadata?.resourceVersion;
  return ra !== undefined && ra !== "" && ra === b.metadata?.resourceVersion;
}
