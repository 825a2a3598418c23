/** Small helpers over sorted arrays and key ranges shared by the storage backends. */

/** Index of the first item for which `isAtOrAfter` holds, given it is false then true along the array (binary search). */
export function firstIndex<T>(items: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAtOrAfter(items[mid] as T)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The smallest string greater than every string starting with `prefix`; undefined when there is none (empty prefix). */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix;
  while (end.length > 0) {
    const last = end.charCodeAt(end.length - 1);
    if (last < 0xffff) return end.slice(0, -1) + String.fromCharCode(last + 1);
    end = end.slice(0, -1);
  }
  return undefined;
}

/**
 * A set of keys read in sorted order: keys added since the last ordered read wait unsorted and are merged in at the
 * next one, so a stream of additions costs one sort per read rather than one insertion per key.
 */
export class SortedKeys {
  private sorted: string[] = [];
  private added: string[] = [];

  /** Adds `key`, which the set must not hold. */
  add(key: string): void {
    this.added.push(key);
  }

  /** Every key in order (the array is the set's own: read it, don't change it). */
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

  /** Keeps only the keys for which `keep` holds. */
  retain(keep: (key: string) => boolean): void {
    this.sorted = this.ordered().filter(keep);
  }
}

/**
 * What reads at or above `revision` can still see of one key's version history (oldest first): everything from the
 * key's live version at `revision` on. `history` itself when nothing goes; an empty array when nothing remains.
 */
export function historyAfterCompaction<T>(history: T[], revision: number, revisionOf: (version: T) => number, isLive: (version: T) => boolean): T[] {
  const newer = firstIndex(history, (v) => revisionOf(v) > revision);
  const before = history[newer - 1];
  const keepFrom = before !== undefined && isLive(before) ? newer - 1 : newer;
  return keepFrom === 0 ? history : history.slice(keepFrom);
}
