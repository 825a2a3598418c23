/** DaemonSet status: the counters computed from nodes and daemon pods, and when to write them. */
import type { DaemonSet, DaemonSetStatus, Node, Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { compareDaemonPods, isPodAvailable, isPodReady, isPodUpdated } from "./pod-util.js";

/** The counters the controller maintains in `status`. */
export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/** Inputs of the counters besides nodes and pods. */
export interface StatusContext {
  hash: string;
  generation: number | undefined;
  minReadySeconds: number;
  /** Wall-clock time in epoch milliseconds. */
  nowMs: number;
}

/**
 * Counts per node: shouldRun → desired; with pods → current, and the first pod (bound, oldest, name) decides
 * ready / available / updated; not shouldRun but with pods → misscheduled. unavailable = desired − available.
 */
export function computeStatusCounts(
  nodes: readonly Node[],
  decide: (node: Node) => NodeDecision,
  nodeToPods: ReadonlyMap<string, readonly Pod[]>,
  ctx: StatusContext,
): DaemonSetCounts {
  const c: DaemonSetCounts = {
    desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  for (const node of nodes) {
    const pods = nodeToPods.get(node.metadata?.name ?? "");
    const scheduled = pods !== undefined && pods.length > 0;
    if (!decide(node).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    let first = pods[0] as Pod;
    for (let i = 1; i < pods.length; i++) if (compareDaemonPods(pods[i] as Pod, first) < 0) first = pods[i] as Pod;
    if (isPodReady(first)) {
      c.numberReady++;
      if (!(ctx.minReadySeconds > 0) || isPodAvailable(first, ctx.minReadySeconds, ctx.nowMs)) c.numberAvailable++;
    }
    if (isPodUpdated(first, ctx.hash, ctx.generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

const counterKeys = [
  "desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled", "numberReady",
  "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
] as const;

/** Whether the status must be written: a counter differs, or observedGeneration is behind generation. */
export function statusNeedsUpdate(ds: DaemonSet, counts: DaemonSetCounts): boolean {
  const status = ds.status ?? ({} as Partial<DaemonSetStatus>);
  for (const k of counterKeys) if ((status[k] ?? 0) !== counts[k]) return true;
  return (status.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0);
}

/**
 * `status` with the counters replaced (and observedGeneration when given); everything else (conditions,
 * collisionCount) kept. The four always-present counters are always written; the others are omitted when zero.
 */
export function statusWithCounts(status: DaemonSetStatus | undefined, counts: DaemonSetCounts, observedGeneration?: number): DaemonSetStatus {
  const out: DaemonSetStatus = { ...(status ?? {}), ...counts } as DaemonSetStatus;
  if (observedGeneration !== undefined) out.observedGeneration = observedGeneration;
  for (const k of ["updatedNumberScheduled", "numberAvailable", "numberUnavailable", "observedGeneration"] as const) {
    if (out[k] === 0 || out[k] === undefined) delete out[k];
  }
  return out;
}
