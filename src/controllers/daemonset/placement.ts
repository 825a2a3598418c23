/** Which nodes a DaemonSet's pod should run on (and keep running on). */
import { podMatchesNodeSelectorAndAffinity } from "../../api/node-affinity.js";
import { isGatingDaemonSet } from "../../api/readiness-gate.js";
import { findUntoleratedTaint, TaintEffect } from "../../api/taints.js";
import type { DaemonSet, Node, PodSpec, Taint, Toleration } from "../../api/types.js";
import { addDaemonTolerations } from "./tolerations.js";

/** The placement decision for one node. */
export interface NodeDecision {
  /** A daemon pod should be created on the node when it has none. */
  shouldRun: boolean;
  /** An existing daemon pod on the node may stay. */
  shouldContinueRunning: boolean;
}

const isNoScheduleOrNoExecute = (t: Taint): boolean => t.effect === TaintEffect.NoSchedule || t.effect === TaintEffect.NoExecute;
const isNoExecute = (t: Taint): boolean => t.effect === TaintEffect.NoExecute;

/**
 * A DaemonSet's placement rules compiled once (template, default tolerations) and evaluated per node (decisions are
 * remembered per Node object, so nodes must not be mutated after being decided on):
 * a template nodeName pins the node; nodeSelector and required node affinity must match; untolerated
 * NoSchedule/NoExecute taints stop new pods and untolerated NoExecute taints also evict existing ones.
 */
export class DaemonPlacement {
  private readonly spec: PodSpec;
  private readonly tolerations: Toleration[];
  private readonly memo = new WeakMap<Node, NodeDecision>();

  /** Compiles the placement of `ds` (later changes to `ds` are not seen). */
  constructor(ds: DaemonSet) {
    this.spec = ds.spec?.template?.spec ?? { containers: [] };
    this.tolerations = addDaemonTolerations(this.spec, isGatingDaemonSet(ds));
  }

  /** The decision for `node`. */
  decide(node: Node): NodeDecision {
    let d = this.memo.get(node);
    if (d === undefined) this.memo.set(node, (d = this.evaluate(node)));
    return d;
  }

  private evaluate(node: Node): NodeDecision {
    const nodeName = node.metadata?.name ?? "";
    if (this.spec.nodeName && this.spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
    if (!podMatchesNodeSelectorAndAffinity(this.spec, node)) return { shouldRun: false, shouldContinueRunning: false };
    const taints = node.spec?.taints;
    if (!taints || taints.length === 0) return { shouldRun: true, shouldContinueRunning: true };
    if (findUntoleratedTaint(taints, this.tolerations, isNoScheduleOrNoExecute) === undefined) {
      return { shouldRun: true, shouldContinueRunning: true };
    }
    return { shouldRun: false, shouldContinueRunning: findUntoleratedTaint(taints, this.tolerations, isNoExecute) === undefined };
  }
}

/** Whether a daemon pod of `ds` should run on `node` (shouldRun) and may keep running there (shouldContinueRunning). */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeDecision {
  return new DaemonPlacement(ds).decide(node);
}
