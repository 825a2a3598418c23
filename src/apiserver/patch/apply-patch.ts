/**
 * Server-side apply (`application/apply-patch+yaml`, body decoded as YAML or JSON): the configuration is checked
 * as upstream checks it (the resource's apiVersion, a kind), then merged with field ownership by the field
 * manager (src/apiserver/fieldmanager).
 */
import { badRequest } from "../../api/status-error.js";
import type { JsonObject, JsonValue, KubeObject } from "../../api/types.js";
import { applyConfiguration, type WriteScope } from "../fieldmanager/index.js";
import { assertPatchBody, goJsonKind, isJsonObject } from "./json-value.js";

/** Who applies, and how: the field manager's view of one apply request. */
export interface ApplyOwnership {
  manager: string;
  force: boolean;
  scope: WriteScope;
}

/** Checks an applied configuration: a JSON object naming the resource's apiVersion and a kind (400 otherwise, as upstream). */
export function checkApplyConfiguration(applied: unknown, kind: { apiVersion: string; kind: string }): JsonObject {
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
  return applied;
}

/**
 * Server-side apply of `applied` to `existing` (undefined: the object does not exist yet): the new object, with
 * its managedFields. 409 on conflicts with other managers unless `force`; 400 for bad configurations.
 */
export function applyServerSideApply(existing: JsonValue | undefined, applied: unknown, kind: { apiVersion: string; kind: string }, ownership: ApplyOwnership): JsonValue {
  const config = checkApplyConfiguration(applied, kind);
  const live = existing === undefined ? undefined : existing as KubeObject;
  return applyConfiguration(live, { manager: ownership.manager, force: ownership.force, config }, ownership.scope) as JsonValue;
}
