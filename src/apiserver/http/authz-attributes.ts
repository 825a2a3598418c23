/**
 * What authorization sees of a request (upstream's authorizer.Attributes, derived as its RequestInfo derives
 * them) and the 403 Forbidden errors worded as upstream words them.
 */
import { parseFieldSelector, type FieldRequirement } from "../../api/field-selector.js";
import type { ResourceInfo } from "../../api/resources.js";
import { statusError, type StatusError } from "../../api/status-error.js";
import type { UserInfo } from "./auth.js";
import { queryBool } from "./query.js";
import type { ResourceRoute } from "./router.js";

/** One resource request as authorization sees it. */
export interface RequestAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete or deletecollection (another method: its lowercased name). */
  verb: string;
  resource: ResourceInfo;
  subresource: string | undefined;
  /** The namespace from the path; for a named namespace, its own name (as upstream). */
  namespace: string | undefined;
  /** The object name from the path, or for list/watch the value of a `metadata.name=` field selector. */
  name: string | undefined;
  /** The terms of the request's field selector (none when absent or unparsable). */
  fieldSelector: readonly FieldRequirement[];
}

/** An authorizer's answer; a denial's reason ("" for none) is appended to the 403 message. */
export type Decision = { allowed: true } | { allowed: false; reason: string };

/** Allows the request. */
export const allow: Decision = { allowed: true };

/** Denies the request, optionally saying why. */
export function deny(reason = ""): Decision {
  return { allowed: false, reason };
}

/** Derives the attributes of a request on `route` made with `method` and `query` by `user`. */
export function requestAttributes(user: UserInfo, method: string, route: ResourceRoute, query: URLSearchParams): RequestAttributes {
  const named = route.name !== undefined;
  const fieldSelector = parseSelector(query.get("fieldSelector"), route.resource.resource);
  let verb: string;
  switch (method) {
    case "GET":
    case "HEAD":
      verb = queryBool(query, "watch") ? "watch" : named ? "get" : "list";
      break;
    case "POST": verb = "create"; break;
    case "PUT": verb = "update"; break;
    case "PATCH": verb = "patch"; break;
    case "DELETE": verb = named ? "delete" : "deletecollection"; break;
    default: verb = method.toLowerCase();
  }
  let name = route.name;
  if (!named && (verb === "list" || verb === "watch")) {
    const byName = fieldSelector.find((r) => r.field === "metadata.name" && r.operator === "=");
    if (byName && byName.value !== "" && !/[/%]/.test(byName.value) && byName.value !== "." && byName.value !== "..") name = byName.value;
  }
  const namespace = route.resource.group === "" && route.resource.resource === "namespaces" ? route.name : route.namespace;
  return { user, verb, resource: route.resource, subresource: route.subresource, namespace, name, fieldSelector };
}

function parseSelector(raw: string | null, resource: string): readonly FieldRequirement[] {
  if (!raw) return [];
  try {
    return parseFieldSelector(raw, resource).requirements;
  } catch {
    return [];
  }
}

function qualified(resource: Pick<ResourceInfo, "group" | "resource">): string {
  return resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
}

/** 403 Forbidden on an object (`pods "x" is forbidden: <message>`) or a collection (`pods is forbidden: ...`). */
export function forbiddenError(resource: Pick<ResourceInfo, "group" | "resource">, name: string | undefined, message: string): StatusError {
  const subject = name ? `${qualified(resource)} "${name}"` : qualified(resource);
  const details = name ? { name, group: resource.group, kind: resource.resource } : { group: resource.group, kind: resource.resource };
  return statusError(403, "Forbidden", `${subject} is forbidden: ${message}`, details);
}

/**
 * The 403 of a request authorization denied: `<resource> ["<name>"] is forbidden: User "<user>" cannot <verb>
 * resource "<resource>[/<sub>]" in API group "<group>" in the namespace "<ns>"` (or `at the cluster scope`),
 * followed by `: <reason>` when there is one.
 */
export function deniedError(attrs: RequestAttributes, reason: string): StatusError {
  const resource = attrs.subresource ? `${attrs.resource.resource}/${attrs.subresource}` : attrs.resource.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : "at the cluster scope";
  const message = `User "${attrs.user.name}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.resource.group}" ${scope}`;
  return forbiddenError(attrs.resource, attrs.name, reason ? `${message}: ${reason}` : message);
}
