/** get and list, served from the watch cache (or from the backend: older or paginated revisions, a cache behind other servers' writes). */
import { storageKey } from "../../api/resources.js";
import { badRequest, expired, internalError, notFound, statusError, StatusError } from "../../api/status-error.js";
import type { KubeList, KubeObject } from "../../api/types.js";
import type { ListOptions } from "../../client/client.js";
import { CompactedError, FutureRevisionError } from "../../storage/backend.js";
import { deepCopy } from "../../util/json.js";
import { decodeObject } from "./codec.js";
import { CorruptObjectError } from "../watch-cache/watch-cache.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { decodeContinue, encodeContinue } from "./continue-token.js";
import { parseSelection, type Selection } from "./selectors.js";
import { storageFailure } from "./storage-ops.js";

const backendBatch = 500;

/** How long a read waits for a cache behind the store (other servers' writes) before reading the store itself. */
const cacheWaitMs = 3_000;

/** The continue-too-old message of a 410. */
export const continueTooOld = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the 410 response.";

/** Reads one object (including the caller's acknowledged writes); 404 when absent. */
export async function getObject(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string): Promise<KubeObject> {
  const key = ctx.key(store, namespace, name);
  if (!(await ctx.freshWithin(store, key, cacheWaitMs))) return getFromBackend(ctx, store, key, name);
  const object = store.cache.get(key);
  if (object === undefined) {
    const corrupt = store.cache.corruptAt(key);
    if (corrupt) throw internalError(new CorruptObjectError(corrupt).message);
    throw notFound(store.ref, name);
  }
  return deepCopy(object);
}

/** Reads one object from the store itself (the cache is behind it); 404 when absent. */
async function getFromBackend(ctx: RegistryContext, store: ResourceStore, key: string, name: string): Promise<KubeObject> {
  const { kv } = await ctx.backend.get(key).catch((error: unknown) => { throw storageFailure(error); });
  if (kv === undefined) throw notFound(store.ref, name);
  try {
    return decodeObject(kv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw internalError(new CorruptObjectError({ key: kv.key, revision: kv.modRevision, message }).message);
  }
}

/** Parses a resourceVersion query value; 400 when not a non-negative integer. */
export function parseResourceVersion(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw badRequest(`invalid resource version: ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid resource version: ${JSON.stringify(value)}`);
  return n;
}

/** 504 Timeout for a resourceVersion the store has not reached. */
export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return statusError(504, "Timeout", `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1,
  });
}

interface Page {
  revision: number;
  items: KubeObject[];
  /** Key to resume at when more items remain. */
  next: string | undefined;
}

/**
 * Lists objects per the options (selectors, pagination, resourceVersion semantics); see the file comment. With
 * `shared`, items read from the watch cache are the cache's own objects (never to be changed) rather than copies.
 */
export async function listObjects(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, options: ListOptions = {}, shared = false): Promise<KubeList> {
  const selection = parseSelection(store, namespace, options.labelSelector, options.fieldSelector);
  const limit = options.limit !== undefined && options.limit > 0 ? Math.floor(options.limit) : 0;
  const listPrefix = selection.namespace !== undefined ? storageKey(store.info, selection.namespace) : store.prefix;
  const rv = options.resourceVersion ?? "";
  const match = options.resourceVersionMatch;
  let page: Page;
  if (options.continue) {
    if (rv !== "" && rv !== "0") throw badRequest("specifying resource version is not allowed when using continue");
    const token = decodeContinue(options.continue);
    const startKey = store.prefix + token.start;
    if (!startKey.startsWith(listPrefix)) throw badRequest("continue key is not valid: the key is outside the listed range");
    await ctx.ready;
    page = store.cache.revision === token.revision
      ? pageFromCache(store, selection, listPrefix, startKey, limit, shared)
      : await pageFromBackend(ctx, selection, listPrefix, token.revision, startKey, limit, () => expired(continueTooOld));
  } else if (rv === "") {
    if (match !== undefined) throw badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
    page = (await ctx.freshWithin(store, listPrefix, cacheWaitMs))
      ? pageFromCache(store, selection, listPrefix, undefined, limit, shared)
      : await pageFromBackend(ctx, selection, listPrefix, undefined, undefined, limit, (compacted) => expired(`too old resource version: ${compacted}`));
  } else if (rv === "0") {
    if (match === "Exact") throw badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    await ctx.ready;
    page = pageFromCache(store, selection, listPrefix, undefined, limit, shared);
  } else {
    const requested = parseResourceVersion(rv);
    await ctx.ready;
    const exact = match === "Exact" || (match === undefined && limit > 0);
    if (exact) {
      page = await pageFromBackend(ctx, selection, listPrefix, requested, undefined, limit, (compacted) => expired(`too old resource version: ${requested} (${compacted})`));
    } else if (store.cache.revision >= requested) {
      page = pageFromCache(store, selection, listPrefix, undefined, limit, shared);
    } else {
      const current = await ctx.backend.currentRevision().catch((e: unknown) => { throw storageFailure(e); });
      if (requested > current) throw tooLargeResourceVersion(requested, current);
      page = await pageFromBackend(ctx, selection, listPrefix, undefined, undefined, limit, (compacted) => expired(`too old resource version: ${requested} (${compacted})`));
    }
  }
  const metadata: KubeList["metadata"] = { resourceVersion: String(page.revision) };
  if (page.next !== undefined) metadata.continue = encodeContinue({ revision: page.revision, start: page.next.slice(store.prefix.length) });
  return { apiVersion: store.apiVersion, kind: store.info.listKind, metadata, items: page.items };
}

function pageFromCache(store: ResourceStore, selection: Selection, listPrefix: string, startKey: string | undefined, limit: number, shared: boolean): Page {
  // As upstream's list from storage, a list over an undecodable object fails (500) naming it, instead of leaving it out.
  const corrupt = store.cache.corruptUnder(listPrefix);
  if (corrupt) throw internalError(new CorruptObjectError(corrupt).message);
  // A lazy scan from startKey: a page reads the objects it returns (and those its selectors skip), not the whole cache.
  const snapshot = store.cache.scan(selection.index, selection.indexCoversNamespace ? undefined : listPrefix, startKey);
  const items: KubeObject[] = [];
  let lastKey = "";
  for (const item of snapshot.items) {
    if (!selection.matches(item.object)) continue;
    if (limit > 0 && items.length === limit) return { revision: snapshot.revision, items, next: `${lastKey}\u0000` };
    items.push(shared ? item.object : deepCopy(item.object));
    lastKey = item.key;
  }
  return { revision: snapshot.revision, items, next: undefined };
}

async function pageFromBackend(
  ctx: RegistryContext, selection: Selection, listPrefix: string, revision: number | undefined, startKey: string | undefined,
  limit: number, tooOld: (compacted: number) => StatusError,
): Promise<Page> {
  const items: KubeObject[] = [];
  let lastKey = "";
  let start = startKey ?? listPrefix;
  let at = revision;
  for (;;) {
    let result;
    try {
      result = await ctx.backend.list(listPrefix, { revision: at, startKey: start, limit: backendBatch });
    } catch (error) {
      if (error instanceof CompactedError) throw tooOld(error.compacted);
      if (error instanceof FutureRevisionError) throw tooLargeResourceVersion(error.requested, error.current);
      throw storageFailure(error);
    }
    at = result.revision;
    for (const kv of result.kvs) {
      let object: KubeObject;
      try {
        object = decodeObject(kv);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw internalError(new CorruptObjectError({ key: kv.key, revision: kv.modRevision, message }).message);
      }
      if (!selection.matches(object)) continue;
      if (limit > 0 && items.length === limit) return { revision: at, items, next: `${lastKey}\u0000` };
      items.push(object);
      lastKey = kv.key;
    }
    const last = result.kvs[result.kvs.length - 1];
    if (!result.more || last === undefined) return { revision: at, items, next: undefined };
    start = `${last.key}\u0000`;
  }
}
