/** Which gating DaemonSets still hold a node's daemons-not-ready taint (pure functions). */
import { isGatingDaemonSet } from "../../api/readiness-gate.js";
import { TaintKey } from "../../api/taints.js";
import type { DaemonSet, Node, Pod } from "../../api/types.js";
import { controllerRefOf } from "../../controller/predicates.js";
import { DaemonPlacement } from "../daemonset/placement.js";
import { isDeleting, isPodReady } from "../daemonset/pod-util.js";

/** Taints the node lifecycle sets and lifts as conditions change: they do not decide whether a daemon belongs on a node. */
const conditionTaintKeys: ReadonlySet<string> = new Set(Object.values(TaintKey));

/** The node with its condition taints (node.kubernetes.io/not-ready, …) left out: where a gating daemon belongs. */
export function withoutConditionTaints(node: Node): Node {
  const taints = node.spec?.taints;
  if (!taints || !taints.some((t) => conditionTaintKeys.has(t.key ?? ""))) return node;
  return { ...node, spec: { ...node.spec, taints: taints.filter((t) => !conditionTaintKeys.has(t.key ?? "")) } };
}

/** A gating DaemonSet with its compiled placement. */
export interface GatingDaemonSet {
  ds: DaemonSet;
  placement: DaemonPlacement;
}

/** The gating DaemonSets among `daemonSets` (annotated and not being deleted), compiled. */
export function gatingDaemonSets(daemonSets: readonly DaemonSet[]): GatingDaemonSet[] {
  const out: GatingDaemonSet[] = [];
  for (const ds of daemonSets) if (isGatingDaemonSet(ds) && !isDeleting(ds)) out.push({ ds, placement: new DaemonPlacement(ds) });
  return out;
}

/**
 * The gating DaemonSets that should run on `node` but have no Ready pod there yet, among `podsOnNode` (the pods
 * bound to the node). "Should run" is the DaemonSet controller's decision, with the node's condition taints
 * ignored (a node that is briefly NotReady at registration still waits for its gating daemons). Empty: the
 * node's daemons-not-ready taint may go.
 */
export function pendingGates(node: Node, gating: readonly GatingDaemonSet[], podsOnNode: readonly Pod[]): DaemonSet[] {
  if (gating.length === 0) return [];
  const judged = withoutConditionTaints(node);
  const readyOwners = new Set<string>();
  for (const pod of podsOnNode) {
    const ref = controllerRefOf(pod);
    if (ref?.kind === "DaemonSet" && ref.uid && !isDeleting(pod) && isPodReady(pod)) readyOwners.add(ref.uid);
  }
  const pending: DaemonSet[] = [];
  for (const g of gating) {
    if (!g.placement.decide(judged).shouldRun) continue;
    if (!readyOwners.has(g.ds.metadata?.uid ?? "")) pending.push(g.ds);
  }
  return pending;
}
