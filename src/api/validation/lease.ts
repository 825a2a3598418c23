/**
 * coordination.k8s.io/v1 Lease validation.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, readInt, readObj, readString } from "./shape.js";

function validateLeaseSpec(lease: Obj, errs: FieldError[]): void {
  const spec = readObj(lease.spec, "spec", errs) ?? {};
  const duration = readInt(spec.leaseDurationSeconds, "spec.leaseDurationSeconds", errs);
  if (duration !== undefined && duration <= 0) errs.push(fieldErrors.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
  const transitions = readInt(spec.leaseTransitions, "spec.leaseTransitions", errs);
  if (transitions !== undefined && transitions < 0) errs.push(fieldErrors.invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"));
  readString(spec.holderIdentity, "spec.holderIdentity", errs);
  readString(spec.acquireTime, "spec.acquireTime", errs);
  readString(spec.renewTime, "spec.renewTime", errs);
  const strategy = readString(spec.strategy, "spec.strategy", errs) ?? "";
  const preferredHolder = readString(spec.preferredHolder, "spec.preferredHolder", errs) ?? "";
  if (preferredHolder !== "" && strategy === "") errs.push(fieldErrors.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
}

/** Validates a lease being created. */
export function validateLease(lease: Obj): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateLeaseSpec(lease, errs);
  return errs;
}

/** Validates an update of a lease. */
export function validateLeaseUpdate(lease: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(lease.metadata, old.metadata);
  validateLeaseSpec(lease, errs);
  return errs;
}
