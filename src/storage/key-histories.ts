/**
 * Per key, the history of its versions in revision order, kept from the compacted revision on, with the keys in order
 * for range reads: the MVCC index the memory backend keeps of its events and the SQLite backend of its log's rows.
 */
import { firstIndex } from "./ordered.js";

/** Keys read in sorted order: keys added since the last ordered read wait unsorted and are merged in at the next. */
class SortedKeys {
  private sorted: string[] = [];
  private added: string[] = [];

  add(key: string): void {
    this.added.push(key);
  }

  ordered(): readonly string[] {
    if (this.added.length === 0) return this.sorted;
    const added = this.added.sort();
    this.added = [];
    const merged: string[] = [];
    let i = 0;
    for (const key of added) {
      while (i < this.sorted.length && (this.sorted[i] as string) < key) merged.push(this.sorted[i++] as string);
      merged.push(key);
    }
    while (i < this.sorted.length) merged.push(this.sorted[i++] as string);
    this.sorted = merged;
    return merged;
  }

  retain(keep: (key: string) => boolean): void {
    this.sorted = this.ordered().filter(keep);
  }
}

/**
 * One key's history: its versions, oldest first, and a slot its owner may keep beside them (`head`), so a write finds
 * both with one lookup. The record lives as long as the key has versions.
 */
export interface KeyHistory<V, H> {
  /** Oldest first; change it only through KeyHistories. */
  readonly versions: readonly V[];
  head: H | undefined;
}

interface Entry<V, H> extends KeyHistory<V, H> {
  versions: V[];
}

/** Version histories by key; `revisionOf` and `isLive` tell a version's revision and whether it is a PUT. */
export class KeyHistories<V, H = never> {
  private readonly histories = new Map<string, Entry<V, H>>();
  private readonly keys = new SortedKeys();

  constructor(private readonly revisionOf: (version: V) => number, private readonly isLive: (version: V) => boolean) {}

  /** `key`'s versions, oldest first (the set's own array: read it, don't change it). */
  get(key: string): readonly V[] | undefined {
    return this.histories.get(key)?.versions;
  }

  /** `key`'s record, if it has versions. */
  entry(key: string): KeyHistory<V, H> | undefined {
    return this.histories.get(key);
  }

  /** Appends `version`, newer than every version of `key` held, to its history; returns the key's record. */
  push(key: string, version: V): KeyHistory<V, H> {
    const entry = this.histories.get(key);
    if (entry !== undefined) {
      entry.versions.push(version);
      return entry;
    }
    const created: Entry<V, H> = { versions: [version], head: undefined };
    this.histories.set(key, created);
    this.keys.add(key);
    return created;
  }

  /** As push, for a record `entry` returned by this set and still held (its key not compacted away). */
  pushTo(entry: KeyHistory<V, H>, version: V): void {
    (entry as Entry<V, H>).versions.push(version);
  }

  /** `key`'s newest version at or below `revision`, live or not. */
  at(key: string, revision: number): V | undefined {
    const history = this.histories.get(key)?.versions;
    if (history === undefined) return undefined;
    const last = history[history.length - 1] as V;
    if (this.revisionOf(last) <= revision) return last;
    return history[firstIndex(history, (v) => this.revisionOf(v) > revision) - 1];
  }

  /** The keys from `start` (inclusive) to `end` (exclusive; no bound when undefined), in order. */
  *keysBetween(start: string, end: string | undefined): Generator<string> {
    const keys = this.keys.ordered();
    for (let i = firstIndex(keys, (k) => k >= start); i < keys.length; i++) {
      const key = keys[i] as string;
      if (end !== undefined && key >= end) return;
      yield key;
    }
  }

  /**
   * Forgets what no read at or above `revision` can see: of each key in `keys` (default: every key), the versions
   * before its live version at `revision`; a key left with none (deleted by then) goes.
   */
  compact(revision: number, keys: Iterable<string> = this.histories.keys()): void {
    let emptied = false;
    for (const key of keys) {
      const entry = this.histories.get(key);
      if (entry === undefined) continue;
      const history = entry.versions;
      if (this.revisionOf(history[0] as V) > revision) continue;
      const newer = firstIndex(history, (v) => this.revisionOf(v) > revision);
      const before = history[newer - 1];
      const keepFrom = before !== undefined && this.isLive(before) ? newer - 1 : newer;
      if (keepFrom >= history.length) {
        this.histories.delete(key);
        emptied = true;
      } else if (keepFrom > 0) {
        entry.versions = history.slice(keepFrom);
      }
    }
    if (emptied) this.keys.retain((k) => this.histories.has(k));
  }
}
