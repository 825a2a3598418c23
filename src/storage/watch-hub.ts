/**
 * Watch fan-out shared by the storage backends: every watcher first catches up from committed history, then
 * switches to live events in the same synchronous step (so there is neither a gap nor a duplicate at the seam).
 * A watcher whose consumer falls behind by more than `backlogLimit` events drops its live queue and catches up
 * from history again, so a stalled consumer costs bounded memory.
 *
 * Batches and events are shared between watchers: consumers must treat them as read-only.
 */
import { ClosedError, type WatchEvent } from "./backend.js";

/** Committed history a watcher catches up from. Both calls are synchronous, so no commit can interleave. */
export interface EventHistory {
  /** Committed events under `prefix` with revision > `after`, oldest first, at most `limit`; throws CompactedError when `after` is compacted away. */
  readEvents(prefix: string, after: number, limit: number): WatchEvent[];
  /** The latest committed revision. */
  committedRevision(): number;
}

/** Tuning of a WatchHub. */
export interface WatchHubOptions {
  /** Undelivered live events one watcher may hold before it falls back to reading history (default 10000). */
  backlogLimit?: number;
  /** Maximum events per catch-up batch (default 1000). */
  catchUpBatch?: number;
}

interface Watcher {
  readonly prefix: string;
  /** Every event with revision <= cursor has been handed out (or did not match). */
  cursor: number;
  live: boolean;
  ended: boolean;
  queue: WatchEvent[][];
  queued: number;
  wake: (() => void) | undefined;
}

/** Fans committed events out to watchers; see the file comment for the delivery guarantees. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private readonly backlogLimit: number;
  private readonly catchUpBatch: number;
  private closed = false;

  constructor(private readonly history: EventHistory, options: WatchHubOptions = {}) {
    this.backlogLimit = Math.max(1, options.backlogLimit ?? 10_000);
    this.catchUpBatch = Math.max(1, options.catchUpBatch ?? 1000);
  }

  /** Number of active watchers. */
  get size(): number {
    return this.watchers.size;
  }

  /** Streams every event under `prefix` with revision > `afterRevision`, in order, until `signal` aborts or the hub closes. */
  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    return this.stream(prefix, afterRevision, signal);
  }

  /** Delivers the events of one commit (in revision order, any prefixes) to live watchers. */
  publish(events: WatchEvent[]): void {
    const first = events[0];
    if (first === undefined || this.watchers.size === 0) return;
    let byPrefix: Map<string, WatchEvent[]> | undefined;
    for (const w of this.watchers) {
      if (!w.live || w.ended) continue;
      let matched: WatchEvent[];
      if (first.kv.modRevision <= w.cursor) {
        matched = events.filter((e) => e.kv.modRevision > w.cursor && e.kv.key.startsWith(w.prefix));
      } else if (events.length === 1) {
        // One event (most commits): it matches or not; no per-prefix cache to build.
        if (!first.kv.key.startsWith(w.prefix)) continue;
        matched = events;
      } else {
        byPrefix ??= new Map();
        const cached = byPrefix.get(w.prefix);
        matched = cached ?? matching(events, w.prefix);
        if (cached === undefined) byPrefix.set(w.prefix, matched);
      }
      if (matched.length === 0) continue;
      w.queue.push(matched);
      w.queued += matched.length;
      if (w.queued > this.backlogLimit) {
        w.live = false;
        w.queue = [];
        w.queued = 0;
      }
      this.wake(w);
    }
  }

  /** Ends every watcher; later watches fail with ClosedError. */
  close(): void {
    this.closed = true;
    for (const w of this.watchers) this.end(w);
  }

  private async *stream(prefix: string, afterRevision: number, signal: AbortSignal): AsyncGenerator<WatchEvent[]> {
    if (this.closed) throw new ClosedError();
    if (signal.aborted) return;
    const w: Watcher = { prefix, cursor: afterRevision, live: false, ended: false, queue: [], queued: 0, wake: undefined };
    const onAbort = (): void => this.end(w);
    signal.addEventListener("abort", onAbort, { once: true });
    this.watchers.add(w);
    try {
      while (!w.ended) {
        const batch = w.live ? this.takeQueued(w) : this.catchUp(w);
        if (batch !== undefined) {
          yield batch;
        } else if (w.live && w.queue.length === 0 && !w.ended) {
          await new Promise<void>((resolve) => { w.wake = resolve; });
        }
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.end(w);
      this.watchers.delete(w);
    }
  }

  private catchUp(w: Watcher): WatchEvent[] | undefined {
    const events = this.history.readEvents(w.prefix, w.cursor, this.catchUpBatch);
    const last = events[events.length - 1];
    if (events.length < this.catchUpBatch) {
      w.cursor = Math.max(w.cursor, this.history.committedRevision());
      w.live = true;
    } else if (last !== undefined) {
      w.cursor = last.kv.modRevision;
    }
    return events.length > 0 ? events : undefined;
  }

  private takeQueued(w: Watcher): WatchEvent[] | undefined {
    if (w.queue.length === 0) return undefined;
    const batch = w.queue.length === 1 ? w.queue[0]! : w.queue.flat();
    w.queue = [];
    w.queued = 0;
    w.cursor = batch[batch.length - 1]!.kv.modRevision;
    return batch;
  }

  private end(w: Watcher): void {
    w.ended = true;
    w.queue = [];
    w.queued = 0;
    this.wake(w);
  }

  private wake(w: Watcher): void {
    const wake = w.wake;
    w.wake = undefined;
    wake?.();
  }
}

/** The events whose key starts with `prefix`; the input array itself when all match. */
function matching(events: WatchEvent[], prefix: string): WatchEvent[] {
  if (prefix === "") return events;
  let all = true;
  for (const e of events) {
    if (!e.kv.key.startsWith(prefix)) { all = false; break; }
  }
  return all ? events : events.filter((e) => e.kv.key.startsWith(prefix));
}
