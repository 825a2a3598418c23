/**
 * The in-memory index of a revision log keyed by revision alone (as etcd keeps its key index in memory beside a
 * backend keyed by revision): per key, the revisions of its versions in order, each a PUT or a deletion, from the
 * compacted revision on; the keys in order for range reads. It is derived data: rebuilt from the log when the store
 * opens, so the log's table needs no index on keys, whose random inserts dominated the cost of a commit.
 */
import { firstIndex, historyAfterCompaction, SortedKeys } from "./ordered.js";

/** A version as the index holds it: its revision, negated for a deletion. */
export type IndexedVersion = number;

/** Per-key version history of a revision log; see the file comment. */
export class KeyIndex {
  /** Per key, its versions in revision order (see IndexedVersion). */
  private readonly versions = new Map<string, IndexedVersion[]>();
  private readonly keys = new SortedKeys();

  /** Records version `revision` of `key` (a deletion when `deleted`); revisions arrive in increasing order. */
  add(key: string, revision: number, deleted: boolean): void {
    const version = deleted ? -revision : revision;
    const history = this.versions.get(key);
    if (history !== undefined) {
      history.push(version);
      return;
    }
    this.versions.set(key, [version]);
    this.keys.add(key);
  }

  /** The revision of `key`'s live version at `revision`; undefined when it did not exist then or was deleted. */
  liveAt(key: string, revision: number): number | undefined {
    const history = this.versions.get(key);
    if (history === undefined) return undefined;
    const last = history[history.length - 1] as IndexedVersion;
    const version = Math.abs(last) <= revision ? last : history[firstIndex(history, (v) => Math.abs(v) > revision) - 1];
    return version !== undefined && version > 0 ? version : undefined;
  }

  /** The indexed keys from `start` (inclusive) to `end` (exclusive; no bound when undefined), in order. */
  *keysBetween(start: string, end: string | undefined): Generator<string> {
    const keys = this.keys.ordered();
    for (let i = firstIndex(keys, (k) => k >= start); i < keys.length; i++) {
      const key = keys[i] as string;
      if (end !== undefined && key >= end) return;
      yield key;
    }
  }

  /** Forgets the versions no read at or above `revision` can see: all but each key's live version at `revision`. */
  compact(revision: number): void {
    let emptied = false;
    for (const [key, history] of this.versions) {
      if (Math.abs(history[0] as IndexedVersion) > revision) continue;
      const kept = historyAfterCompaction(history, revision, Math.abs, (v) => v > 0);
      if (kept.length === 0) {
        this.versions.delete(key);
        emptied = true;
      } else if (kept !== history) {
        this.versions.set(key, kept);
      }
    }
    if (emptied) this.keys.retain((k) => this.versions.has(k));
  }
}
