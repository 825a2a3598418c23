/** Taints and tolerations: which taints a pod tolerates and for how long under NoExecute. */
import type { Taint, Toleration } from "./types.js";

/** Taint effects. */
export const TaintEffect = {
  NoSchedule: "NoSchedule",
  PreferNoSchedule: "PreferNoSchedule",
  NoExecute: "NoExecute",
} as const;

/** One of the taint effects. */
export type TaintEffectName = (typeof TaintEffect)[keyof typeof TaintEffect];

/** Toleration operators; an empty operator means Equal. */
export const TolerationOperator = { Equal: "Equal", Exists: "Exists" } as const;

/** Well-known taint keys the node lifecycle sets and daemon pods tolerate by default. */
export const TaintKey = {
  NotReady: "node.kubernetes.io/not-ready",
  Unreachable: "node.kubernetes.io/unreachable",
  Unschedulable: "node.kubernetes.io/unschedulable",
  MemoryPressure: "node.kubernetes.io/memory-pressure",
  DiskPressure: "node.kubernetes.io/disk-pressure",
  PIDPressure: "node.kubernetes.io/pid-pressure",
  NetworkUnavailable: "node.kubernetes.io/network-unavailable",
} as const;

/**
 * Whether a toleration tolerates a taint: an empty effect matches every effect, an empty key every
 * key; Exists ignores the value, Equal (or no operator) needs equal values; other operators match nothing.
 */
export function tolerationToleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "") {
    case "": case TolerationOperator.Equal:
      return (toleration.value ?? "") === (taint.value ?? "");
    case TolerationOperator.Exists:
      return true;
    default:
      return false;
  }
}

/** Whether any of the tolerations tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => tolerationToleratesTaint(t, taint));
}

/** The first taint passing `filter` (default: every taint) that no toleration tolerates; undefined if none. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (taint: Taint) => boolean = () => true,
): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/**
 * For NoExecute eviction: `ok` when every taint is tolerated, with the first tolerating toleration of
 * each taint (in taint order); `{ok: false, tolerations: []}` as soon as one taint is not tolerated.
 * No taints → `{ok: true, tolerations: []}`.
 */
export function getMatchingTolerations(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): { ok: boolean; tolerations: Toleration[] } {
  const matched: Toleration[] = [];
  for (const taint of taints ?? []) {
    const t = (tolerations ?? []).find((x) => tolerationToleratesTaint(x, taint));
    if (!t) return { ok: false, tolerations: [] };
    matched.push(t);
  }
  return { ok: true, tolerations: matched };
}

/**
 * How many seconds a pod may stay given its matching tolerations: the minimum tolerationSeconds;
 * 0 (evict now) when the list is empty or any value is ≤ 0; undefined (forever) when none sets it.
 */
export function tolerationSecondsFor(tolerations: readonly Toleration[]): number | undefined {
  if (tolerations.length === 0) return 0;
  let min: number | undefined;
  for (const t of tolerations) {
    const s = t.tolerationSeconds;
    if (s === undefined || s === null) continue;
    if (s <= 0) return 0;
    if (min === undefined || s < min) min = s;
  }
  return min;
}

/** `key=value:Effect`, or `key:Effect` when the value is empty. */
export function taintToString(taint: Taint): string {
  return taint.value ? `${taint.key}=${taint.value}:${taint.effect}` : `${taint.key}:${taint.effect}`;
}
