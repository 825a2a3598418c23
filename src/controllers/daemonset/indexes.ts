/** Cache indices the DaemonSet controller adds to the shared informers. */
import type { IndexFunc } from "../../client/cache.js";
import { controllerRefOf } from "./pod-util.js";

/** Index: uid of the object's controller (pods, revisions). */
export const controllerUidIndex = "daemonset-controller/controller-uid";
/** Index: namespace of objects without a controller (adoption candidates). */
export const orphanNamespaceIndex = "daemonset-controller/orphan-namespace";
/** Index: namespace (DaemonSets). */
export const namespaceIndex = "daemonset-controller/namespace";

/** The object's controller uid. */
export const byControllerUid: IndexFunc = (obj) => {
  const uid = controllerRefOf(obj)?.uid;
  return uid ? [uid] : [];
};

/** The namespace of objects that have no controller. */
export const byOrphanNamespace: IndexFunc = (obj) => {
  if (controllerRefOf(obj)) return [];
  const ns = obj.metadata?.namespace;
  return ns ? [ns] : [];
};

/** The object's namespace. */
export const byNamespaceIndex: IndexFunc = (obj) => {
  const ns = obj.metadata?.namespace;
  return ns ? [ns] : [];
};
