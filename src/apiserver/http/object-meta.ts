import { groupVersion, resources, type ResourceInfo } from "../../api/resources.js";
import { badRequest } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";

const goStructField = (kind: string, field: string, got: string, type: string): string =>
  `json: cannot unmarshal ${got} into Go struct field ${kind}.${field} of type ${type}`;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  return typeof v === "object" ? "object" : typeof v;
}

/**
 * Fills a decoded body's missing apiVersion/kind from the resource (as upstream's decoder defaults them) and
 * rejects bodies of another group version or kind, or with a malformed `metadata`, with upstream's 400s.
 */
export function applyTypeMeta(obj: KubeObject, resource: ResourceInfo): void {
  const expected = groupVersion(resource);
  if (obj.apiVersion !== undefined && typeof obj.apiVersion !== "string") {
    throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(obj.apiVersion)} into Go struct field .apiVersion of type string`);
  }
  if (obj.kind !== undefined && typeof obj.kind !== "string") {
    throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(obj.kind)} into Go struct field .kind of type string`);
  }
  const kind = obj.kind || resource.kind;
  let [group, version] = splitGroupVersion(obj.apiVersion ?? "");
  if (version === "" && group === "") [group, version] = [resource.group, resource.version];
  if (version === "" && group === resource.group) version = resource.version;
  const apiVersion = group ? `${group}/${version}` : version;
  if (apiVersion !== expected) {
    const served = resources.some((r) => groupVersion(r) === apiVersion) || apiVersion === "policy/v1";
    if (served) throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected})`);
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${resource.kind}: no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  }
  if (kind !== resource.kind) {
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${resource.kind}: the object kind "${kind}" does not match the resource kind "${resource.kind}"`);
  }
  if (obj.metadata !== undefined && obj.metadata !== null && jsonKind(obj.metadata) !== "object") {
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${resource.kind}: ${goStructField(resource.kind, "metadata", jsonKind(obj.metadata), "v1.ObjectMeta")}`);
  }
  obj.apiVersion = apiVersion;
  obj.kind = kind;
}

function splitGroupVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

/**
 * Makes the body's namespace agree with the request's, as upstream does: an empty one is filled in,
 * a cluster-scoped request clears it, a different one is a 400.
 */
export function ensureNamespace(obj: KubeObject, requestNamespace: string | undefined): void {
  const objNamespace = obj.metadata?.namespace ?? "";
  const want = requestNamespace ?? "";
  if (objNamespace === want) return;
  if (objNamespace === "") {
    obj.metadata = { ...(obj.metadata ?? {}), namespace: want };
    return;
  }
  if (want === "") {
    const { namespace: _dropped, ...rest } = obj.metadata ?? {};
    obj.metadata = rest;
    return;
  }
  throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
}

/**
 * Rejects an update whose body names another object than the URL (400, upstream's wording); a name that is not a
 * string is the decoder's 400 (call after applyTypeMeta).
 */
export function checkName(obj: KubeObject, name: string): void {
  const objName: unknown = obj.metadata?.name ?? "";
  if (typeof objName !== "string") {
    const kind = String(obj.kind);
    const version = String(obj.apiVersion).split("/").pop() ?? "";
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${goStructField("ObjectMeta", "metadata.name", jsonKind(objName), "string")}`);
  }
  if (objName !== name) throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
}
