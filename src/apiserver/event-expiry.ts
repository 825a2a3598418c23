/**
 * Event expiry, as kube-apiserver's `--event-ttl` (default one hour): an event nobody has updated for the TTL is
 * deleted, so the store does not grow with every event ever recorded. A pass runs every `intervalMs`, pages through
 * the events and deletes each expired one on the condition that it is still the version read (an event updated in
 * between is kept).
 */
import { mustFindResource, type ResourceInfo } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { KubeList, KubeObject } from "../api/types.js";
import type { Client, ListOptions } from "../client/client.js";
import { realClock, sleep, type Clock } from "../util/clock.js";

const events = mustFindResource("", "events");

/** Options of runEventExpiry. */
export interface EventExpiryOptions {
  /** How long an event lives after its last update (default one hour, as upstream). */
  ttlMs?: number;
  /** Time between passes (default one minute). */
  intervalMs?: number;
  /** Wall-clock time in epoch milliseconds. */
  now?: () => number;
  clock?: Clock;
  /** Receives a failed pass (the next pass tries again). */
  onError?: (error: unknown) => void;
}

/** What expiry needs of a client: pages of events (only read, so they may be shared objects) and conditional deletes. */
export interface EventExpiryClient {
  list(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList>;
  delete: Client["delete"];
}

/** Default event TTL of kube-apiserver. */
export const defaultEventTtlMs = 60 * 60_000;

type EventFields = KubeObject & {
  eventTime?: string;
  lastTimestamp?: string;
  firstTimestamp?: string;
  series?: { lastObservedTime?: string };
};

/** The last time an event was written: the latest of its timestamps (creation at least). */
export function eventLastTouched(event: KubeObject): number {
  const e = event as EventFields;
  const times = [e.metadata?.creationTimestamp, e.firstTimestamp, e.lastTimestamp, e.eventTime, e.series?.lastObservedTime]
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .filter((t) => !Number.isNaN(t));
  return times.length > 0 ? Math.max(...times) : Number.NaN;
}

/**
 * True when `event` was last touched `ttlMs` or more before `nowMs`. Most events of a pass are younger than the TTL
 * from their creation on, and then no later timestamp can make them older: one time read instead of five.
 */
function isExpired(event: KubeObject, ttlMs: number, nowMs: number): boolean {
  const created = event.metadata?.creationTimestamp;
  if (created && nowMs - Date.parse(created) < ttlMs) return false;
  const touched = eventLastTouched(event);
  return !Number.isNaN(touched) && nowMs - touched >= ttlMs;
}

/** One pass: deletes every event last touched more than `ttlMs` before `nowMs`; resolves with how many it deleted. */
export async function expireEvents(client: EventExpiryClient, ttlMs: number, nowMs: number, signal?: AbortSignal): Promise<number> {
  let deleted = 0;
  let continueToken: string | undefined;
  do {
    const page = await client.list(events, undefined, { limit: 500, ...(continueToken ? { continue: continueToken } : {}) });
    for (const event of page.items) {
      if (signal?.aborted) return deleted;
      if (!isExpired(event, ttlMs, nowMs)) continue;
      try {
        await client.delete(events, event.metadata?.namespace, event.metadata?.name ?? "", {
          preconditions: { uid: event.metadata?.uid, resourceVersion: event.metadata?.resourceVersion },
        });
        deleted++;
      } catch (error) {
        // Gone already, or updated since it was read (then it is younger): nothing to do.
        if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
      }
    }
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return deleted;
}

/** Runs expiry passes until `signal` aborts. */
export async function runEventExpiry(client: EventExpiryClient, options: EventExpiryOptions, signal: AbortSignal): Promise<void> {
  const clock = options.clock ?? realClock();
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? defaultEventTtlMs;
  while (!signal.aborted) {
    await sleep(clock, options.intervalMs ?? 60_000, signal);
    if (signal.aborted) break;
    try {
      await expireEvents(client, ttl, now(), signal);
    } catch (error) {
      if (signal.aborted) break;
      options.onError?.(error);
    }
  }
}
