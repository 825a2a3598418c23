import type { KeyValue } from "../../storage/backend.js";
import type { KubeObject } from "../../api/types.js";
import type { CacheEvent } from "./types.js";

/**
 * One recorded event in the form the ring keeps it: the stored JSON the objects decode from, not the decoded objects.
 * The strings are the ones the cache already holds (shared, not copied), so a recorded event costs a few words beside
 * the text of the versions it retains, and superseded versions stay as text rather than as object graphs (a decoded
 * object takes several times its JSON).
 */
interface RecordedEvent {
  type: CacheEvent["type"];
  key: string;
  revision: number;
  /** Stored value of `object` (its resourceVersion is `revision`). */
  value: string;
  /** Stored value and revision of `prevObject`; undefined for ADDED. */
  prevValue: string | undefined;
  prevRevision: number;
}

/** Decodes a stored value into an object whose metadata.resourceVersion is `kv.modRevision` (the cache's decoder). */
export type RingDecoder = (kv: KeyValue) => KubeObject;

/**
 * A bounded ring of the most recent cache events in revision order. Once full, each new event evicts the oldest,
 * and watchers may then resume only from the evicted event's revision on. Events are kept as their stored JSON and
 * decoded again when replayed to a watcher resuming from an older revision.
 */
export class EventRing {
  private ring: (RecordedEvent | undefined)[];
  private start = 0;
  private length = 0;
  private oldest = 0;

  /** Keeps at most `capacity` (at least 1) events; `decode` rebuilds replayed objects. */
  constructor(private readonly capacity: number, private readonly decode: RingDecoder) {
    this.ring = new Array<RecordedEvent | undefined>(capacity);
  }

  /** Oldest revision a watcher may resume after (older history was evicted or never held). */
  get oldestResumable(): number {
    return this.oldest;
  }

  /** Number of events held. */
  get size(): number {
    return this.length;
  }

  /** Empties the ring; history before `revision` is no longer resumable. */
  reset(revision: number): void {
    this.ring = new Array<RecordedEvent | undefined>(this.capacity);
    this.start = 0;
    this.length = 0;
    this.oldest = revision;
  }

  /**
   * Appends `event` (its revision above every held one), evicting the oldest when full. `value` and `prevValue` are
   * the stored values `event.object` and `event.prevObject` decode from.
   */
  record(event: CacheEvent, value: string, prevValue: string | undefined): void {
    const recorded: RecordedEvent = {
      type: event.type, key: event.key, revision: event.revision, value, prevValue,
      prevRevision: event.prevObject === undefined ? 0 : Number(event.prevObject.metadata?.resourceVersion ?? 0),
    };
    if (this.length === this.capacity) {
      const evicted = this.ring[this.start] as RecordedEvent;
      this.oldest = evicted.revision;
      this.ring[this.start] = recorded;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.length) % this.capacity] = recorded;
      this.length++;
    }
  }

  /** The held events with a revision strictly greater than `revision`, oldest first, decoded afresh. */
  eventsAfter(revision: number): CacheEvent[] {
    const at = (i: number): RecordedEvent => this.ring[(this.start + i) % this.capacity] as RecordedEvent;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (at(mid).revision > revision) high = mid;
      else low = mid + 1;
    }
    const events: CacheEvent[] = [];
    for (let i = low; i < this.length; i++) events.push(this.rebuild(at(i)));
    return events;
  }

  private rebuild(e: RecordedEvent): CacheEvent {
    const object = this.decode({ key: e.key, value: e.value, createRevision: 0, modRevision: e.revision });
    const prevObject = e.prevValue === undefined ? undefined : this.decode({ key: e.key, value: e.prevValue, createRevision: 0, modRevision: e.prevRevision });
    return { type: e.type, key: e.key, revision: e.revision, object, prevObject };
  }
}
