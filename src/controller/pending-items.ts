/** The items a WorkQueue hands out next: first in first out, or highest priority first (FIFO among equals). */

/** The waiting items of a work queue (each item at most once; the queue guarantees that). */
export interface PendingItems<T> {
  /** Number of waiting items. */
  readonly length: number;
  /** Adds an item. */
  push(item: T): void;
  /** Removes and returns the next item; undefined when empty. */
  shift(): T | undefined;
  /** Drops every item. */
  clear(): void;
  /** Reads every waiting item's priority again (a no-op where order does not depend on it). */
  reprioritize(): void;
}

/** First in, first out (amortised O(1) without moving the array on every shift). */
export class FifoItems<T> implements PendingItems<T> {
  private items: T[] = [];
  private head = 0;

  /** Number of waiting items. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends an item. */
  push(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Drops every item. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** Nothing to do: the order is the insertion order. */
  reprioritize(): void {}
}

interface Entry<T> { item: T; priority: number; seq: number }

/**
 * Highest priority first, FIFO among equal priorities (a binary heap; O(log n) push and shift). An item's
 * priority is read once, when it is pushed.
 */
export class PriorityItems<T> implements PendingItems<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  /** Creates an empty heap ordered by `priorityOf` (higher first). */
  constructor(private readonly priorityOf: (item: T) => number) {}

  /** Number of waiting items. */
  get length(): number {
    return this.heap.length;
  }

  /** Adds an item at its priority. */
  push(item: T): void {
    const p = this.priorityOf(item);
    this.heap.push({ item, priority: Number.isFinite(p) ? p : 0, seq: this.seq++ });
    this.up(this.heap.length - 1);
  }

  /** Removes and returns the highest-priority item that waited longest. */
  shift(): T | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop() as Entry<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top.item;
  }

  /** Drops every item. */
  clear(): void {
    this.heap.length = 0;
  }

  /** Reads every waiting item's priority again and restores the heap order (keeping FIFO among equals). */
  reprioritize(): void {
    for (const e of this.heap) {
      const p = this.priorityOf(e.item);
      e.priority = Number.isFinite(p) ? p : 0;
    }
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Whether entry a goes before entry b. */
  private before(a: Entry<T>, b: Entry<T>): boolean {
    return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i] as Entry<T>, h[parent] as Entry<T>)) return;
      [h[i], h[parent]] = [h[parent] as Entry<T>, h[i] as Entry<T>];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < h.length && this.before(h[l] as Entry<T>, h[best] as Entry<T>)) best = l;
      if (r < h.length && this.before(h[r] as Entry<T>, h[best] as Entry<T>)) best = r;
      if (best === i) return;
      [h[i], h[best]] = [h[best] as Entry<T>, h[i] as Entry<T>];
      i = best;
    }
  }
}
