/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), with upstream semantics: maps
 * merge, `null` deletes, lists with a merge key merge element-wise, primitive lists with the merge
 * strategy are unioned, all other lists are replaced. Directives: `$patch` (replace / delete /
 * merge), `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 *
 * Element order follows upstream: `$setElementOrder` first, then the order of the patch list, then
 * the order of the live list; an element new to the live list is placed before the live-only
 * elements that follow it in the merge. `$patch: delete` on a map removes its key (upstream leaves
 * `{}`, which typed decoding then drops for optional fields); directives inside values new to the
 * live object are applied against an empty value instead of being stored.
 */
import { badRequest } from "../../api/status-error.js";
import type { JsonObject, JsonValue } from "../../api/types.js";
import { deepCopy } from "../../util/json.js";
import {
  assertPatchBody, goFormat, goJsonKind, isJsonObject, own, patchRejected, pruneNulls, put,
} from "./json-value.js";
import { patchMetaFor, type FieldPatchMeta, type StructPatchMeta } from "./patch-meta.js";

const directiveMarker = "$patch";
const retainKeysDirective = "$retainKeys";
const setElementOrderPrefix = "$setElementOrder/";
const deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

/** Returned by mergeMap when the map carried `$patch: delete`. */
const deleted: unique symbol = Symbol("deleted");
type Merged = JsonObject | typeof deleted;

/** Applies a strategic merge patch to a copy of `doc`, using the patch metadata of `kind`; never mutates inputs. */
export function applyStrategicMergePatch(doc: JsonValue, patch: unknown, kind: { apiVersion: string; kind: string }): JsonValue {
  return strategicMerge(doc, patch, patchMetaFor(kind));
}

/** Applies a strategic merge patch to a copy of `doc` with explicit patch metadata (`{}` = plain JSON merge semantics). */
export function strategicMerge(doc: JsonValue, patch: unknown, meta: StructPatchMeta): JsonValue {
  assertPatchBody(patch);
  if (!isJsonObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const merged = mergeMap(isJsonObject(doc) ? deepCopy(doc) : undefined, patch, meta);
  return merged === deleted ? {} : merged;
}

function fieldMeta(schema: StructPatchMeta | undefined, field: string): FieldPatchMeta | undefined {
  return schema && Object.hasOwn(schema, field) ? schema[field] : undefined;
}

function withoutKey(obj: JsonObject, key: string): JsonObject {
  const copy: JsonObject = {};
  for (const k of Object.keys(obj)) if (k !== key) put(copy, k, obj[k] as JsonValue);
  return copy;
}

/** Merges `patch` into `original` (owned by the caller and mutated; undefined = absent). */
function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: StructPatchMeta | undefined): Merged {
  if (Object.hasOwn(patch, directiveMarker)) {
    const directive = patch[directiveMarker] as JsonValue;
    if (directive === "delete") return deleted;
    if (directive === "replace") return mergeMap(undefined, withoutKey(patch, directiveMarker), schema);
    if (directive !== "merge") throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
    patch = withoutKey(patch, directiveMarker);
  }
  const result: JsonObject = original ?? {};
  applyRetainKeys(result, patch);
  const done = new Set<string>([retainKeysDirective]);

  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    done.add(key);
    const order = patch[key] as JsonValue;
    if (!Array.isArray(order)) throw badRequest("invalid patch format of setElementOrder list");
    const field = key.slice(setElementOrderPrefix.length);
    const meta = fieldMeta(schema, field);
    if (meta?.strategy !== "merge") continue;
    const patchList = own(patch, field);
    if (patchList !== undefined && !Array.isArray(patchList)) continue;
    const current = own(result, field);
    const originalList = Array.isArray(current) ? current : undefined;
    if (!originalList && !patchList) continue;
    validateSetElementOrder(patchList ?? [], order, meta.mergeKey);
    const merged = patchList ? mergeList(originalList ?? [], patchList, meta) : (originalList as JsonValue[]);
    put(result, field, orderElements(merged, order, originalList ?? [], meta.mergeKey));
    if (patchList) done.add(field);
  }

  for (const key of Object.keys(patch)) {
    if (!key.startsWith(deleteFromPrimitiveListPrefix)) continue;
    done.add(key);
    const toDelete = patch[key] as JsonValue;
    if (!Array.isArray(toDelete)) throw badRequest("invalid patch format of primitive list");
    const field = key.slice(deleteFromPrimitiveListPrefix.length);
    const current = own(result, field);
    if (!Array.isArray(current)) continue;
    const gone = new Set(toDelete.map((v) => identity(v)));
    put(result, field, current.filter((v) => !gone.has(identity(v))));
  }

  for (const key of Object.keys(patch)) {
    if (done.has(key)) continue;
    const value = patch[key] as JsonValue;
    const meta = fieldMeta(schema, key);
    const current = own(result, key);
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      const base = meta?.strategy !== "replace" && isJsonObject(current) ? current : undefined;
      const merged = mergeMap(base, value, meta?.type);
      if (merged === deleted) delete result[key];
      else put(result, key, merged);
    } else if (Array.isArray(value)) {
      put(result, key, meta?.strategy === "merge" ? mergeList(Array.isArray(current) ? current : [], value, meta) : pruneNulls(value));
    } else {
      put(result, key, value);
    }
  }
  return result;
}

/** Honours `$retainKeys`: every patched field must be listed, and unlisted fields are cleared from `result`. */
function applyRetainKeys(result: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const keys = patch[retainKeysDirective] as JsonValue;
  if (!Array.isArray(keys)) throw badRequest("invalid patch format of retainKeys");
  const retained = new Set(keys.filter((k): k is string => typeof k === "string"));
  for (const key of Object.keys(patch)) {
    if (key === retainKeysDirective || patch[key] === null) continue;
    if (key.startsWith(setElementOrderPrefix) || key.startsWith(deleteFromPrimitiveListPrefix)) continue;
    if (!retained.has(key)) throw badRequest("invalid patch format of retainKeys");
  }
  for (const key of Object.keys(result)) if (!retained.has(key)) delete result[key];
}

/** Merges a patch list into a live list (elements of `original` are owned and may be mutated). */
function mergeList(original: JsonValue[], patch: JsonValue[], meta: FieldPatchMeta): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return [];
  if (elementsAreObjects(original, patch)) return mergeObjectList(original, patch as JsonObject[], meta);
  const seen = new Set<string | undefined>();
  const union = [...original, ...patch].filter((v) => {
    const id = identity(v);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return orderElements(union, patch, original, undefined);
}

/** True when the elements are objects, false when primitives; mixed kinds and lists of lists are rejected. */
function elementsAreObjects(...lists: JsonValue[][]): boolean {
  let objects: boolean | undefined;
  for (const list of lists) {
    for (const item of list) {
      if (Array.isArray(item)) throw patchRejected("lists of lists are not supported");
      const isObject = isJsonObject(item);
      if (objects !== undefined && objects !== isObject) {
        throw badRequest(`list element types are not identical: ${goFormat(lists.flat())}`);
      }
      objects = isObject;
    }
  }
  return objects === true;
}

function noMergeKey(element: JsonValue, mergeKey: string): string {
  return `map: ${goFormat(element)} does not contain declared merge key: ${mergeKey}`;
}

function mergeObjectList(original: JsonValue[], patch: JsonObject[], meta: FieldPatchMeta): JsonValue[] {
  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw badRequest("cannot merge lists without merge key");
  const deletedIds = new Set<string | undefined>();
  const plain: JsonObject[] = [];
  let replace = false;
  for (const element of patch) {
    if (!Object.hasOwn(element, directiveMarker)) {
      if (!Object.hasOwn(element, mergeKey)) throw badRequest(noMergeKey(element, mergeKey));
      plain.push(element);
      continue;
    }
    const directive = element[directiveMarker] as JsonValue;
    if (directive === "delete") {
      if (!Object.hasOwn(element, mergeKey)) throw badRequest(noMergeKey(element, mergeKey));
      deletedIds.add(identity(element, mergeKey));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw badRequest("merging lists cannot yet be specified in the patch");
    } else {
      throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(element)}`);
    }
  }
  if (replace) return plain.map((element) => mergeMap(undefined, element, meta.type) as JsonObject);
  const live = deletedIds.size === 0 ? original : original.filter((v) => {
    const id = identity(v, mergeKey);
    return id === undefined || !deletedIds.has(id);
  });

  const merged = [...live];
  const positions = new Map<string | undefined, number>();
  merged.forEach((v, i) => {
    const id = identity(v, mergeKey);
    if (id !== undefined && !positions.has(id)) positions.set(id, i);
  });
  for (const element of plain) {
    const id = identity(element, mergeKey);
    const at = positions.get(id);
    if (at !== undefined) {
      const current = merged[at];
      merged[at] = mergeMap(isJsonObject(current) ? current : undefined, element, meta.type) as JsonObject;
    } else {
      positions.set(id, merged.length);
      merged.push(mergeMap(undefined, element, meta.type) as JsonObject);
    }
  }
  return orderElements(merged, plain, live, mergeKey);
}

/**
 * A string identifying a list element: its merge-key value for lists of objects, else the value
 * itself; undefined when an object lacks the merge key (such elements never match).
 */
function identity(value: JsonValue, mergeKey?: string): string | undefined {
  let key: JsonValue | undefined = value;
  if (mergeKey !== undefined) key = isJsonObject(value) ? own(value, mergeKey) : undefined;
  if (key === undefined) return undefined;
  return typeof key === "object" ? `json:${JSON.stringify(key)}` : `${typeof key}:${String(key)}`;
}

function firstPositions(list: JsonValue[], mergeKey: string | undefined): Map<string, number> {
  const positions = new Map<string, number>();
  list.forEach((v, i) => {
    const id = identity(v, mergeKey);
    if (id !== undefined && !positions.has(id)) positions.set(id, i);
  });
  return positions;
}

/**
 * Orders merged elements as upstream does: elements named in `order` sorted by it, the others by
 * their position in `serverOrder`, then both interleaved using `serverOrder` as the reference.
 */
function orderElements(merged: JsonValue[], order: JsonValue[], serverOrder: JsonValue[], mergeKey: string | undefined): JsonValue[] {
  const orderPos = firstPositions(order, mergeKey);
  const serverPos = firstPositions(serverOrder, mergeKey);
  const pos = (positions: Map<string, number>, v: JsonValue): number | undefined => {
    const id = identity(v, mergeKey);
    return id === undefined ? undefined : positions.get(id);
  };
  const byPosition = (positions: Map<string, number>) => (a: JsonValue, b: JsonValue): number =>
    (pos(positions, a) ?? Number.MAX_SAFE_INTEGER) - (pos(positions, b) ?? Number.MAX_SAFE_INTEGER);
  const fromPatch = merged.filter((v) => pos(orderPos, v) !== undefined).sort(byPosition(orderPos));
  const serverOnly = merged.filter((v) => pos(orderPos, v) === undefined).sort(byPosition(serverPos));

  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) { out.push(fromPatch[j++] as JsonValue); continue; }
    if (j >= fromPatch.length) { out.push(serverOnly[i++] as JsonValue); continue; }
    const left = pos(serverPos, serverOnly[i] as JsonValue);
    const right = pos(serverPos, fromPatch[j] as JsonValue);
    if (left !== undefined && right !== undefined && left < right) out.push(serverOnly[i++] as JsonValue);
    else out.push(fromPatch[j++] as JsonValue);
  }
  return out;
}

/** Rejects a `$setElementOrder` list that does not contain the patch list's elements in the same relative order. */
function validateSetElementOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((v) => !(isJsonObject(v) && Object.hasOwn(v, directiveMarker)));
  const id = (v: JsonValue): string | undefined => {
    if (mergeKey !== undefined && !(isJsonObject(v) && Object.hasOwn(v, mergeKey))) throw badRequest(noMergeKey(v, mergeKey));
    return identity(v, mergeKey);
  };
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    if (id(items[p] as JsonValue) === id(order[s] as JsonValue)) p++;
  }
  if (p < items.length) {
    throw badRequest(`the order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}`);
  }
}
