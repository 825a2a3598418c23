/**
 * Pod validation: create, update (the spec is immutable except images, activeDeadlineSeconds and added
 * tolerations) and status updates.
 */
import { isIP } from "node:net";
import { type FieldError, fieldErrors } from "../status-error.js";
import { validateContainersOnlyForPod } from "./containers.js";
import { semanticEqual, withoutZeroValues } from "./equality.js";
import { inclusiveRangeError, isQualifiedName, nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { validatePodSpec } from "./pod-spec.js";
import { type Obj, isAbsent, readObj, readObjList, readString } from "./shape.js";
import { validateTolerations } from "./scheduling.js";

const maxInt32 = 2147483647;
const mirrorPodAnnotation = "kubernetes.io/config.mirror";

/** The fields of a pod spec a user may update. */
export const updatablePodSpecFields = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

function validatePodMetadataAndSpec(pod: Obj): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const meta = readObj(pod.metadata, "metadata", []) ?? {};
  const spec = readObj(pod.spec, "spec", []) ?? {};
  const annotations = readObj(meta.annotations, "", []) ?? {};
  if (typeof annotations[mirrorPodAnnotation] === "string" && !(typeof spec.nodeName === "string" && spec.nodeName !== "")) {
    errs.push(fieldErrors.invalid(`metadata.annotations[${mirrorPodAnnotation}]`, annotations[mirrorPodAnnotation], "must set spec.nodeName if mirror pod annotation is set"));
  }
  errs.push(...validatePodSpec(pod.spec, "spec", { isPod: true }));
  errs.push(...validateContainersOnlyForPod(spec.containers, "spec.containers"));
  errs.push(...validateContainersOnlyForPod(spec.initContainers, "spec.initContainers"));
  return errs;
}

/** Validates a pod being created. */
export function validatePodCreate(pod: Obj): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = readObj(pod.spec, "spec", []) ?? {};
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    errs.push(fieldErrors.forbidden("spec.ephemeralContainers", "cannot be set on create"));
  }
  if (typeof spec.nodeName === "string" && spec.nodeName !== "" && Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    errs.push(fieldErrors.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
  }
  return errs;
}

function containerList(spec: Obj, key: string): Obj[] {
  const list = spec[key];
  return Array.isArray(list) ? list.map((c: unknown) => readObj(c, "", []) ?? {}) : [];
}

function validateContainerUpdates(newSpec: Obj, oldSpec: Obj, key: string, errs: FieldError[]): boolean {
  const next = containerList(newSpec, key);
  const prev = containerList(oldSpec, key);
  if (next.length !== prev.length) {
    errs.push(fieldErrors.forbidden(`spec.${key}`, "pod updates may not add or remove containers"));
    return false;
  }
  next.forEach((c, i) => {
    const image = typeof c.image === "string" ? c.image : "";
    if (image === "") errs.push(fieldErrors.required(`spec.${key}[${i}].image`));
    if (image.trim() !== image) errs.push(fieldErrors.invalid(`spec.${key}[${i}].image`, image, "must not have leading or trailing whitespace"));
  });
  return true;
}

function validateOnlyAddedTolerations(next: unknown, prev: unknown, path: string): FieldError[] {
  const nextList = Array.isArray(next) ? next : [];
  const prevList = Array.isArray(prev) ? prev : [];
  for (const old of prevList) {
    const oldObj = readObj(old, "", []) ?? {};
    const found = nextList.some((t: unknown) => {
      const n = readObj(t, "", []) ?? {};
      return semanticEqual({ ...oldObj, tolerationSeconds: n.tolerationSeconds }, n);
    });
    if (!found) return [fieldErrors.forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(next, path);
}

function goFieldName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** A short diff of the top-level spec fields that changed, in the spirit of upstream's cmp.Diff output. */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines = ["  core.PodSpec{"];
  for (const key of keys) {
    if (semanticEqual(oldSpec[key], newSpec[key])) continue;
    const before = withoutZeroValues(oldSpec[key]);
    const after = withoutZeroValues(newSpec[key]);
    if (before !== undefined) lines.push(`- \t${goFieldName(key)}: ${JSON.stringify(before)},`);
    if (after !== undefined) lines.push(`+ \t${goFieldName(key)}: ${JSON.stringify(after)},`);
  }
  lines.push("  }");
  return lines.join("\n");
}

/** Validates an update of a pod: metadata rules, a valid spec, and only the updatable spec fields changed. */
export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  const newSpec = readObj(pod.spec, "spec", []) ?? {};
  const oldSpec = readObj(old.spec, "spec", []) ?? {};
  if (!validateContainerUpdates(newSpec, oldSpec, "containers", errs)) return errs;
  if (!validateContainerUpdates(newSpec, oldSpec, "initContainers", errs)) return errs;

  const newDeadline = newSpec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (typeof newDeadline === "number") {
    if (newDeadline < 0 || newDeadline > maxInt32) {
      errs.push(fieldErrors.invalid("spec.activeDeadlineSeconds", newDeadline, inclusiveRangeError(0, maxInt32)));
      return errs;
    }
    if (typeof oldDeadline === "number" && oldDeadline < newDeadline) {
      errs.push(fieldErrors.invalid("spec.activeDeadlineSeconds", newDeadline, "must be less than or equal to previous value"));
      return errs;
    }
  } else if (typeof oldDeadline === "number") {
    errs.push(fieldErrors.invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value"));
  }
  errs.push(...validateOnlyAddedTolerations(newSpec.tolerations, oldSpec.tolerations, "spec.tolerations"));
  const oldGates = new Set((readObjList(oldSpec.schedulingGates, "", []) ?? []).map((g) => (g ? g.name : undefined)));
  (readObjList(newSpec.schedulingGates, "", []) ?? []).forEach((g, i) => {
    if (g && typeof g.name === "string" && !oldGates.has(g.name)) {
      errs.push(fieldErrors.forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g.name}'`));
    }
  });
  if (semanticEqual(newSpec, oldSpec)) return errs;

  const munged: Obj = { ...newSpec };
  for (const key of ["containers", "initContainers"]) {
    const prev = containerList(oldSpec, key);
    if (Array.isArray(newSpec[key])) munged[key] = containerList(newSpec, key).map((c, i) => ({ ...c, image: prev[i]?.image }));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (typeof oldGrace === "number" && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!semanticEqual(munged, oldSpec)) {
    errs.push(fieldErrors.forbidden("spec", `pod updates may not change fields other than ${updatablePodSpecFields.join(",")}\n${specDiff(oldSpec, munged)}`));
  }
  return errs;
}

const systemConditions = new Set(["PodScheduled", "Ready", "Initialized"]);
const invalidIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

function validateStateTransitions(next: unknown, prev: unknown, restartPolicy: unknown, path: string, errs: FieldError[]): void {
  if (restartPolicy === "Always") return;
  const nextList = (readObjList(next, "", []) ?? []).map((s) => s ?? {});
  (readObjList(prev, "", []) ?? []).forEach((old, i) => {
    const terminated = readObj(readObj(old?.state, "", [])?.terminated, "", []);
    if (!old || !terminated) return;
    if (restartPolicy === "OnFailure" && typeof terminated.exitCode === "number" && terminated.exitCode !== 0) return;
    for (const status of nextList) {
      if (status.name === old.name && isAbsent(readObj(status.state, "", [])?.terminated)) {
        errs.push(fieldErrors.forbidden(`${path}[${i}].state`, "may not be transitioned to non-terminated state"));
      }
    }
  });
}

/** Validates a status update of a pod: metadata rules, conditions, nodeName unchanged, qosClass immutable, IPs. */
export function validatePodStatusUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const status = readObj(pod.status, "status", errs) ?? {};
  const oldStatus = readObj(old.status, "status", []) ?? {};
  (readObjList(status.conditions, "status.conditions", errs) ?? []).forEach((c, i) => {
    const type = (c && readString(c.type, `status.conditions[${i}].type`, errs)) ?? "";
    if (systemConditions.has(type)) return;
    for (const msg of isQualifiedName(type)) errs.push(fieldErrors.invalid(`metadata.conditions[${i}].Type`, type, msg));
  });
  const newSpec = readObj(pod.spec, "spec", []) ?? {};
  const oldSpec = readObj(old.spec, "spec", []) ?? {};
  if ((newSpec.nodeName ?? "") !== (oldSpec.nodeName ?? "")) errs.push(fieldErrors.forbidden("status.nodeName", "may not be changed directly"));
  const nominated = readString(status.nominatedNodeName, "status.nominatedNodeName", errs) ?? "";
  if (nominated !== "" && nominated !== oldStatus.nominatedNodeName) {
    for (const msg of nameIsDNSSubdomain(nominated, false)) errs.push(fieldErrors.invalid("status.nominatedNodeName", nominated, msg));
  }
  // An empty qosClass is backfilled from the stored pod (as upstream does for old kubelets), so only a change is an error.
  if (!isAbsent(status.qosClass) && status.qosClass !== "") {
    errs.push(...validateImmutable(status.qosClass, oldStatus.qosClass ?? "", "status.qosClass"));
  }
  validateStateTransitions(status.containerStatuses, oldStatus.containerStatuses, oldSpec.restartPolicy, "status.containerStatuses", errs);
  validateStateTransitions(status.initContainerStatuses, oldStatus.initContainerStatuses, oldSpec.restartPolicy, "status.initContainerStatuses", errs);
  for (const field of ["podIPs", "hostIPs"]) {
    (readObjList(status[field], `status.${field}`, errs) ?? []).forEach((entry, i) => {
      const ip = (entry && readString(entry.ip, `status.${field}[${i}].ip`, errs)) ?? "";
      if (isIP(ip) === 0) errs.push(fieldErrors.invalid(`status.${field}[${i}]`, ip, invalidIPMessage));
    });
  }
  const hostIPs = readObjList(status.hostIPs, "", []) ?? [];
  if (hostIPs.length > 0 && (hostIPs[0]?.ip ?? "") !== (status.hostIP ?? "")) {
    errs.push(fieldErrors.invalid("status.hostIPs[0].ip", hostIPs[0]?.ip ?? "", "must be equal to `hostIP`"));
  }
  return errs;
}
