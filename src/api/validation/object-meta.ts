/**
 * Object metadata validation: name/generateName, namespace, labels, annotations (≤ 256 KiB in total),
 * ownerReferences and finalizers, plus the immutability rules of updates.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { semanticEqual } from "./equality.js";
import { goStringSlice } from "./go-format.js";
import { byteLength, isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameValidator } from "./names.js";
import {
  invalidRendered, isAbsent, readArray, readBool, readInt, readObj, readRequiredString, readString, readStringList, readStringMap,
} from "./shape.js";

/** Total size limit of all annotation keys and values, in bytes. */
export const totalAnnotationSizeLimit = 256 * 1024;

const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

/** `must be greater than or equal to 0` when value is negative. */
export function validateNonnegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [fieldErrors.invalid(path, value, "must be greater than or equal to 0")] : [];
}

/** `field is immutable` when the values differ semantically; `rendered` overrides how the new value prints. */
export function validateImmutable(newVal: unknown, oldVal: unknown, path: string, rendered?: string): FieldError[] {
  if (semanticEqual(newVal, oldVal)) return [];
  return [rendered === undefined ? fieldErrors.invalid(path, newVal ?? "null", "field is immutable") : invalidRendered(path, rendered, "field is immutable")];
}

/** Label keys must be qualified names, values valid label values; errors are reported on the map's path. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = readStringMap(labels, path, errs);
  if (!m) return errs;
  for (const key of Object.keys(m).sort()) {
    for (const msg of isQualifiedName(key)) errs.push(fieldErrors.invalid(path, key, msg));
    for (const msg of isValidLabelValue(m[key] ?? "")) errs.push(fieldErrors.invalid(path, m[key], msg));
  }
  return errs;
}

/** Annotation keys must be qualified names (case-insensitive); keys plus values at most 256 KiB. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = readStringMap(annotations, path, errs);
  if (!m) return errs;
  let total = 0;
  for (const key of Object.keys(m).sort()) {
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(fieldErrors.invalid(path, key, msg));
    total += byteLength(key) + byteLength(m[key] ?? "");
  }
  if (total > totalAnnotationSizeLimit) errs.push(fieldErrors.tooLong(path, totalAnnotationSizeLimit));
  return errs;
}

function apiVersionHasVersion(apiVersion: string): boolean {
  if (apiVersion === "") return false;
  const parts = apiVersion.split("/");
  if (parts.length === 1) return true;
  return parts.length === 2 && (parts[1] ?? "") !== "";
}

/** Each owner reference needs apiVersion (with a version), kind, name and uid; at most one controller. */
export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = readArray(refs, path, errs);
  if (!list) return errs;
  let firstController = "";
  list.forEach((item, i) => {
    const ref = readObj(item, `${path}[${i}]`, errs) ?? {};
    const apiVersion = readString(ref.apiVersion, `${path}.apiVersion`, errs) ?? "";
    const kind = readString(ref.kind, `${path}.kind`, errs) ?? "";
    const name = readString(ref.name, `${path}.name`, errs) ?? "";
    const uid = readString(ref.uid, `${path}.uid`, errs) ?? "";
    const controller = readBool(ref.controller, `${path}.controller`, errs);
    readBool(ref.blockOwnerDeletion, `${path}.blockOwnerDeletion`, errs);
    if (!apiVersionHasVersion(apiVersion)) errs.push(fieldErrors.invalid(`${path}.apiVersion`, apiVersion, "version must not be empty"));
    if (kind === "") errs.push(fieldErrors.invalid(`${path}.kind`, kind, "must not be empty"));
    if (name === "") errs.push(fieldErrors.invalid(`${path}.name`, name, "must not be empty"));
    if (uid === "") errs.push(fieldErrors.invalid(`${path}.uid`, uid, "must not be empty"));
    if (apiVersion === "v1" && kind === "Event") errs.push(fieldErrors.invalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"));
    if (controller === true) {
      const current = `${kind}/${name}`;
      if (firstController === "") firstController = current;
      else errs.push(fieldErrors.invalid(path, list, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
    }
  });
  return errs;
}

/** Finalizers must be qualified names; unqualified ones must be standard (`kubernetes`, `orphan`, `foregroundDeletion`). */
export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = readStringList(finalizers, path, errs);
  if (!list) return errs;
  for (const f of list) for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(path, f, msg));
  if (list.includes("orphan") && list.includes("foregroundDeletion")) {
    errs.push(invalidRendered(path, goStringSlice(list), "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  list.forEach((f, i) => {
    if (!f.includes("/") && !standardFinalizers.has(f)) {
      errs.push(fieldErrors.invalid(`${path}[${i}]`, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  });
  return errs;
}

/** What an object's metadata must satisfy on create. */
export interface ObjectMetaRules {
  /** Whether the resource is namespaced (namespace required) or cluster-scoped (namespace forbidden). */
  namespaced: boolean;
  /** Validates name and generateName. */
  nameFn: NameValidator;
}

/** Validates metadata on create (name already generated from generateName). */
export function validateObjectMeta(meta: unknown, rules: ObjectMetaRules, path = "metadata"): FieldError[] {
  const errs: FieldError[] = [];
  const m = readObj(meta, path, errs) ?? {};
  const generateName = readString(m.generateName, `${path}.generateName`, errs) ?? "";
  const name = readString(m.name, `${path}.name`, errs);
  const namespaceRaw = m.namespace;
  if (generateName !== "") {
    for (const msg of rules.nameFn(generateName, true)) errs.push(fieldErrors.invalid(`${path}.generateName`, generateName, msg));
  }
  if (name === undefined || name === "") {
    if (isAbsent(m.name) || name === "") errs.push(fieldErrors.required(`${path}.name`, "name or generateName is required"));
  } else {
    for (const msg of rules.nameFn(name, false)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
  }
  if (rules.namespaced) {
    const namespace = readRequiredString(namespaceRaw, `${path}.namespace`, errs);
    if (namespace !== undefined) for (const msg of nameIsDNSLabel(namespace, false)) errs.push(fieldErrors.invalid(`${path}.namespace`, namespace, msg));
  } else if (!isAbsent(namespaceRaw) && namespaceRaw !== "") {
    errs.push(fieldErrors.forbidden(`${path}.namespace`, "not allowed on this type"));
  }
  errs.push(...validateNonnegative(readInt(m.generation, `${path}.generation`, errs), `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

/**
 * Validates metadata on update: resourceVersion present, name/namespace/uid unchanged, no deletion timestamp
 * set by the client, no new finalizers once deleting; labels, annotations, owners and finalizers re-checked.
 */
export function validateObjectMetaUpdate(newMeta: unknown, oldMeta: unknown, path = "metadata"): FieldError[] {
  const errs: FieldError[] = [];
  const n = readObj(newMeta, path, errs) ?? {};
  const o = readObj(oldMeta, path, []) ?? {};
  if (!isAbsent(o.deletionTimestamp)) {
    const newFinalizers = readStringList(n.finalizers, `${path}.finalizers`, []) ?? [];
    const oldFinalizers = new Set(readStringList(o.finalizers, `${path}.finalizers`, []) ?? []);
    const extra = [...new Set(newFinalizers.filter((f) => !oldFinalizers.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(fieldErrors.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`));
    }
  }
  const rv = readString(n.resourceVersion, `${path}.resourceVersion`, errs) ?? "";
  if (rv === "") errs.push(fieldErrors.invalid(`${path}.resourceVersion`, rv, "must be specified for an update"));
  errs.push(...validateImmutable(n.name ?? "", o.name ?? "", `${path}.name`));
  errs.push(...validateImmutable(n.namespace ?? "", o.namespace ?? "", `${path}.namespace`));
  if (!isAbsent(n.uid) && n.uid !== "") errs.push(...validateImmutable(n.uid, o.uid ?? "", `${path}.uid`));
  if (isAbsent(o.deletionTimestamp) && !isAbsent(n.deletionTimestamp)) {
    errs.push(fieldErrors.invalid(`${path}.deletionTimestamp`, n.deletionTimestamp, "field is immutable"));
  }
  if (isAbsent(o.deletionGracePeriodSeconds) && !isAbsent(n.deletionGracePeriodSeconds)) {
    errs.push(fieldErrors.invalid(`${path}.deletionGracePeriodSeconds`, n.deletionGracePeriodSeconds, "field is immutable"));
  }
  errs.push(...validateLabels(n.labels, `${path}.labels`));
  errs.push(...validateAnnotations(n.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(n.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(n.finalizers, `${path}.finalizers`));
  return errs;
}
