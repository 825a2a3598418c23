/**
 * Change filters for informer update events (controller-runtime's predicates): each says whether an update
 * changed what a loop cares about, so handlers enqueue only for changes that matter.
 */
import type { ApiObject, OwnerReference, Pod } from "../api/types.js";
import { jsonEqual } from "../util/json.js";

/** Whether an update carries a new resourceVersion (a resync or a duplicate delivery does not). */
export function resourceVersionChanged(old: ApiObject, cur: ApiObject): boolean {
  return old.metadata?.resourceVersion !== cur.metadata?.resourceVersion;
}

/** Whether the spec changed (generation), the object was replaced (uid) or its deletion started. */
export function specOrLifecycleChanged(old: ApiObject, cur: ApiObject): boolean {
  return old.metadata?.uid !== cur.metadata?.uid || old.metadata?.generation !== cur.metadata?.generation
    || old.metadata?.deletionTimestamp !== cur.metadata?.deletionTimestamp;
}

/** Whether the labels changed (key order does not count). */
export function labelsChanged(old: ApiObject, cur: ApiObject): boolean {
  return !jsonEqual(old.metadata?.labels ?? {}, cur.metadata?.labels ?? {});
}

/** Whether a pod moved to another node (or was bound). */
export function nodeNameChanged(old: Pod, cur: Pod): boolean {
  return old.spec?.nodeName !== cur.spec?.nodeName;
}

/** The owner reference with `controller: true`, if any. */
export function controllerRefOf(obj: ApiObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Whether two controller references name the same owner (both absent counts as the same). */
export function sameControllerRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion;
}

/** Whether an update changed the object's controller reference. */
export function controllerRefChanged(old: ApiObject, cur: ApiObject): boolean {
  return !sameControllerRef(controllerRefOf(old), controllerRefOf(cur));
}
