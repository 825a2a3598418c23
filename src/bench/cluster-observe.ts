/** Watching the cluster from a benchmark: follow a watch until a condition holds, and small read helpers. */
import type { ResourceInfo } from "../api/resources.js";
import type { ApiObject, DaemonSet, Pod } from "../api/types.js";
import type { Client, WatchEvent } from "../client/client.js";

/** Thrown when a phase does not reach its goal in time. */
export class BenchTimeoutError extends Error {
  constructor(what: string, seconds: number, readonly lastState: string) {
    super(`${what}: not reached within ${seconds} s (last state: ${lastState})`);
    this.name = "BenchTimeoutError";
  }
}

/** What to watch and until when. */
export interface FollowOptions<T extends ApiObject> {
  resource: ResourceInfo;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this resourceVersion; absent = current state first (as ADDED events). */
  resourceVersion?: string;
  /** Called for every ADDED / MODIFIED / DELETED event; return true when done. */
  onEvent: (type: WatchEvent["type"], object: T) => boolean;
  /** Describes the progress for the timeout message. */
  describe: () => string;
  timeoutMs: number;
  /** Name of the goal for the timeout message. */
  what: string;
  signal?: AbortSignal;
}

/**
 * Follows a watch (re-watching from the last resourceVersion when a stream ends, relisting through a fresh watch
 * on 410) until `onEvent` returns true; rejects with BenchTimeoutError after `timeoutMs`.
 */
export async function follow<T extends ApiObject>(client: Client, options: FollowOptions<T>): Promise<void> {
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; stop.abort(); }, options.timeoutMs);
  let rv = options.resourceVersion;
  try {
    while (!stop.signal.aborted) {
      const stream = client.watch<T>(options.resource, options.namespace, {
        labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, resourceVersion: rv, allowWatchBookmarks: true,
      }, stop.signal);
      try {
        for await (const event of stream) {
          if (event.type === "ERROR") { rv = undefined; break; }
          const object = event.object as T;
          const version = object.metadata?.resourceVersion;
          if (version) rv = version;
          if (event.type === "BOOKMARK") continue;
          if (options.onEvent(event.type, object)) return;
        }
      } catch (error) {
        if (!stop.signal.aborted) throw error;
      }
    }
    if (timedOut) throw new BenchTimeoutError(options.what, options.timeoutMs / 1000, options.describe());
    throw new Error(`${options.what}: aborted`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
    stop.abort();
  }
}

/** Every object of a list, page by page (`limit` per call). */
export async function listAll<T extends ApiObject>(client: Client, resource: ResourceInfo, namespace: string | undefined, labelSelector?: string): Promise<T[]> {
  const out: T[] = [];
  let cont: string | undefined;
  do {
    const page = await client.list<T>(resource, namespace, { labelSelector, limit: 1000, continue: cont });
    for (const item of page.items) out.push(item);
    cont = page.metadata.continue || undefined;
  } while (cont !== undefined);
  return out;
}

/** True when the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** The DaemonSet status counters in one line. */
export function describeDaemonSet(ds: DaemonSet | undefined): string {
  if (ds === undefined) return "no DaemonSet seen";
  const s = ds.status;
  return `generation ${ds.metadata?.generation ?? 0}, observed ${s?.observedGeneration ?? 0}, desired ${s?.desiredNumberScheduled ?? 0}, `
    + `current ${s?.currentNumberScheduled ?? 0}, updated ${s?.updatedNumberScheduled ?? 0}, ready ${s?.numberReady ?? 0}, `
    + `available ${s?.numberAvailable ?? 0}, misscheduled ${s?.numberMisscheduled ?? 0}`;
}
