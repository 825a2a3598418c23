/**
 * Defaulting of the small kinds: Namespace (finalizer, phase, name label), Node (allocatable from capacity,
 * canonical quantities), Event (reporting fields), ControllerRevision (revision).
 */
import { type Obj, isAbsent, isObj } from "../validation/shape.js";
import { defaultResourceList } from "./resource-list.js";

/** The label carrying a namespace's own name. */
export const namespaceNameLabel = "kubernetes.io/metadata.name";

/** Namespace defaults: label `kubernetes.io/metadata.name=<name>`, spec.finalizers ["kubernetes"] when unset, phase Active. */
export function defaultNamespace(ns: Obj): void {
  const meta = ns.metadata;
  if (isObj(meta) && typeof meta.name === "string" && meta.name !== "") {
    if (isAbsent(meta.labels)) meta.labels = {};
    if (isObj(meta.labels)) meta.labels[namespaceNameLabel] = meta.name;
  }
  if (isAbsent(ns.spec)) ns.spec = {};
  if (isObj(ns.spec) && isAbsent(ns.spec.finalizers)) ns.spec.finalizers = ["kubernetes"];
  if (isAbsent(ns.status)) ns.status = {};
  if (isObj(ns.status) && (isAbsent(ns.status.phase) || ns.status.phase === "")) ns.status.phase = "Active";
}

/** Node defaults: status.allocatable copied from capacity when unset; quantities in canonical form. */
export function defaultNode(node: Obj): void {
  alignPodCIDRs(node.spec);
  const status = node.status;
  if (!isObj(status)) return;
  defaultResourceList(status.capacity);
  if (isAbsent(status.allocatable) && isObj(status.capacity)) status.allocatable = { ...status.capacity };
  defaultResourceList(status.allocatable);
}

/** Event defaults: reportingComponent and reportingInstance present (empty) as the API serializes them. */
export function defaultEvent(event: Obj): void {
  if (isAbsent(event.reportingComponent)) event.reportingComponent = "";
  if (isAbsent(event.reportingInstance)) event.reportingInstance = "";
}

/** ControllerRevision defaults: revision 0 when unset. */
export function defaultControllerRevision(rev: Obj): void {
  if (isAbsent(rev.revision)) rev.revision = 0;
}

/**
 * spec.podCIDR and spec.podCIDRs[0] name the same range, as upstream's v1 conversion keeps them: podCIDR fills an
 * empty podCIDRs and wins when the two differ (for older clients), and podCIDR is podCIDRs[0] otherwise.
 */
function alignPodCIDRs(spec: unknown): void {
  if (!isObj(spec)) return;
  const single = typeof spec.podCIDR === "string" ? spec.podCIDR : "";
  const list = Array.isArray(spec.podCIDRs) ? (spec.podCIDRs as unknown[]) : [];
  if (single !== "" && list[0] !== single) spec.podCIDRs = [single];
  else if (typeof list[0] === "string" && single === "") spec.podCIDR = list[0];
}
