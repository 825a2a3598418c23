/**
 * Node readiness gates: a DaemonSet annotated `everynode.dev/node-readiness-gate: "true"` gates its nodes. Nodes
 * register with the taint `node.everynode.dev/daemons-not-ready:NoSchedule`; the gating DaemonSets' pods tolerate
 * it, and the node readiness gate controller removes it once every gating DaemonSet that should run on the node
 * has a Ready pod there.
 */
import type { DaemonSet, Node, Taint, Toleration } from "./types.js";

/** The annotation that makes a DaemonSet gate its nodes (value `"true"`). */
export const nodeReadinessGateAnnotation = "everynode.dev/node-readiness-gate";

/** The key of the taint nodes register with until their gating daemons are Ready. */
export const daemonsNotReadyTaintKey = "node.everynode.dev/daemons-not-ready";

/** The taint nodes register with: `node.everynode.dev/daemons-not-ready:NoSchedule`. */
export function daemonsNotReadyTaint(): Taint {
  return { key: daemonsNotReadyTaintKey, effect: "NoSchedule" };
}

/** The toleration the pods of gating DaemonSets carry for the taint. */
export function daemonsNotReadyToleration(): Toleration {
  return { key: daemonsNotReadyTaintKey, operator: "Exists", effect: "NoSchedule" };
}

/** Whether the DaemonSet carries `everynode.dev/node-readiness-gate: "true"`. */
export function isGatingDaemonSet(ds: DaemonSet): boolean {
  return ds.metadata?.annotations?.[nodeReadinessGateAnnotation] === "true";
}

/** Whether the node carries the daemons-not-ready taint (any effect). */
export function hasDaemonsNotReadyTaint(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === daemonsNotReadyTaintKey);
}

/** The node's taints without the daemons-not-ready taint. */
export function withoutDaemonsNotReadyTaint(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.key !== daemonsNotReadyTaintKey);
}
