/**
 * everynode.dev/v1alpha1 DaemonJob validation, with the rules and messages of batch/v1 Jobs where they apply:
 * a pod template with restartPolicy OnFailure or Never, a selector (generated or given) that selects it,
 * non-negative limits, parallelism as a count or a percentage; template and selector immutable; status counts.
 */
import { percentErrorMessage } from "../intstr.js";
import { type FieldError, fieldErrors } from "../status-error.js";
import { goIntOrString, goLabelSelector, goStringMap } from "./go-format.js";
import { isEmptySelector, selectorMatchesLabels, validateLabelSelector } from "./label-selector.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { validatePodTemplateSpec } from "./pod-spec.js";
import { type Obj, invalidRendered, isAbsent, isObj, readBool, readInt, readObj, typeInvalid } from "./shape.js";

const percentPattern = /^[0-9]+%$/;

function validateParallelism(v: unknown, path: string): FieldError[] {
  if (isAbsent(v)) return [];
  if (typeof v === "number" && Number.isSafeInteger(v)) return validateNonnegative(v, path);
  if (typeof v !== "string") return [typeInvalid(path, v, "integer or string")];
  if (!percentPattern.test(v)) return [invalidRendered(path, goIntOrString(v), percentErrorMessage)];
  return Number.parseInt(v, 10) > 100 ? [invalidRendered(path, goIntOrString(v), "must not be greater than 100%")] : [];
}

function validateTemplate(spec: Obj, errs: FieldError[]): void {
  errs.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  if (isAbsent(spec.template)) {
    errs.push(fieldErrors.required("spec.template"));
    return;
  }
  const template = isObj(spec.template) ? spec.template : undefined;
  const podSpec = template && isObj(template.spec) ? template.spec : undefined;
  if (!podSpec) return;
  const restartPolicy = typeof podSpec.restartPolicy === "string" ? podSpec.restartPolicy : "";
  if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
    errs.push(fieldErrors.notSupported("spec.template.spec.restartPolicy", restartPolicy, ["OnFailure", "Never"]));
  }
}

function validateSelector(spec: Obj, errs: FieldError[]): void {
  if (isAbsent(spec.selector)) {
    errs.push(fieldErrors.required("spec.selector"));
    return;
  }
  errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  if (!isObj(spec.selector)) return;
  if (isEmptySelector(spec.selector)) {
    errs.push(invalidRendered("spec.selector", goLabelSelector(spec.selector), "empty selector is invalid for daemonjob"));
    return;
  }
  const template = isObj(spec.template) ? spec.template : {};
  const meta = isObj(template.metadata) ? template.metadata : {};
  if (!isAbsent(meta.labels) && !isObj(meta.labels)) return;
  const labels: Record<string, string> = {};
  if (isObj(meta.labels)) for (const [k, v] of Object.entries(meta.labels)) if (typeof v === "string") labels[k] = v;
  if (selectorMatchesLabels(spec.selector, labels) === false) {
    errs.push(invalidRendered("spec.template.metadata.labels", goStringMap(meta.labels), "`selector` does not match template `labels`"));
  }
}

function validateSpec(specValue: unknown, errs: FieldError[]): void {
  const spec = readObj(specValue, "spec", errs);
  if (!spec) {
    if (isAbsent(specValue)) errs.push(fieldErrors.required("spec.template"));
    return;
  }
  validateSelector(spec, errs);
  validateTemplate(spec, errs);
  for (const field of ["backoffLimitPerNode", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    errs.push(...validateNonnegative(readInt(spec[field], `spec.${field}`, errs), `spec.${field}`));
  }
  errs.push(...validateParallelism(spec.parallelism, "spec.parallelism"));
  readBool(spec.runOnNewNodes, "spec.runOnNewNodes", errs);
}

/** Validates a DaemonJob being created (after the registry generated a missing selector). */
export function validateDaemonJob(dj: Obj): FieldError[] {
  const errs = validateObjectMeta(dj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateSpec(dj.spec, errs);
  return errs;
}

/** Validates an update: everything on create, metadata rules, and an unchanged selector and template. */
export function validateDaemonJobUpdate(dj: Obj, old: Obj): FieldError[] {
  const errs = validateDaemonJob(dj);
  errs.push(...validateObjectMetaUpdate(dj.metadata, old.metadata));
  const spec = readObj(dj.spec, "", []) ?? {};
  const oldSpec = readObj(old.spec, "", []) ?? {};
  errs.push(...validateImmutable(spec.selector, oldSpec.selector, "spec.selector", goLabelSelector(spec.selector)));
  errs.push(...validateImmutable(spec.template, oldSpec.template, "spec.template", "core.PodTemplateSpec{...}"));
  return errs;
}

const statusCounts = ["desired", "active", "succeeded", "failed", "observedGeneration"];

/** Validates a status update: metadata rules, non-negative counts, conditions with a type and a status. */
export function validateDaemonJobStatusUpdate(dj: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(dj.metadata, old.metadata);
  const status = readObj(dj.status, "status", errs) ?? {};
  for (const field of statusCounts) errs.push(...validateNonnegative(readInt(status[field], `status.${field}`, errs), `status.${field}`));
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  conditions.forEach((c: unknown, i) => {
    const path = `status.conditions[${i}]`;
    if (!isObj(c)) return;
    if (typeof c.type !== "string" || c.type === "") errs.push(fieldErrors.required(`${path}.type`));
    if (!["True", "False", "Unknown"].includes(String(c.status))) errs.push(fieldErrors.notSupported(`${path}.status`, c.status ?? "", ["False", "True", "Unknown"]));
  });
  return errs;
}
