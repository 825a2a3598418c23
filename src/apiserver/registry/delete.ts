/**
 * delete: preconditions, graceful deletion (pods), garbage-collection finalizers (orphan / foregroundDeletion)
 * and finalizer-pending deletion (deletionTimestamp set, object kept) as the generic registry does it.
 */
import { conflict, notFound } from "../../api/status-error.js";
import type { DeleteOptions, KubeObject, Status } from "../../api/types.js";
import { deepCopy, jsonEqual } from "../../util/json.js";
import { metaOf, type MutableObjectMeta } from "./codec.js";
import { rfc3339, type RegistryContext, type ResourceStore } from "./context.js";
import { answerSerialized, answerStored, copyCached, maxWriteAttempts, type MarkedOptions, readCurrent, RetryableConflict, storeDelete, storeUpdate, type Current } from "./storage-ops.js";
import { requestedGrace } from "./strategy.js";

/** Finalizer the garbage collector honours by orphaning dependents. */
export const orphanFinalizer = "orphan";
/** Finalizer the garbage collector honours by deleting dependents first. */
export const foregroundFinalizer = "foregroundDeletion";

/** What a delete did: the answer (object or Success Status) and whether the object is gone. */
export interface DeleteOutcome {
  object: KubeObject;
  deleted: boolean;
}

type Plan = { action: "pending" } | { action: "update"; object: KubeObject } | { action: "delete" };

/** True when the delete options ask for a dry run. */
export function isDryRun(options: DeleteOptions): boolean {
  return (options.dryRun ?? []).length > 0;
}

/** 409 when DeleteOptions.preconditions (uid / resourceVersion) do not hold for `object`. */
export function checkDeletePreconditions(store: ResourceStore, name: string, options: DeleteOptions, object: KubeObject): void {
  const p = options.preconditions;
  const meta = object.metadata ?? {};
  if (p?.uid && p.uid !== meta.uid) {
    throw conflict(store.ref, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${meta.uid ?? ""}`);
  }
  if (p?.resourceVersion && p.resourceVersion !== meta.resourceVersion) {
    throw conflict(store.ref, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ""}`);
  }
}

/** The Success Status a delete answers with when the object is gone (for kinds that do not return the object). */
export function deletedStatus(store: ResourceStore, object: KubeObject): Status & KubeObject {
  return {
    kind: "Status", apiVersion: "v1", metadata: {}, status: "Success",
    details: { name: object.metadata?.name ?? "", group: store.info.group, kind: store.info.resource, uid: object.metadata?.uid ?? "" },
  };
}

/**
 * The finalizers an object should carry given the propagation asked for: orphan for Orphan (or
 * orphanDependents), foregroundDeletion for Foreground; Background removes both. Without an explicit
 * policy, existing ones stay.
 */
export function gcFinalizers(finalizers: string[], options: DeleteOptions): string[] {
  let orphan = finalizers.includes(orphanFinalizer);
  let foreground = finalizers.includes(foregroundFinalizer) && !orphan;
  if (options.orphanDependents !== undefined && options.orphanDependents !== null) {
    orphan = options.orphanDependents;
    foreground = false;
  } else if (options.propagationPolicy === "Orphan") {
    orphan = true; foreground = false;
  } else if (options.propagationPolicy === "Foreground") {
    orphan = false; foreground = true;
  } else if (options.propagationPolicy === "Background") {
    orphan = false; foreground = false;
  }
  const out = finalizers.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
  if (orphan) out.push(orphanFinalizer);
  if (foreground) out.push(foregroundFinalizer);
  return out;
}

/** Marks an object as being deleted with no grace: deletionTimestamp now (unless earlier), grace 0, generation bumped once. */
export function markAsDeleting(meta: MutableObjectMeta, now: Date): void {
  if (!meta.deletionTimestamp && (meta.generation ?? 0) > 0) meta.generation = (meta.generation ?? 0) + 1;
  if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > now.getTime()) meta.deletionTimestamp = rfc3339(now);
  meta.deletionGracePeriodSeconds = 0;
}

/**
 * What a delete of `current` (never changed) does; an "update" carries the object to store: a deep copy of `current`,
 * or, when `shallow`, one sharing everything but its metadata with it (for an object handed to the watch cache and
 * answered read-only).
 */
function plan(ctx: RegistryContext, store: ResourceStore, current: KubeObject, options: DeleteOptions, shallow: boolean): Plan {
  const object = shallow ? { ...current, metadata: { ...(current.metadata ?? {}) } } : deepCopy(current);
  const meta = metaOf(object);
  const requested = requestedGrace(options);
  const graceOf = store.strategy.gracePeriodSeconds;
  let graceful = false;
  let period = 0;
  if (meta.deletionTimestamp) {
    const pendingGrace = meta.deletionGracePeriodSeconds ?? 0;
    if (graceOf !== undefined && pendingGrace > 0) {
      // Only a shorter grace period may be asked for while graceful deletion is pending.
      if (requested === undefined || requested >= pendingGrace) return { action: "pending" };
      const start = Date.parse(meta.deletionTimestamp) - pendingGrace * 1000;
      meta.deletionTimestamp = rfc3339(new Date(start + requested * 1000));
      meta.deletionGracePeriodSeconds = requested;
      graceful = true;
      period = requested;
    }
  } else if (graceOf !== undefined) {
    period = graceOf.call(store.strategy, object, requested);
    graceful = true;
    meta.deletionTimestamp = rfc3339(new Date(ctx.now().getTime() + period * 1000));
    meta.deletionGracePeriodSeconds = period;
    if ((meta.generation ?? 0) > 0) meta.generation = (meta.generation ?? 0) + 1;
  }
  const finalizers = gcFinalizers(meta.finalizers ?? [], options);
  if (finalizers.length > 0) meta.finalizers = finalizers;
  else delete meta.finalizers;
  const pendingFinalizers = finalizers.length > 0;
  if (!graceful) {
    if (!pendingFinalizers) return { action: "delete" };
    markAsDeleting(meta, ctx.now());
    return { action: "update", object };
  }
  if (pendingFinalizers || period > 0) return { action: "update", object };
  return { action: "delete" };
}

/**
 * Deletes (or starts deleting) a stored object that is not a namespace; `first` is a fresh read of it (re-read on
 * lost races) or, with `shared`, the watch cache's object: read-only, and possibly stale, so the delete's
 * compare-and-swap catches a changed object and any outcome other than a write (a refusal, a no-op) is confirmed
 * from storage unless the cache holds every write acknowledged so far. Answers with the object (pods, or when
 * deletion is pending) or a Success Status.
 */
export async function deleteStored(
  ctx: RegistryContext, store: ResourceStore, key: string, name: string, first: Current, options: DeleteOptions, shared = false,
): Promise<DeleteOutcome> {
  let current: Current | undefined = first;
  let fromCache = shared;
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    if (current === undefined) {
      current = await readCurrent(ctx, key);
      if (current === undefined) throw notFound(store.ref, name);
    }
    const confirm = fromCache && !ctx.cacheIsCurrent(store);
    const read: Current = current;
    const shares = fromCache;
    // The answer: a copy of the cache's object, or the object read from storage.
    const own = (): KubeObject => (shares ? copyCached(ctx, store, read.object) : answerStored(ctx, read));
    try {
      checkDeletePreconditions(store, name, options, current.object);
      const p = plan(ctx, store, current.object, options, (options as MarkedOptions)[answerSerialized] === true);
      if (p.action === "pending" || (p.action === "update" && (jsonEqual(p.object, current.object) || isDryRun(options)))) {
        if (confirm) throw new RetryableConflict();
        return { object: p.action === "pending" ? own() : p.object, deleted: false };
      }
      if (p.action === "update") return { object: await storeUpdate(ctx, store, key, p.object, current.modRevision, options), deleted: false };
      if (!isDryRun(options)) await storeDelete(ctx, store, key, name, current.modRevision);
      const answer = store.strategy.returnsDeletedObject ? own() : deletedStatus(store, current.object);
      return { object: answer, deleted: true };
    } catch (error) {
      if (!(error instanceof RetryableConflict) && !confirm) throw error;
      current = undefined;
      fromCache = false;
    }
  }
  throw conflict(store.ref, name);
}
