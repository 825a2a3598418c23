/** The tolerations every daemon pod carries so node problems neither evict it nor block it. */
import { TaintEffect, TaintKey } from "../../api/taints.js";
import { daemonsNotReadyToleration } from "../../api/readiness-gate.js";
import type { PodSpec, Toleration } from "../../api/types.js";

/** The default daemon tolerations for a pod spec, in the order they are added (network-unavailable only with hostNetwork). */
export function defaultDaemonTolerations(hostNetwork: boolean): Toleration[] {
  const out: Toleration[] = [
    { key: TaintKey.NotReady, operator: "Exists", effect: TaintEffect.NoExecute },
    { key: TaintKey.Unreachable, operator: "Exists", effect: TaintEffect.NoExecute },
    { key: TaintKey.DiskPressure, operator: "Exists", effect: TaintEffect.NoSchedule },
    { key: TaintKey.MemoryPressure, operator: "Exists", effect: TaintEffect.NoSchedule },
    { key: TaintKey.PIDPressure, operator: "Exists", effect: TaintEffect.NoSchedule },
    { key: TaintKey.Unschedulable, operator: "Exists", effect: TaintEffect.NoSchedule },
  ];
  if (hostNetwork) out.push({ key: TaintKey.NetworkUnavailable, operator: "Exists", effect: TaintEffect.NoSchedule });
  return out;
}

/** Same key, operator, value and effect (tolerationSeconds may differ). */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? "") === (b.key ?? "") && (a.operator ?? "") === (b.operator ?? "")
    && (a.value ?? "") === (b.value ?? "") && (a.effect ?? "") === (b.effect ?? "");
}

/**
 * Adds or updates one toleration: unchanged when an identical one exists; otherwise every toleration
 * differing only in tolerationSeconds is replaced in place, or the toleration is appended. Returns a new list.
 */
export function addOrUpdateToleration(tolerations: readonly Toleration[], toleration: Toleration): Toleration[] {
  const exact = tolerations.some((t) => sameToleration(t, toleration) && t.tolerationSeconds === toleration.tolerationSeconds);
  if (exact) return [...tolerations];
  let replaced = false;
  const out = tolerations.map((t) => {
    if (!sameToleration(t, toleration)) return t;
    replaced = true;
    return { ...toleration };
  });
  if (!replaced) out.push({ ...toleration });
  return out;
}

/**
 * The pod spec's tolerations with the default daemon tolerations added, and with `gating` (the DaemonSet gates its
 * nodes) the toleration of `node.everynode.dev/daemons-not-ready:NoSchedule` last. A new list; the spec is not modified.
 */
export function addDaemonTolerations(spec: PodSpec, gating = false): Toleration[] {
  let out: Toleration[] = [...(spec.tolerations ?? [])];
  for (const t of defaultDaemonTolerations(spec.hostNetwork === true)) out = addOrUpdateToleration(out, t);
  if (gating) out = addOrUpdateToleration(out, daemonsNotReadyToleration());
  return out;
}
