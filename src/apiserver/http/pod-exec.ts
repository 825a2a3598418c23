/**
 * `pods/exec` and `pods/attach`: kubectl's remote command through the API server to the agent of the pod's node,
 * over a WebSocket (v5.channel.k8s.io, or v4; relayed message by message) or over SPDY/3.1 (v4/v3/v2.channel.k8s.io,
 * negotiated by the agent; the upgraded connections are spliced, as upstream's upgrade-aware proxy does). Checked as
 * upstream's ExecLocation checks before anything is upgraded — the pod exists, the container is named or the only
 * one, the pod has a node — and then the node must be one run by an agent (a simulated node has no processes to exec
 * into). A request that is no upgrade gets 400 `Upgrade request required`. Once a WebSocket is upgraded, failures
 * reaching the agent are the InternalError Status on channel 3, as upstream's stream translator reports them; a SPDY
 * upgrade the agent refuses is answered with the agent's code and reason before the client's connection is upgraded.
 * Attach passes the client's input only to a container with `stdin: true` (asking for stdin of another is refused
 * with a 400 before anything is upgraded); whether the session has a terminal follows the container's `tty`, as the
 * kubelet decides it.
 */
import { WebSocketServer, type WebSocket } from "ws";
import { mustFindResource } from "../../api/resources.js";
import { attachWithoutStdinMessage, channel, encodeFrame, internalErrorStatus, remoteCommandProtocols } from "../../api/remote-command.js";
import { badRequest, statusError } from "../../api/status-error.js";
import type { Pod } from "../../api/types.js";
import { isSpdyRequest, spdyProtocols, spliceSpdy, upgradeThroughAgent } from "./agent-spdy-proxy.js";
import type { RequestContext } from "./context.js";
import { maxMessageBytes, openAgentStream, relayStreams } from "./exec-tunnel.js";
import { agentTargetOf, isSimulatedNode, readNode } from "./node-agent-target.js";
import type { NodeConnector } from "./pod-log.js";
import { queryBool } from "./query.js";
import type { Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { isUpgradeRequest, isWebSocketRequest, takeUpgrade } from "./upgrade.js";

const podsResource = mustFindResource("", "pods");

/** The container an exec or attach goes to, with upstream's errors (every container kind is listed and accepted). */
export function streamContainer(pod: Pod, requested: string | null): string {
  const name = pod.metadata?.name ?? "";
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (!requested) {
    const only = spec?.containers?.length === 1 ? spec.containers[0]?.name : undefined;
    if (only !== undefined) return only;
    if ((spec?.containers?.length ?? 0) === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(" ")}]`);
  }
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** Container `name` of `pod`, of any kind. */
function podContainer(pod: Pod, name: string): { stdin?: boolean } | undefined {
  const spec = pod.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].find((c) => c.name === name);
}

/** The refusal of a request that cannot be upgraded here. */
function notUpgradable(ctx: RequestContext): Error {
  const upgrade = ctx.req.headers.upgrade;
  if (upgrade === undefined) return badRequest("Upgrade request required");
  return badRequest(`unable to upgrade: ${upgrade} is not served; this API server streams commands over WebSockets (${remoteCommandProtocols.join(", ")}) and SPDY/3.1`);
}

/** The subprotocol chosen for the client, or the 400 when it offers none spoken here. */
function chooseProtocol(ctx: RequestContext): string {
  const offered = (ctx.req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const chosen = remoteCommandProtocols.find((p) => offered.includes(p));
  if (!chosen) throw badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${remoteCommandProtocols.join(" ")}]`);
  if (!ctx.req.headers["sec-websocket-key"] || ctx.req.headers["sec-websocket-version"] !== "13") throw badRequest("unable to upgrade: invalid WebSocket handshake");
  return chosen;
}

/** Serves `pods/<name>/exec` or `pods/<name>/attach` (GET with a WebSocket upgrade, GET or POST with a SPDY/3.1 upgrade; anything else is refused with upstream's 400). */
export async function podStream(ctx: RequestContext, route: ResourceRoute & { name: string }, kind: "exec" | "attach", connector: NodeConnector | undefined): Promise<Reply> {
  if (!connector) throw statusError(503, "ServiceUnavailable", "this API server has no credentials to reach node agents");
  const q = ctx.query;
  const pod = await connector.client.get<Pod>(podsResource, route.namespace, route.name);
  const container = streamContainer(pod, q.get("container"));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${route.name} does not have a host assigned`);
  const node = await readNode(connector, nodeName);
  if (isSimulatedNode(node)) {
    throw badRequest(`pod ${route.name} runs on the simulated node "${nodeName}", which has no processes to ${kind === "exec" ? "exec into" : "attach to"}; ${kind} reaches pods on nodes run by everynode agent`);
  }
  const target = agentTargetOf(node);
  const command = q.getAll("command");
  const streams = { input: queryBool(q, "stdin") ?? false, output: queryBool(q, "stdout") ?? false, error: queryBool(q, "stderr") ?? false, tty: queryBool(q, "tty") ?? false };
  if (!streams.input && !streams.output && !streams.error) throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
  if (kind === "exec" && command.length === 0) throw badRequest("you must specify at least one command for the container");
  if (kind === "attach" && streams.input && !podContainer(pod, container)?.stdin) throw badRequest(attachWithoutStdinMessage(container));
  const params = new URLSearchParams();
  if (kind === "exec") for (const c of command) params.append("command", c);
  for (const [k, v] of Object.entries(streams)) params.set(k, v ? "1" : "0");
  const path = `/${kind}/${encodeURIComponent(route.namespace ?? "")}/${encodeURIComponent(route.name)}/${encodeURIComponent(container)}?${params.toString()}`;
  if (isUpgradeRequest(ctx) && isSpdyRequest(ctx)) {
    spliceSpdy(await upgradeThroughAgent(ctx, target, path, spdyProtocols(ctx), connector, kind, "unable to upgrade connection: "));
    return { kind: "streamed" };
  }
  if (!isWebSocketRequest(ctx) || ctx.req.method !== "GET") throw notUpgradable(ctx);
  const protocol = chooseProtocol(ctx);

  let agent: WebSocket | undefined;
  let failure: string | undefined;
  try {
    agent = await openAgentStream(target, path, connector, ctx.signal);
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  const socket = ctx.req.socket;
  if (ctx.signal.aborted || socket.destroyed) {
    agent?.terminate();
    return { kind: "streamed" };
  }
  takeUpgrade(ctx, kind);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: maxMessageBytes, clientTracking: false, handleProtocols: () => protocol });
  wss.handleUpgrade(ctx.req, socket, Buffer.alloc(0), (client) => {
    if (agent) {
      relayStreams(client, agent, nodeName).catch((err: unknown) => ctx.log(`apiserver: ${kind} relay for pod ${route.namespace ?? ""}/${route.name}: ${String(err)}`));
      return;
    }
    client.send(encodeFrame(channel.error, JSON.stringify(internalErrorStatus(failure ?? "the agent could not be reached"))));
    client.close(1000);
  });
  return { kind: "streamed" };
}
