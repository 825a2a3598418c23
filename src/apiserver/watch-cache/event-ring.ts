import type { CacheEvent } from "./types.js";

/**
 * A bounded ring of the most recent cache events in revision order. Once full, each new event evicts the oldest,
 * and watchers may then resume only from the evicted event's revision on.
 */
export class EventRing {
  private ring: (CacheEvent | undefined)[];
  private start = 0;
  private length = 0;
  private oldest = 0;

  /** Keeps at most `capacity` (at least 1) events. */
  constructor(private readonly capacity: number) {
    this.ring = new Array<CacheEvent | undefined>(capacity);
  }

  /** Oldest revision a watcher may resume after (older history was evicted or never held). */
  get oldestResumable(): number {
    return this.oldest;
  }

  /** Empties the ring; history before `revision` is no longer resumable. */
  reset(revision: number): void {
    this.ring = new Array<CacheEvent | undefined>(this.capacity);
    this.start = 0;
    this.length = 0;
    this.oldest = revision;
  }

  /** Appends `event` (its revision above every held one), evicting the oldest when full. */
  record(event: CacheEvent): void {
    if (this.length === this.capacity) {
      const evicted = this.ring[this.start] as CacheEvent;
      this.oldest = evicted.revision;
      this.ring[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.length) % this.capacity] = event;
      this.length++;
    }
  }

  /** The held events with a revision strictly greater than `revision`, oldest first. */
  eventsAfter(revision: number): CacheEvent[] {
    const at = (i: number): CacheEvent => this.ring[(this.start + i) % this.capacity] as CacheEvent;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (at(mid).revision > revision) high = mid;
      else low = mid + 1;
    }
    const events: CacheEvent[] = [];
    for (let i = low; i < this.length; i++) events.push(at(i));
    return events;
  }
}
