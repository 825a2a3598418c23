/**
 * The in-memory index of a revision log keyed by revision alone (as etcd keeps its key index in memory beside a
 * backend keyed by revision): per key, the revisions of its versions in order, each a PUT or a deletion, from the
 * compacted revision on; the keys in order for range reads. It is derived data: rebuilt from the log when the store
 * opens, so the log's table needs no index on keys, whose random inserts dominated the cost of a commit.
 */
import { KeyHistories } from "./key-histories.js";

/** A version as the index holds it: its revision, negated for a deletion. */
export type IndexedVersion = number;

/** Per-key version history of a revision log; see the file comment. keysBetween and compact as KeyHistories'. */
export class KeyIndex extends KeyHistories<IndexedVersion> {
  constructor() {
    super(Math.abs, (v) => v > 0);
  }

  /** Records version `revision` of `key` (a deletion when `deleted`); revisions arrive in increasing order. */
  add(key: string, revision: number, deleted: boolean): void {
    this.push(key, deleted ? -revision : revision);
  }

  /** The revision of `key`'s live version at `revision`; undefined when it did not exist then or was deleted. */
  liveAt(key: string, revision: number): number | undefined {
    const version = this.at(key, revision);
    return version !== undefined && version > 0 ? version : undefined;
  }
}
