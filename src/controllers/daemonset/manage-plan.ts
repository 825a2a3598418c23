/** The manage step: which nodes need a daemon pod and which daemon pods must go. */
import type { Node, Pod } from "../../api/types.js";
import { controllerRevisionHashLabel } from "./labels.js";
import type { NodeDecision } from "./placement.js";
import { compareDaemonPods, isDeleting, isPodAvailable, isPodReady } from "./pod-util.js";

/** What the manage step wants done. */
export interface ManagePlan {
  /** Nodes to create a daemon pod on, in node order. */
  nodesNeedingPods: string[];
  /** Pods to delete, in node order. */
  podsToDelete: Pod[];
}

/** Context of one node's plan. */
export interface NodePlanContext {
  /** Hash of the current revision. */
  hash: string;
  /** Whether the DaemonSet allows surge (a RollingUpdate with maxSurge > 0). */
  surge: boolean;
  minReadySeconds: number;
  /** Wall-clock time in epoch milliseconds. */
  nowMs: number;
  /**
   * Asked for every Failed pod on a node where pods may continue running: true deletes it now, false keeps it
   * for now (failed-pod backoff). Default: always delete.
   */
  failedPodGate?: (nodeName: string, pod: Pod) => boolean;
  /** Told about every Succeeded pod that is deleted. */
  onSucceededPod?: (nodeName: string, pod: Pod) => void;
}

/**
 * The plan for one node. `pods` is undefined when no daemon pod (deleting ones included) targets the node.
 * No pods and shouldRun → create; shouldContinueRunning → delete Failed (gated) and Succeeded pods and
 * surplus running pods (one kept: bound, oldest, name; with surge the oldest current and oldest old pod are
 * kept, the old one only while it is ready and the new one not yet available); otherwise delete every pod
 * not already being deleted.
 */
export function planNode(nodeName: string, decision: NodeDecision, pods: readonly Pod[] | undefined, ctx: NodePlanContext): ManagePlan {
  const plan: ManagePlan = { nodesNeedingPods: [], podsToDelete: [] };
  planNodeInto(plan, nodeName, decision, pods, ctx);
  return plan;
}

/** planNode, adding to `plan` (no allocation per node: the manage step runs it for every node of every sync). */
function planNodeInto(plan: ManagePlan, nodeName: string, decision: NodeDecision, pods: readonly Pod[] | undefined, ctx: NodePlanContext): void {
  if (decision.shouldRun && pods === undefined) {
    plan.nodesNeedingPods.push(nodeName);
    return;
  }
  if (pods === undefined) return;
  if (!decision.shouldContinueRunning) {
    for (const pod of pods) if (!isDeleting(pod)) plan.podsToDelete.push(pod);
    return;
  }
  // The common case, one running pod that is not being deleted, decides without a list.
  if (pods.length === 1 && !ctx.surge) {
    const pod = pods[0] as Pod;
    const phase = pod.status?.phase;
    if (phase !== "Failed" && phase !== "Succeeded" || isDeleting(pod)) return;
  }
  const running: Pod[] = [];
  for (const pod of pods) {
    if (isDeleting(pod)) continue;
    const phase = pod.status?.phase;
    if (phase === "Failed") {
      if (ctx.failedPodGate === undefined || ctx.failedPodGate(nodeName, pod)) plan.podsToDelete.push(pod);
    } else if (phase === "Succeeded") {
      ctx.onSucceededPod?.(nodeName, pod);
      plan.podsToDelete.push(pod);
    } else {
      running.push(pod);
    }
  }
  if (!ctx.surge) {
    if (running.length > 1) {
      running.sort(compareDaemonPods);
      plan.podsToDelete.push(...running.slice(1));
    }
    return;
  }
  if (running.length <= 1) {
    if (running.length === 0 && decision.shouldRun) plan.nodesNeedingPods.push(nodeName);
    return;
  }
  running.sort(compareDaemonPods);
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata?.labels?.[controllerRevisionHashLabel] === ctx.hash;
    if (isNew && oldestNew === undefined) oldestNew = pod;
    else if (!isNew && oldestOld === undefined) oldestOld = pod;
    else plan.podsToDelete.push(pod);
  }
  if (oldestNew && oldestOld) {
    if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ctx.minReadySeconds, ctx.nowMs)) plan.podsToDelete.push(oldestOld);
  }
}

/**
 * The plan over every node (in `nodes` order, each with its decision), plus deletion of unbound pods that target
 * nodes which no longer exist (pods bound to vanished nodes are left to pod garbage collection).
 */
export function planManage(
  nodes: readonly Node[],
  decide: (node: Node) => NodeDecision,
  nodeToPods: ReadonlyMap<string, readonly Pod[]>,
  ctx: NodePlanContext,
): ManagePlan {
  const plan: ManagePlan = { nodesNeedingPods: [], podsToDelete: [] };
  let listed = 0;
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    const pods = nodeToPods.get(name);
    if (pods !== undefined) listed++;
    planNodeInto(plan, name, decide(node), pods, ctx);
  }
  // Pods target a node that is not listed only when fewer listed nodes had pods than nodes have pods.
  if (listed === nodeToPods.size) return plan;
  const present = new Set(nodes.map((node) => node.metadata?.name ?? ""));
  for (const [nodeName, pods] of nodeToPods) {
    if (present.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName && !isDeleting(pod)) plan.podsToDelete.push(pod);
  }
  return plan;
}
