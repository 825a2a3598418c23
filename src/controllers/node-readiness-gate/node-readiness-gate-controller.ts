/**
 * The node readiness gate controller: removes a node's `node.everynode.dev/daemons-not-ready` taint once every
 * gating DaemonSet that should run on the node has a Ready pod there. It only ever removes the taint: a node is
 * gated once, from its registration until it is cleared.
 */
import { hasDaemonsNotReadyTaint, isGatingDaemonSet, withoutDaemonsNotReadyTaint } from "../../api/readiness-gate.js";
import { mustFindResource } from "../../api/resources.js";
import { isFailedPatchTest, isStatus } from "../../api/status-error.js";
import type { ApiObject, DaemonSet, Node, Pod, Taint } from "../../api/types.js";
import { byNodeName, type IndexFunc } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { ensureIndexers, nodeNameIndex, type ControlLoopOptions } from "../../controller/control-loop.js";
import { controllerRefOf, specOrLifecycleChanged } from "../../controller/predicates.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock } from "../../util/clock.js";
import { reportTo } from "../../util/report.js";
import { isDeleting, isPodReady } from "../daemonset/pod-util.js";
import { gatingDaemonSets, pendingGates, type GatingDaemonSet } from "./gate-decision.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Name of the controller (work queue metrics, errors). */
export const nodeReadinessGateControllerName = "node-readiness-gate-controller";

/** Node index: `"true"` for nodes carrying the daemons-not-ready taint. */
const gatedIndex = "everynode.dev/daemons-not-ready";
const byGated: IndexFunc = (obj) => (hasDaemonsNotReadyTaint(obj as Node) ? ["true"] : []);

const nodesResource = mustFindResource("", "nodes");

/** One operation of the JSON patch that lifts the taint. */
type TaintPatchOperation = { op: "test" | "replace"; path: "/spec/taints"; value: Taint[] } | { op: "remove"; path: "/spec/taints" };

/**
 * The JSON patch that lifts the daemons-not-ready taint of `node`, guarded by its cached taints alone: a `test` of
 * `/spec/taints`, then the taints without it (or no taints). A concurrent write elsewhere in the node (a status
 * heartbeat, a label) does not fail it; a taint changed meanwhile fails the test, and the node is judged again.
 */
function liftTaintPatch(node: Node): TaintPatchOperation[] {
  const taints = node.spec?.taints ?? [];
  const rest = withoutDaemonsNotReadyTaint(taints);
  return [
    { op: "test", path: "/spec/taints", value: taints },
    rest.length > 0 ? { op: "replace", path: "/spec/taints", value: rest } : { op: "remove", path: "/spec/taints" },
  ];
}

/** Watches nodes, DaemonSets and pods and lifts the daemons-not-ready taint of nodes whose gating daemons are Ready (workers default 16: lifting taints is one small write per node, and concurrent writes share storage commits). */
export class NodeReadinessGateController implements Reconciler {
  /** The queue of node names. */
  readonly queue: WorkQueue<string>;
  private readonly nodes: Informer<Node>;
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private gating: { rvs: string; value: GatingDaemonSet[] } | undefined;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: ControlLoopOptions) {
    const { informers } = options;
    this.nodes = informers.informerFor<Node>(nodesResource);
    this.daemonSets = informers.informerFor<DaemonSet>(mustFindResource("apps", "daemonsets"));
    this.pods = informers.informerFor<Pod>(mustFindResource("", "pods"));
    ensureIndexers(this.nodes, { [gatedIndex]: byGated });
    ensureIndexers(this.pods, { [nodeNameIndex]: byNodeName });
    this.queue = new WorkQueue<string>({ clock: options.clock ?? realClock(), metrics: options.metrics?.workQueue("node_readiness_gate") });
    const enqueueNode = (node: Node): void => {
      if (hasDaemonsNotReadyTaint(node)) this.queue.add(node.metadata?.name ?? "");
    };
    this.nodes.addEventHandler({ onAdd: enqueueNode, onUpdate: (_old, cur) => enqueueNode(cur) });
    this.daemonSets.addEventHandler({
      onAdd: (ds) => { if (isGatingDaemonSet(ds)) this.enqueueGated(); },
      onUpdate: (old, cur) => {
        const gate = isGatingDaemonSet(old) || isGatingDaemonSet(cur);
        if (gate && (isGatingDaemonSet(old) !== isGatingDaemonSet(cur) || specOrLifecycleChanged(old, cur))) this.enqueueGated();
      },
      onDelete: (ds) => { if (isGatingDaemonSet(ds)) this.enqueueGated(); },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (old, cur) => {
        if (isPodReady(old) !== isPodReady(cur) || isDeleting(old) !== isDeleting(cur) || old.spec?.nodeName !== cur.spec?.nodeName) this.podChanged(cur);
      },
      onDelete: (pod) => this.podChanged(pod),
    });
  }

  /** Waits for the caches, then lifts taints until `signal` aborts; resolves once the workers stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.nodes, this.daemonSets, this.pods], signal, this.queue))) return;
    await runReconciler({
      name: nodeReadinessGateControllerName, queue: this.queue, reconciler: this, workers: this.options.workers ?? 16, signal,
      onError: (error, key) => reportTo(this.options.onError, error, key),
    });
  }

  /** Lifts the node's taint when no gating DaemonSet that should run there lacks a Ready pod on it. */
  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.store.get(name);
    if (!node || !hasDaemonsNotReadyTaint(node)) return;
    const pods = this.pods.store.byIndex(nodeNameIndex, name);
    if (pendingGates(node, this.gatingDaemonSets(), pods).length > 0) return;
    try {
      await this.options.client.patch<Node>(nodesResource, undefined, name, "json", liftTaintPatch(node));
    } catch (error) {
      if (isStatus(error, 404)) return;
      // The node's taints changed meanwhile: it is judged again on what they are now.
      if (isFailedPatchTest(error) || isStatus(error, 409)) return { requeue: true };
      throw error;
    }
  }

  /** The gating DaemonSets, compiled again only when one of them changed. */
  private gatingDaemonSets(): GatingDaemonSet[] {
    const sets = this.daemonSets.store.list().filter(isGatingDaemonSet);
    const rvs = sets.map((ds) => `${ds.metadata?.uid ?? ""}/${ds.metadata?.generation ?? ds.metadata?.resourceVersion ?? ""}/${isDeleting(ds) ? "d" : ""}`).sort().join(",");
    if (this.gating?.rvs !== rvs) this.gating = { rvs, value: gatingDaemonSets(sets) };
    return this.gating.value;
  }

  /** Every gated node is judged again (a gating DaemonSet came, went or changed). */
  private enqueueGated(): void {
    for (const node of this.nodes.store.byIndex(gatedIndex, "true")) this.queue.add(node.metadata?.name ?? "");
  }

  /** A daemon pod on a gated node changed: that node is judged again. */
  private podChanged(pod: ApiObject & Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || controllerRefOf(pod)?.kind !== "DaemonSet") return;
    const node = this.nodes.store.get(nodeName);
    if (node && hasDaemonsNotReadyTaint(node)) this.queue.add(nodeName);
  }
}
