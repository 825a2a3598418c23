/**
 * The message of a scheduling failure in upstream's form:
 * `0/N nodes are available: <pre-filter message>. | <count reason, …>. preemption: 0/N nodes are available: <…>.`
 * Reasons are counted per node and sorted as strings; preemption never finds victims here, so nodes failing
 * resolvably get "No preemption victims found for incoming pod" and the rest "Preemption is not helpful".
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
  return `${message} ${preemptionMessage(d, preemptionPolicy)}`;
}
