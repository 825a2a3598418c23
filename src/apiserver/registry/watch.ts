/**
 * watch, served from the watch cache: synthetic ADDED for the current state (resourceVersion ""/"0" or
 * sendInitialEvents), replay after a resourceVersion, selector transitions (stop matching = DELETED, start =
 * ADDED), bookmarks, timeouts, and a 410 ERROR event when the history asked for is gone.
 */
import { StatusError, internalError } from "../../api/status-error.js";
import type { KubeObject, Status } from "../../api/types.js";
import type { WatchEvent, WatchOptions } from "../../client/client.js";
import type { CacheEvent, WatchSubscription } from "../watch-cache/watch-cache.js";
import { deepCopy } from "../../util/json.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { parseResourceVersion, tooLargeResourceVersion } from "./read.js";
import { parseSelection, type Selection } from "./selectors.js";

/** Annotation on the bookmark that ends the initial events of a sendInitialEvents watch. */
export const initialEventsEndAnnotation = "k8s.io/initial-events-end";

const tick = Symbol("tick");

/**
 * Validates the request synchronously (400 for bad selectors or resourceVersion) and returns the event stream.
 * The stream ends when `signal` aborts, timeoutSeconds pass, the registry stops, or after an ERROR event.
 */
export function watchObjects(
  ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, options: WatchOptions, signal: AbortSignal, shared = false,
): AsyncIterable<StoredWatchEvent> {
  const selection = parseSelection(store, namespace, options.labelSelector, options.fieldSelector);
  const rv = options.resourceVersion ?? "";
  const requested = rv === "" || rv === "0" ? undefined : parseResourceVersion(rv);
  return stream(ctx, store, selection, requested, rv === "", options, signal, shared ? (o) => o : deepCopy, shared);
}

/** A watch event carrying, when known, the stored value its object decodes from (see WatchCache.storedValueOf). */
export type StoredWatchEvent = WatchEvent & { stored?: string };

function errorEvent(error: unknown): WatchEvent {
  const status: Status & KubeObject = error instanceof StatusError
    ? { ...error.status }
    : { ...internalError(error instanceof Error ? error.message : String(error)).status };
  return { type: "ERROR", object: status };
}

function bookmark(store: ResourceStore, revision: number, initialEventsEnd = false): WatchEvent {
  const metadata: KubeObject["metadata"] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { [initialEventsEndAnnotation]: "true" };
  return { type: "BOOKMARK", object: { kind: store.info.kind, apiVersion: store.apiVersion, metadata } };
}

/**
 * The event a watcher with `selection` sees for a cache event, or undefined when it is not interested; its object is
 * `copy` of the cache's (the cache's own object when `copy` returns its argument).
 */
export function toWatchEvent(selection: Selection, event: CacheEvent, copy: (object: KubeObject) => KubeObject = deepCopy): WatchEvent | undefined {
  const now = event.type !== "DELETED" && selection.matches(event.object);
  const before = event.prevObject !== undefined && selection.matches(event.prevObject);
  if (now && !before) return { type: "ADDED", object: copy(event.object) };
  if (now && before) return { type: "MODIFIED", object: copy(event.object) };
  if (!before || event.prevObject === undefined) return undefined;
  if (event.type === "DELETED") return { type: "DELETED", object: copy(event.object) };
  const prev = event.prevObject;
  const last = { ...prev, metadata: { ...(prev.metadata ?? {}), resourceVersion: String(event.revision) } };
  return { type: "DELETED", object: copy(last) };
}

/**
 * `pending`'s value, or `tick` once the clock reaches `tickAt`. The timer promise is made afresh for each wait and
 * dropped with it: racing every event against one long-lived tick promise would keep each event reachable from
 * that promise until the tick.
 */
async function untilTick(pending: Promise<CacheEvent | undefined>, tickAt: number): Promise<CacheEvent | undefined | typeof tick> {
  let timer: NodeJS.Timeout | undefined;
  const ticked = new Promise<typeof tick>((resolve) => { timer = setTimeout(() => resolve(tick), Math.max(0, tickAt - Date.now())); });
  try {
    return await Promise.race([pending, ticked]);
  } finally {
    clearTimeout(timer);
  }
}

async function* stream(
  ctx: RegistryContext, store: ResourceStore, selection: Selection, requested: number | undefined, latest: boolean,
  options: WatchOptions, signal: AbortSignal, copy: (object: KubeObject) => KubeObject, withStored: boolean,
): AsyncGenerator<StoredWatchEvent> {
  if (signal.aborted) return;
  const filter = (e: CacheEvent): boolean => selection.matches(e.object) || (e.prevObject !== undefined && selection.matches(e.prevObject));
  const initial = options.sendInitialEvents ?? requested === undefined;
  let subscription: WatchSubscription;
  let initialObjects: KubeObject[] = [];
  let startRevision: number;
  try {
    if (latest || options.sendInitialEvents === true) await ctx.fresh(store);
    else await ctx.ready;
    const cache = store.cache;
    if (initial) {
      const snapshot = cache.list(selection.index);
      initialObjects = snapshot.items.filter((i) => selection.matches(i.object)).map((i) => i.object);
      startRevision = snapshot.revision;
    } else if (requested === undefined) {
      startRevision = cache.revision;
    } else {
      startRevision = requested;
      if (requested > cache.revision) {
        const current = await ctx.backend.currentRevision();
        if (requested > current) throw tooLargeResourceVersion(requested, current);
      }
    }
    subscription = cache.subscribe({ afterRevision: startRevision, filter });
  } catch (error) {
    yield errorEvent(error);
    return;
  }

  const timers: NodeJS.Timeout[] = [];
  const onAbort = (): void => subscription.close();
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) subscription.close();
  if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) {
    timers.push(setTimeout(() => subscription.close(), options.timeoutSeconds * 1000));
  }
  const bookmarks = options.allowWatchBookmarks === true && ctx.bookmarkIntervalMs > 0;
  try {
    for (const object of initialObjects) {
      if (subscription.closed) return;
      yield withStored ? { type: "ADDED", object, stored: store.cache.storedValueOf(object) } : { type: "ADDED", object: copy(object) };
    }
    if (options.sendInitialEvents === true) yield bookmark(store, startRevision, true);
    let pending: Promise<CacheEvent | undefined> | undefined;
    let tickAt = bookmarks ? Date.now() + ctx.bookmarkIntervalMs : undefined;
    for (;;) {
      // An event already queued is taken at once: the bookmark timer is raced only while waiting for one.
      let next: CacheEvent | undefined | typeof tick = pending === undefined && (tickAt === undefined || Date.now() < tickAt) ? subscription.poll() : undefined;
      if (next === undefined) {
        pending ??= subscription.next();
        next = tickAt === undefined ? await pending : await untilTick(pending, tickAt);
      }
      if (next === tick) {
        if (subscription.closed) return;
        yield bookmark(store, Math.max(startRevision, subscription.revision));
        tickAt = Date.now() + ctx.bookmarkIntervalMs;
        continue;
      }
      pending = undefined;
      if (next === undefined) {
        // A subscription ended by a fault (an undecodable stored object) tells its watcher so, as upstream's watch does.
        if (subscription.error !== undefined && !signal.aborted) yield errorEvent(internalError(subscription.error.message));
        return;
      }
      const event = toWatchEvent(selection, next, copy);
      if (event === undefined) continue;
      // A literal, not a spread of `event` adding `stored` (V8's slow path for a literal that adds keys, ~1 us an event).
      yield withStored && event.type !== "ERROR" ? { type: event.type, object: event.object, stored: store.cache.storedValueOf(event.object as KubeObject) } : event;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    for (const t of timers) clearTimeout(t);
    subscription.close();
  }
}
