/** When a pod on a node with NoExecute taints has to go. */
import { getMatchingTolerations, TaintEffect } from "../../api/taints.js";
import type { Pod, Taint } from "../../api/types.js";

/** Keep the pod (no NoExecute taint, or all tolerated forever), evict it now, or evict it at `atMs`. */
export type EvictionDecision = { kind: "keep" } | { kind: "now" } | { kind: "at"; atMs: number };

/** The NoExecute taints among `taints`. */
export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === TaintEffect.NoExecute);
}

/**
 * Decides a pod's fate on a node with `taints`: any NoExecute taint it does not tolerate → now; otherwise each
 * tolerated taint lasts tolerationSeconds (≤ 0: none; unset: forever) counted from when the taint was added
 * (`addedAt`, epoch ms) or the pod was created, whichever is later; the earliest expiry wins.
 */
export function evictionDecision(pod: Pod, taints: readonly Taint[] | undefined, addedAt: (taint: Taint) => number, nowMs: number): EvictionDecision {
  const noExecute = noExecuteTaints(taints);
  if (noExecute.length === 0) return { kind: "keep" };
  const { ok, tolerations } = getMatchingTolerations(noExecute, pod.spec?.tolerations);
  if (!ok) return { kind: "now" };
  const podCreated = Date.parse(pod.metadata?.creationTimestamp ?? "") || 0;
  let deadline = Infinity;
  noExecute.forEach((taint, i) => {
    const seconds = tolerations[i]?.tolerationSeconds;
    if (seconds === undefined || seconds === null) return;
    const start = Math.max(addedAt(taint), podCreated);
    deadline = Math.min(deadline, seconds <= 0 ? start : start + seconds * 1000);
  });
  if (deadline === Infinity) return { kind: "keep" };
  return deadline <= nowMs ? { kind: "now" } : { kind: "at", atMs: deadline };
}
