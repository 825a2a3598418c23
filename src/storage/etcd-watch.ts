/**
 * etcd Watch streams as async iterables of Backend watch events: one gRPC stream per watch, from a revision,
 * with previous values and progress notifications; compaction ends the stream with CompactedError.
 */
import type { IDuplexStream, IEvent, IKeyValue, IWatchRequest, IWatchResponse } from "etcd3";
import { ClosedError, CompactedError, StoreUnavailableError, type KeyValue, type WatchEvent } from "./backend.js";

/** Opens a raw etcd Watch stream. */
export type OpenWatchStream = () => Promise<IDuplexStream<IWatchRequest, IWatchResponse>>;

/** What one watch asks etcd for: keys in [key, rangeEnd), events from `startRevision` (inclusive; earlier ones than `requestedAfter` + 1 are dropped). */
export interface EtcdWatchRequest {
  key: Buffer;
  rangeEnd: Buffer;
  startRevision: number;
  /** Turns an etcd key into the backend's key (drops the configured prefix). */
  decodeKey: (key: Buffer) => string;
}

/** Converts an etcd key-value into the Backend's form (`decodeKey` maps the key). */
export function toKeyValue(kv: IKeyValue, decodeKey: (key: Buffer) => string): KeyValue {
  return {
    key: decodeKey(kv.key), value: kv.value.toString("utf8"),
    createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision),
  };
}

function toWatchEvent(event: IEvent, decodeKey: (key: Buffer) => string): WatchEvent {
  const prevKv = event.prev_kv ? toKeyValue(event.prev_kv, decodeKey) : undefined;
  if (event.type === "Delete") {
    const modRevision = Number(event.kv.mod_revision);
    const kv = prevKv !== undefined ? { ...prevKv, modRevision } : { key: decodeKey(event.kv.key), value: "", createRevision: 0, modRevision };
    return prevKv !== undefined ? { type: "DELETE", kv, prevKv } : { type: "DELETE", kv };
  }
  const kv = toKeyValue(event.kv, decodeKey);
  return prevKv !== undefined ? { type: "PUT", kv, prevKv } : { type: "PUT", kv };
}

/** How old a watch must be before etcd has certainly moved it from catching up to following new writes. */
const catchUpMs = 250;

type Item = { events: WatchEvent[] } | { progress: number } | { error: Error } | { end: true };

/** watch_id of the progress reports etcd sends for a client's progress request (for every watch of the stream). */
const requestedProgressId = -1;

/**
 * Streams the events of `request` in batches until `signal` aborts (then it returns at once) or `drain` aborts
 * (then it returns once etcd answers a progress request: on etcd before 3.4.31 and 3.5.13 that answer may overtake
 * the last events, which a client's next watch from its last revision then delivers). A compacted start
 * revision throws CompactedError (with `requestedAfter` as the requested revision); a lost connection
 * throws StoreUnavailableError. `onProgress` receives etcd's periodic progress reports (sent in order with the
 * events) but never the answers to progress requests: etcd before 3.4.31 and 3.5.13 may send those ahead of
 * events still to come (etcd-io/etcd#15220), so they never say how far the watch has delivered.
 */
export async function* etcdWatch(
  open: OpenWatchStream, request: EtcdWatchRequest, requestedAfter: number, signal: AbortSignal, drain: AbortSignal,
  onProgress?: (revision: number) => void,
): AsyncGenerator<WatchEvent[]> {
  if (signal.aborted) return;
  let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
  try {
    stream = await open();
  } catch (error) {
    throw unavailable(error);
  }
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const push = (item: Item): void => {
    if (finished) return;
    queue.push(item);
    wake?.();
  };
  const onAbort = (): void => push({ end: true });
  signal.addEventListener("abort", onAbort, { once: true });
  // etcd before 3.4.26 may answer a progress request of a watch still catching up before sending its events;
  // its catch-up loop runs every 100 ms, so a progress report counts only once the watch is older than that.
  const createdAt = Date.now();
  let draining = false;
  const requestProgress = (): void => { if (!finished) stream.write({ progress_request: {} }); };
  const onDrain = (): void => {
    draining = true;
    requestProgress();
  };
  const onDrainProgress = (): void => {
    const wait = catchUpMs - (Date.now() - createdAt);
    if (wait <= 0) push({ end: true });
    else setTimeout(requestProgress, wait).unref();
  };
  stream.on("data", (response: IWatchResponse) => {
    if (response.canceled) {
      const compacted = Number(response.compact_revision);
      push({ error: compacted > 0 ? new CompactedError(requestedAfter, compacted) : new StoreUnavailableError(`watch canceled: ${response.cancel_reason}`) });
      return;
    }
    const events = response.events.map((e) => toWatchEvent(e, request.decodeKey)).filter((e) => e.kv.modRevision > requestedAfter);
    if (events.length > 0) push({ events });
    else if (!response.created && response.events.length === 0) {
      if (Number(response.watch_id) !== requestedProgressId) push({ progress: Number(response.header.revision) });
      else if (draining) onDrainProgress();
    }
  });
  stream.on("error", (error: Error) => push({ error: unavailable(error) }));
  stream.on("end", () => push({ error: new StoreUnavailableError("watch stream ended") }));
  stream.write({
    create_request: {
      key: request.key, range_end: request.rangeEnd, start_revision: request.startRevision, prev_kv: true, progress_notify: true,
    },
  });
  drain.addEventListener("abort", onDrain, { once: true });
  if (drain.aborted) onDrain();
  try {
    for (;;) {
      const item = queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = undefined;
        continue;
      }
      if ("end" in item) return;
      if ("error" in item) throw item.error;
      if ("progress" in item) {
        onProgress?.(item.progress);
        continue;
      }
      yield item.events;
      if (signal.aborted) return;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    drain.removeEventListener("abort", onDrain);
    finished = true;
    stream.cancel();
  }
}

/** A failure talking to etcd as a StoreUnavailableError (ClosedError passes through). */
export function unavailable(error: unknown): Error {
  if (error instanceof ClosedError || error instanceof StoreUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(message, { cause: error });
}
