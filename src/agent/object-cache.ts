/**
 * The agent's cache of the ConfigMaps and Secrets its pods reference (the kubelet's TTL-based configmap and
 * secret managers): an object is read with one GET (which the Node authorizer allows for objects of pods bound to
 * the node) and served from the cache for `ttlMs`; pods sharing an object share the read. A missing object is not
 * cached, so a pod waiting for it sees it on its next retry. Objects no pod asked for in two TTLs are dropped.
 */
import type { ReferencedObject, ReferenceKind } from "../api/pod-references.js";
import { mustFindResource, type ResourceInfo } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { ApiObject } from "../api/types.js";
import type { Client } from "../client/client.js";

const resources: Record<ReferenceKind, ResourceInfo> = { configmap: mustFindResource("", "configmaps"), secret: mustFindResource("", "secrets") };

interface Entry { object: ReferencedObject | undefined; fetchedAt: number; usedAt: number; pending?: Promise<ReferencedObject | undefined> }

/** Options of an ObjectCache. */
export interface ObjectCacheOptions {
  client: Client;
  /** How long a read object is served without asking again (the agent's sync period). */
  ttlMs: number;
  /** Monotonic or wall clock, ms. */
  now: () => number;
}

/** TTL-cached reads of ConfigMaps and Secrets. */
export class ObjectCache {
  private readonly entries = new Map<string, Entry>();
  /** Number of GETs sent (for tests and figures). */
  reads = 0;

  /** Creates an empty cache. */
  constructor(private readonly o: ObjectCacheOptions) {}

  /** The object (undefined when it does not exist); read from the API when not cached or older than the TTL. Rejects on other errors. */
  async get(kind: ReferenceKind, namespace: string, name: string): Promise<ReferencedObject | undefined> {
    const key = `${kind}/${namespace}/${name}`;
    const now = this.o.now();
    this.sweep(now);
    const entry = this.entries.get(key);
    if (entry) {
      entry.usedAt = now;
      if (entry.pending) return entry.pending;
      if (entry.object !== undefined && now - entry.fetchedAt < this.o.ttlMs) return entry.object;
    }
    const pending = this.read(kind, namespace, name);
    const e: Entry = entry ?? { object: undefined, fetchedAt: 0, usedAt: now };
    e.pending = pending;
    this.entries.set(key, e);
    try {
      e.object = await pending;
      e.fetchedAt = this.o.now();
      return e.object;
    } finally {
      e.pending = undefined;
      if (e.object === undefined) this.entries.delete(key);
    }
  }

  private async read(kind: ReferenceKind, namespace: string, name: string): Promise<ReferencedObject | undefined> {
    this.reads++;
    try {
      const obj = await this.o.client.get<ApiObject & ReferencedObject>(resources[kind], namespace, name);
      return { data: obj.data, binaryData: obj.binaryData };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private sweep(now: number): void {
    for (const [key, e] of this.entries) if (!e.pending && now - e.usedAt > 2 * this.o.ttlMs) this.entries.delete(key);
  }
}
