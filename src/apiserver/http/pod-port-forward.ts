/**
 * `pods/<name>/portforward`: kubectl 1.32 first asks for a WebSocket with sub-protocol
 * `SPDY/3.1+portforward.k8s.io` (SPDY frames inside binary messages) and falls back to a plain SPDY/3.1 upgrade.
 * Either way the API server, as upstream's tunneling handler does, opens a SPDY/3.1 upgrade to the agent on the
 * pod's node (client certificate, pinned agent certificate) and then only carries bytes: SPDY is spoken end to end
 * between kubectl and the agent.
 */
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocketServer, type WebSocket } from "ws";
import { mustFindResource } from "../../api/resources.js";
import { badRequest, statusError } from "../../api/status-error.js";
import type { Pod } from "../../api/types.js";
import { spdyProtocols, spliceSpdy, upgradeThroughAgent } from "./agent-spdy-proxy.js";
import type { RequestContext } from "./context.js";
import { agentTargetOf, isSimulatedNode, readNode } from "./node-agent-target.js";
import type { NodeConnector } from "./pod-log.js";
import type { Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { isUpgradeRequest, isWebSocketRequest } from "./upgrade.js";

const podsResource = mustFindResource("", "pods");
/** WebSocket sub-protocols that tunnel SPDY carry this prefix before the SPDY protocol version. */
export const spdyTunnelPrefix = "SPDY/3.1+";

/** The SPDY protocols a WebSocket client offers through `SPDY/3.1+<protocol>.k8s.io` sub-protocols. */
export function tunneledProtocols(header: string | undefined): string[] {
  return (header ?? "").split(",").map((p) => p.trim())
    .filter((p) => p.startsWith(spdyTunnelPrefix) && p.endsWith(".k8s.io")).map((p) => p.slice(spdyTunnelPrefix.length));
}

/** Serves `pods/<name>/portforward` (GET for WebSocket, POST for SPDY). */
export async function podPortForward(ctx: RequestContext, route: ResourceRoute & { name: string }, connector: NodeConnector | undefined): Promise<Reply> {
  if (!connector) throw statusError(503, "ServiceUnavailable", "this API server has no credentials to reach node agents");
  const websocket = isWebSocketRequest(ctx);
  if (!isUpgradeRequest(ctx)) throw badRequest("Upgrade request required");
  const protocols = websocket ? tunneledProtocols(ctx.req.headers["sec-websocket-protocol"]) : spdyProtocols(ctx);
  if (websocket) {
    if (protocols.length === 0) throw badRequest("unable to upgrade: no tunneling spdy protocols provided");
    if (ctx.req.headers["sec-websocket-version"] !== "13" || !ctx.req.headers["sec-websocket-key"]) throw badRequest("websocket: the client is not using the websocket protocol version 13");
  } else if (!(ctx.req.headers.upgrade ?? "").toLowerCase().includes("spdy/3.1")) {
    throw badRequest(`unable to upgrade: missing upgrade headers in request: Upgrade ${JSON.stringify(ctx.req.headers.upgrade ?? "")}`);
  }
  const pod = await connector.client.get<Pod>(podsResource, route.namespace, route.name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${route.name} does not have a host assigned`);
  const node = await readNode(connector, nodeName);
  if (isSimulatedNode(node)) throw badRequest(`pod ${route.name} runs on simulated node "${nodeName}", which has no agent to forward ports to`);
  const target = agentTargetOf(node);
  const path = `/portForward/${encodeURIComponent(route.namespace ?? "")}/${encodeURIComponent(route.name)}`;
  const upgraded = await upgradeThroughAgent(ctx, target, path, protocols, connector, "port forwarding");
  if (websocket) tunnelWebSocket(ctx, upgraded.client, upgraded.agent, upgraded.protocol);
  else spliceSpdy(upgraded);
  return { kind: "streamed" };
}

/** Completes the WebSocket handshake (sub-protocol `SPDY/3.1+<agent's choice>`) and carries the SPDY bytes in binary messages. */
function tunnelWebSocket(ctx: RequestContext, client: Duplex, agent: Duplex, protocol: string): void {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => (protocol !== "" ? `${spdyTunnelPrefix}${protocol}` : false) });
  agent.on("error", () => agent.destroy());
  server.handleUpgrade(ctx.req, client, Buffer.alloc(0), (ws: WebSocket) => {
    const messages = createWebSocketStream(ws);
    messages.on("error", () => { ws.terminate(); agent.destroy(); });
    messages.pipe(agent);
    agent.pipe(messages, { end: false });
    agent.once("close", () => ws.close(1000));
    ws.once("close", () => agent.destroy());
  });
  client.once("close", () => agent.destroy());
}
