/**
 * Namespace validation: DNS-label names, spec.finalizers, and the phase rules of status updates.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isQualifiedName, nameIsDNSLabel } from "./names.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, isAbsent, readObj, readString, readStringList } from "./shape.js";

const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

function validateSpecFinalizers(ns: Obj, errs: FieldError[]): void {
  const spec = readObj(ns.spec, "spec", errs) ?? {};
  const path = "spec.finalizers";
  for (const f of readStringList(spec.finalizers, path, errs) ?? []) {
    for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(path, f, msg));
    if (!f.includes("/") && !standardFinalizers.has(f)) {
      errs.push(fieldErrors.invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

/** Validates a namespace being created. */
export function validateNamespace(ns: Obj): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel });
  validateSpecFinalizers(ns, errs);
  return errs;
}

/** Validates an update of a namespace (spec and status are kept from storage by the registry). */
export function validateNamespaceUpdate(ns: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

/** Validates a status update: phase Active without deletionTimestamp, Terminating with one. */
export function validateNamespaceStatusUpdate(ns: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  const meta = readObj(ns.metadata, "metadata", []) ?? {};
  const status = readObj(ns.status, "status", errs) ?? {};
  const phase = readString(status.phase, "status.phase", errs) ?? "";
  if (isAbsent(meta.deletionTimestamp)) {
    if (phase !== "Active") errs.push(fieldErrors.invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== "Terminating") {
    errs.push(fieldErrors.invalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}
