/**
 * OpenAPI 3 path items for served resources: operations carry `x-kubernetes-action` and
 * `x-kubernetes-group-version-kind` like upstream, and every PATCH lists `fieldValidation` (kubectl's
 * strict validation looks for it). PATCH operations have no requestBody (see the kubectl wire notes).
 */
import type { ResourceInfo } from "../../api/resources.js";
import type { JsonObject } from "../../api/types.js";
import { schemaFor } from "../../api/schema/catalog.js";
import { schemaRef } from "./schemas.js";

type Method = "get" | "put" | "patch" | "delete" | "post";

function queryParam(name: string, type: "string" | "boolean" | "integer", description: string): JsonObject {
  return { description, in: "query", name, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): JsonObject {
  return { description, in: "path", name, required: true, schema: { type: "string", uniqueItems: true } };
}

const params = {
  pretty: queryParam("pretty", "string", "If 'true', then the output is pretty printed."),
  dryRun: queryParam("dryRun", "string", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"),
  fieldManager: queryParam("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch)."),
  fieldValidation: queryParam("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered."),
  force: queryParam("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."),
  gracePeriodSeconds: queryParam("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately."),
  orphanDependents: queryParam("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both."),
  propagationPolicy: queryParam("propagationPolicy", "string", "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  allowWatchBookmarks: queryParam("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored."),
  continue: queryParam("continue", "string", "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize."),
  fieldSelector: queryParam("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
  labelSelector: queryParam("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
  limit: queryParam("limit", "integer", "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results."),
  resourceVersion: queryParam("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset"),
  resourceVersionMatch: queryParam("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset"),
  sendInitialEvents: queryParam("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic \"Bookmark\" event will be sent."),
  timeoutSeconds: queryParam("timeoutSeconds", "integer", "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity."),
  watch: queryParam("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
};

const listParams = [params.allowWatchBookmarks, params.continue, params.fieldSelector, params.labelSelector, params.limit,
  params.resourceVersion, params.resourceVersionMatch, params.sendInitialEvents, params.timeoutSeconds, params.watch];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];
const patchParams = [params.dryRun, params.force, params.fieldManager, params.fieldValidation];
const deleteParams = [params.gracePeriodSeconds, params.orphanDependents, params.propagationPolicy, params.dryRun];

const statusName = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const deleteOptionsName = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";

interface Gvk { group: string; version: string; kind: string }

interface OperationSpec {
  operationId: string;
  description: string;
  action: string;
  gvk: Gvk;
  parameters: JsonObject[];
  requestSchema?: string;
  responseSchema: string;
  responseCodes: number[];
}

const statusText: Record<number, string> = { 200: "OK", 201: "Created", 202: "Accepted" };

function operation(spec: OperationSpec, tag: string): JsonObject {
  const responses: JsonObject = {};
  for (const code of spec.responseCodes) {
    responses[String(code)] = { content: { "application/json": { schema: schemaRef(spec.responseSchema) } }, description: statusText[code] ?? "OK" };
  }
  const op: JsonObject = { description: spec.description, operationId: spec.operationId };
  if (spec.parameters.length > 0) op.parameters = spec.parameters;
  if (spec.requestSchema) op.requestBody = { content: { "*/*": { schema: schemaRef(spec.requestSchema) } }, required: true };
  op.responses = responses;
  op.tags = [tag];
  op["x-kubernetes-action"] = spec.action;
  op["x-kubernetes-group-version-kind"] = { group: spec.gvk.group, kind: spec.gvk.kind, version: spec.gvk.version };
  return op;
}

function capitalize(s: string): string { return s.charAt(0).toUpperCase() + s.slice(1); }

/** The group part of operation ids and tags: `Core`/`core`, `Apps`/`apps`, `Coordination`/`coordination`. */
function groupWord(group: string): string { return group === "" ? "core" : (group.split(".")[0] ?? group); }

function definitionName(kind: string, group: string, version: string): string {
  const def = schemaFor(kind, group ? `${group}/${version}` : version);
  if (!def) throw new Error(`no schema for ${kind}`);
  return def.name;
}

/** Path items (keyed by path) for one served resource and its subresources. */
export function resourcePaths(r: ResourceInfo): Record<string, JsonObject> {
  const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const tag = `${groupWord(r.group)}_${r.version}`;
  const idPart = `${capitalize(groupWord(r.group))}${capitalize(r.version)}`;
  const ns = r.namespaced ? "Namespaced" : "";
  const kind = r.kind;
  const gvk: Gvk = { group: r.group, version: r.version, kind };
  const objectSchema = definitionName(kind, r.group, r.version);
  const listSchema = definitionName(r.listKind, r.group, r.version);
  const has = (verb: string): boolean => r.verbs.includes(verb);
  const nsParam = pathParam("namespace", "object name and auth scope, such as for teams and projects");
  const nameParam = pathParam("name", `name of the ${kind}`);
  const collection = r.namespaced ? `${root}/namespaces/{namespace}/${r.resource}` : `${root}/${r.resource}`;
  const collectionParams = r.namespaced ? [nsParam, params.pretty] : [params.pretty];
  const itemParams = r.namespaced ? [nameParam, nsParam, params.pretty] : [nameParam, params.pretty];
  const out: Record<string, JsonObject> = {};
  const add = (path: string, pathParams: JsonObject[], method: Method, spec: OperationSpec): void => {
    const item = out[path] ?? (out[path] = { parameters: pathParams });
    item[method] = operation(spec, tag);
  };

  if (has("list")) {
    add(collection, collectionParams, "get", { operationId: `list${idPart}${ns}${kind}`, description: `list or watch objects of kind ${kind}`, action: "list", gvk, parameters: listParams, responseSchema: listSchema, responseCodes: [200] });
    if (r.namespaced) {
      add(`${root}/${r.resource}`, [params.pretty], "get", { operationId: `list${idPart}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, action: "list", gvk, parameters: listParams, responseSchema: listSchema, responseCodes: [200] });
    }
  }
  if (has("create")) add(collection, collectionParams, "post", { operationId: `create${idPart}${ns}${kind}`, description: `create a ${kind}`, action: "post", gvk, parameters: writeParams, requestSchema: objectSchema, responseSchema: objectSchema, responseCodes: [200, 201, 202] });
  if (has("deletecollection")) add(collection, collectionParams, "delete", { operationId: `delete${idPart}Collection${ns}${kind}`, description: `delete collection of ${kind}`, action: "deletecollection", gvk, parameters: [...deleteParams, ...listParams.filter((p) => p.name !== "watch" && p.name !== "allowWatchBookmarks")], requestSchema: deleteOptionsName, responseSchema: statusName, responseCodes: [200] });

  const item = `${collection}/{name}`;
  if (has("get")) add(item, itemParams, "get", { operationId: `read${idPart}${ns}${kind}`, description: `read the specified ${kind}`, action: "get", gvk, parameters: [], responseSchema: objectSchema, responseCodes: [200] });
  if (has("update")) add(item, itemParams, "put", { operationId: `replace${idPart}${ns}${kind}`, description: `replace the specified ${kind}`, action: "put", gvk, parameters: writeParams, requestSchema: objectSchema, responseSchema: objectSchema, responseCodes: [200, 201] });
  if (has("patch")) add(item, itemParams, "patch", { operationId: `patch${idPart}${ns}${kind}`, description: `partially update the specified ${kind}`, action: "patch", gvk, parameters: patchParams, responseSchema: objectSchema, responseCodes: [200, 201] });
  if (has("delete")) add(item, itemParams, "delete", { operationId: `delete${idPart}${ns}${kind}`, description: `delete a ${kind}`, action: "delete", gvk, parameters: deleteParams, requestSchema: deleteOptionsName, responseSchema: statusName, responseCodes: [200, 202] });

  if (r.subresources.includes("status")) {
    const status = `${item}/status`;
    if (has("get")) add(status, itemParams, "get", { operationId: `read${idPart}${ns}${kind}Status`, description: `read status of the specified ${kind}`, action: "get", gvk, parameters: [], responseSchema: objectSchema, responseCodes: [200] });
    if (has("update")) add(status, itemParams, "put", { operationId: `replace${idPart}${ns}${kind}Status`, description: `replace status of the specified ${kind}`, action: "put", gvk, parameters: writeParams, requestSchema: objectSchema, responseSchema: objectSchema, responseCodes: [200, 201] });
    if (has("patch")) add(status, itemParams, "patch", { operationId: `patch${idPart}${ns}${kind}Status`, description: `partially update status of the specified ${kind}`, action: "patch", gvk, parameters: patchParams, responseSchema: objectSchema, responseCodes: [200, 201] });
  }
  if (r.subresources.includes("binding")) {
    const bindingParams = r.namespaced ? [pathParam("name", "name of the Binding"), nsParam, params.pretty] : [pathParam("name", "name of the Binding"), params.pretty];
    const binding = definitionName("Binding", "", "v1");
    add(`${item}/binding`, bindingParams, "post", { operationId: `create${idPart}${ns}${kind}Binding`, description: `create binding of a ${kind}`, action: "post", gvk: { group: "", version: "v1", kind: "Binding" }, parameters: writeParams, requestSchema: binding, responseSchema: binding, responseCodes: [200, 201, 202] });
  }
  if (r.subresources.includes("eviction")) {
    const evictionParams = r.namespaced ? [pathParam("name", "name of the Eviction"), nsParam, params.pretty] : [pathParam("name", "name of the Eviction"), params.pretty];
    const eviction = definitionName("Eviction", "policy", "v1");
    add(`${item}/eviction`, evictionParams, "post", { operationId: `create${idPart}${ns}${kind}Eviction`, description: `create eviction of a ${kind}`, action: "post", gvk: { group: "policy", version: "v1", kind: "Eviction" }, parameters: writeParams, requestSchema: eviction, responseSchema: eviction, responseCodes: [200, 201, 202] });
  }
  if (r.subresources.includes("token")) {
    const tokenRequest = definitionName("TokenRequest", "authentication.k8s.io", "v1");
    add(`${item}/token`, [pathParam("name", "name of the TokenRequest"), nsParam, params.pretty], "post", { operationId: `create${idPart}${ns}${kind}Token`, description: `create token of a ${kind}`, action: "post", gvk: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" }, parameters: writeParams, requestSchema: tokenRequest, responseSchema: tokenRequest, responseCodes: [200, 201, 202] });
  }
  return out;
}

/** Every definition name the paths of these resources refer to directly. */
export function referencedSchemas(rs: readonly ResourceInfo[]): string[] {
  const names = new Set<string>([statusName, deleteOptionsName]);
  for (const r of rs) {
    names.add(definitionName(r.kind, r.group, r.version));
    names.add(definitionName(r.listKind, r.group, r.version));
    if (r.subresources.includes("binding")) names.add(definitionName("Binding", "", "v1"));
    if (r.subresources.includes("eviction")) names.add(definitionName("Eviction", "policy", "v1"));
    if (r.subresources.includes("token")) names.add(definitionName("TokenRequest", "authentication.k8s.io", "v1"));
  }
  return [...names];
}
