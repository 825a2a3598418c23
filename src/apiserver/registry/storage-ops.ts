/** Reads and writes of one object in the backend, with storage errors mapped to API errors. */
import { alreadyExists, internalError, notFound, statusError, StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { ClosedError, ConflictError, KeyExistsError, NotFoundError, StoreUnavailableError } from "../../storage/backend.js";
import { copyWith, deepCopy } from "../../util/json.js";
import { decodeObject, encodeObject } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";

/** An object as currently stored, with its modRevision. */
export interface Current {
  object: KubeObject;
  modRevision: number;
  /** The stored value `object` was decoded from, when it was (not for the watch cache's objects). */
  value?: string;
}

/**
 * Signals a failed compare-and-swap: the caller retries from `current` (the object as stored when the swap failed,
 * which the store returns with its refusal, as etcd's Txn does) or, when absent, re-reads it.
 */
export class RetryableConflict extends Error {
  constructor(readonly current?: Current) { super("storage revision changed"); this.name = "RetryableConflict"; }
}

/** The stored object a ConflictError carries; undefined when it cannot be decoded (a re-read then reports why). */
function conflictCurrent(error: ConflictError): Current | undefined {
  try {
    return { object: decodeObject(error.current), modRevision: error.current.modRevision, value: error.current.value };
  } catch {
    return undefined;
  }
}

/** How many times a read-modify-write is retried after losing a compare-and-swap race. */
export const maxWriteAttempts = 10;

/** Maps an unexpected storage failure to a StatusError (StatusErrors pass through). */
export function storageFailure(error: unknown): StatusError {
  if (error instanceof StatusError) return error;
  if (error instanceof ClosedError) return statusError(503, "ServiceUnavailable", "the storage is not available");
  if (error instanceof StoreUnavailableError) return statusError(503, "ServiceUnavailable", `${error.message}; the request may or may not have taken effect`);
  return internalError(error instanceof Error ? error.message : String(error));
}

/** The object stored at `key`, read from the backend (not the cache); undefined when absent. */
export async function readCurrent(ctx: RegistryContext, key: string): Promise<Current | undefined> {
  let kv;
  try {
    kv = (await ctx.backend.get(key)).kv;
  } catch (error) {
    throw storageFailure(error);
  }
  if (kv === undefined) return undefined;
  try {
    return { object: decodeObject(kv), modRevision: kv.modRevision, value: kv.value };
  } catch (error) {
    throw internalError(`stored object at ${key} cannot be decoded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The object at `key` as the store's watch cache holds it, undefined when the cache has none. The object is the
 * cache's own: read-only (copy before changing or handing it out). The cache may lag behind storage: callers write
 * with compare-and-swap on the returned modRevision and confirm any other outcome against storage (readCurrent).
 */
export function readCached(store: ResourceStore, key: string): Current | undefined {
  const cached = store.cache.get(key);
  const modRevision = Number(cached?.metadata?.resourceVersion);
  if (cached === undefined || !Number.isSafeInteger(modRevision)) return undefined;
  return { object: cached, modRevision };
}

/**
 * Marks write options whose caller only serializes the answer (never changes it or hands it on): the object written
 * is then handed to the watch cache (see WatchCache.expect), which keeps it instead of decoding the stored value, and
 * the answer shares its contents.
 */
export const answerSerialized = Symbol("answerSerialized");

/** Write options, possibly marked with answerSerialized. */
export type MarkedOptions = object & { [answerSerialized]?: boolean };

/** Creates the object at `key`; 409 AlreadyExists when taken. Returns the stored object (resourceVersion set). */
export async function storeCreate(ctx: RegistryContext, store: ResourceStore, key: string, object: KubeObject, options?: MarkedOptions): Promise<KubeObject> {
  const value = encodeObject(object);
  const handOver = options?.[answerSerialized] === true;
  if (handOver) store.cache.expect(key, value, object);
  try {
    const result = await ctx.backend.create(key, value);
    ctx.recordWrite(store, result.revision);
    return stored(ctx, answerOf(object, result.kv.modRevision, handOver), value);
  } catch (error) {
    if (handOver) store.cache.unexpect(key, object);
    if (error instanceof KeyExistsError) throw alreadyExists(store.ref, object.metadata?.name ?? "");
    throw storageFailure(error);
  }
}

/** Replaces the object at `key` if still at `modRevision`; RetryableConflict when it moved, 404 when gone. */
export async function storeUpdate(
  ctx: RegistryContext, store: ResourceStore, key: string, object: KubeObject, modRevision: number, options?: MarkedOptions,
): Promise<KubeObject> {
  const value = encodeObject(object);
  const handOver = options?.[answerSerialized] === true;
  if (handOver) store.cache.expect(key, value, object);
  try {
    const result = await ctx.backend.update(key, value, modRevision);
    ctx.recordWrite(store, result.revision);
    return stored(ctx, answerOf(object, result.kv.modRevision, handOver), value);
  } catch (error) {
    if (handOver) store.cache.unexpect(key, object);
    if (error instanceof ConflictError) throw new RetryableConflict(conflictCurrent(error));
    if (error instanceof NotFoundError) throw notFound(store.ref, object.metadata?.name ?? "");
    throw storageFailure(error);
  }
}

/**
 * The answer to a write of `object` stored at `revision`: the object itself, or, when it was handed to the watch
 * cache, a shallow copy of it (the cache's object is never changed again, not even its metadata).
 */
function answerOf(object: KubeObject, revision: number, handedOver: boolean): KubeObject {
  if (!handedOver) return withVersion(object, revision);
  return { ...object, metadata: copyWith(object.metadata, "resourceVersion", String(revision)) };
}

/** Deletes the object at `key` if still at `modRevision`; returns the delete's revision. RetryableConflict / 404 as storeUpdate. */
export async function storeDelete(ctx: RegistryContext, store: ResourceStore, key: string, name: string, modRevision: number): Promise<number> {
  try {
    const result = await ctx.backend.delete(key, modRevision);
    ctx.recordWrite(store, result.revision);
    return result.revision;
  } catch (error) {
    if (error instanceof ConflictError) throw new RetryableConflict();
    if (error instanceof NotFoundError) throw notFound(store.ref, name);
    throw storageFailure(error);
  }
}

/** `current.object`, read from storage, for a caller to keep: noted as decoding from its stored value. */
export function answerStored(ctx: RegistryContext, current: Current): KubeObject {
  ctx.noteStored(current.object, current.value);
  return current.object;
}

/** `object`, noted as what `value` decodes to (see RegistryContext.noteStored). */
function stored(ctx: RegistryContext, object: KubeObject, value: string): KubeObject {
  ctx.noteStored(object, value);
  return object;
}

/**
 * A copy of `object`, the watch cache's own (shared) object at some key, for a caller to keep: noted as decoding
 * from the stored value the cache decoded it from.
 */
export function copyCached(ctx: RegistryContext, store: ResourceStore, object: KubeObject): KubeObject {
  const copy = deepCopy(object);
  ctx.noteStored(copy, store.cache.storedValueOf(object));
  return copy;
}

/** `object` with metadata.resourceVersion set to `revision` (mutates and returns it). */
export function withVersion(object: KubeObject, revision: number): KubeObject {
  object.metadata = copyWith(object.metadata, "resourceVersion", String(revision));
  return object;
}
