/** The decode step of every write: type meta, unknown/mistyped fields per fieldValidation, namespace of the body. */
import { badRequest } from "../../api/status-error.js";
import { checkAndPruneFields } from "../../api/schema/index.js";
import type { KubeObject } from "../../api/types.js";
import type { WriteOptions } from "../../client/client.js";
import { isPlainObject } from "../../util/json.js";
import { convertByteFields } from "./convert-bytes.js";
import type { ResourceStore } from "./context.js";

/** Checks apiVersion/kind against the resource (400 when not strings or on mismatch) and fills them in when absent. */
export function checkTypeMeta(store: ResourceStore, object: KubeObject): void {
  const { info } = store;
  for (const field of ["apiVersion", "kind"] as const) {
    const value: unknown = object[field];
    if (value !== undefined && value !== null && typeof value !== "string") {
      const got = Array.isArray(value) ? "array" : typeof value === "boolean" ? "bool" : typeof value;
      throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${got} into Go struct field .${field} of type string`);
    }
  }
  if (object.apiVersion !== undefined && object.apiVersion !== "" && object.apiVersion !== store.apiVersion) {
    throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${store.apiVersion})`);
  }
  if (object.kind !== undefined && object.kind !== "" && object.kind !== info.kind) {
    throw badRequest(`${String(object.kind)} in version "${info.version}" cannot be handled as a ${info.kind}: `
      + `the kind in the data (${String(object.kind)}) does not match the expected kind (${info.kind})`);
  }
  object.apiVersion = store.apiVersion;
  object.kind = info.kind;
  if (object.metadata !== undefined && !isPlainObject(object.metadata)) {
    throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: metadata must be an object`);
  }
}

/**
 * Field validation as the decoder does it: type errors are always 400; unknown fields are 400 (Strict),
 * warnings (Warn, the default) or ignored (Ignore); unknown fields are then pruned.
 */
export function decodeFields(store: ResourceStore, object: KubeObject, options: Pick<WriteOptions, "fieldValidation" | "onWarning">): void {
  const { info } = store;
  const prefix = `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}`;
  // One walk checks and prunes: `object` is the request's private copy, dropped when this throws.
  const { unknownFields, typeErrors } = checkAndPruneFields(info, object);
  if (typeErrors.length > 0) throw badRequest(`${prefix}: ${typeErrors[0] ?? ""}`);
  if (unknownFields.length > 0) {
    const messages = unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`);
    const mode = options.fieldValidation ?? "Warn";
    if (mode === "Strict") throw badRequest(`${prefix}: strict decoding error: ${messages.join(", ")}`);
    if (mode === "Warn") for (const m of messages) options.onWarning?.(m);
  }
  convertByteFields(info, object);
}

/**
 * The namespace a write targets: undefined for cluster-scoped resources; for namespaced ones the request's
 * namespace (or the body's when the request has none), 400 when they differ or neither is given.
 */
export function resolveNamespace(store: ResourceStore, requested: string | undefined, inBody: string | undefined): string | undefined {
  if (!store.info.namespaced) return undefined;
  if (requested && inBody && requested !== inBody) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  const namespace = requested || inBody;
  if (!namespace) throw badRequest(`a namespace is required for ${store.info.resource}`);
  return namespace;
}
