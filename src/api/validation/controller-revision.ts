/**
 * apps/v1 ControllerRevision validation: data required and immutable, revision ≥ 0.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { goValue } from "./go-format.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, isAbsent, readInt } from "./shape.js";

/** Validates a controller revision being created. */
export function validateControllerRevision(rev: Obj): FieldError[] {
  const errs = validateObjectMeta(rev.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  if (isAbsent(rev.data)) errs.push(fieldErrors.required("data", "data is mandatory"));
  errs.push(...validateNonnegative(readInt(rev.revision, "revision", errs), "revision"));
  return errs;
}

/** Validates an update of a controller revision: everything on create, plus data unchanged. */
export function validateControllerRevisionUpdate(rev: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(rev.metadata, old.metadata);
  errs.push(...validateControllerRevision(rev));
  errs.push(...validateImmutable(rev.data, old.data, "data", goValue(rev.data)));
  return errs;
}
