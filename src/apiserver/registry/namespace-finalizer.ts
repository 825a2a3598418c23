/**
 * Empties terminating namespaces in the background: deletes every namespaced object in them (with default
 * options, so pods terminate gracefully and finalizers are honoured), waits for them to go, then removes the
 * `kubernetes` spec finalizer and deletes the namespace.
 */
import { storageKey } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { namespaceIndex, type RegistryContext, type ResourceStore } from "./context.js";
import { deleteObject } from "./delete-object.js";
import { deepCopy } from "../../util/json.js";
import { maxWriteAttempts, readCurrent, RetryableConflict, storeUpdate } from "./storage-ops.js";
import { kubernetesFinalizer, namespaceFinalizers } from "./strategies/namespace.js";
import type { WatchSubscription } from "../watch-cache/watch-cache.js";

/** Content is re-examined at least this often while a namespace is terminating. */
const recheckMs = 5000;
/** Controllers depend on pods; delete their owners first so nothing recreates content. */
const deletionOrder = ["apps/daemonsets", "everynode.dev/daemonjobs", "apps/controllerrevisions", "/pods", "coordination.k8s.io/leases", "/events"];

/** Runs namespace finalization for the registry; see the file comment. */
export class NamespaceFinalizer {
  private readonly active = new Set<string>();

  constructor(private readonly ctx: RegistryContext) {}

  /** Starts finalizing every terminating namespace now and as they appear, until `signal` aborts. */
  start(signal: AbortSignal): void {
    const namespaces = this.ctx.store({ group: "", resource: "namespaces" });
    const subscription = namespaces.cache.subscribe({ afterRevision: namespaces.cache.revision });
    signal.addEventListener("abort", () => subscription.close(), { once: true });
    for (const item of namespaces.cache.list().items) this.consider(item.object, signal);
    void this.follow(namespaces, subscription, signal).catch((error: unknown) => this.ctx.onError(error));
  }

  private async follow(namespaces: ResourceStore, subscription: WatchSubscription, signal: AbortSignal): Promise<void> {
    let sub = subscription;
    while (!signal.aborted) {
      const event = await sub.next();
      if (event !== undefined) {
        if (event.type !== "DELETED") this.consider(event.object, signal);
        continue;
      }
      if (signal.aborted || namespaces.cache.stopped) return;
      // The subscription lagged or the cache was reset: resubscribe and rescan.
      sub = namespaces.cache.subscribe({ afterRevision: namespaces.cache.revision });
      const current = sub;
      signal.addEventListener("abort", () => current.close(), { once: true });
      for (const item of namespaces.cache.list().items) this.consider(item.object, signal);
    }
  }

  private consider(ns: KubeObject, signal: AbortSignal): void {
    const name = ns.metadata?.name;
    if (!name || !ns.metadata?.deletionTimestamp || !namespaceFinalizers(ns).includes(kubernetesFinalizer)) return;
    if (this.active.has(name)) return;
    this.active.add(name);
    void this.finalize(name, signal)
      .catch((error: unknown) => { if (!signal.aborted) this.ctx.onError(error); })
      .finally(() => this.active.delete(name));
  }

  private async finalize(name: string, signal: AbortSignal): Promise<void> {
    const ctx = this.ctx;
    const namespaces = ctx.store({ group: "", resource: "namespaces" });
    const stores = [...ctx.stores.values()].filter((s) => s.info.namespaced)
      .sort((a, b) => rank(a) - rank(b));
    while (!signal.aborted) {
      const key = ctx.key(namespaces, undefined, name);
      await ctx.fresh(namespaces, key);
      const ns = namespaces.cache.get(key);
      if (ns === undefined || !ns.metadata?.deletionTimestamp || !namespaceFinalizers(ns).includes(kubernetesFinalizer)) return;
      const subscriptions = stores.map((s) => s.cache.subscribe({ afterRevision: s.cache.revision, filter: (e) => (e.object.metadata?.namespace ?? "") === name }));
      try {
        let remaining = 0;
        for (const store of stores) {
          await ctx.fresh(store, storageKey(store.info, name));
          const items = store.cache.list({ name: namespaceIndex, value: name }).items;
          remaining += items.length;
          for (const item of items) {
            if (item.object.metadata?.deletionTimestamp) continue;
            await ignoreGone(deleteObject(ctx, store, name, item.object.metadata?.name ?? "", {}));
          }
        }
        if (remaining === 0) {
          await this.removeNamespace(namespaces, name);
          return;
        }
        await anyEvent(subscriptions, signal, recheckMs);
      } finally {
        for (const s of subscriptions) s.close();
      }
    }
  }

  private async removeNamespace(namespaces: ResourceStore, name: string): Promise<void> {
    const ctx = this.ctx;
    const key = ctx.key(namespaces, undefined, name);
    for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
      const current = await readCurrent(ctx, key);
      if (current === undefined) return;
      const finalizers = namespaceFinalizers(current.object);
      if (!finalizers.includes(kubernetesFinalizer)) break;
      const next = deepCopy(current.object);
      const remaining = finalizers.filter((f) => f !== kubernetesFinalizer);
      next.spec = { ...(next.spec as Record<string, unknown> | undefined), finalizers: remaining };
      try {
        await storeUpdate(ctx, namespaces, key, next, current.modRevision);
        break;
      } catch (error) {
        if (!(error instanceof RetryableConflict)) throw error;
      }
    }
    await ignoreGone(deleteObject(ctx, namespaces, undefined, name, {}));
  }
}

function rank(store: ResourceStore): number {
  const i = deletionOrder.indexOf(`${store.info.group}/${store.info.resource}`);
  return i < 0 ? deletionOrder.length : i;
}

async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
    throw error;
  }
}

/** Resolves on the first event of any subscription, after `ms`, or when `signal` aborts. */
async function anyEvent(subscriptions: WatchSubscription[], signal: AbortSignal, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    onAbort = resolve;
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([stop, ...subscriptions.map((s) => s.next())]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
