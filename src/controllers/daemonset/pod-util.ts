/** Small facts about pods and owner references the DaemonSet controller decides on. */
import type { ApiObject, Pod } from "../../api/types.js";
import { controllerRevisionHashLabel, podTemplateGenerationLabel } from "./labels.js";

export { controllerRefOf } from "../../controller/predicates.js";

/** Whether the object has a deletionTimestamp. */
export function isDeleting(obj: ApiObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

/** Whether the pod reached a terminal phase (Succeeded or Failed). */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Whether the pod has been Ready for more than `minReadySeconds` at `nowMs` (epoch ms); with 0, Ready suffices. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  if (!ready) return false;
  if (!(minReadySeconds > 0)) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 < nowMs;
}

/** Milliseconds until the pod becomes available (0 when it already is; undefined when it is not Ready). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (isPodAvailable(pod, minReadySeconds, nowMs)) return 0;
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  const since = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) ? Math.max(1, since + minReadySeconds * 1000 - nowMs + 1) : undefined;
}

function creationMs(pod: Pod): number {
  const t = pod.metadata?.creationTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

/** Orders daemon pods on one node: bound pods first, then oldest creationTimestamp, then name. */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const boundA = Boolean(a.spec?.nodeName);
  const boundB = Boolean(b.spec?.nodeName);
  if (boundA !== boundB) return boundA ? -1 : 1;
  const ta = creationMs(a);
  const tb = creationMs(b);
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? "";
  const nb = b.metadata?.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Whether the pod is of the current template: its revision hash equals `hash` (non-empty), or its template generation equals `generation`. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const hashMatches = hash !== "" && labels[controllerRevisionHashLabel] === hash;
  const generationMatches = generation !== undefined && labels[podTemplateGenerationLabel] === String(generation);
  return hashMatches || generationMatches;
}
