/** scheduling.k8s.io/v1 PriorityClass validation and the built-in system classes. */
import { type FieldError, fieldErrors } from "../status-error.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, isObj, readBool, readInt, readString } from "./shape.js";

/** The highest priority value a user-defined PriorityClass may have. */
export const highestUserDefinablePriority = 1_000_000_000;
/** Names starting with this are reserved for the built-in classes. */
export const systemPriorityClassPrefix = "system-";
/** The preemption policies a PriorityClass or pod may name. */
export const preemptionPolicies = ["PreemptLowerPriority", "Never"];

/** The built-in PriorityClasses every cluster has, as upstream bootstraps them. */
export const systemPriorityClasses: ReadonlyArray<{ name: string; value: number; description: string }> = [
  { name: "system-node-critical", value: 2_000_001_000, description: "Used for system critical pods that must not be moved from their current node." },
  { name: "system-cluster-critical", value: 2_000_000_000, description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary." },
];

/** IsKnownSystemPriorityClass: undefined when (name, value, globalDefault) is a built-in class, else why not. */
function systemClassError(name: string, value: number | undefined, globalDefault: boolean): string | undefined {
  const known = systemPriorityClasses.find((c) => c.name === name);
  if (!known) return `name ${name} is not a known system priority class`;
  if (value !== known.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function body(pc: Obj, errs: FieldError[]): void {
  const meta = isObj(pc.metadata) ? pc.metadata : {};
  const name = typeof meta.name === "string" ? meta.name : "";
  const value = readInt(pc.value, "value", errs);
  const globalDefault = readBool(pc.globalDefault, "globalDefault", errs) ?? false;
  readString(pc.description, "description", errs);
  if (name.startsWith(systemPriorityClassPrefix)) {
    const why = systemClassError(name, value, globalDefault);
    if (why) errs.push(fieldErrors.forbidden("metadata.name", `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${why}`));
  } else if (value !== undefined && value > highestUserDefinablePriority) {
    errs.push(fieldErrors.forbidden("value", `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  const policy = readString(pc.preemptionPolicy, "preemptionPolicy", errs);
  if (policy === undefined || policy === "") errs.push(fieldErrors.required("preemptionPolicy"));
  else if (!preemptionPolicies.includes(policy)) errs.push(fieldErrors.notSupported("preemptionPolicy", policy, preemptionPolicies));
}

/** Validates a PriorityClass being created. */
export function validatePriorityClass(pc: Obj): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  body(pc, errs);
  return errs;
}

/** Validates an update of a PriorityClass: value and preemptionPolicy never change. */
export function validatePriorityClassUpdate(pc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (pc.value !== old.value) errs.push(fieldErrors.forbidden("value", "may not be changed in an update."));
  errs.push(...validateImmutable(pc.preemptionPolicy, old.preemptionPolicy, "preemptionPolicy"));
  body(pc, errs);
  return errs;
}
