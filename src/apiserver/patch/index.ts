/**
 * Patch application for the apiserver: pure functions from (current object, decoded patch body) to
 * the patched object. Inputs are never mutated; malformed or hostile patches answer StatusErrors.
 */
import { statusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import type { PatchType } from "../../client/client.js";
import { applyJsonPatch } from "./json-patch.js";
import { applyMergePatch } from "./merge-patch.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";
import { applyServerSideApply, type ApplyOwnership } from "./apply-patch.js";

export { applyJsonPatch } from "./json-patch.js";
export { applyMergePatch } from "./merge-patch.js";
export { applyStrategicMergePatch } from "./strategic-merge-patch.js";
export { applyServerSideApply, checkApplyConfiguration } from "./apply-patch.js";
export type { ApplyOwnership } from "./apply-patch.js";
export { maxPatchDepth } from "./json-value.js";

/**
 * Applies a decoded patch body of the given type to a copy of `doc` (the object's JSON) and returns the result.
 * Server-side apply needs its field manager's view (`ownership`); without it an apply is rejected with 400.
 */
export function applyPatch(type: PatchType, doc: JsonValue, patch: unknown, kind: { apiVersion: string; kind: string }, ownership?: ApplyOwnership): JsonValue {
  switch (type) {
    case "json": return applyJsonPatch(doc, patch);
    case "merge": return applyMergePatch(doc, patch);
    case "strategic": return applyStrategicMergePatch(doc, patch, kind);
    case "apply":
      if (ownership === undefined) throw statusError(400, "BadRequest", "fieldManager: Required value: is required for apply patch");
      return applyServerSideApply(doc, patch, kind, ownership);
    default:
      throw statusError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
        + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
  }
}
