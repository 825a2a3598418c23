import { createHash } from "node:crypto";
import { resources, type ResourceInfo } from "../../api/resources.js";
import { objectReply, type Reply } from "./reply.js";

/** The Content-Type of aggregated discovery answers; kubectl reads the body as aggregated only with exactly this. */
export const aggregatedDiscoveryContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

interface Gvk { group: string; version: string; kind: string }

interface SubresourceInfo { responseKind: Gvk; verbs: string[] }

/** What each served subresource answers with and which verbs it takes. */
function subresourceInfo(r: ResourceInfo, sub: string): SubresourceInfo {
  switch (sub) {
    case "status": return { responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: ["get", "patch", "update"] };
    case "binding": return { responseKind: { group: "", version: "v1", kind: "Binding" }, verbs: ["create"] };
    case "eviction": return { responseKind: { group: "policy", version: "v1", kind: "Eviction" }, verbs: ["create"] };
    case "exec": return { responseKind: { group: "", version: "v1", kind: "PodExecOptions" }, verbs: ["create", "get"] };
    case "attach": return { responseKind: { group: "", version: "v1", kind: "PodAttachOptions" }, verbs: ["create", "get"] };
    case "portforward": return { responseKind: { group: "", version: "v1", kind: "PodPortForwardOptions" }, verbs: ["create", "get"] };
    case "proxy": return { responseKind: { group: "", version: "v1", kind: "NodeProxyOptions" }, verbs: ["create", "delete", "get", "patch", "update"] };
    case "token": return { responseKind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" }, verbs: ["create"] };
    default: return { responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: ["get"] };
  }
}

/** The groups served under /apis, in discovery order, each with its versions. */
function namedGroups(): { name: string; versions: string[] }[] {
  const out: { name: string; versions: string[] }[] = [];
  for (const r of resources) {
    if (r.group === "") continue;
    let g = out.find((x) => x.name === r.group);
    if (!g) out.push((g = { name: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return resources.filter((r) => r.group === group && r.version === version);
}

function discoveryResource(r: ResourceInfo): object {
  const entry: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length > 0) entry.shortNames = r.shortNames;
  if (r.categories.length > 0) entry.categories = r.categories;
  if (r.subresources.length > 0) {
    entry.subresources = r.subresources.map((sub) => ({ subresource: sub, ...subresourceInfo(r, sub) }));
  }
  return entry;
}

function groupDiscovery(name: string, versions: string[]): object {
  const metadata: Record<string, unknown> = { creationTimestamp: null };
  if (name !== "") metadata.name = name;
  return {
    metadata,
    versions: versions.map((version) => ({ version, resources: resourcesOf(name, version).map(discoveryResource), freshness: "Current" })),
  };
}

/** The apidiscovery.k8s.io/v2 APIGroupDiscoveryList of `/api` (core group) or `/apis` (named groups). */
export function aggregatedDiscovery(root: "api" | "apis"): object {
  const items = root === "api" ? [groupDiscovery("", ["v1"])] : namedGroups().map((g) => groupDiscovery(g.name, g.versions));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}

/** The legacy APIVersions of `/api`. */
function legacyApiVersions(serverAddress: string): object {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function apiGroup(g: { name: string; versions: string[] }): object {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** The legacy APIGroupList of `/apis`. */
function legacyApiGroupList(): object {
  return { kind: "APIGroupList", apiVersion: "v1", groups: namedGroups().map(apiGroup) };
}

/** The APIGroup of `/apis/<group>`, or undefined when the group is not served. */
export function apiGroupOf(group: string): object | undefined {
  const g = namedGroups().find((x) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(g) } : undefined;
}

/** The APIResourceList of one group version (`/api/v1`, `/apis/apps/v1`), subresources included as `pods/status`. */
export function apiResourceList(group: string, version: string): object {
  const list: Record<string, unknown>[] = [];
  for (const r of resourcesOf(group, version)) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length > 0) entry.shortNames = r.shortNames;
    if (r.categories.length > 0) entry.categories = r.categories;
    list.push(entry);
    for (const sub of r.subresources) {
      const info = subresourceInfo(r, sub);
      const subEntry: Record<string, unknown> = { name: `${r.resource}/${sub}`, singularName: "", namespaced: r.namespaced };
      if (info.responseKind.group !== r.group || info.responseKind.version !== r.version) {
        subEntry.group = info.responseKind.group;
        subEntry.version = info.responseKind.version;
      }
      subEntry.kind = info.responseKind.kind;
      subEntry.verbs = info.verbs;
      list.push(subEntry);
    }
  }
  list.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources: list };
}

/**
 * The aggregated discovery reply with its exact Content-Type, an ETag, and 304 when `ifNoneMatch` matches.
 */
export function aggregatedDiscoveryReply(root: "api" | "apis", ifNoneMatch: string | undefined): Reply {
  const body = aggregatedDiscovery(root);
  const etag = `"${createHash("sha256").update(JSON.stringify(body)).digest("hex")}"`;
  const headers = { ETag: etag, Vary: "Accept" };
  if (ifNoneMatch === etag) return { kind: "object", code: 304, body: undefined, contentType: aggregatedDiscoveryContentType, headers };
  return { kind: "object", code: 200, body, contentType: aggregatedDiscoveryContentType, headers };
}

/** The legacy discovery reply of `/api` or `/apis`. */
export function legacyDiscoveryReply(root: "api" | "apis", host: string): Reply {
  const reply = objectReply(200, root === "api" ? legacyApiVersions(host) : legacyApiGroupList());
  return reply.kind === "object" ? { ...reply, headers: { Vary: "Accept" } } : reply;
}
