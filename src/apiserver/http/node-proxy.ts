/**
 * `nodes/<name>/proxy/<path>`: the request (method, query, body and end-to-end headers) goes to `<path>` on the
 * node's agent endpoint, with the API server's client certificate and the agent's pinned certificate, and the
 * agent's answer comes back as it is — as the kube-apiserver proxies to the kubelet's port 10250. A node the
 * simulator runs has no agent: 503, as upstream answers for a kubelet it cannot reach.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { request } from "node:https";
import { statusError } from "../../api/status-error.js";
import { pinAgentCertificate, type AgentTarget } from "./agent-request.js";
import type { RequestContext } from "./context.js";
import { agentTargetOf, isSimulatedNode, readNode } from "./node-agent-target.js";
import type { NodeConnector } from "./pod-log.js";
import type { Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/** Headers that describe one hop (RFC 9110 §7.6.1) or carry the caller's credentials: never passed on. */
const notForwarded = new Set([
  "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
  "upgrade", "host", "authorization", "content-length",
]);

/** The end-to-end headers of a request or response, without credentials and impersonation. */
export function forwardableHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = new Set((String(headers.connection ?? "")).split(",").map((h) => h.trim().toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || notForwarded.has(name) || listed.has(name) || name.startsWith("impersonate-")) continue;
    out[name] = value;
  }
  return out;
}

function unreachable(target: AgentTarget | string, err: unknown): never {
  const why = typeof target === "string" ? target : err instanceof Error ? err.message : String(err);
  throw statusError(503, "ServiceUnavailable", `error trying to reach service: ${why}`);
}

/** Serves any method on `nodes/<name>/proxy/<path>`. */
export async function nodeProxy(ctx: RequestContext, route: ResourceRoute & { name: string }, connector: NodeConnector | undefined): Promise<Reply> {
  if (!connector) throw statusError(503, "ServiceUnavailable", "this API server has no credentials to reach node agents");
  const node = await readNode(connector, route.name);
  if (isSimulatedNode(node)) unreachable(`node "${route.name}" is simulated: no agent listens for it`, undefined);
  const target = agentTargetOf(node);
  const raw = ctx.req.url ?? "";
  const q = raw.indexOf("?");
  const path = `${route.proxyPath ?? "/"}${q < 0 ? "" : raw.slice(q)}`;
  const headers = forwardableHeaders(ctx.req.headers);
  const hasBody = ctx.req.headers["content-length"] !== undefined || ctx.req.headers["transfer-encoding"] !== undefined;
  if (ctx.req.headers["content-length"] !== undefined) headers["content-length"] = ctx.req.headers["content-length"];
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({
      host: target.address, port: target.port, path, method: ctx.req.method ?? "GET", headers,
      cert: connector.cert, key: connector.key, rejectUnauthorized: false, agent: false, signal: ctx.signal,
    }, resolve);
    pinAgentCertificate(req, target);
    req.once("error", reject);
    if (hasBody) ctx.req.pipe(req); else req.end();
  }).catch((err: unknown) => unreachable(target, err));
  ctx.res.statusCode = response.statusCode ?? 502;
  for (const [name, value] of Object.entries(forwardableHeaders(response.headers))) if (value !== undefined) ctx.res.setHeader(name, value);
  if (response.headers["content-length"] !== undefined) ctx.res.setHeader("content-length", response.headers["content-length"]);
  response.pipe(ctx.res);
  response.once("error", () => ctx.res.destroy());
  return { kind: "streamed" };
}
