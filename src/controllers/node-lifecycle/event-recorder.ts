/** A small core/v1 Event writer for the node lifecycle and taint eviction controllers. */
import { findResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { ApiObject, CoreEvent, ObjectReference } from "../../api/types.js";
import type { Client } from "../../client/client.js";

/** Event types. */
export type EventType = "Normal" | "Warning";

/** Options of an EventRecorder. */
export interface EventRecorderOptions {
  client: Client;
  /** `source.component` and `reportingComponent` of every event, e.g. `node-controller`. */
  component: string;
  /** Wall-clock time in epoch milliseconds (timestamps, names). */
  now: () => number;
  /** Receives write failures (default: ignore). */
  onError?: (error: unknown) => void;
  /** Events waiting to be written beyond this are dropped (default 1000). */
  maxPending?: number;
}

interface Remembered { name: string; namespace: string; count: number; firstTimestamp: string }

const eventsResource = findResource("", "events");
const maxRemembered = 4096;

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The involvedObject reference of an event about `obj` (kind and apiVersion given for cached objects lacking them). */
export function referenceTo(obj: ApiObject, apiVersion: string, kind: string): ObjectReference {
  const meta = obj.metadata ?? {};
  const ref: ObjectReference = { apiVersion: obj.apiVersion ?? apiVersion, kind: obj.kind ?? kind, name: meta.name, uid: meta.uid };
  if (meta.namespace) ref.namespace = meta.namespace;
  if (meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
  return ref;
}

/**
 * Writes events in order in the background (callers never wait). Events of cluster-scoped objects go to namespace
 * `default`. A repeat of an event (same object, type, reason, message) bumps the count and lastTimestamp of the
 * Event written before instead of creating another.
 */
export class EventRecorder {
  private readonly remembered = new Map<string, Remembered>();
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private seq = 0;

  /** Creates a recorder writing through `options.client`. */
  constructor(private readonly options: EventRecorderOptions) {}

  /** Queues an event about the object `ref` names; dropped when too many are waiting. */
  event(ref: ObjectReference, type: EventType, reason: string, message: string): void {
    if (this.pending >= (this.options.maxPending ?? 1000)) return;
    this.pending++;
    const at = this.options.now();
    this.tail = this.tail
      .then(() => this.write(ref, type, reason, message, at))
      .catch((error: unknown) => this.report(error))
      .finally(() => { this.pending--; });
  }

  /** Resolves once every event queued so far was written (or failed). */
  async flush(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }

  private async write(ref: ObjectReference, type: EventType, reason: string, message: string, atMs: number): Promise<void> {
    if (!eventsResource) return;
    const namespace = ref.namespace || "default";
    const key = [ref.uid, ref.kind, namespace, ref.name, type, reason, message].join("\u0000");
    const at = rfc3339(atMs);
    const known = this.remembered.get(key);
    if (known) {
      known.count++;
      this.remember(key, known);
      try {
        await this.options.client.patch(eventsResource, known.namespace, known.name, "merge", { count: known.count, lastTimestamp: at });
        return;
      } catch (error) {
        if (!(error instanceof StatusError && error.code === 404)) throw error;
      }
    }
    const name = `${ref.name ?? "unknown"}.${(BigInt(Math.floor(atMs)) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const remembered: Remembered = { name, namespace, count: known?.count ?? 1, firstTimestamp: known?.firstTimestamp ?? at };
    const event: CoreEvent = {
      apiVersion: "v1", kind: "Event",
      metadata: { name, namespace },
      involvedObject: ref,
      reason, message, type,
      source: { component: this.options.component },
      firstTimestamp: remembered.firstTimestamp, lastTimestamp: at, count: remembered.count,
      reportingComponent: this.options.component, reportingInstance: "",
    };
    await this.options.client.create(eventsResource, namespace, event);
    this.remember(key, remembered);
  }

  private remember(key: string, value: Remembered): void {
    this.remembered.delete(key);
    this.remembered.set(key, value);
    if (this.remembered.size > maxRemembered) {
      const oldest = this.remembered.keys().next();
      if (!oldest.done) this.remembered.delete(oldest.value);
    }
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A failing reporter must not break the chain.
    }
  }
}
