/**
 * apps/v1 DaemonSet validation: selector (required to select the template, non-empty, immutable), the pod
 * template (restartPolicy Always, no activeDeadlineSeconds), minReadySeconds, revisionHistoryLimit and the
 * update strategy with its maxUnavailable/maxSurge rules; plus status updates.
 */
import { percentErrorMessage } from "../intstr.js";
import { nodeReadinessGateAnnotation } from "../readiness-gate.js";
import { annotationPath, parseRolloutControls, progressDeadlineAnnotation } from "../rollout-controls.js";
import { type FieldError, fieldErrors } from "../status-error.js";
import { goDaemonSetUpdateStrategy, goIntOrString, goLabelSelector, goStringMap } from "./go-format.js";
import { isEmptySelector, selectorMatchesLabels, validateLabelSelector } from "./label-selector.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { validatePodTemplateSpec } from "./pod-spec.js";
import {
  type Obj, invalidRendered, isAbsent, isObj, notSupportedRendered, readInt, readObj, readString, readStringMap, typeInvalid,
} from "./shape.js";

const percentPattern = /^[0-9]+%$/;

/** The numeric value of an int-or-percent as upstream reads it: `"20%"` → 20, `"5"` → 5, anything else → 0. */
function intOrPercentValue(v: unknown): number {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v !== "string") return 0;
  const digits = percentPattern.test(v) ? v.slice(0, -1) : v;
  return /^[+-]?[0-9]+$/.test(digits) ? Number.parseInt(digits, 10) : 0;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (isAbsent(v)) return [];
  if (typeof v === "string") return percentPattern.test(v) ? [] : [invalidRendered(path, goIntOrString(v), percentErrorMessage)];
  if (typeof v === "number" && Number.isSafeInteger(v)) return validateNonnegative(v, path);
  return [typeInvalid(path, v, "integer or string")];
}

function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== "string" || !percentPattern.test(v) || Number.parseInt(v, 10) <= 100) return [];
  return [invalidRendered(path, goIntOrString(v), "must not be greater than 100%")];
}

function validateRollingUpdate(ru: Obj, path: string): FieldError[] {
  const unavailablePath = `${path}.maxUnavailable`;
  const surgePath = `${path}.maxSurge`;
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, unavailablePath),
    ...validatePositiveIntOrPercent(ru.maxSurge, surgePath),
    ...isNotMoreThan100Percent(ru.maxUnavailable, unavailablePath),
    ...isNotMoreThan100Percent(ru.maxSurge, surgePath),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalidRendered(surgePath, goIntOrString(ru.maxSurge), "may not be set when maxUnavailable is non-zero"));
  if (!hasUnavailable && !hasSurge) errs.push(fieldErrors.required(unavailablePath, "cannot be 0 when maxSurge is 0"));
  return errs;
}

function validateUpdateStrategy(value: unknown, path: string, errs: FieldError[]): void {
  const strategy = readObj(value, path, errs);
  if (!strategy) {
    if (isAbsent(value)) errs.push(notSupportedRendered(path, goDaemonSetUpdateStrategy({}), ["RollingUpdate", "OnDelete"]));
    return;
  }
  const type = readString(strategy.type, `${path}.type`, errs) ?? "";
  if (type === "OnDelete") return;
  if (type === "RollingUpdate") {
    const ru = readObj(strategy.rollingUpdate, `${path}.rollingUpdate`, errs);
    if (!ru) {
      if (isAbsent(strategy.rollingUpdate)) errs.push(fieldErrors.required(`${path}.rollingUpdate`));
      return;
    }
    errs.push(...validateRollingUpdate(ru, `${path}.rollingUpdate`));
    return;
  }
  errs.push(notSupportedRendered(path, goDaemonSetUpdateStrategy(strategy), ["RollingUpdate", "OnDelete"]));
}

/** A value that is set but is not an object: its type error is reported elsewhere, so checks inside it are skipped. */
function malformed(v: unknown): boolean {
  return !isAbsent(v) && !isObj(v);
}

function validateDaemonSetSpec(specValue: unknown, errs: FieldError[]): void {
  const spec = readObj(specValue, "spec", errs);
  if (!spec && !isAbsent(specValue)) return;
  if (!spec) {
    validateDaemonSetSpec({}, errs);
    return;
  }
  errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const template = isObj(spec.template) ? spec.template : {};
  const meta = isObj(template.metadata) ? template.metadata : {};
  const podSpec = isObj(template.spec) ? template.spec : {};
  const labels = meta.labels;
  const labelMap: Record<string, string> = {};
  if (isObj(labels)) for (const [k, v] of Object.entries(labels)) if (typeof v === "string") labelMap[k] = v;
  const templateMalformed = malformed(spec.template) || malformed(template.metadata) || malformed(labels);
  if (!templateMalformed && selectorMatchesLabels(spec.selector, labelMap) === false) {
    errs.push(invalidRendered("spec.template.metadata.labels", goStringMap(labels), "`selector` does not match template `labels`"));
  }
  if (isObj(spec.selector) && isEmptySelector(spec.selector)) {
    errs.push(invalidRendered("spec.selector", goLabelSelector(spec.selector), "empty selector is invalid for daemonset"));
  }
  errs.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  if (!malformed(spec.template) && !malformed(template.spec)) {
    const restartPolicy = typeof podSpec.restartPolicy === "string" ? podSpec.restartPolicy : "";
    if (restartPolicy !== "Always") errs.push(fieldErrors.notSupported("spec.template.spec.restartPolicy", restartPolicy, ["Always"]));
    if (!isAbsent(podSpec.activeDeadlineSeconds)) {
      errs.push(fieldErrors.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported"));
    }
  }
  errs.push(...validateNonnegative(readInt(spec.minReadySeconds, "spec.minReadySeconds", errs), "spec.minReadySeconds"));
  validateUpdateStrategy(spec.updateStrategy, "spec.updateStrategy", errs);
  errs.push(...validateNonnegative(readInt(spec.revisionHistoryLimit, "spec.revisionHistoryLimit", errs), "spec.revisionHistoryLimit"));
}

/**
 * The rollout control annotations (see ../rollout-controls.ts; a deadline must exceed minReadySeconds, as a
 * Deployment's) and the node readiness gate annotation ("true" or "false").
 */
function validateRolloutControls(ds: Obj): FieldError[] {
  const meta = isObj(ds.metadata) ? ds.metadata : {};
  const annotations = readStringMap(meta.annotations, "", []);
  const { controls, errors } = parseRolloutControls(annotations);
  const spec = isObj(ds.spec) ? ds.spec : {};
  const minReady = typeof spec.minReadySeconds === "number" ? spec.minReadySeconds : 0;
  const deadline = controls.progressDeadlineSeconds;
  if (deadline !== undefined && deadline <= minReady) {
    errors.push(fieldErrors.invalid(annotationPath(progressDeadlineAnnotation), String(deadline), "must be greater than minReadySeconds"));
  }
  const gate = annotations !== undefined && Object.hasOwn(annotations, nodeReadinessGateAnnotation) ? annotations[nodeReadinessGateAnnotation] : undefined;
  if (gate !== undefined && gate !== "true" && gate !== "false") {
    errors.push(fieldErrors.invalid(annotationPath(nodeReadinessGateAnnotation), gate, `must be "true" or "false"`));
  }
  return errors;
}

/** Validates a daemon set being created, including its rollout control annotations. */
export function validateDaemonSet(ds: Obj): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateDaemonSetSpec(ds.spec, errs);
  errs.push(...validateRolloutControls(ds));
  return errs;
}

/** Validates an update of a daemon set: everything on create, metadata rules, and an unchanged selector. */
export function validateDaemonSetUpdate(ds: Obj, old: Obj): FieldError[] {
  const errs = validateDaemonSet(ds);
  errs.push(...validateObjectMetaUpdate(ds.metadata, old.metadata));
  const selector = readObj(ds.spec, "", [])?.selector;
  const oldSelector = readObj(old.spec, "", [])?.selector;
  errs.push(...validateImmutable(selector, oldSelector, "spec.selector", goLabelSelector(selector)));
  return errs;
}

const statusCounts = [
  "currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady", "observedGeneration",
  "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount",
];

/** Validates a status update: metadata rules, non-negative counts, collisionCount never decremented. */
export function validateDaemonSetStatusUpdate(ds: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  const status = readObj(ds.status, "status", errs) ?? {};
  for (const field of statusCounts) errs.push(...validateNonnegative(readInt(status[field], `status.${field}`, errs), `status.${field}`));
  const oldStatus = readObj(old.status, "", []) ?? {};
  const count = typeof status.collisionCount === "number" ? status.collisionCount : undefined;
  const oldCount = typeof oldStatus.collisionCount === "number" ? oldStatus.collisionCount : undefined;
  if (oldCount !== undefined && (count === undefined || count < oldCount)) {
    errs.push(fieldErrors.invalid("status.collisionCount", count ?? 0, "cannot be decremented"));
  }
  return errs;
}
