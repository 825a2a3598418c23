/** Helpers over metadata.ownerReferences and the finalizers the garbage collector honours. */
import type { ApiObject, OwnerReference } from "../../api/types.js";

/** Finalizer asking the collector to strip the owner's references from its dependents before it goes. */
export const orphanFinalizer = "orphan";
/** Finalizer asking the collector to delete the owner's (blocking) dependents before it goes. */
export const foregroundFinalizer = "foregroundDeletion";

/** The object's owner references (empty when none). */
export function ownerReferencesOf(obj: ApiObject): OwnerReference[] {
  return obj.metadata?.ownerReferences ?? [];
}

/** True when the object lists `finalizer`. */
export function hasFinalizer(obj: ApiObject, finalizer: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(finalizer);
}

/** True once deletion of the object was requested (deletionTimestamp set). */
export function isDeleting(obj: ApiObject): boolean {
  return !!obj.metadata?.deletionTimestamp;
}

/** True while the object is deleted in the foreground: deletionTimestamp plus the foregroundDeletion finalizer. */
export function isDeletingDependents(obj: ApiObject): boolean {
  return isDeleting(obj) && hasFinalizer(obj, foregroundFinalizer);
}

/** True while the object is deleted with orphaning: deletionTimestamp plus the orphan finalizer. */
export function isOrphaningDependents(obj: ApiObject): boolean {
  return isDeleting(obj) && hasFinalizer(obj, orphanFinalizer);
}

/** True when `dependent` has a reference to `ownerUid` with blockOwnerDeletion set. */
export function blocksOwnerDeletion(dependent: ApiObject, ownerUid: string): boolean {
  return ownerReferencesOf(dependent).some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true);
}

/** Distinct owner uids of the object. */
export function ownerUidsOf(obj: ApiObject): string[] {
  return [...new Set(ownerReferencesOf(obj).map((r) => r.uid).filter((uid) => uid !== ""))];
}

const referenceFields = ["uid", "name", "kind", "apiVersion", "controller", "blockOwnerDeletion"] as const;

/** True when the two lists are the same references, in the same order, every field of OwnerReference equal. */
export function sameOwnerReferences(a: readonly OwnerReference[], b: readonly OwnerReference[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as OwnerReference;
    const y = b[i] as OwnerReference;
    if (x !== y && referenceFields.some((field) => x[field] !== y[field])) return false;
  }
  return true;
}

