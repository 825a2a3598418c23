/** Cache indices the DaemonSet controller adds to the shared informers. */
import type { ApiObject } from "../../api/types.js";
import type { IndexFunc, Indexers } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
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

/** Adds the indices to an informer unless an index of that name already exists (another instance sharing the factory). */
export function ensureIndexers<T extends ApiObject>(informer: Informer<T>, indexers: Indexers<ApiObject>): void {
  for (const [name, fn] of Object.entries(indexers)) {
    try {
      informer.addIndexers({ [name]: fn });
    } catch (error) {
      if (!(error instanceof Error && error.message.includes("already exists"))) throw error;
    }
  }
}
