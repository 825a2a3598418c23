/**
 * Resource names and quantities: container requests/limits (valid quantities, non-negative, requests ≤ limits)
 * and resource lists such as node capacity.
 */
import { type Quantity, compareQuantity, formatQuantity, parseQuantity, quantityFormatError, quantityMilliValue } from "../quantity.js";
import { type FieldError, fieldErrors } from "../status-error.js";
import { isQualifiedName } from "./names.js";
import { invalidRendered, readObj, sortedKeys } from "./shape.js";

const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);
const standardResources = new Set([
  "cpu", "memory", "ephemeral-storage", "storage", "pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
  "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers", "requests.cpu", "requests.memory",
  "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);
const integerResources = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
  "services.nodeports", "services.loadbalancers",
]);

function isHugePages(name: string): boolean { return name.startsWith("hugepages-"); }
function isNative(name: string): boolean { return !name.includes("/") || name.includes("kubernetes.io/"); }
function isExtended(name: string): boolean {
  return !isNative(name) && !name.startsWith("requests.") && isQualifiedName(`requests.${name}`).length === 0;
}
function isStandard(name: string): boolean {
  return standardResources.has(name) || isHugePages(name) || name.startsWith("requests.hugepages-") || name.startsWith("limits.hugepages-");
}
/** Whether requests may be lower than limits for this resource (native, non-hugepages resources). */
export function isOvercommitAllowed(name: string): boolean { return isNative(name) && !isHugePages(name); }

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((msg) => fieldErrors.invalid(path, name, msg));
  if (errs.length > 0) return errs;
  if (!name.includes("/") && !isStandard(name)) errs.push(fieldErrors.invalid(path, name, "must be a standard resource type or fully qualified"));
  return errs;
}

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes("/")) {
    if (!standardContainerResources.has(name) && !isHugePages(name)) errs.push(fieldErrors.invalid(path, name, "must be a standard resource for containers"));
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(fieldErrors.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Parses one quantity of a resource list; reports an invalid-value error when it is not a quantity. */
export function readQuantity(value: unknown, path: string, errs: FieldError[]): Quantity | undefined {
  if (typeof value !== "string" && typeof value !== "number") {
    errs.push(fieldErrors.invalid(path, value ?? "null", quantityFormatError));
    return undefined;
  }
  try {
    return parseQuantity(String(value));
  } catch (e) {
    errs.push(fieldErrors.invalid(path, value, e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}

/** Non-negative quantity; integral for integer resources (pods, extended resources). */
export function validateResourceQuantityValue(name: string, q: Quantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.nanos < 0n) errs.push(fieldErrors.invalid(path, formatQuantity(q), "must be greater than or equal to 0"));
  if ((integerResources.has(name) || isExtended(name)) && quantityMilliValue(q) % 1000n !== 0n) {
    errs.push(invalidRendered(path, formatQuantity(q), "must be an integer"));
  }
  return errs;
}

/** Reads a resource list (name → quantity), validating each quantity; invalid entries are left out. */
export function readResourceList(list: unknown, path: string, errs: FieldError[], checkName?: (name: string, path: string) => FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  const o = readObj(list, path, errs);
  if (!o) return out;
  for (const name of sortedKeys(o)) {
    const p = `${path}[${name}]`;
    if (checkName) errs.push(...checkName(name, p));
    const q = readQuantity(o[name], p, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, p));
    out.set(name, q);
  }
  return out;
}

/** Validates a container's `resources`: names, quantities, requests ≤ limits, and equal for non-overcommitable ones. */
export function validateResourceRequirements(resources: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = readObj(resources, path, errs);
  if (!r) return errs;
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  const limits = readResourceList(r.limits, limPath, errs, validateContainerResourceName);
  const requests = new Map<string, Quantity>();
  const requestList = readObj(r.requests, reqPath, errs) ?? {};
  for (const name of sortedKeys(requestList)) {
    const p = `${reqPath}[${name}]`;
    errs.push(...validateContainerResourceName(name, p));
    const q = readQuantity(requestList[name], p, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, p));
    requests.set(name, q);
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantity(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(fieldErrors.invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(fieldErrors.invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(fieldErrors.required(limPath, "Limit must be set for non overcommitable resources"));
    }
  }
  const qos = (name: string) => name === "cpu" || name === "memory";
  const names = [...limits.keys(), ...requests.keys()];
  if (names.some(isHugePages) && !names.some(qos)) errs.push(fieldErrors.forbidden(path, "HugePages require cpu or memory"));
  return errs;
}
