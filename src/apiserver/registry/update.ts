/**
 * update, updateStatus and the read-modify-write loop they share with patch: build the requested object from
 * the stored one, carry over what clients may not change, admit, and compare-and-swap (retrying lost races).
 */
import { applyDefaults, validateStatusUpdate, validateUpdate } from "../../api/admission.js";
import { badRequest, conflict, fieldErrors, invalid, notFound } from "../../api/status-error.js";
import type { KubeObject, ObjectMeta } from "../../api/types.js";
import type { WriteOptions } from "../../client/client.js";
import { deepCopy, isPlainObject, jsonEqual, sameEncoding, sameMembers } from "../../util/json.js";
import { recordUpdate, validateManagedFields, type WriteScope } from "../fieldmanager/index.js";
import { metaOf } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { admitUpdate } from "./admission-plugins.js";
import { checkTypeMeta, decodeFields, resolveNamespace } from "./decode.js";
import { answerSerialized, answerStored, copyCached, maxWriteAttempts, readCached, readCurrent, RetryableConflict, storeDelete, storeUpdate, withVersion, type Current, type MarkedOptions } from "./storage-ops.js";

/** Which part of the object a write may change: the main resource (not status) or the status subresource (only status). */
export type UpdateMode = "main" | "status";

/** One read-modify-write request. */
export interface UpdateRequest {
  mode: UpdateMode;
  namespace: string | undefined;
  name: string;
  /**
   * Builds the requested object from the current one; called once per attempt. `current` is read-only (it is
   * compared against afterwards): the result must be a new object sharing nothing with it.
   */
  build: (current: Readonly<KubeObject>) => KubeObject;
  options: WriteOptions;
  /** Called instead of failing with 404 when the object does not exist (server-side apply creates). */
  onMissing?: () => Promise<KubeObject>;
  /** "apply": `build` already set the managedFields (server-side apply); otherwise the write is an Update operation. */
  ownership?: "update" | "apply";
}

/** Runs an update request to completion; see the file comment. Returns the stored (or, for no-ops, current) object. */
export async function guaranteedUpdate(ctx: RegistryContext, store: ResourceStore, request: UpdateRequest): Promise<KubeObject> {
  const { name, options } = request;
  await ctx.ready;
  const key = ctx.key(store, request.namespace, name);
  let warn = options.onWarning;
  // The first attempt starts from the watch cache's object (no storage read, no copy: an attempt only reads the
  // current object); the write's compare-and-swap catches a stale one, and any outcome other than a write (an error,
  // a no-op) is confirmed by another attempt from storage, unless the cache holds every write acknowledged so far
  // (this server the only writer: storage would answer the same).
  // After a lost compare-and-swap the next attempt starts from the object the store returned with its refusal
  // (no second read, as kube-apiserver retries from the Txn's failure response).
  let tryCache = !options.dryRun;
  let refused: Current | undefined;
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    const cached = tryCache ? readCached(store, key) : undefined;
    tryCache = false;
    let current = cached ?? refused;
    refused = undefined;
    try {
      current ??= await readCurrent(ctx, key);
      if (current === undefined) {
        if (request.onMissing) return request.onMissing();
        throw notFound(store.ref, name);
      }
      const outcome = await attemptUpdate(ctx, store, request, key, current, warn);
      warn = undefined;
      if (outcome instanceof RetryableConflict) {
        refused = outcome.current;
        continue;
      }
      if (outcome === "unchanged") {
        if (cached === undefined) return answerStored(ctx, current);
        // The cache's object is shared: the answer is a copy of it.
        if (ctx.cacheIsCurrent(store)) return copyCached(ctx, store, current.object);
        continue;
      }
      return outcome;
    } catch (error) {
      warn = undefined;
      if (cached !== undefined && !ctx.cacheIsCurrent(store)) continue;
      throw error;
    }
  }
  throw conflict(store.ref, name);
}

/** One read-modify-write attempt from `current`: the stored object, "unchanged" for a no-op, the conflict when storage moved on. */
async function attemptUpdate(
  ctx: RegistryContext, store: ResourceStore, request: UpdateRequest, key: string, current: Current, warn: WriteOptions["onWarning"],
): Promise<KubeObject | "unchanged" | RetryableConflict> {
  const { name, options } = request;
  const old = current.object;
  const candidate = request.build(old);
  checkTypeMeta(store, candidate);
  decodeFields(store, candidate, { fieldValidation: options.fieldValidation, onWarning: warn });
  applyDefaults(store.info, candidate);
  const meta = metaOf(candidate);
  if (meta.name && meta.name !== name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  resolveNamespace(store, request.namespace, meta.namespace);
  checkPreconditions(store, name, meta, old.metadata ?? {});

  const next = request.mode === "main" ? mergeForUpdate(store, candidate, old) : mergeForStatus(candidate, old);
  const scope = writeScope(ctx, store, request.mode, (options as MarkedOptions)[answerSerialized] === true);
  if (request.ownership === "apply") {
    if (request.mode === "status") setManagedFields(next, candidate.metadata?.managedFields);
  } else {
    recordUpdate(old, next, managerOf(options), scope);
  }
  if (request.mode === "main") await admitUpdate(ctx, store, next, old);
  const errs = [...validateManagedFields(next.metadata?.managedFields), ...(request.mode === "main"
    ? validateUpdate(store.info, next, old)
    : validateStatusUpdate(store.info, next, old))];
  if (errs.length > 0) throw invalid(store.ref, name, errs);
  if (!next.metadata?.name) throw invalid(store.ref, name, [fieldErrors.required("metadata.name", "name or generateName is required")]);

  if (jsonEqual(next, old)) return "unchanged";
  try {
    if (shouldDeleteDuringUpdate(store, next, old)) {
      if (options.dryRun) return next;
      const revision = await storeDelete(ctx, store, key, name, current.modRevision);
      return withVersion(next, revision);
    }
    if (options.dryRun) return next;
    return await storeUpdate(ctx, store, key, next, current.modRevision, options);
  } catch (error) {
    if (error instanceof RetryableConflict) return error;
    throw error;
  }
}

/** resourceVersion and uid in the request are preconditions on the stored object (409 when they differ). */
function checkPreconditions(store: ResourceStore, name: string, requested: ObjectMeta, stored: ObjectMeta): void {
  if (requested.resourceVersion && requested.resourceVersion !== stored.resourceVersion) throw conflict(store.ref, name);
  if (requested.uid && requested.uid !== stored.uid) {
    throw conflict(store.ref, name, `Precondition failed: UID in precondition: ${requested.uid}, UID in object meta: ${stored.uid ?? ""}`);
  }
}

const carriedOver = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"] as const;

/** The main-resource update: metadata the system owns and (for kinds with /status) the status come from `old`. */
function mergeForUpdate(store: ResourceStore, candidate: KubeObject, old: KubeObject): KubeObject {
  const meta = metaOf(candidate);
  const oldMeta = old.metadata ?? {};
  const target = meta as Record<string, unknown>;
  for (const field of carriedOver) {
    const value = oldMeta[field];
    if (value === undefined) delete target[field];
    else target[field] = value;
  }
  delete meta.selfLink;
  if (store.hasStatus) {
    if (old.status === undefined) delete candidate.status;
    else candidate.status = deepCopy(old.status);
  }
  store.strategy.prepareForUpdate(candidate, old);
  return candidate;
}

/**
 * The field manager's view of a write to `store` (the main resource or its status); `readOnly` when the written
 * object goes to the watch cache as it is and its answer is only serialized (see WriteScope.readOnly).
 */
export function writeScope(ctx: RegistryContext, store: ResourceStore, mode: UpdateMode, readOnly = false): WriteScope {
  return { kind: { apiVersion: store.apiVersion, kind: store.info.kind }, subresource: mode === "status" ? "status" : "", hasStatus: store.hasStatus, now: ctx.timestamp(), readOnly };
}

/** The manager of an Update operation: the request's fieldManager (the HTTP layer defaults it from the User-Agent). */
export function managerOf(options: WriteOptions): string {
  return options.fieldManager ?? "";
}

function setManagedFields(object: KubeObject, fields: ObjectMeta["managedFields"]): void {
  const meta = (object.metadata ??= {});
  if (fields === undefined) delete meta.managedFields;
  else meta.managedFields = fields;
}

/**
 * The status update: only the status comes from the request (the rest is copied from `old`, which stays untouched;
 * not its managedFields, which the status write's ownership always replaces). Where the candidate (built afresh,
 * sharing nothing with `old`) holds a part of the same encoding as `old`'s, that part is taken instead of a copy.
 */
function mergeForStatus(candidate: KubeObject, old: KubeObject): KubeObject {
  const next: KubeObject = {};
  for (const key of Object.keys(old)) {
    if (key === "status") {
      if (candidate.status !== undefined) next.status = candidate.status;
    } else if (key === "metadata" && old.metadata !== undefined) {
      next.metadata = statusWriteMeta(candidate.metadata, old.metadata);
    } else {
      const value = old[key];
      next[key] = Object.hasOwn(candidate, key) && sameEncoding(value, candidate[key]) ? candidate[key] : deepCopy(value);
    }
  }
  if (candidate.status !== undefined && !Object.hasOwn(next, "status")) next.status = candidate.status;
  return next;
}

/** `old`'s metadata without managedFields: the candidate's members when they encode the same, else a copy. */
function statusWriteMeta(candidate: ObjectMeta | undefined, old: ObjectMeta): ObjectMeta {
  if (!isPlainObject(candidate) || !isPlainObject(old) || !sameMembers(old, candidate, "managedFields")) {
    const { managedFields: _replaced, ...meta } = old;
    return deepCopy(meta);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(candidate)) if (key !== "managedFields") out[key] = (candidate as Record<string, unknown>)[key];
  return out as ObjectMeta;
}

/** An update that removes the last finalizer of an object whose deletion is due deletes it. */
function shouldDeleteDuringUpdate(store: ResourceStore, next: KubeObject, old: KubeObject): boolean {
  const oldMeta = old.metadata ?? {};
  if ((next.metadata?.finalizers ?? []).length > 0) return false;
  if ((oldMeta.finalizers ?? []).length === 0) return false;
  if (!oldMeta.deletionTimestamp) return false;
  if (oldMeta.deletionGracePeriodSeconds !== 0) return false;
  return !(store.strategy.pendingSystemFinalization?.(next) ?? false);
}

/** update: replaces the main resource of `object` (its metadata.name; resourceVersion, if set, is a precondition). */
export async function updateObject(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, input: KubeObject, options: WriteOptions = {}, mode: UpdateMode = "main"): Promise<KubeObject> {
  if (mode === "status" && !store.hasStatus) throw notFound(store.ref, input.metadata?.name ?? "");
  const name = input.metadata?.name;
  if (!name) throw invalid(store.ref, "", [fieldErrors.required("metadata.name", "name or generateName is required")]);
  const ns = resolveNamespace(store, namespace, input.metadata?.namespace);
  const body = deepCopy(input);
  return guaranteedUpdate(ctx, store, { mode, namespace: ns, name, options, build: () => deepCopy(body) });
}
