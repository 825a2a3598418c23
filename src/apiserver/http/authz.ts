/**
 * Authorization of resource requests, after authentication and before the request is served: members of
 * `system:masters` may do everything; node identities (`system:node:<name>` in `system:nodes`) what the Node
 * authorizer allows, with NodeRestriction admission on their writes; then, for everyone, what RBAC allows, with RBAC's
 * escalation checks on writes of roles and bindings. Denials are 403 Forbidden with upstream's wording.
 */
import { mustFindResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { Pod } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { deniedError, deny, allow, type Decision, type RequestAttributes } from "./authz-attributes.js";
import { authorizeNode, nodeIdentity, type NodeGraph } from "./authz-node.js";
import { nodeRestrictedClient } from "./authz-node-restriction.js";
import { rbacAllows } from "./rbac-authorizer.js";
import { escalationCheckedClient } from "./rbac-escalation.js";

/** The group whose members may do everything. */
export const mastersGroup = "system:masters";

/**
 * Authorizes one resource request: resolves to the Client to serve it with (the given one, or one that
 * adds admission checks for the caller's identity around it); rejects with a 403 StatusError.
 */
export type RequestAuthorizer = (attrs: RequestAttributes, client: Client) => Promise<Client>;

/** Whether RBAC allows a request (see rbac-authorizer.ts). */
export type RbacCheck = (attrs: RequestAttributes) => Promise<boolean>;

/**
 * The decision on a request; `graph` relates pods and what they reference to nodes (for node identities); `rbac`,
 * when given, is asked after the Node authorizer for every identity that is not in system:masters.
 */
export async function authorize(attrs: RequestAttributes, graph: NodeGraph, rbac?: RbacCheck): Promise<Decision> {
  if (attrs.user.groups.includes(mastersGroup)) return allow;
  const node = nodeIdentity(attrs.user);
  const nodeDecision = node !== undefined ? await authorizeNode(node, attrs, graph) : deny();
  if (nodeDecision.allowed) return nodeDecision;
  if (rbac && await rbac(attrs)) return allow;
  return nodeDecision;
}

function rbacCheck(client: Client): RbacCheck {
  return (attrs) => rbacAllows(client, {
    user: attrs.user, verb: attrs.verb, group: attrs.resource.group, resource: attrs.resource.resource,
    subresource: attrs.subresource, namespace: attrs.namespace, name: attrs.name,
  });
}

/** The API server's RequestAuthorizer (see the file comment). */
export function createAuthorizer(): RequestAuthorizer {
  return async (attrs, client) => {
    const decision = await authorize(attrs, nodeGraph(client), rbacCheck(client));
    if (!decision.allowed) throw deniedError(attrs, decision.reason);
    if (attrs.user.groups.includes(mastersGroup)) return client;
    const node = nodeIdentity(attrs.user);
    return escalationCheckedClient(node === undefined ? client : nodeRestrictedClient(client, node), attrs.user);
  };
}

const podsResource = mustFindResource("", "pods");

/** The Node authorizer's view of the cluster, read from the API server's caches (pods are indexed by node). */
export function nodeGraph(client: Client): NodeGraph {
  return {
    podBinding: async (namespace, name) => {
      try {
        const pod = await client.get<Pod>(podsResource, namespace, name);
        return pod.spec?.nodeName ?? "";
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) return undefined;
        throw err;
      }
    },
    podsOnNode: async (nodeName, namespace) => (await client.list<Pod>(podsResource, namespace, { fieldSelector: `spec.nodeName=${nodeName}` })).items,
  };
}
