/** The pod garbage collector: force-deletes pods whose node is gone, terminating leftovers and excess terminated pods. */
import { mustFindResource } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { Node, Pod, PodCondition } from "../../api/types.js";
import { byNodeName, objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { realClock, sleep, type Clock } from "../../util/clock.js";
import { runReconciler, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { ensureIndexers, nodeNameIndex, type ControlLoopOptions } from "../../controller/control-loop.js";
import { withPodCondition } from "../../api/pod-conditions.js";
import { rfc3339 } from "../../client/event-recorder.js";
import { collectionOrder, isOutOfService, isTerminated, nodeGoneCondition } from "./pod-conditions.js";
import { reportTo } from "../../util/report.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Controller name used in error reports. */
export const podGarbageCollectorName = "pod-garbage-collector";

const terminatedIndex = "pod-gc/terminated";
const terminatingIndex = "pod-gc/terminating";

/** Options of the PodGarbageCollector (workers default 4; the clock also times the pass and timestamps); defaults match kube-controller-manager. */
export interface PodGarbageCollectorOptions extends ControlLoopOptions {
  /** Interval of the periodic pass (default 20 s). */
  gcCheckPeriodMs?: number;
  /** Terminated pods tolerated before the oldest are deleted; 0 disables (default 12500). */
  terminatedPodThreshold?: number;
}

const pods = mustFindResource("", "pods");
const nodes = mustFindResource("", "nodes");
const nodeKeyPrefix = "node:";
const podKeyPrefix = "pod:";

/**
 * Force-deletes (gracePeriodSeconds 0, after marking the pod Failed) pods that would otherwise linger:
 * pods bound to a node that is missing from the cache and confirmed gone by a consistent read of the store (a GET
 * without resourceVersion, made after the pods were taken from the cache), with condition
 * DisruptionTarget/DeletionByPodGC; terminating pods that were never scheduled; terminating pods
 * on not-ready nodes tainted `node.kubernetes.io/out-of-service`; and the oldest terminated pods beyond the
 * threshold (evicted ones first). Node deletions and pod changes are acted on as they arrive; a periodic pass
 * catches the rest. All deletions go through a work queue with retries.
 */
export class PodGarbageCollector implements Reconciler {
  /** Queue of `node:<name>` (orphan check) and `pod:<namespace>/<name>` (force-delete check) keys. */
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly excessTerminated = new Set<string>();

  /** Creates the collector and registers its informer handlers. */
  constructor(private readonly options: PodGarbageCollectorOptions) {
    this.clock = options.clock ?? realClock();
    this.queue = new WorkQueue<string>({ clock: this.clock, metrics: options.metrics?.workQueue("pod_garbage_collector") });
    this.pods = options.informers.informerFor<Pod>(pods);
    this.nodes = options.informers.informerFor<Node>(nodes);
    ensureIndexers(this.pods, {
      [nodeNameIndex]: byNodeName,
      [terminatedIndex]: (p) => (isTerminated(p as Pod) ? ["true"] : []),
      [terminatingIndex]: (p) => (p.metadata?.deletionTimestamp ? ["true"] : []),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_old, pod) => this.podChanged(pod),
      onDelete: (pod) => this.excessTerminated.delete(objectKey(pod)),
    });
    this.nodes.addEventHandler({
      onAdd: (node) => this.nodeChanged(node),
      onUpdate: (_old, node) => this.nodeChanged(node),
      onDelete: (node) => this.checkOrphans(node.metadata?.name ?? ""),
    });
  }

  /** Waits for the caches, then runs the periodic pass and the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.pods, this.nodes], signal, this.queue))) return;
    const workers = runReconciler<string>({
      name: podGarbageCollectorName,
      queue: this.queue,
      workers: this.options.workers ?? 4,
      signal,
      reconciler: this,
      onError: (error, key) => this.report(error, key),
    });
    const period = this.options.gcCheckPeriodMs ?? 20_000;
    while (!signal.aborted) {
      try {
        this.pass();
      } catch (error) {
        this.report(error);
      }
      await sleep(this.clock, period, signal);
    }
    await workers;
  }

  /** The periodic pass: queues every candidate found in the caches (cost: terminated + terminating pods + bound node names). */
  pass(): void {
    this.queueExcessTerminated();
    for (const pod of this.pods.store.byIndex(terminatingIndex, "true")) this.podChanged(pod);
    for (const nodeName of this.pods.store.indexValues(nodeNameIndex)) {
      if (!this.nodes.store.get(nodeName)) this.checkOrphans(nodeName);
    }
  }

  /** Processes one queue key now (for tests and tools). */
  async reconcile(key: string): Promise<void> {
    if (key.startsWith(nodeKeyPrefix)) await this.collectOrphans(key.slice(nodeKeyPrefix.length));
    else if (key.startsWith(podKeyPrefix)) await this.collectPod(key.slice(podKeyPrefix.length));
  }

  private podChanged(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (nodeName && !this.nodes.store.get(nodeName)) this.checkOrphans(nodeName);
    if (pod.metadata?.deletionTimestamp && this.shouldForceDeleteTerminating(pod)) this.queue.add(podKeyPrefix + objectKey(pod));
  }

  private nodeChanged(node: Node): void {
    if (!isOutOfService(node)) return;
    for (const pod of this.pods.store.byIndex(nodeNameIndex, node.metadata?.name ?? "")) {
      if (pod.metadata?.deletionTimestamp) this.queue.add(podKeyPrefix + objectKey(pod));
    }
  }

  private checkOrphans(nodeName: string): void {
    if (nodeName) this.queue.add(nodeKeyPrefix + nodeName);
  }

  /** Unscheduled, or on a not-ready out-of-service node. */
  private shouldForceDeleteTerminating(pod: Pod): boolean {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return true;
    const node = this.nodes.store.get(nodeName);
    return node !== undefined && isOutOfService(node);
  }

  private queueExcessTerminated(): void {
    const threshold = this.options.terminatedPodThreshold ?? 12_500;
    if (threshold <= 0) return;
    const terminated = this.pods.store.byIndex(terminatedIndex, "true");
    const excess = terminated.length - threshold;
    if (excess <= 0) return;
    terminated.sort(collectionOrder);
    for (const pod of terminated.slice(0, excess)) {
      const key = objectKey(pod);
      this.excessTerminated.add(key);
      this.queue.add(podKeyPrefix + key);
    }
  }

  /**
   * If the node is missing from the cache and a consistent read of the store confirms it is gone, deletes every
   * pod the cache bound to it before that read. Upstream waits 40 s (a quarantine) so that a node which exists
   * but has not reached the cache yet is not condemned; reading the store decides that without waiting: a pod
   * taken from the cache before the read was bound before it, and its node was absent at the read.
   */
  private async collectOrphans(nodeName: string): Promise<void> {
    if (this.nodes.store.get(nodeName)) return;
    const orphans = this.pods.store.byIndex(nodeNameIndex, nodeName);
    if (orphans.length === 0) return;
    try {
      await this.options.client.get(nodes, undefined, nodeName);
      return;
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
    let failure: { error: unknown } | undefined;
    for (const pod of orphans) {
      try {
        await this.forceDelete(pod, nodeGoneCondition(this.timestamp()));
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  private async collectPod(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    const excess = this.excessTerminated.delete(key);
    if (!pod) return;
    if (pod.metadata?.deletionTimestamp ? this.shouldForceDeleteTerminating(pod) : excess && isTerminated(pod)) {
      await this.forceDelete(pod);
    }
  }

  /** Marks the pod Failed (with `condition`) unless it is terminal already, then deletes it with grace 0 (uid precondition). */
  private async forceDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    const { namespace, name = "", uid } = pod.metadata ?? {};
    if (!isTerminated(pod)) {
      try {
        const live = await this.options.client.get<Pod>(pods, namespace, name);
        if (live.metadata?.uid !== uid) return;
        const status = { ...(live.status ?? {}), phase: "Failed" };
        if (condition) status.conditions = withPodCondition(status.conditions, condition);
        await this.options.client.updateStatus<Pod>(pods, namespace, { ...live, status });
      } catch (error) {
        if (isStatus(error, 404)) return;
        throw error;
      }
    }
    try {
      await this.options.client.delete(pods, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (error) {
      if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
    }
  }

  private timestamp(): string {
    return rfc3339(this.clock.now());
  }

  private report(error: unknown, key?: string): void {
    reportTo(this.options.onError, error, key);
  }
}
