/** Test helpers for the registry: a started registry on a MemoryBackend, a manual clock, object builders. */
import { mustFindResource as resource, type ResourceInfo } from "../../../api/resources.js";
import { StatusError } from "../../../api/status-error.js";
import type { KubeObject } from "../../../api/types.js";
import type { WatchEvent, WatchOptions } from "../../../client/client.js";
import { MemoryBackend } from "../../../storage/memory-backend.js";
import { Registry, type RegistryOptions } from "../registry.js";

/** The served resources by plural name. */
export const R = {
  namespaces: resource("", "namespaces"),
  nodes: resource("", "nodes"),
  pods: resource("", "pods"),
  events: resource("", "events"),
  daemonsets: resource("apps", "daemonsets"),
  controllerrevisions: resource("apps", "controllerrevisions"),
  leases: resource("coordination.k8s.io", "leases"),
  configmaps: resource("", "configmaps"),
  secrets: resource("", "secrets"),
  serviceaccounts: resource("", "serviceaccounts"),
  priorityclasses: resource("scheduling.k8s.io", "priorityclasses"),
};

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private ms = Date.parse("2024-05-01T10:00:00Z")) {}
  now = (): Date => new Date(this.ms);
  advance(seconds: number): void { this.ms += seconds * 1000; }
}

/** A started registry over a fresh MemoryBackend with namespace `default` (and `other`) created. */
export interface Harness {
  registry: Registry;
  backend: MemoryBackend;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Starts a harness; always `await h.close()` (use `t.after`). */
export async function startHarness(options: Partial<RegistryOptions> & { namespaces?: string[] } = {}): Promise<Harness> {
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  const registry = new Registry({ backend, now: clock.now, ...options });
  const stop = new AbortController();
  await registry.start(stop.signal);
  for (const name of options.namespaces ?? ["default", "other"]) {
    await registry.create(R.namespaces, undefined, { metadata: { name } });
  }
  return {
    registry, backend, clock,
    async close() {
      stop.abort();
      registry.close();
      await backend.close();
    },
  };
}

/** A minimal valid pod. */
export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; namespace?: string; finalizers?: string[]; resources?: unknown } = {}): KubeObject {
  const container: Record<string, unknown> = { name: "main", image: "nginx:1.25" };
  if (extra.resources !== undefined) container.resources = extra.resources;
  const spec: Record<string, unknown> = { containers: [container] };
  if (extra.nodeName) spec.nodeName = extra.nodeName;
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: extra.namespace, labels: extra.labels, finalizers: extra.finalizers },
    spec,
  };
}

/** A minimal valid DaemonSet selecting `app=<name>`. */
export function daemonSet(name: string, image = "nginx:1.25"): KubeObject {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image }] } },
    },
  };
}

/** A minimal node. */
export function node(name: string, labels?: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: {}, status: { conditions: [{ type: "Ready", status: "True" }] } };
}

/** Awaits `p` expecting a StatusError with `code` (and `message` substring if given); returns it. */
export async function rejects(p: Promise<unknown>, code: number, message?: string): Promise<StatusError> {
  try {
    await p;
  } catch (error) {
    if (!(error instanceof StatusError)) throw new Error(`expected StatusError ${code}, got ${String(error)}`);
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
    if (message !== undefined && !error.message.includes(message)) throw new Error(`expected message containing ${JSON.stringify(message)}, got ${JSON.stringify(error.message)}`);
    return error;
  }
  throw new Error(`expected StatusError ${code}, but the call succeeded`);
}

/** Reads events from a watch stream; close() aborts the watch's signal. */
export class EventReader {
  private readonly iterator: AsyncIterator<WatchEvent>;
  private pending: Promise<IteratorResult<WatchEvent>> | undefined;
  constructor(events: AsyncIterable<WatchEvent>, private readonly controller: AbortController) {
    this.iterator = events[Symbol.asyncIterator]();
  }

  /** The next `count` events. */
  async take(count: number, timeoutMs = 2000): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    while (out.length < count) {
      const next = await this.next(timeoutMs);
      if (next === undefined) throw new Error(`stream ended after ${out.length} of ${count} events`);
      out.push(next);
    }
    return out;
  }

  /** The next event, or undefined when the stream ended; throws after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<WatchEvent | undefined> {
    this.pending ??= this.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => { timer = setTimeout(() => resolve("timeout"), timeoutMs); });
    try {
      const r = await Promise.race([this.pending, timeout]);
      if (r === "timeout") throw new Error("timed out waiting for a watch event");
      this.pending = undefined;
      return r.done ? undefined : r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** True when no event arrives within `ms` (the stream stays open; a later next() still sees what comes). */
  async quiet(ms: number): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  /** Ends the stream (aborts its signal) and waits for it to finish. */
  async close(): Promise<void> {
    this.controller.abort();
    if (this.pending) await this.pending;
    await this.iterator.return?.();
  }
}

/** Starts a watch and wraps it in an EventReader. */
export function watch(h: Harness, resource: ResourceInfo, namespace: string | undefined, options: WatchOptions = {}): EventReader {
  const controller = new AbortController();
  return new EventReader(h.registry.watch(resource, namespace, options, controller.signal), controller);
}

/** Short summary of events: `TYPE name`. */
export function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`);
}
