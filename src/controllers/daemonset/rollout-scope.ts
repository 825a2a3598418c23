/**
 * Which nodes a rolling update may replace pods on under the rollout controls (partition and selector), as
 * OpenKruise's Advanced DaemonSet chooses them: nodes are taken in reverse name order (code-unit order), nodes
 * already running the current revision (or holding several pods, or none — new nodes get the current revision)
 * first, then nodes with an old pod that match the selector (every node when there is none); the first
 * `total − partition` of that order may be updated, so the partition's nodes are those whose names sort first.
 */
import type { Selector } from "../../api/label-selector.js";
import type { Node, Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { findUpdatedPodsOnNode } from "./rolling-update.js";
import { isDeleting } from "./pod-util.js";

/** The controls that narrow a rollout; an absent selector means every node. */
export interface RolloutScopeControls {
  partition: number;
  selector?: Selector;
}

/** Inputs besides nodes and pods. */
export interface RolloutScopeContext {
  hash: string;
  generation: number | undefined;
  /** The labels of a node by name (for the selector). */
  labelsOf: (nodeName: string) => Record<string, string> | undefined;
}

/**
 * The names of the nodes whose old pods may be replaced, or undefined when the controls restrict nothing
 * (partition 0 and no selector). Only listed nodes that should run the daemon or carry its pods count.
 */
export function updatableNodes(
  nodes: readonly Node[],
  decide: (node: Node) => NodeDecision,
  nodeToPods: ReadonlyMap<string, readonly Pod[]>,
  controls: RolloutScopeControls,
  ctx: RolloutScopeContext,
): Set<string> | undefined {
  if (controls.partition <= 0 && controls.selector === undefined) return undefined;
  const names: string[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    if (decide(node).shouldRun || nodeToPods.has(name)) names.push(name);
  }
  names.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const first: string[] = [];
  const selected: string[] = [];
  for (const name of names) {
    const pods = nodeToPods.get(name) ?? [];
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(pods, ctx.hash, ctx.generation);
    if (!ok || newPod !== undefined || oldPod === undefined || isDeleting(oldPod)) first.push(name);
    else if (controls.selector === undefined || controls.selector.matches(ctx.labelsOf(name))) selected.push(name);
  }
  const maxUpdate = Math.max(0, names.length - controls.partition);
  return new Set([...first, ...selected].slice(0, maxUpdate));
}
