/**
 * The Node authorizer: what a kubelet identity (`system:node:<name>` in group `system:nodes`) may do. Writes it
 * may attempt are narrowed further by NodeRestriction admission (authz-node-restriction.ts).
 *
 * nodes: get/list/watch any; create/update/patch (own only, by admission); nodes/status: update/patch.
 * pods: get of pods bound to the node; list/watch only with `fieldSelector=spec.nodeName=<node>` (or of a
 * single bound pod by `metadata.name`); create (mirror pods) and delete (by admission); pods/status
 * update/patch and pods/eviction create (bound pods, by admission).
 * leases.coordination.k8s.io: get/create/update/patch/delete of its own Lease in kube-node-lease.
 * configmaps, secrets: get/list/watch of single objects a pod bound to the node references (upstream's graph:
 * node <- pod <- configmap/secret). serviceaccounts/token: create for the ServiceAccount of a pod bound to the
 * node (the token must be bound to such a pod: checked where tokens are issued, as NodeRestriction does).
 * services: get/list/watch (the kubelet's service environment variables). events: create/update/patch.
 * Everything else is denied.
 */
import { podObjectNames } from "../../api/pod-references.js";
import type { Pod } from "../../api/types.js";
import type { UserInfo } from "./auth.js";
import { allow, deny, type Decision, type RequestAttributes } from "./authz-attributes.js";

/** Group every node identity belongs to. */
export const nodesGroup = "system:nodes";
/** User name prefix of node identities. */
export const nodeUserPrefix = "system:node:";
/** Namespace of node heartbeat Leases. */
export const nodeLeaseNamespace = "kube-node-lease";

/** The user a node named `nodeName` authenticates as. */
export function nodeUser(nodeName: string): UserInfo {
  return { name: `${nodeUserPrefix}${nodeName}`, groups: [nodesGroup] };
}

/** The node a user acts as: its name ("" when the user name has no node part); undefined for non-node users. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.groups.includes(nodesGroup) || !user.name.startsWith(nodeUserPrefix)) return undefined;
  return user.name.slice(nodeUserPrefix.length);
}

/** What the Node authorizer reads of the cluster to relate objects to nodes. */
export interface NodeGraph {
  /** The node a pod is bound to ("" when unbound), or undefined when the pod does not exist. */
  podBinding(namespace: string, name: string): Promise<string | undefined>;
  /** The pods of `namespace` bound to node `nodeName`. */
  podsOnNode(nodeName: string, namespace: string): Promise<Pod[]>;
}

type Related = "configmaps" | "secrets" | "serviceaccounts";

/** Whether a pod bound to `nodeName` in `namespace` references the object `name` of kind `kind`. */
async function related(graph: NodeGraph, nodeName: string, kind: Related, namespace: string, name: string): Promise<boolean> {
  for (const pod of await graph.podsOnNode(nodeName, namespace)) {
    const names = podObjectNames(pod);
    if (kind === "serviceaccounts" ? names.serviceAccount === name : names[kind].has(name)) return true;
  }
  return false;
}

function noRelationship(nodeName: string): Decision {
  return deny(`no relationship found between node '${nodeName}' and this object`);
}

/** Decides a request of node `nodeName`; `graph` relates pods and the objects they reference to nodes. */
export async function authorizeNode(nodeName: string, attrs: RequestAttributes, graph: NodeGraph): Promise<Decision> {
  if (nodeName === "") return deny(`unknown node for user "${attrs.user.name}"`);
  const { group, resource } = attrs.resource;
  if (group === "" && resource === "nodes") return authorizeNodeObject(attrs);
  if (group === "" && resource === "pods") return authorizePod(nodeName, attrs, graph);
  if (group === "" && (resource === "configmaps" || resource === "secrets")) return authorizeReadReferenced(nodeName, attrs, resource, graph);
  if (group === "" && resource === "serviceaccounts") return authorizeCreateToken(nodeName, attrs, graph);
  if (group === "" && resource === "services" && attrs.subresource === undefined && ["get", "list", "watch"].includes(attrs.verb)) return allow;
  if (group === "coordination.k8s.io" && resource === "leases") return authorizeLease(nodeName, attrs);
  if (group === "" && resource === "events" && attrs.subresource === undefined && ["create", "update", "patch"].includes(attrs.verb)) return allow;
  return deny();
}

function authorizeNodeObject(attrs: RequestAttributes): Decision {
  const verbs = attrs.subresource === undefined ? ["get", "list", "watch", "create", "update", "patch"]
    : attrs.subresource === "status" ? ["update", "patch"] : [];
  return verbs.includes(attrs.verb) ? allow : deny();
}

/** get/list/watch of one ConfigMap or Secret a pod bound to the node references. */
async function authorizeReadReferenced(nodeName: string, attrs: RequestAttributes, kind: Related, graph: NodeGraph): Promise<Decision> {
  if (!["get", "list", "watch"].includes(attrs.verb)) return deny("can only read resources of this type");
  if (attrs.subresource !== undefined) return deny("cannot read subresource");
  if (!attrs.namespace) return deny("can only read namespaced object of this type");
  if (!attrs.name) return deny("No Object name found");
  return await related(graph, nodeName, kind, attrs.namespace, attrs.name) ? allow : noRelationship(nodeName);
}

/** create of `serviceaccounts/token` for the ServiceAccount of a pod bound to the node. */
async function authorizeCreateToken(nodeName: string, attrs: RequestAttributes, graph: NodeGraph): Promise<Decision> {
  if (attrs.verb !== "create" || !attrs.name) return deny("can only create tokens for individual service accounts");
  if (attrs.subresource !== "token") return deny("can only create token subresource of serviceaccount");
  if (!attrs.namespace) return noRelationship(nodeName);
  return await related(graph, nodeName, "serviceaccounts", attrs.namespace, attrs.name) ? allow : noRelationship(nodeName);
}

async function authorizePod(nodeName: string, attrs: RequestAttributes, graph: NodeGraph): Promise<Decision> {
  const { verb, subresource } = attrs;
  if (subresource === "status") return verb === "update" || verb === "patch" ? allow : deny();
  if (subresource === "eviction") return verb === "create" ? allow : deny();
  if (subresource !== undefined) return deny();
  switch (verb) {
    case "get":
      return boundPod(nodeName, attrs, graph);
    case "list":
    case "watch":
      if (attrs.fieldSelector.some((r) => r.field === "spec.nodeName" && r.operator === "=" && r.value === nodeName)) return allow;
      if (attrs.name !== undefined) return boundPod(nodeName, attrs, graph);
      return deny("can only list/watch pods with spec.nodeName field selector");
    case "create":
    case "delete":
      return allow;
    default:
      return deny();
  }
}

async function boundPod(nodeName: string, attrs: RequestAttributes, graph: NodeGraph): Promise<Decision> {
  if (!attrs.name) return deny("No Object name found");
  const boundTo = attrs.namespace ? await graph.podBinding(attrs.namespace, attrs.name) : undefined;
  return boundTo === nodeName ? allow : noRelationship(nodeName);
}

function authorizeLease(nodeName: string, attrs: RequestAttributes): Decision {
  if (!["get", "create", "update", "patch", "delete"].includes(attrs.verb)) return deny("can only get, create, update, patch, or delete a node lease");
  if (attrs.namespace !== nodeLeaseNamespace) return deny(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
  if (attrs.verb !== "create" && attrs.name !== nodeName) return deny("can only access node lease with the same name as the requesting node");
  return allow;
}
