/**
 * Which node agent serves a node: the address, port and pinned certificate fingerprint its Node published, or
 * "simulated" for nodes run by the simulator (no agent to reach).
 */
import { mustFindResource } from "../../api/resources.js";
import { badRequest } from "../../api/status-error.js";
import type { Node } from "../../api/types.js";
import type { AgentTarget } from "./agent-request.js";
import type { NodeConnector } from "./pod-log.js";

const nodesResource = mustFindResource("", "nodes");

/** Node annotation with the SHA-256 fingerprint of the agent's serving certificate. */
export const agentCertAnnotation = "everynode.dev/agent-serving-cert-sha256";
/** Node annotation marking nodes the simulator runs. */
export const simulatedNodeAnnotation = "everynode.dev/simulated";

/** True when the simulator runs `node` (no agent serves it). */
export function isSimulatedNode(node: Node): boolean {
  return node.metadata?.annotations?.[simulatedNodeAnnotation] === "true";
}

/** Where `node`'s agent listens; 400 when it published no endpoint (no agent ever registered it). */
export function agentTargetOf(node: Node): AgentTarget {
  const nodeName = node.metadata?.name ?? "";
  const address = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? node.status?.addresses?.[0]?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const fingerprint = node.metadata?.annotations?.[agentCertAnnotation];
  if (!address || !port || !fingerprint) throw badRequest(`node "${nodeName}" has no agent endpoint to reach`);
  return { nodeName, address, port, fingerprint };
}

/** Reads Node `name` with the connector's unrestricted client (404 NotFound when it does not exist). */
export function readNode(connector: NodeConnector, name: string): Promise<Node> {
  return connector.client.get<Node>(nodesResource, undefined, name);
}
