/** Writes core/v1 Events about objects, aggregating identical repeats by bumping their count. */
import { mustFindResource } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { ApiObject, CoreEvent, ObjectReference } from "../api/types.js";
import type { Client } from "./client.js";
import { reportTo } from "../util/report.js";

/** Event types. */
export type EventType = "Normal" | "Warning";

/** Options of an EventRecorder. */
export interface EventRecorderOptions {
  client: Client;
  /** `source.component` (and reportingComponent) of every event, e.g. `daemonset-controller`, `node-controller`. */
  component: string;
  /** `source.host` and reportingInstance of every event (a kubelet sets its node name). */
  host?: string;
  /** Wall-clock time in epoch milliseconds (default Date.now). */
  now?: () => number;
  /** Receives write failures (default: ignore). */
  onError?: (error: unknown) => void;
  /** Events waiting to be written beyond this are dropped (default 1000). */
  maxPending?: number;
  /** Number of distinct events remembered for aggregation (default 4096). */
  maxRemembered?: number;
}

/**
 * Optional parts of an event: what was done (`action`), a second object it concerns (`related`), and the host
 * reporting it when it differs from the recorder's (a simulator recording for many kubelets).
 */
export interface EventDetails { action?: string; related?: ObjectReference; host?: string }

interface Pending { ref: ObjectReference; type: EventType; reason: string; message: string; at: number; details: EventDetails | undefined }
interface Remembered { name: string; namespace: string; count: number; firstTimestamp: string }
interface Similar { messages: Set<string>; last: number }
interface Bucket { tokens: number; at: number }

/** Events per object and type let through at once by the spam filter. */
export const spamBurst = 25;
/** The spam filter refills one token per this many milliseconds (5 minutes). */
export const spamRefillMs = 5 * 60 * 1000;

/** Distinct messages of one object/type/reason within the window before they are combined into one Event. */
export const similarEventsLimit = 10;
/** Window of similar-event aggregation (10 minutes). */
export const similarEventsWindowMs = 10 * 60 * 1000;

const eventsResource = mustFindResource("", "events");

/** RFC 3339 with second precision of epoch milliseconds `ms`, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The involvedObject reference of an event about `obj` (kind and apiVersion given for cached objects lacking them). */
export function objectReference(obj: ApiObject, apiVersion: string, kind: string): ObjectReference {
  const meta = obj.metadata ?? {};
  const ref: ObjectReference = { kind: obj.kind ?? kind, apiVersion: obj.apiVersion ?? apiVersion, name: meta.name, uid: meta.uid };
  if (meta.namespace) ref.namespace = meta.namespace;
  if (meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
  return ref;
}

/**
 * Records events asynchronously and in order (recording never blocks the caller). Events of cluster-scoped objects
 * go to namespace `default`. A repeat of an event with the same object, type, reason and message patches the
 * existing Event's count and lastTimestamp instead of creating a new one; if that Event is gone, a new one is
 * created carrying the count. From the tenth distinct message of the same object, type and reason within ten
 * minutes on, events are combined into one Event whose message reads `(combined from similar events): <latest>`.
 */
export class EventRecorder {
  private readonly now: () => number;
  private readonly remembered = new Map<string, Remembered>();
  private readonly similar = new Map<string, Similar>();
  private readonly buckets = new Map<string, Bucket>();
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private seq = 0;

  /** Creates a recorder writing through `options.client`. */
  constructor(private readonly options: EventRecorderOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Queues an event about the object referenced by `ref`. Dropped when too many are waiting, or by the spam filter:
   * per object and type, 25 events at once, then one more per 5 minutes.
   */
  event(ref: ObjectReference, type: EventType, reason: string, message: string, details?: EventDetails): void {
    if (this.pending >= (this.options.maxPending ?? 1000)) return;
    const at = this.now();
    if (!this.admit([this.options.component, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, type].join("\u0000"), at)) return;
    this.pending++;
    const item: Pending = { ref, type, reason, message, at, details };
    this.tail = this.tail.then(() => this.write(item)).catch((error: unknown) => this.report(error)).finally(() => { this.pending--; });
  }

  /** Resolves once every event queued so far has been written (or has failed). */
  async flush(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }

  private async write(item: Pending): Promise<void> {
    const { ref } = item;
    const namespace = ref.namespace || "default";
    const { key, message } = this.aggregate(item);
    const at = rfc3339(item.at);
    const known = this.remembered.get(key);
    if (known) {
      known.count++;
      this.touch(key, known);
      try {
        await this.options.client.patch(eventsResource, known.namespace, known.name, "merge", { count: known.count, lastTimestamp: at, message });
        return;
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    }
    const count = known?.count ?? 1;
    const firstTimestamp = known?.firstTimestamp ?? at;
    const name = `${ref.name ?? "unknown"}.${this.uniqueSuffix(item.at)}`;
    const host = item.details?.host ?? this.options.host;
    const event: CoreEvent = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: ref,
      reason: item.reason,
      message,
      source: host ? { component: this.options.component, host } : { component: this.options.component },
      firstTimestamp,
      lastTimestamp: at,
      count,
      type: item.type,
      reportingComponent: this.options.component,
      reportingInstance: host ?? "",
    };
    if (item.details?.action) event.action = item.details.action;
    if (item.details?.related) event.related = item.details.related;
    await this.options.client.create(eventsResource, namespace, event);
    this.touch(key, { name, namespace, count, firstTimestamp });
  }

  /** Token bucket of the spam filter: true when the event may pass. */
  private admit(key: string, at: number): boolean {
    let b = this.buckets.get(key);
    if (!b) b = { tokens: spamBurst, at };
    b.tokens = Math.min(spamBurst, b.tokens + Math.max(0, at - b.at) / spamRefillMs);
    b.at = at;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    this.trim(this.buckets);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private trim(map: Map<string, unknown>): void {
    const max = this.options.maxRemembered ?? 4096;
    while (map.size > max) {
      const oldest = map.keys().next();
      if (oldest.done) break;
      map.delete(oldest.value);
    }
  }

  /** The dedup key and message of an event, combining similar events beyond the limit. */
  private aggregate(item: Pending): { key: string; message: string } {
    const { ref } = item;
    const similarKey = [this.options.component, ref.uid, ref.kind, ref.namespace, ref.name, ref.apiVersion, item.type, item.reason].join("\u0000");
    let record = this.similar.get(similarKey);
    if (!record || item.at - record.last > similarEventsWindowMs) record = { messages: new Set(), last: item.at };
    record.last = item.at;
    record.messages.add(item.message);
    this.similar.delete(similarKey);
    this.similar.set(similarKey, record);
    this.trim(this.similar);
    if (record.messages.size < similarEventsLimit) return { key: `${similarKey}\u0000${item.message}`, message: item.message };
    const first = record.messages.values().next();
    if (!first.done) record.messages.delete(first.value);
    return { key: `${similarKey}\u0000(combined)`, message: `(combined from similar events): ${item.message}` };
  }

  /** A hex nanosecond timestamp, made unique per recorder. */
  private uniqueSuffix(ms: number): string {
    const nanos = BigInt(Math.floor(ms)) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return nanos.toString(16);
  }

  private touch(key: string, value: Remembered): void {
    this.remembered.delete(key);
    this.remembered.set(key, value);
    this.trim(this.remembered);
  }

  private report(error: unknown): void {
    reportTo(this.options.onError, error);
  }
}
