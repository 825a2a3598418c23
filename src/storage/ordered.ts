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
