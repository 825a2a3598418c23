/** The node lifecycle controller: node health from leases, condition-driven taints, pods on unready nodes. */
import { mustFindResource } from "../../api/resources.js";
import { isStatus, StatusError } from "../../api/status-error.js";
import type { Lease, Node, Pod } from "../../api/types.js";
import { byNodeName, objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { realClock, sleep, type Clock } from "../../util/clock.js";
import { nodeNameChanged } from "../../controller/predicates.js";
import { runReconciler, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { ensureIndexers, nodeNameIndex, type ControlLoopOptions } from "../../controller/control-loop.js";
import { EventRecorder, objectReference, rfc3339 } from "../../client/event-recorder.js";
import { NodeHealthTracker } from "./node-health.js";
import { nodeCondition, unreachableConditions } from "./node-status.js";
import { reconcileTaints } from "./node-taints.js";
import { withPodCondition } from "../../api/pod-conditions.js";
import { TaintEvictionController } from "./taint-eviction-controller.js";
import { reportTo } from "../../util/report.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Event source component of the controller. */
export const nodeLifecycleControllerComponent = "node-controller";
/** Namespace of the node heartbeat Leases. */
export const nodeLeaseNamespace = "kube-node-lease";

/** Options of the NodeLifecycleController (workers default 4; the clock's now() is also the wall clock of timestamps); defaults match kube-controller-manager. */
export interface NodeLifecycleControllerOptions extends ControlLoopOptions {
  /** Silence (no lease renewal, no status post) after which a node is marked Unknown (default 50 s). */
  gracePeriodMs?: number;
  /** Same for nodes that never posted a Ready condition (default 60 s). */
  startupGracePeriodMs?: number;
  /** Interval of the health check loop (default 5 s). */
  monitorPeriodMs?: number;
  /** Namespace of node Leases (default kube-node-lease). */
  leaseNamespace?: string;
  /** Also run the NoExecute taint eviction (default true). */
  taintEviction?: boolean;
}

const nodes = mustFindResource("", "nodes");
const pods = mustFindResource("", "pods");
const leases = mustFindResource("coordination.k8s.io", "leases");
const nodePrefix = "node:";
const podPrefix = "pod:";

/**
 * Watches node Leases and status: a node silent for longer than the grace period gets Ready (and the pressure
 * conditions) set to Unknown / NodeStatusUnknown "Kubelet stopped posting node status." through updateStatus, a
 * NodeNotReady event, and its pods' Ready condition set to False. Keeps managed taints in line with the node:
 * Ready Unknown → unreachable NoSchedule + NoExecute, Ready False → not-ready NoSchedule + NoExecute, Ready True →
 * neither; pressure / network conditions → their NoSchedule taints; spec.unschedulable → unschedulable NoSchedule.
 * One monitor loop finds silent nodes through a deadline heap (O(nodes due) per tick); everything else is event
 * driven through one work queue. Runs the TaintEvictionController too unless disabled.
 */
export class NodeLifecycleController implements Reconciler {
  /** Queue of `node:<name>` and `pod:<namespace>/<name>` keys. */
  readonly queue: WorkQueue<string>;
  /** Writes the controller's events. */
  readonly recorder: EventRecorder;
  /** The NoExecute eviction controller run alongside (undefined when disabled). */
  readonly taintEviction: TaintEvictionController | undefined;
  private readonly clock: Clock;
  private readonly health: NodeHealthTracker;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly leases: Informer<Lease>;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: NodeLifecycleControllerOptions) {
    this.clock = options.clock ?? realClock();
    this.queue = new WorkQueue<string>({ clock: this.clock, metrics: options.metrics?.workQueue("node_lifecycle_controller") });
    this.recorder = new EventRecorder({ client: options.client, component: nodeLifecycleControllerComponent, now: () => this.clock.now(), onError: (e) => this.report(e) });
    this.health = new NodeHealthTracker({ gracePeriodMs: options.gracePeriodMs ?? 50_000, startupGracePeriodMs: options.startupGracePeriodMs ?? 60_000 });
    this.nodes = options.informers.informerFor<Node>(nodes);
    this.pods = options.informers.informerFor<Pod>(pods);
    // The shared informer of every namespace's Leases, as upstream's controller uses it (the garbage collector watches
    // the same one): a second, namespace-scoped watch would carry every renewal twice.
    this.leases = options.informers.informerFor<Lease>(leases);
    const leaseNamespace = options.leaseNamespace ?? nodeLeaseNamespace;
    ensureIndexers(this.pods, { [nodeNameIndex]: byNodeName });
    this.nodes.addEventHandler({
      onAdd: (node) => {
        this.health.observeNode(node, this.clock.now());
        this.nodeEvent(node, "RegisteredNode", "Registered Node %s in Controller");
        this.queue.add(nodePrefix + (node.metadata?.name ?? ""));
      },
      onUpdate: (_old, node) => {
        this.health.observeNode(node, this.clock.now());
        this.queue.add(nodePrefix + (node.metadata?.name ?? ""));
      },
      onDelete: (node) => {
        this.health.forget(node.metadata?.name ?? "");
        this.nodeEvent(node, "RemovingNode", "Removing Node %s from Controller");
      },
    });
    this.leases.addEventHandler({
      onAdd: (lease) => { if (lease.metadata?.namespace === leaseNamespace) this.health.observeLease(lease, this.clock.now()); },
      onUpdate: (_old, lease) => { if (lease.metadata?.namespace === leaseNamespace) this.health.observeLease(lease, this.clock.now()); },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => { if (pod.spec?.nodeName) this.queue.add(podPrefix + objectKey(pod)); },
      onUpdate: (old, pod) => { if (pod.spec?.nodeName && nodeNameChanged(old, pod)) this.queue.add(podPrefix + objectKey(pod)); },
    });
    this.taintEviction = options.taintEviction === false ? undefined : new TaintEvictionController({
      client: options.client, informers: options.informers, clock: this.clock, workers: options.workers, onError: options.onError, metrics: options.metrics,
    });
  }

  /** Waits for the caches, then runs the monitor loop, the workers and the taint eviction until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const eviction = this.taintEviction?.run(signal);
    if (!(await waitForCacheSync([this.nodes, this.pods, this.leases], signal, this.queue))) {
      await eviction;
      return;
    }
    const workers = runReconciler<string>({
      name: nodeLifecycleControllerComponent,
      queue: this.queue,
      workers: this.options.workers ?? 4,
      signal,
      reconciler: this,
      onError: (error, key) => this.report(error, key),
    });
    const period = this.options.monitorPeriodMs ?? 5_000;
    while (!signal.aborted) {
      await sleep(this.clock, period, signal);
      if (!signal.aborted) this.monitor();
    }
    await Promise.all([workers, eviction]);
    await this.recorder.flush();
  }

  /** One monitor pass: queues every node whose grace period ran out since it was last checked. */
  monitor(): void {
    for (const name of this.health.expired(this.clock.now())) {
      if (this.nodes.store.get(name)) this.queue.add(nodePrefix + name);
      else this.health.forget(name);
    }
  }

  /** Processes one queue key now (for tests and tools). */
  async reconcile(key: string): Promise<void> {
    if (key.startsWith(nodePrefix)) await this.reconcileNode(key.slice(nodePrefix.length));
    else if (key.startsWith(podPrefix)) await this.markPodNotReady(key.slice(podPrefix.length));
  }

  /** Marks a silent node Unknown (then its pods not ready), else reconciles its managed taints. */
  private async reconcileNode(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    if (!node) {
      this.health.forget(name);
      return;
    }
    const now = this.clock.now();
    if (this.health.isExpired(name, now)) {
      const conditions = unreachableConditions(node, rfc3339(now));
      if (conditions) {
        const wasReady = nodeCondition(node, "Ready")?.status === "True";
        await this.options.client.updateStatus<Node>(nodes, undefined, { ...node, status: { ...node.status, conditions } });
        if (wasReady) {
          this.recorder.event(objectReference(node, "v1", "Node"), "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
          for (const key of this.pods.store.byIndexKeys(nodeNameIndex, name)) this.queue.add(podPrefix + key);
        }
        return; // The status change comes back as an update, which reconciles the taints.
      }
    }
    const taints = reconcileTaints(node, rfc3339(now));
    if (taints) {
      try {
        await this.options.client.patch(nodes, undefined, name, "merge", {
          metadata: { resourceVersion: node.metadata?.resourceVersion },
          spec: { taints: taints.length > 0 ? taints : null },
        });
      } catch (error) {
        // The node changed meanwhile (its kubelet's first status, typically): that update queues the node again.
        if (!isStatus(error, 409)) throw error;
      }
    }
  }

  /** Sets a pod's Ready condition to False when its node is not ready (Ready present and not True, or silent too long). */
  private async markPodNotReady(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) return;
    const node = this.nodes.store.get(nodeName);
    const nodeReady = node ? nodeCondition(node, "Ready") : undefined;
    // A node this controller just marked Unknown may still read Ready in the cache: its silence decides.
    const unready = (nodeReady !== undefined && nodeReady.status !== "True") || (node !== undefined && this.health.isExpired(nodeName, this.clock.now()));
    if (!unready) return;
    const ready = (pod.status?.conditions ?? []).find((c) => c.type === "Ready");
    if (!ready || ready.status !== "True") return;
    const now = rfc3339(this.clock.now());
    let conditions = withPodCondition(pod.status?.conditions, { ...ready, status: "False", lastTransitionTime: now });
    const containersReady = conditions.find((c) => c.type === "ContainersReady");
    if (containersReady?.status === "True") conditions = withPodCondition(conditions, { ...containersReady, status: "False", lastTransitionTime: now });
    // Unlike upstream (which flips only the Ready condition), the containers' ready flags follow it, so kubectl's
    // READY column (counted from containerStatuses) never disagrees with the Ready condition.
    const containerStatuses = pod.status?.containerStatuses?.map((s) => ({ ...s, ready: false }));
    const status = { ...pod.status, conditions, ...(containerStatuses ? { containerStatuses } : {}) };
    try {
      await this.options.client.updateStatus<Pod>(pods, pod.metadata?.namespace, { ...pod, status });
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) return;
      throw error;
    }
    this.recorder.event(objectReference(pod, "v1", "Pod"), "Warning", "NodeNotReady", "Node is not ready");
  }

  private nodeEvent(node: Node, reason: string, what: string): void {
    const name = node.metadata?.name ?? "";
    this.recorder.event({ apiVersion: "v1", kind: "Node", name, uid: node.metadata?.uid }, "Normal", reason, `Node ${name} event: ${what.replace("%s", name)}`);
  }

  private report(error: unknown, key?: string): void {
    reportTo(this.options.onError, error, key);
  }
}
