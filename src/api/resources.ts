/** Static description of one served resource: what discovery, routing, storage keys and messages need. */
export interface ResourceInfo {
  /** API group; "" for the core group. */
  group: string;
  version: string;
  /** Plural lower-case name used in URLs, e.g. `daemonsets`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Served subresources, e.g. `status`, `binding`, `eviction`. */
  subresources: string[];
}

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** Every resource everynode serves, in discovery order. */
export const resources: readonly ResourceInfo[] = [
  { group: "", version: "v1", resource: "namespaces", singular: "namespace", kind: "Namespace", listKind: "NamespaceList", namespaced: false, shortNames: ["ns"], categories: [], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], subresources: ["status"] },
  { group: "", version: "v1", resource: "nodes", singular: "node", kind: "Node", listKind: "NodeList", namespaced: false, shortNames: ["no"], categories: [], verbs: allVerbs, subresources: ["status", "proxy"] },
  { group: "", version: "v1", resource: "pods", singular: "pod", kind: "Pod", listKind: "PodList", namespaced: true, shortNames: ["po"], categories: ["all"], verbs: allVerbs, subresources: ["status", "binding", "eviction", "log", "portforward", "exec", "attach"] },
  { group: "", version: "v1", resource: "events", singular: "event", kind: "Event", listKind: "EventList", namespaced: true, shortNames: ["ev"], categories: [], verbs: allVerbs, subresources: [] },
  { group: "", version: "v1", resource: "configmaps", singular: "configmap", kind: "ConfigMap", listKind: "ConfigMapList", namespaced: true, shortNames: ["cm"], categories: [], verbs: allVerbs, subresources: [] },
  { group: "", version: "v1", resource: "secrets", singular: "secret", kind: "Secret", listKind: "SecretList", namespaced: true, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "", version: "v1", resource: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount", listKind: "ServiceAccountList", namespaced: true, shortNames: ["sa"], categories: [], verbs: allVerbs, subresources: ["token"] },
  { group: "", version: "v1", resource: "services", singular: "service", kind: "Service", listKind: "ServiceList", namespaced: true, shortNames: ["svc"], categories: ["all"], verbs: allVerbs, subresources: ["status"] },
  { group: "", version: "v1", resource: "endpoints", singular: "endpoints", kind: "Endpoints", listKind: "EndpointsList", namespaced: true, shortNames: ["ep"], categories: [], verbs: allVerbs, subresources: [] },
  { group: "apps", version: "v1", resource: "daemonsets", singular: "daemonset", kind: "DaemonSet", listKind: "DaemonSetList", namespaced: true, shortNames: ["ds"], categories: ["all"], verbs: allVerbs, subresources: ["status"] },
  { group: "apps", version: "v1", resource: "controllerrevisions", singular: "controllerrevision", kind: "ControllerRevision", listKind: "ControllerRevisionList", namespaced: true, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", singular: "clusterrolebinding", kind: "ClusterRoleBinding", listKind: "ClusterRoleBindingList", namespaced: false, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", singular: "clusterrole", kind: "ClusterRole", listKind: "ClusterRoleList", namespaced: false, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", singular: "rolebinding", kind: "RoleBinding", listKind: "RoleBindingList", namespaced: true, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", singular: "role", kind: "Role", listKind: "RoleList", namespaced: true, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", singular: "priorityclass", kind: "PriorityClass", listKind: "PriorityClassList", namespaced: false, shortNames: ["pc"], categories: [], verbs: allVerbs, subresources: [] },
  { group: "coordination.k8s.io", version: "v1", resource: "leases", singular: "lease", kind: "Lease", listKind: "LeaseList", namespaced: true, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "discovery.k8s.io", version: "v1", resource: "endpointslices", singular: "endpointslice", kind: "EndpointSlice", listKind: "EndpointSliceList", namespaced: true, shortNames: [], categories: [], verbs: allVerbs, subresources: [] },
  { group: "everynode.dev", version: "v1alpha1", resource: "daemonjobs", singular: "daemonjob", kind: "DaemonJob", listKind: "DaemonJobList", namespaced: true, shortNames: ["dj"], categories: ["all"], verbs: allVerbs, subresources: ["status"] },
];

/** The review kinds: answered on create, never stored, not listed in discovery. */
export const reviewResources: readonly ResourceInfo[] = [
  { group: "authorization.k8s.io", version: "v1", resource: "selfsubjectaccessreviews", singular: "selfsubjectaccessreview", kind: "SelfSubjectAccessReview", listKind: "SelfSubjectAccessReviewList", namespaced: false, shortNames: [], categories: [], verbs: ["create"], subresources: [] },
  { group: "authorization.k8s.io", version: "v1", resource: "selfsubjectrulesreviews", singular: "selfsubjectrulesreview", kind: "SelfSubjectRulesReview", listKind: "SelfSubjectRulesReviewList", namespaced: false, shortNames: [], categories: [], verbs: ["create"], subresources: [] },
  { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews", singular: "subjectaccessreview", kind: "SubjectAccessReview", listKind: "SubjectAccessReviewList", namespaced: false, shortNames: [], categories: [], verbs: ["create"], subresources: [] },
  { group: "authorization.k8s.io", version: "v1", resource: "localsubjectaccessreviews", singular: "localsubjectaccessreview", kind: "LocalSubjectAccessReview", listKind: "LocalSubjectAccessReviewList", namespaced: true, shortNames: [], categories: [], verbs: ["create"], subresources: [] },
  { group: "authentication.k8s.io", version: "v1", resource: "selfsubjectreviews", singular: "selfsubjectreview", kind: "SelfSubjectReview", listKind: "SelfSubjectReviewList", namespaced: false, shortNames: [], categories: [], verbs: ["create"], subresources: [] },
];

/** True for a review kind (see reviewResources). */
export function isReviewResource(r: Pick<ResourceInfo, "group" | "resource">): boolean {
  return reviewResources.some((x) => x.group === r.group && x.resource === r.resource);
}

/** `apps/v1` or `v1` for the core group. */
export function groupVersion(r: Pick<ResourceInfo, "group" | "version">): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Finds a served resource (review kinds included) by group and plural name; undefined when not served. */
export function findResource(group: string, resource: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.resource === resource) ?? reviewResources.find((r) => r.group === group && r.resource === resource);
}

/** Finds a served resource that must exist by group and plural name; throws when it is not served. */
export function mustFindResource(group: string, resource: string): ResourceInfo {
  const r = findResource(group, resource);
  if (!r) throw new Error(`${resource} are not served`);
  return r;
}

/** Finds a served resource by apiVersion and kind; undefined when not served. */
export function findResourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/**
 * Storage key of an object: `/registry/<group or core>/<resource>/<namespace>/<name>` for namespaced
 * resources, `/registry/<group or core>/<resource>/<name>` for cluster-scoped ones.
 * With no name, the prefix that lists them (trailing slash included).
 */
export function storageKey(r: ResourceInfo, namespace: string | undefined, name?: string): string {
  const base = `/registry/${r.group || "core"}/${r.resource}/`;
  if (r.namespaced && namespace) return name === undefined ? `${base}${namespace}/` : `${base}${namespace}/${name}`;
  return name === undefined ? base : `${base}${name}`;
}
