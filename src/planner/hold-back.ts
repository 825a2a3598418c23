/**
 * The hold-back step of the planner: which nodes keep their old pod although the template changed, decided by
 * the DaemonSet controller's own rules (the update strategy, and the rollout controls through rollout-scope's
 * `updatableNodes`, so the planner and the controller pick the same nodes).
 */
import { partitionAnnotation, pausedAnnotation, selectorAnnotation, type RolloutControls } from "../api/rollout-controls.js";
import type { DaemonSet, Node, Pod } from "../api/types.js";
import { templateGeneration } from "../controllers/daemonset/labels.js";
import type { NodeDecision } from "../controllers/daemonset/placement.js";
import { updateStrategyType } from "../controllers/daemonset/rolling-update.js";
import { updatableNodes } from "../controllers/daemonset/rollout-scope.js";

/** A node whose old pod the update strategy or a rollout control keeps, and which one (the annotation named). */
export interface HeldBackNode {
  node: string;
  reason: string;
}

/** What the hold-back step reads besides the DaemonSet and its controls. */
export interface HoldBackScope {
  /** Every node of the cluster. */
  nodes: readonly Node[];
  /** The new template's placement decision for a node. */
  decide: (node: Node) => NodeDecision;
  /** The DaemonSet's pods by target node, grouped as the controller groups them. */
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  /** The revision hash the new template gets. */
  hash: string;
}

/**
 * Of `candidates` (nodes running an old pod that the new revision should replace), those whose replacement
 * waits, sorted by name: every one with OnDelete or while paused; else those outside the controller's updatable
 * set (partition and selector). Each carries the reason, naming the annotation responsible.
 */
export function holdBack(ds: DaemonSet, controls: RolloutControls, candidates: readonly string[], scope: HoldBackScope): HeldBackNode[] {
  const sorted = [...candidates].sort();
  if (updateStrategyType(ds) !== "RollingUpdate") {
    return sorted.map((node) => ({ node, reason: "updateStrategy OnDelete: the pod is replaced only once it is deleted" }));
  }
  if (controls.paused) {
    return sorted.map((node) => ({ node, reason: `${pausedAnnotation} is "true": no pod is replaced until the rollout is resumed` }));
  }
  const labelsOf = (name: string): Record<string, string> | undefined => scope.nodes.find((n) => n.metadata?.name === name)?.metadata?.labels;
  const updatable = updatableNodes(scope.nodes, scope.decide, scope.nodeToPods, controls, {
    hash: scope.hash, generation: templateGeneration(ds), labelsOf,
  });
  if (updatable === undefined) return [];
  const annotations = ds.metadata?.annotations ?? {};
  const out: HeldBackNode[] = [];
  for (const node of sorted) {
    if (updatable.has(node)) continue;
    const unmatched = controls.selector !== undefined && !controls.selector.matches(labelsOf(node));
    const reason = unmatched
      ? `not matched by ${selectorAnnotation} "${annotations[selectorAnnotation] ?? ""}"`
      : `kept on the old revision by ${partitionAnnotation} "${annotations[partitionAnnotation] ?? ""}"`;
    out.push({ node, reason });
  }
  return out;
}
