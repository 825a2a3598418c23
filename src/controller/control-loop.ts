/** What the control loops (controllers, scheduler, node simulator) are built from. */
import type { ApiObject } from "../api/types.js";
import type { Indexers } from "../client/cache.js";
import type { Client } from "../client/client.js";
import type { Informer } from "../client/informer.js";
import type { SharedInformerFactory } from "../client/informer-factory.js";
import type { Clock } from "../util/clock.js";
import type { LoopMetrics } from "./loop-metrics.js";

/** Options every control loop takes: the API client, shared informers, a clock, its workers and an error sink. */
export interface ControlLoopOptions {
  /** The only way to the API. */
  client: Client;
  /** Shared informers the loop requests its informers from; the caller starts the factory. */
  informers: SharedInformerFactory;
  /** Time source of the loop's queues, timers and backoff (default: the real clock). */
  clock?: Clock;
  /** Concurrent workers (each loop states its default). */
  workers?: number;
  /** Where the loop's work queues (and the scheduler's attempts) are reported (default: nowhere). */
  metrics?: LoopMetrics;
  /** Receives failures, with the key of the work item when there is one (default: ignore). */
  onError?: (error: unknown, key?: string) => void;
}

/** Name of the pod index by `spec.nodeName` (index function byNodeName) that loops sharing a pod informer share. */
export const nodeNameIndex = "spec.nodeName";

/** Adds `indexers` to a shared informer, skipping each name another loop already added. */
export function ensureIndexers<T extends ApiObject>(informer: Informer<T>, indexers: Indexers<ApiObject>): void {
  for (const [name, fn] of Object.entries(indexers)) {
    try {
      informer.addIndexers({ [name]: fn });
    } catch (error) {
      if (!(error instanceof Error && error.message.includes("already exists"))) throw error;
    }
  }
}
