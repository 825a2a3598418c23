/**
 * The message of a scheduling failure in upstream's form:
 * `0/N nodes are available: <pre-filter message>. | <count reason, …>. preemption: 0/N nodes are available: <…>.`
 * Reasons are counted per node and sorted as strings. The preemption part is what preemption reported (see
 * `preemptionFailure`), or by default: nodes failing resolvably "No preemption victims found for incoming pod" and
 * the rest "Preemption is not helpful for scheduling"; it is left out when preemption nominated a node.
 */
import type { FilterFailure } from "./filters.js";

/** Message when the cluster has no nodes at all. */
export const noNodesAvailable = "no nodes available to schedule pods";
/** Preemption's verdict on nodes that failed with UnschedulableAndUnresolvable. */
export const preemptionNotHelpful = "Preemption is not helpful for scheduling";
/** Preemption's verdict on nodes that failed resolvably (no lower-priority pods to evict). */
export const noPreemptionVictims = "No preemption victims found for incoming pod";

/** What went wrong across the cluster for one pod. */
export interface Diagnosis {
  /** Number of nodes in the cluster. */
  numAllNodes: number;
  /** Set when a pre-filter rejected the pod for every node. */
  preFilterMessage?: string;
  /** One failure per evaluated node. */
  failures: readonly FilterFailure[];
  /** Nodes not evaluated because a pre-filter narrowed the pod to other nodes. */
  skipped: number;
  /** Reason counted for the skipped nodes. */
  skippedReason: string;
  /** What preemption reported (`preemption: …`), or "" when it nominated a node; default: see the file comment. */
  postFilterMessage?: string;
}

function histogram(counts: Map<string, number>): string {
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort().join(", ");
}

function bump(counts: Map<string, number>, reason: string, n = 1): void {
  if (n > 0) counts.set(reason, (counts.get(reason) ?? 0) + n);
}

/** The preemption part (`preemption: …`); `preemptionPolicy` Never makes the pod ineligible. */
function preemptionMessage(d: Diagnosis, preemptionPolicy: string | undefined): string {
  if (preemptionPolicy === "Never") return "preemption: not eligible due to preemptionPolicy=Never.";
  const counts = new Map<string, number>();
  if (d.preFilterMessage !== undefined) {
    bump(counts, preemptionNotHelpful, d.numAllNodes);
  } else {
    for (const f of d.failures) bump(counts, f.code === "Unschedulable" ? noPreemptionVictims : preemptionNotHelpful);
    bump(counts, preemptionNotHelpful, d.numAllNodes - d.failures.length);
  }
  return `preemption: 0/${d.numAllNodes} nodes are available: ${histogram(counts)}.`;
}

/**
 * The `preemption: …` message when no node has victims whose removal makes the pod fit: `perNode` holds the
 * reasons of each node preemption evaluated; the other nodes count as "Preemption is not helpful for scheduling".
 */
export function preemptionFailure(numAllNodes: number, perNode: readonly (readonly string[])[]): string {
  const counts = new Map<string, number>();
  for (const reasons of perNode) for (const r of reasons) bump(counts, r);
  bump(counts, preemptionNotHelpful, numAllNodes - perNode.length);
  return `preemption: 0/${numAllNodes} nodes are available: ${histogram(counts)}.`;
}

/** The FailedScheduling message (also the PodScheduled condition's message). */
export function fitErrorMessage(d: Diagnosis, preemptionPolicy?: string): string {
  if (d.numAllNodes === 0) return noNodesAvailable;
  let message = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMessage !== undefined) {
    message += ` ${d.preFilterMessage}.`;
  } else {
    const counts = new Map<string, number>();
    for (const f of d.failures) for (const r of f.reasons) bump(counts, r);
    bump(counts, d.skippedReason, d.skipped);
    if (counts.size > 0) message += ` ${histogram(counts)}.`;
  }
  const postFilter = d.postFilterMessage ?? preemptionMessage(d, preemptionPolicy);
  return postFilter === "" ? message : `${message} ${postFilter}`;
}
