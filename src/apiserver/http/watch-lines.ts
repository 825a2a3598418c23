/**
 * The JSON lines of watch events, each object serialized once for every watcher writing it: watchers of one resource
 * receive the same (shared, never mutated) objects at about the same time, so a small memo of the latest objects
 * spares the repeats without holding a second copy of the whole cache.
 */

/** Objects whose JSON the memo keeps (the oldest is dropped past this). */
const defaultCapacity = 512;

/** Serializes watch events to JSON lines, reusing the JSON of objects serialized lately; see the file comment. */
export class WatchLines {
  private readonly memo = new Map<object, string>();

  constructor(private readonly capacity = defaultCapacity) {}

  /**
   * The line (newline included) of an event whose `object` is shared and never mutated (a watch cache's object, or
   * one built for this event only).
   */
  line(type: string, object: unknown): string {
    if (typeof object !== "object" || object === null) return `${JSON.stringify({ type, object })}\n`;
    let json = this.memo.get(object);
    if (json === undefined) {
      json = JSON.stringify(object);
      this.memo.set(object, json);
      if (this.memo.size > this.capacity) {
        const oldest = this.memo.keys().next();
        if (oldest.done !== true) this.memo.delete(oldest.value);
      }
    }
    return `{"type":${JSON.stringify(type)},"object":${json}}\n`;
  }
}
