/** RollingUpdate: how many pods may be unavailable or surged, and which pods to replace next. */
import { scaledValueFromIntOrPercent } from "../../api/intstr.js";
import type { DaemonSet, Node, Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { isDeleting, isPodAvailable, isPodUpdated } from "./pod-util.js";

/** The update strategy type; an absent type is the default, RollingUpdate. */
export function updateStrategyType(ds: DaemonSet): string {
  return ds.spec?.updateStrategy?.type ?? "RollingUpdate";
}

/** maxSurge scaled against `total` (percent rounded up); 0 when unset or not a RollingUpdate. Throws on a malformed value. */
export function surgeCount(ds: DaemonSet, total: number): number {
  if (updateStrategyType(ds) !== "RollingUpdate") return 0;
  const v = ds.spec?.updateStrategy?.rollingUpdate?.maxSurge;
  return v === undefined || v === null ? 0 : scaledValueFromIntOrPercent(v, total, true);
}

/** maxUnavailable scaled against `total` (percent rounded up); 0 when unset or not a RollingUpdate. Throws on a malformed value. */
export function unavailableCount(ds: DaemonSet, total: number): number {
  if (updateStrategyType(ds) !== "RollingUpdate") return 0;
  const v = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
  return v === undefined || v === null ? 0 : scaledValueFromIntOrPercent(v, total, true);
}

/** Whether the DaemonSet surges (maxSurge of one node is non-zero); false for malformed values. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) !== 0;
  } catch {
    return false;
  }
}

/** The rolling-update budget for `desired` nodes; both zero with desired > 0 falls back to maxUnavailable 1. */
export function rollingUpdateLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** The single new and single old pod on a node, ignoring pods being deleted; ok is false when there are more. */
export function findUpdatedPodsOnNode(pods: readonly Pod[], hash: string, generation: number | undefined): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (isDeleting(pod)) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** Inputs of a rolling-update plan besides nodes and pods. */
export interface RollingUpdateContext {
  hash: string;
  generation: number | undefined;
  minReadySeconds: number;
  /** Wall-clock time in epoch milliseconds. */
  nowMs: number;
  maxSurge: number;
  maxUnavailable: number;
  /** The nodes whose old pods may be replaced (rollout controls); undefined: every node. */
  updatable?: ReadonlySet<string>;
}

/** What a rolling-update step wants done. */
export interface RollingUpdatePlan {
  podsToDelete: Pod[];
  nodesToCreate: string[];
}

interface NodeEntry { name: string; pods: readonly Pod[]; shouldRun: boolean }

/** Nodes that should run the daemon or carry its pods: listed nodes in order, then vanished nodes with pods. */
function nodeEntries(nodes: readonly Node[], decide: (node: Node) => NodeDecision, nodeToPods: ReadonlyMap<string, readonly Pod[]>): NodeEntry[] {
  const out: NodeEntry[] = [];
  let listed = 0;
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    const pods = nodeToPods.get(name);
    if (pods !== undefined) listed++;
    const shouldRun = decide(node).shouldRun;
    if (shouldRun || pods !== undefined) out.push({ name, pods: pods ?? [], shouldRun });
  }
  if (listed === nodeToPods.size) return out;
  const seen = new Set(nodes.map((node) => node.metadata?.name ?? ""));
  for (const [name, pods] of nodeToPods) if (!seen.has(name)) out.push({ name, pods, shouldRun: false });
  return out;
}

/**
 * Plans one rolling-update step. maxSurge == 0: delete unavailable old pods plus as many available old pods as
 * the maxUnavailable budget leaves (new pods not yet available, nodes without pods or with both versions count as
 * unavailable); the manage step recreates them. maxSurge > 0: create a new pod next to every unavailable old pod
 * and next to available old pods while the surge budget lasts; delete an old pod once the new one is available;
 * old pods on nodes that should no longer run are deleted only while availability stays above the desired count.
 * Old pods on nodes outside `ctx.updatable` are never replaced (an unavailable one still counts as unavailable).
 */
export function planRollingUpdate(
  nodes: readonly Node[],
  decide: (node: Node) => NodeDecision,
  nodeToPods: ReadonlyMap<string, readonly Pod[]>,
  ctx: RollingUpdateContext,
): RollingUpdatePlan {
  const entries = nodeEntries(nodes, decide, nodeToPods);
  const available = (pod: Pod): boolean => isPodAvailable(pod, ctx.minReadySeconds, ctx.nowMs);
  const held = (name: string): boolean => ctx.updatable !== undefined && !ctx.updatable.has(name);
  if (ctx.maxSurge === 0) {
    let unavailable = 0;
    const replacements: Pod[] = [];
    const candidates: Pod[] = [];
    for (const e of entries) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(e.pods, ctx.hash, ctx.generation);
      if (!ok || (newPod === undefined) === (oldPod === undefined)) {
        unavailable++;
      } else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          if (!held(e.name)) replacements.push(oldPod);
          unavailable++;
        } else if (!held(e.name) && unavailable < ctx.maxUnavailable) {
          candidates.push(oldPod);
        }
      }
    }
    const budget = Math.min(Math.max(0, ctx.maxUnavailable - unavailable), candidates.length);
    return { podsToDelete: [...replacements, ...candidates.slice(0, budget)], nodesToCreate: [] };
  }

  const podsToDelete: Pod[] = [];
  const shouldNotRunPods: Pod[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let surged = 0;
  let numAvailable = 0;
  let desired = 0;
  for (const e of entries) if (e.shouldRun) desired++;
  for (const e of entries) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(e.pods, ctx.hash, ctx.generation);
    if (!ok) {
      surged++;
      continue;
    }
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (e.shouldRun && held(e.name)) continue;
      if (!available(oldPod)) {
        if (!e.shouldRun) podsToDelete.push(oldPod);
        else allowedNew.push(e.name);
      } else if (!e.shouldRun) {
        shouldNotRunPods.push(oldPod);
      } else if (surged < ctx.maxSurge) {
        candidateNew.push(e.name);
      }
      continue;
    }
    if (!available(newPod)) surged++;
    else podsToDelete.push(oldPod);
  }
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRunPods.length);
  podsToDelete.push(...shouldNotRunPods.slice(0, deletable));
  const budget = Math.min(Math.max(0, ctx.maxSurge - surged), candidateNew.length);
  return { podsToDelete, nodesToCreate: [...allowedNew, ...candidateNew.slice(0, budget)] };
}
