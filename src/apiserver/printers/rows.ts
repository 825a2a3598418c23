/** Row cells for DaemonSet, Node, Namespace, Event, ControllerRevision and Lease, as upstream prints them. */
import { labelSelectorFromObject } from "../../api/label-selector.js";
import type { LabelSelector } from "../../api/types.js";
import { num, obj, objs, str, stringMap } from "./fields.js";
import { parseTimestamp, translateTimestampSince } from "./duration.js";

/** labels.FormatLabels: `k=v` pairs sorted by key, comma-joined; `<none>` when empty. */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${labels[k] ?? ""}`).join(",");
}

/** metav1.FormatLabelSelector: canonical selector string; `<none>` when it selects everything or nothing, `<error>` when invalid. */
export function formatLabelSelector(selector: unknown): string {
  if (selector !== undefined && selector !== null && (typeof selector !== "object" || Array.isArray(selector))) return "<error>";
  try {
    return labelSelectorFromObject(selector as LabelSelector | undefined | null).toString() || "<none>";
  } catch {
    return "<error>";
  }
}

function containerCells(podSpec: Record<string, unknown>): [string, string] {
  const containers = objs(podSpec.containers);
  return [containers.map((c) => str(c.name)).join(","), containers.map((c) => str(c.image)).join(",")];
}

/** NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE-SELECTOR AGE CONTAINERS IMAGES SELECTOR. */
export function daemonSetCells(ds: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(ds.metadata);
  const spec = obj(ds.spec);
  const status = obj(ds.status);
  const podSpec = obj(obj(spec.template).spec);
  const [names, images] = containerCells(podSpec);
  return [str(metadata.name), num(status.desiredNumberScheduled), num(status.currentNumberScheduled), num(status.numberReady),
    num(status.updatedNumberScheduled), num(status.numberAvailable), formatLabels(stringMap(podSpec.nodeSelector)),
    translateTimestampSince(metadata.creationTimestamp, now), names, images, formatLabelSelector(spec.selector)];
}

/** Roles from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
export function nodeRoles(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const role = k.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (k === "kubernetes.io/role" && v !== "") roles.add(v);
  }
  return [...roles].sort();
}

function nodeAddress(status: Record<string, unknown>, type: string): string {
  return str(objs(status.addresses).find((a) => a.type === type)?.address) || "<none>";
}

/** NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME. */
export function nodeCells(node: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(node.metadata);
  const spec = obj(node.spec);
  const status = obj(node.status);
  const info = obj(status.nodeInfo);
  const ready = objs(status.conditions).filter((c) => c.type === "Ready").pop();
  const states: string[] = [];
  if (ready) states.push(ready.status === "True" ? "Ready" : "NotReady");
  else states.push("Unknown");
  if (spec.unschedulable === true) states.push("SchedulingDisabled");
  const roles = nodeRoles(stringMap(metadata.labels)).join(",") || "<none>";
  return [str(metadata.name), states.join(","), roles, translateTimestampSince(metadata.creationTimestamp, now), str(info.kubeletVersion),
    nodeAddress(status, "InternalIP"), nodeAddress(status, "ExternalIP"), str(info.osImage) || "<unknown>",
    str(info.kernelVersion) || "<unknown>", str(info.containerRuntimeVersion) || "<unknown>"];
}

/** NAME STATUS AGE. */
export function namespaceCells(ns: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(ns.metadata);
  return [str(metadata.name), str(obj(ns.status).phase), translateTimestampSince(metadata.creationTimestamp, now)];
}

/** LAST-SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST-SEEN COUNT NAME. */
export function eventCells(ev: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(ev.metadata);
  const involved = obj(ev.involvedObject);
  const source = obj(ev.source);
  let firstSeen = translateTimestampSince(ev.firstTimestamp, now);
  if (parseTimestamp(ev.firstTimestamp) === undefined) firstSeen = translateTimestampSince(ev.eventTime, now);
  let lastSeen = translateTimestampSince(ev.lastTimestamp, now);
  if (parseTimestamp(ev.lastTimestamp) === undefined) lastSeen = firstSeen;
  let count = num(ev.count);
  if (ev.series !== undefined && ev.series !== null) {
    const series = obj(ev.series);
    lastSeen = translateTimestampSince(series.lastObservedTime, now);
    count = num(series.count);
  } else if (count === 0) {
    count = 1;
  }
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
  const component = str(source.component) || str(ev.reportingComponent);
  const instance = str(source.host) || str(ev.reportingInstance);
  const sourceCell = instance ? `${component}, ${instance}` : component;
  return [lastSeen, str(ev.type), str(ev.reason), target, str(involved.fieldPath), sourceCell, str(ev.message).trim(), firstSeen, count, str(metadata.name)];
}

/** `daemonset.apps/name` for the controller owner reference, `<none>` without one. */
export function controllerName(metadata: Record<string, unknown>): string {
  const ref = objs(metadata.ownerReferences).find((r) => r.controller === true);
  if (!ref) return "<none>";
  const apiVersion = str(ref.apiVersion);
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const kind = str(ref.kind);
  const groupKind = group ? `${kind}.${group}` : kind;
  return groupKind === "" ? str(ref.name) : `${groupKind.toLowerCase()}/${str(ref.name)}`;
}

/** NAME CONTROLLER REVISION AGE. */
export function controllerRevisionCells(cr: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(cr.metadata);
  return [str(metadata.name), controllerName(metadata), num(cr.revision), translateTimestampSince(metadata.creationTimestamp, now)];
}

/** NAME HOLDER AGE. */
export function leaseCells(lease: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(lease.metadata);
  return [str(metadata.name), str(obj(lease.spec).holderIdentity), translateTimestampSince(metadata.creationTimestamp, now)];
}
