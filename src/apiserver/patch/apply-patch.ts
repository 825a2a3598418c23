/**
 * Minimal server-side apply (`application/apply-patch+yaml`, body decoded as JSON).
 *
 * Known gap: there is no field-ownership tracking (no managedFields, no conflicts, `force` is
 * meaningless); the applied configuration is merged like a strategic merge patch, so fields or list
 * elements dropped from a later applied configuration are kept instead of being removed.
 */
import { badRequest } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import { assertPatchBody, goJsonKind, isJsonObject } from "./json-value.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";

/**
 * Server-side apply without field ownership: the applied object when `existing` is undefined, else a strategic-style
 * merge of it into a copy of `existing`. The configuration must name the resource's apiVersion and a kind (400
 * otherwise, as upstream).
 */
export function applyServerSideApply(existing: JsonValue | undefined, applied: unknown, kind: { apiVersion: string; kind: string }): JsonValue {
  assertPatchBody(applied);
  if (!isJsonObject(applied)) {
    throw badRequest(`json: cannot unmarshal ${goJsonKind(applied)} into Go value of type map[string]interface {}`);
  }
  const apiVersion = typeof applied.apiVersion === "string" ? applied.apiVersion : "";
  if (apiVersion !== kind.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${apiVersion}, expected: ${kind.apiVersion}`);
  }
  if (typeof applied.kind !== "string" || applied.kind === "") {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const gvk = `${group ?? ""}/${version ?? ""}, Kind=`;
    throw badRequest(`failed to create typed patch object (${gvk}): no corresponding type for ${gvk}`);
  }
  return applyStrategicMergePatch(existing === undefined ? {} : existing, applied, kind);
}
