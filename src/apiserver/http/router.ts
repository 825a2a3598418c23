import { findResource, resources, reviewResources, type ResourceInfo } from "../../api/resources.js";
import type { HealthEndpoint } from "./health.js";

/** A request on one served resource: a collection, one object, or one object's subresource. */
export interface ResourceRoute {
  type: "resource";
  resource: ResourceInfo;
  /** The namespace from the path; undefined for cluster-scoped resources and cluster-wide lists. */
  namespace: string | undefined;
  /** The object name; undefined for collection paths. */
  name: string | undefined;
  subresource: string | undefined;
  /** For `nodes/<name>/proxy/<path>`: the path (still percent-encoded) after `proxy`, `/` when none. */
  proxyPath?: string;
}

/** What a request path addresses. */
export type Route =
  | { type: "version" }
  | { type: "health"; endpoint: HealthEndpoint; check: string | undefined }
  | { type: "metrics" }
  | { type: "ui"; file: string | undefined }
  | { type: "discovery"; root: "api" | "apis" }
  | { type: "group"; group: string }
  | { type: "resource-list"; group: string; version: string }
  | { type: "openapi-index" }
  | { type: "openapi-document"; groupVersion: string }
  | { type: "openapi-v2" }
  | ResourceRoute
  | { type: "not-found" };

const healthPaths = new Set(["/healthz", "/livez", "/readyz"]);

/** True for paths anyone may read without credentials (health, version and the dashboard's static files). */
export function isPublicPath(pathname: string): boolean {
  const p = trimSlash(pathname);
  return p === "/version" || p === "/ui" || pathname.startsWith("/ui/") || healthPaths.has(p) || [...healthPaths].some((h) => p.startsWith(`${h}/`));
}

/** Maps a URL path (not yet percent-decoded) to what it addresses; `not-found` when nothing is served there. */
export function parseRoute(pathname: string): Route {
  const p = trimSlash(pathname);
  if (p === "/version") return { type: "version" };
  if (p === "/metrics") return { type: "metrics" };
  if (pathname === "/ui") return { type: "ui", file: undefined };
  if (pathname.startsWith("/ui/")) return { type: "ui", file: pathname.slice("/ui/".length) };
  for (const h of healthPaths) {
    if (p === h) return { type: "health", endpoint: h.slice(1) as HealthEndpoint, check: undefined };
    if (p.startsWith(`${h}/`)) return { type: "health", endpoint: h.slice(1) as HealthEndpoint, check: p.slice(h.length + 1) };
  }
  if (p === "/openapi/v2") return { type: "openapi-v2" };
  if (p === "/openapi/v3") return { type: "openapi-index" };
  if (p.startsWith("/openapi/v3/")) return openApiRoute(p.slice("/openapi/v3/".length));
  const proxy = nodeProxyRoute(pathname);
  if (proxy) return proxy;
  const segments = splitPath(p);
  if (!segments) return { type: "not-found" };
  const [root, ...rest] = segments;
  if (root === "api") {
    if (rest.length === 0) return { type: "discovery", root: "api" };
    const [version, ...tail] = rest;
    if (version !== "v1") return { type: "not-found" };
    return tail.length === 0 ? { type: "resource-list", group: "", version } : resourceRoute("", version, tail);
  }
  if (root === "apis") {
    if (rest.length === 0) return { type: "discovery", root: "apis" };
    const [group = "", version, ...tail] = rest;
    if (!servedGroup(group)) return { type: "not-found" };
    if (version === undefined) return { type: "group", group };
    if (!servedVersion(group, version)) return { type: "not-found" };
    return tail.length === 0 ? { type: "resource-list", group, version } : resourceRoute(group, version, tail);
  }
  return { type: "not-found" };
}

function openApiRoute(rest: string): Route {
  const segments = splitPath(`/${rest}`);
  if (!segments) return { type: "not-found" };
  if (segments.length === 2 && segments[0] === "api" && segments[1] === "v1") return { type: "openapi-document", groupVersion: "v1" };
  if (segments.length === 3 && segments[0] === "apis") return { type: "openapi-document", groupVersion: `${segments[1]}/${segments[2]}` };
  return { type: "not-found" };
}

/** Routes `<resource>[/<name>[/<sub>]]` or `namespaces/<ns>/<resource>[/<name>[/<sub>]]` below a group version. */
function resourceRoute(group: string, version: string, tail: string[]): Route {
  const [first = "", second, third, fourth, fifth, ...extra] = tail;
  if (extra.length > 0) return { type: "not-found" };
  const lookup = (name: string): ResourceInfo | undefined => {
    const r = findResource(group, name);
    return r && r.version === version ? r : undefined;
  };
  // `/namespaces/<ns>/<resource>...` addresses namespaced resources; `/namespaces`, `/namespaces/<name>` and
  // `/namespaces/<name>/<subresource>` address namespace objects themselves.
  if (group === "" && first === "namespaces" && second !== undefined && third !== undefined) {
    const nested = lookup(third);
    if (nested?.namespaced) {
      if (fifth !== undefined && !nested.subresources.includes(fifth)) return { type: "not-found" };
      return { type: "resource", resource: nested, namespace: second, name: fourth, subresource: fifth };
    }
  }
  if (group !== "" && first === "namespaces" && second !== undefined) {
    const nested = third === undefined ? undefined : lookup(third);
    if (!nested?.namespaced) return { type: "not-found" };
    if (fifth !== undefined && !nested.subresources.includes(fifth)) return { type: "not-found" };
    return { type: "resource", resource: nested, namespace: second, name: fourth, subresource: fifth };
  }
  if (fourth !== undefined) return { type: "not-found" };
  const resource = lookup(first);
  if (!resource) return { type: "not-found" };
  // A namespaced resource without a namespace is served only as a cluster-wide collection.
  if (resource.namespaced && second !== undefined) return { type: "not-found" };
  if (third !== undefined && !resource.subresources.includes(third)) return { type: "not-found" };
  return { type: "resource", resource, namespace: undefined, name: second, subresource: third };
}

/** `/api/v1/nodes/<name>/proxy[/<path>]`: the rest of the path is the agent's, whatever it holds. */
function nodeProxyRoute(pathname: string): ResourceRoute | undefined {
  const m = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/.exec(pathname);
  const nodes = m ? findResource("", "nodes") : undefined;
  if (!m || !nodes) return undefined;
  let name: string;
  try { name = decodeURIComponent(m[1] ?? ""); } catch { return undefined; }
  return { type: "resource", resource: nodes, namespace: undefined, name, subresource: "proxy", proxyPath: m[2] ?? "/" };
}

function servedGroup(group: string): boolean {
  return group !== "" && [...resources, ...reviewResources].some((r) => r.group === group);
}

function servedVersion(group: string, version: string): boolean {
  return [...resources, ...reviewResources].some((r) => r.group === group && r.version === version);
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

/** Splits and percent-decodes a path; undefined when a segment is empty or malformed. */
function splitPath(p: string): string[] | undefined {
  if (!p.startsWith("/")) return undefined;
  const raw = p.slice(1).split("/");
  const out: string[] = [];
  for (const s of raw) {
    if (s === "") return undefined;
    try {
      out.push(decodeURIComponent(s));
    } catch {
      return undefined;
    }
  }
  return out;
}
