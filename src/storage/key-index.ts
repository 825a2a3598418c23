/**
 * The in-memory index of a revision log keyed by revision alone (as etcd keeps its key index in memory beside a
 * backend keyed by revision): per key, the revisions of its versions in order, each a PUT or a deletion, from the
 * compacted revision on; the keys in order for range reads. It is derived data: rebuilt from the log when the store
 * opens, so the log's table needs no index on keys, whose random inserts dominated the cost of a commit.
 */
import type { KeyValue } from "./backend.js";
import { KeyHistories, type KeyHistory } from "./key-histories.js";

/** A version as the index holds it: its revision, negated for a deletion. */
export type IndexedVersion = number;

/** A key's record in the index: its versions, and the kv of its latest version when its owner keeps it there. */
export type IndexedKey = KeyHistory<IndexedVersion, KeyValue>;

/**
 * Per-key version history of a revision log; see the file comment. keysBetween and compact as KeyHistories'. Each
 * key's record has a `head` slot, where the store keeps the kv of the key's latest write (see SqliteBackend).
 */
export class KeyIndex extends KeyHistories<IndexedVersion, KeyValue> {
  constructor() {
    super(Math.abs, (v) => v > 0);
  }

  /** Records version `revision` of `key` (a deletion when `deleted`); revisions arrive in increasing order. Returns the key's record. */
  add(key: string, revision: number, deleted: boolean): IndexedKey {
    return this.push(key, deleted ? -revision : revision);
  }

  /** As add, to the record of a key that has one (returned by entry or add). */
  addTo(entry: IndexedKey, revision: number, deleted: boolean): void {
    this.pushTo(entry, deleted ? -revision : revision);
  }

  /** The revision of `key`'s live version at `revision`; undefined when it did not exist then or was deleted. */
  liveAt(key: string, revision: number): number | undefined {
    const version = this.at(key, revision);
    return version !== undefined && version > 0 ? version : undefined;
  }
}
