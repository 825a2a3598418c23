/** Pod status helpers of the pod garbage collector: terminal phases, eviction, the DisruptionTarget condition. */
import type { Node, Pod, PodCondition } from "../../api/types.js";

/** Taint a node gets when it is known to be shut down; terminating pods on it are force-deleted. */
export const outOfServiceTaintKey = "node.kubernetes.io/out-of-service";

/** True for pods in a terminal phase (Succeeded or Failed). */
export function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** True for pods the kubelet evicted (Failed with reason Evicted); they are collected first. */
export function isEvicted(pod: Pod): boolean {
  return pod.status?.phase === "Failed" && pod.status.reason === "Evicted";
}

/** True for a node whose Ready condition is True. */
export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** True for a not-ready node carrying the out-of-service taint (any effect). */
export function isOutOfService(node: Node): boolean {
  return !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === outOfServiceTaintKey);
}

/** The DisruptionTarget condition the collector sets on pods of nodes that no longer exist. */
export function nodeGoneCondition(nowIso: string): PodCondition {
  return { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists", lastTransitionTime: nowIso };
}

/** Order in which excess terminated pods are collected: evicted first, then oldest, then by name. */
export function collectionOrder(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? "") || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? "") || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? "";
  const nb = b.metadata?.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}
