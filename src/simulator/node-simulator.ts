/**
 * The node simulator: one component that plays the kubelet of every Node annotated
 * `everynode.dev/simulated: "true"` — registration, status heartbeats, Leases and pod lifecycles — through the
 * shared node and pod informers, with no watch or timer per node or pod.
 */
import { setMaxListeners } from "node:events";
import { mustFindResource } from "../api/resources.js";
import type { ApiObject, Node, Pod } from "../api/types.js";
import { byNodeName, objectKey } from "../client/cache.js";
import type { HandlerRegistration, Informer } from "../client/informer.js";
import { realClock } from "../util/clock.js";
import { runReconciler } from "../controller/reconciler.js";
import { ensureIndexers, nodeNameIndex, type ControlLoopOptions } from "../controller/control-loop.js";
import { PodIPAllocator } from "./ip-allocator.js";
import { NodeKeeper } from "./node-keeper.js";
import { defaultCapacity, isSimulated, missingLabels, needsRegistration, nodePodRangePrefix, nodePodRangePrefixOf, type NodeCapacity } from "./node-status.js";
import { PodLifecycle } from "./pod-lifecycle.js";
import { defaultStages, StageMatcher, type StageConfig } from "./stages.js";
import { reportTo } from "../util/report.js";
import { EventRecorder } from "../client/event-recorder.js";
import { referenceKey, type ReferencedObject, type ReferenceKind } from "../api/pod-references.js";

/** Nodes per concurrent node write (lease renewal, heartbeat) beyond `concurrency`. */
const nodesPerNodeWorker = 100;

/**
 * Concurrent node writes for `nodes` simulated nodes: each simulated kubelet renews its Lease on its own, so with
 * tens of thousands of nodes the renewals due must not queue behind a fixed number of writes in flight (their
 * latency grows with the load, and a Lease renewed late makes the node NotReady).
 */
export function nodeWorkers(concurrency: number, nodes: number): number {
  return Math.max(concurrency, Math.ceil(nodes / nodesPerNodeWorker));
}

/** Options of a NodeSimulator (concurrency instead of workers; onError receives failed writes before they are retried with backoff). */
export interface NodeSimulatorOptions extends Omit<ControlLoopOptions, "workers"> {
  /** Wall-clock time for timestamps (default: the system time). */
  now?: () => Date;
  /** Nodes `node-1` … `node-N` created when missing (default 0). */
  nodeCount?: number;
  /** Capacity (and allocatable) of registered nodes (default cpu 4, memory 16Gi, pods 110). */
  capacity?: Partial<NodeCapacity>;
  /** Lease spec.leaseDurationSeconds (default 40). */
  leaseDurationSeconds?: number;
  /** How often each node renews its Lease (default 10 s). */
  leaseRenewIntervalMs?: number;
  /** How often each node posts a status heartbeat (default 60 s). */
  nodeStatusIntervalMs?: number;
  /**
   * Lease renewals per second over all nodes at most (default 0 = no bound: every node renews every
   * `leaseRenewIntervalMs`, as kubelets do). With a bound, the renew interval stretches beyond
   * nodes / bound seconds, up to half the lease duration.
   */
  maxLeaseRenewalsPerSecond?: number;
  /**
   * Status heartbeats per second over all nodes at most (default 40; 0 = no bound): beyond 2,400 nodes the interval
   * stretches, up to the kubelet's status report frequency of 5 minutes (liveness is the Leases' job).
   */
  maxStatusUpdatesPerSecond?: number;
  /** Pod lifecycle stages (default: default-stages.json). */
  stages?: StageConfig;
  /** Factor applied to pod deletion grace periods, e.g. 0.01 in tests (default 1). */
  graceScale?: number;
  /** Uniform random numbers in [0, 1) for jitter and shares (default Math.random). */
  random?: () => number;
  /** Concurrent API writes per kind of work (node work, pod work) (default 64: kubelets act independently). */
  concurrency?: number;
}

const nodesResource = mustFindResource("", "nodes");
const podsResource = mustFindResource("", "pods");
const configMapsResource = mustFindResource("", "configmaps");
const secretsResource = mustFindResource("", "secrets");

type Referenced = ApiObject & ReferencedObject;

/** Simulates every annotated node (see the file comment); `run` until the signal aborts. */
export class NodeSimulator {
  private readonly nodeInformer: Informer<Node>;
  private readonly podInformer: Informer<Pod>;
  private readonly configMapInformer: Informer<Referenced>;
  private readonly secretInformer: Informer<Referenced>;
  private readonly keeper: NodeKeeper;
  private readonly lifecycle: PodLifecycle;
  private readonly simulated = new Set<string>();
  private readonly concurrency: number;
  private started = false;

  /** Prepares the simulator; nothing is written before `run`. */
  constructor(private readonly options: NodeSimulatorOptions) {
    const clock = options.clock ?? realClock();
    const now = options.now ?? (() => new Date());
    this.concurrency = Math.max(1, options.concurrency ?? 64);
    this.nodeInformer = options.informers.informerFor<Node>(nodesResource);
    this.podInformer = options.informers.informerFor<Pod>(podsResource);
    ensureIndexers(this.podInformer, { [nodeNameIndex]: byNodeName });
    this.configMapInformer = options.informers.informerFor<Referenced>(configMapsResource);
    this.secretInformer = options.informers.informerFor<Referenced>(secretsResource);
    const referenced = { configmap: this.configMapInformer.store, secret: this.secretInformer.store };
    this.keeper = new NodeKeeper({
      client: options.client, clock, now,
      capacity: { ...defaultCapacity, ...options.capacity },
      leaseDurationSeconds: options.leaseDurationSeconds ?? 40,
      leaseRenewIntervalMs: options.leaseRenewIntervalMs ?? 10_000,
      nodeStatusIntervalMs: options.nodeStatusIntervalMs ?? 60_000,
      maxLeaseRenewalsPerSecond: options.maxLeaseRenewalsPerSecond ?? 0,
      maxStatusUpdatesPerSecond: options.maxStatusUpdatesPerSecond ?? 40,
      expectedNodes: Math.max(0, Math.floor(options.nodeCount ?? 0)),
    }, this.nodeInformer.store);
    this.lifecycle = new PodLifecycle({
      client: options.client, clock, now,
      matcher: new StageMatcher(options.stages ?? defaultStages()),
      graceScale: options.graceScale ?? 1,
      random: options.random ?? Math.random,
      pods: this.podInformer.store,
      nodes: this.nodeInformer.store,
      ips: new PodIPAllocator((name) => {
        const node = this.nodeInformer.store.get(name);
        return node ? nodePodRangePrefixOf(node) : nodePodRangePrefix(name);
      }),
      isSimulatedNode: (name) => this.simulated.has(name),
      references: (kind, namespace, name) => referenced[kind].get(`${namespace}/${name}`),
      // One recorder for every simulated kubelet (each event names its node as host): room for a burst on many nodes.
      recorder: new EventRecorder({ client: options.client, component: "kubelet", now: () => now().getTime(), maxPending: 10_000, onError: (error) => this.report(error) }),
    });
  }

  /** Names of the nodes simulated right now. */
  simulatedNodes(): string[] {
    return [...this.simulated];
  }

  /** Simulates until `signal` aborts: waits for the caches, creates missing nodes, then serves all nodes. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error("node simulator already started");
    this.started = true;
    const registrations = this.watchCaches();
    // One listener on the caller's signal; the many workers listen on this inner one.
    const inner = new AbortController();
    setMaxListeners(0, inner.signal);
    const stop = (): void => inner.abort();
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
    try {
      const informers = [this.nodeInformer, this.podInformer, this.configMapInformer, this.secretInformer];
      const synced = await Promise.all(informers.map((i) => i.waitForSync(inner.signal)));
      if (!synced.every(Boolean) || inner.signal.aborted) return;
      const onError = (error: unknown): void => this.report(error);
      const count = Math.max(0, Math.floor(this.options.nodeCount ?? 0));
      const workers = [
        runReconciler({ name: "node-simulator-nodes", queue: this.keeper.queue, reconciler: this.keeper, workers: nodeWorkers(this.concurrency, count), signal: inner.signal, onError }),
        runReconciler({ name: "node-simulator-pods", queue: this.lifecycle.queue, reconciler: this.lifecycle, workers: this.concurrency, signal: inner.signal, onError }),
      ];
      const names = Array.from({ length: count }, (_, i) => `node-${i + 1}`);
      try {
        await this.keeper.createNodes(names, this.concurrency, inner.signal);
      } catch (error) {
        this.report(error);
      }
      await Promise.all(workers);
    } finally {
      signal.removeEventListener("abort", stop);
      for (const r of registrations) r.remove();
      this.keeper.queue.shutDown();
      this.lifecycle.queue.shutDown();
    }
  }

  private watchCaches(): HandlerRegistration[] {
    const node = this.nodeInformer.addEventHandler({
      onAdd: (n) => this.nodeChanged(n),
      onUpdate: (_old, n) => this.nodeChanged(n),
      onDelete: (n) => this.stopNode(n.metadata?.name ?? ""),
    });
    const pod = this.podInformer.addEventHandler({
      onAdd: (p) => this.lifecycle.observe(p),
      onUpdate: (_old, p) => this.lifecycle.observe(p),
      onDelete: (p) => this.lifecycle.forget(objectKey(p)),
    });
    const referenced = (kind: ReferenceKind, informer: Informer<Referenced>): HandlerRegistration => informer.addEventHandler({
      onAdd: (o) => this.referenceChanged(kind, o),
      onUpdate: (_old, o) => this.referenceChanged(kind, o),
    });
    return [node, pod, referenced("configmap", this.configMapInformer), referenced("secret", this.secretInformer)];
  }

  /** A ConfigMap or Secret appeared or changed: the pods waiting for it are looked at again (the kubelet retries). */
  private referenceChanged(kind: ReferenceKind, obj: Referenced): void {
    const key = referenceKey(kind, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    for (const podKey of this.lifecycle.waits.podsWaitingFor(key)) {
      const pod = this.podInformer.store.get(podKey);
      if (pod) this.lifecycle.observe(pod);
    }
  }

  private nodeChanged(node: Node): void {
    const name = node.metadata?.name ?? "";
    const wanted = isSimulated(node);
    const known = this.simulated.has(name);
    if (wanted && !known) {
      this.simulated.add(name);
      this.keeper.track(name);
      for (const pod of this.podInformer.store.byIndex(nodeNameIndex, name)) this.lifecycle.observe(pod);
    } else if (!wanted && known) {
      this.stopNode(name);
    } else if (wanted && (needsRegistration(node) || Object.keys(missingLabels(node)).length > 0)) {
      this.keeper.recheck(name);
    }
  }

  private stopNode(name: string): void {
    if (!this.simulated.delete(name)) return;
    this.keeper.untrack(name);
    for (const key of this.podInformer.store.byIndexKeys(nodeNameIndex, name)) this.lifecycle.unplan(key);
  }

  private report(error: unknown): void {
    reportTo(this.options.onError, error);
  }
}
