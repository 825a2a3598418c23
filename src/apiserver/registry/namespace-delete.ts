/** Deleting a namespace: it turns Terminating first; it is removed once the registry has emptied it. */
import { conflict, notFound, statusError } from "../../api/status-error.js";
import type { DeleteOptions } from "../../api/types.js";
import { deepCopy, isPlainObject } from "../../util/json.js";
import { metaOf } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { checkDeletePreconditions, deleteStored, gcFinalizers, isDryRun, type DeleteOutcome } from "./delete.js";
import { maxWriteAttempts, readCurrent, RetryableConflict, storeUpdate } from "./storage-ops.js";
import { namespaceFinalizers } from "./strategies/namespace.js";

/** Namespaces that can never be deleted. */
export const immortalNamespaces: readonly string[] = ["default", "kube-system", "kube-public"];

const stillFinalizing = "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.";

/**
 * First delete: deletionTimestamp and phase Terminating (orphan/foreground finalizers per options), object kept.
 * Later deletes: 409 while content removal is pending, then the generic delete.
 */
export async function deleteNamespace(ctx: RegistryContext, store: ResourceStore, name: string, options: DeleteOptions): Promise<DeleteOutcome> {
  if (immortalNamespaces.includes(name)) {
    throw statusError(403, "Forbidden", `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, group: "", kind: "namespaces" });
  }
  const key = ctx.key(store, undefined, name);
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    const current = await readCurrent(ctx, key);
    if (current === undefined) throw notFound(store.ref, name);
    checkDeletePreconditions(store, name, options, current.object);
    if (current.object.metadata?.deletionTimestamp) {
      if (namespaceFinalizers(current.object).length > 0) throw conflict(store.ref, name, stillFinalizing);
      return deleteStored(ctx, store, key, name, current, options);
    }
    const next = deepCopy(current.object);
    const meta = metaOf(next);
    meta.deletionTimestamp = ctx.timestamp();
    next.status = { ...(isPlainObject(next.status) ? next.status : {}), phase: "Terminating" };
    const finalizers = gcFinalizers(meta.finalizers ?? [], options);
    if (finalizers.length > 0) meta.finalizers = finalizers;
    else delete meta.finalizers;
    if (isDryRun(options)) return { object: next, deleted: false };
    try {
      return { object: await storeUpdate(ctx, store, key, next, current.modRevision), deleted: false };
    } catch (error) {
      if (!(error instanceof RetryableConflict)) throw error;
    }
  }
  throw conflict(store.ref, name);
}
