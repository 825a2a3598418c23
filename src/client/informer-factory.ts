import type { ResourceInfo } from "../api/resources.js";
import type { ApiObject } from "../api/types.js";
import type { Clock } from "../util/clock.js";
import type { Client } from "./client.js";
import { Informer, type InformerOptions } from "./informer.js";

/** Options shared by every informer of a factory. */
export type SharedInformerFactoryOptions = Pick<InformerOptions<ApiObject>, "pageSize" | "backoffInitialMs" | "backoffMaxMs" | "watchTimeoutSeconds" | "onError" | "transform"> & {
  /** Time source handed to every informer (default: the real clock). */
  clock?: Clock;
};

/**
 * Hands out one shared Informer per (resource, namespace) so controllers share caches and watches.
 * Informers requested before `start` start with it; those requested later start at once.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<ApiObject>>();
  private readonly runs: Promise<void>[] = [];
  private signal: AbortSignal | undefined;

  /** Creates a factory whose informers read through `client`. */
  constructor(private readonly client: Client, private readonly options: SharedInformerFactoryOptions = {}) {}

  /** The shared informer of `resource` in `namespace` (undefined = all namespaces), created on first use. */
  informerFor<T extends ApiObject>(resource: ResourceInfo, namespace?: string): Informer<T> {
    const ns = resource.namespaced ? namespace : undefined;
    const key = `${resource.group}/${resource.resource}/${ns ?? ""}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<ApiObject>({ ...this.options, client: this.client, resource, namespace: ns });
      this.informers.set(key, informer);
      if (this.signal) this.launch(informer, this.signal);
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer requested so far (and, from now on, each one on creation) until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.signal) throw new Error("informer factory already started");
    this.signal = signal;
    for (const informer of this.informers.values()) this.launch(informer, signal);
  }

  /** Resolves true once every informer requested so far has synced, false if `signal` aborts first. */
  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves once every started informer has stopped (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.runs);
  }

  private launch(informer: Informer<ApiObject>, signal: AbortSignal): void {
    this.runs.push(informer.run(signal).catch((error: unknown) => this.options.onError?.(error)));
  }
}
