/**
 * The storage contract: a small revisioned key-value store in the spirit of kine, mapping directly onto
 * etcd (one global revision, compare-and-swap through Txn, Watch from a revision, Compact).
 *
 * Every write returns the store revision it produced; every read returns the revision it reflects.
 * Values are opaque strings (the API server stores JSON).
 */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key; the object's resourceVersion. */
  modRevision: number;
}

/** One change seen by a watch. `prevKv` is the value before the change (always set for DELETE). */
export interface WatchEvent {
  type: "PUT" | "DELETE";
  /** For PUT: the new value. For DELETE: key with the deleted value, `modRevision` = the delete's revision. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** Options of a watch. */
export interface WatchOptions {
  /**
   * Called between batches, in order, with a revision up to which every event under the prefix has been
   * delivered (a backend may call it when it knows, or never; never with a revision whose events are still to come).
   */
  onProgress?: (revision: number) => void;
}

/** Options for listing a prefix. */
export interface ListOptions {
  /** Read at this revision (0 or absent = current). Throws CompactedError if compacted away. */
  revision?: number;
  /** At most this many keys (0 or absent = no limit). */
  limit?: number;
  /** Start at this key (inclusive), for continuing a paginated list. */
  startKey?: string;
  /** Only keys and revisions are needed: a backend may return empty values. */
  keysOnly?: boolean;
}

/** A list result: the keys in order, the revision read at, and whether more remain. */
export interface ListResult {
  revision: number;
  kvs: KeyValue[];
  /** True when `limit` cut the result short. */
  more: boolean;
}

/** Result of a write: the new store revision and the key's value after (or, for delete, before) the write. */
export interface WriteResult {
  revision: number;
  kv: KeyValue;
}

/** The revisioned key-value backend every storage implementation provides. */
export interface Backend {
  /** Current store revision. */
  currentRevision(): Promise<number>;
  /** Reads one key at the current revision (or at `revision`); `kv` is undefined when absent. */
  get(key: string, revision?: number): Promise<{ revision: number; kv: KeyValue | undefined }>;
  /** Creates a key; throws KeyExistsError if it exists. */
  create(key: string, value: string): Promise<WriteResult>;
  /** Replaces a key's value if its modRevision equals `expectedModRevision`; else throws ConflictError (NotFoundError if absent). */
  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult>;
  /** Deletes a key, if given only when its modRevision equals `expectedModRevision`; returns the deleted value. Throws NotFoundError / ConflictError. */
  delete(key: string, expectedModRevision?: number): Promise<WriteResult>;
  /** Lists keys under `prefix` in key order at one revision. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /**
   * Watches keys under `prefix`, delivering every event with revision > `afterRevision`, in revision order,
   * with no gap, in batches. Throws CompactedError (from the iterator) if `afterRevision` is older than the
   * compacted revision. Ends when `signal` aborts or the backend closes.
   */
  watch(prefix: string, afterRevision: number, signal: AbortSignal, options?: WatchOptions): AsyncIterable<WatchEvent[]>;
  /** Discards history at and below `revision` (current values are kept). Returns the compacted revision. */
  compact(revision: number): Promise<number>;
  /** The revision history was compacted to (0 if never). */
  compactedRevision(): Promise<number>;
  /** Flushes pending writes and releases resources. Further calls reject. */
  close(): Promise<void>;
}

/** Create of a key that already exists. */
export class KeyExistsError extends Error {
  constructor(readonly key: string) { super(`key exists: ${key}`); this.name = "KeyExistsError"; }
}

/** Update or delete of a key that does not exist. */
export class NotFoundError extends Error {
  constructor(readonly key: string) { super(`key not found: ${key}`); this.name = "NotFoundError"; }
}

/** Compare-and-swap failed: the key's modRevision differs from the expected one. `current` is its value now. */
export class ConflictError extends Error {
  constructor(readonly key: string, readonly current: KeyValue) { super(`revision mismatch on ${key}`); this.name = "ConflictError"; }
}

/** A read or watch asked for a revision that compaction has discarded. */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = "CompactedError";
  }
}

/** A call on a closed backend. */
export class ClosedError extends Error {
  constructor() { super("storage backend is closed"); this.name = "ClosedError"; }
}

/** A read, watch or compaction asked for a revision newer than the store's current revision. */
export class FutureRevisionError extends Error {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is a future revision (current revision ${current})`);
    this.name = "FutureRevisionError";
  }
}

/** The store could not be reached or did not answer in time (the request may or may not have taken effect). */
export class StoreUnavailableError extends Error {
  constructor(readonly detail: string, options?: { cause?: unknown }) {
    super(`storage is unavailable: ${detail}`, options);
    this.name = "StoreUnavailableError";
  }
}
