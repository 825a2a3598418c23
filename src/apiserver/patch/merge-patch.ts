/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge recursively, `null`
 * deletes a key, anything else (arrays included) replaces the target value.
 */
import { badRequest } from "../../api/status-error.js";
import type { JsonObject, JsonValue } from "../../api/types.js";
import { deepCopy } from "../../util/json.js";
import { assertPatchBody, isJsonObject, own, pruneNulls, put } from "./json-value.js";

/** Applies an RFC 7386 merge patch to a copy of `doc`; the patch must be an object (else 400 `Invalid JSON Patch`). */
export function applyMergePatch(doc: JsonValue, patch: unknown): JsonValue {
  assertPatchBody(patch);
  if (!isJsonObject(patch)) throw badRequest("Invalid JSON Patch");
  return mergeInto(isJsonObject(doc) ? deepCopy(doc) : {}, patch);
}

/** Merges `patch` into `target` (owned by the caller, mutated) and returns it. */
function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (value === null) {
      delete target[key];
    } else if (isJsonObject(value)) {
      const current = own(target, key);
      put(target, key, mergeInto(isJsonObject(current) ? current : {}, value));
    } else {
      // Values that replace are copied with null object members dropped, as upstream does.
      put(target, key, pruneNulls(value));
    }
  }
  return target;
}
