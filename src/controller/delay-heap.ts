interface Entry<T> { item: T; readyAt: number; seq: number; index: number }

/**
 * A min-heap of items by ready time with at most one entry per item: scheduling an item again keeps
 * the earlier of the two times. Ties pop in scheduling order.
 */
export class DelayHeap<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly entries = new Map<T, Entry<T>>();
  private seq = 0;

  /** Number of items waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at `readyAt`, or moves it earlier if it already waits later; returns true if the earliest time changed. */
  schedule(item: T, readyAt: number): boolean {
    const before = this.peekTime();
    const existing = this.entries.get(item);
    if (existing) {
      if (readyAt >= existing.readyAt) return false;
      existing.readyAt = readyAt;
      existing.seq = this.seq++;
      this.up(existing.index);
    } else {
      const entry: Entry<T> = { item, readyAt, seq: this.seq++, index: this.heap.length };
      this.heap.push(entry);
      this.entries.set(item, entry);
      this.up(entry.index);
    }
    return before === undefined || readyAt < before;
  }

  /** Ready time of the earliest item, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.readyAt;
  }

  /** Removes and returns every item whose ready time is <= now, earliest first. */
  popReady(now: number): T[] {
    const out: T[] = [];
    for (let top = this.heap[0]; top !== undefined && top.readyAt <= now; top = this.heap[0]) {
      out.push(top.item);
      this.removeTop();
    }
    return out;
  }

  /** Drops every item. */
  clear(): void {
    this.heap.length = 0;
    this.entries.clear();
  }

  private removeTop(): void {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return;
    this.entries.delete(top.item);
    if (last !== top) {
      last.index = 0;
      this.heap[0] = last;
      this.down(0);
    }
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    if (a === undefined || b === undefined) return;
    this.heap[i] = b;
    this.heap[j] = a;
    b.index = i;
    a.index = j;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const cur = this.heap[i];
      const par = this.heap[parent];
      if (cur === undefined || par === undefined || !this.less(cur, par)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const min = this.smaller(this.smaller(i, 2 * i + 1), 2 * i + 2);
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  /** Index of the smaller of two heap slots; `i` when `j` is out of range. */
  private smaller(i: number, j: number): number {
    const a = this.heap[i];
    const b = this.heap[j];
    return a !== undefined && b !== undefined && this.less(b, a) ? j : i;
  }
}
