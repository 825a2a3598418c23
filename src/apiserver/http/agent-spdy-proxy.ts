/**
 * Passing a client's SPDY/3.1 upgrade on to a node agent, as upstream's upgrade-aware proxy passes one to the
 * kubelet: the agent negotiates the protocol version from the client's `X-Stream-Protocol-Version` headers, its 101
 * (with the version it chose) is what the client gets, and from then on the API server only carries bytes; SPDY is
 * spoken end to end between the client and the agent. Used by `pods/exec`, `pods/attach` and `pods/portforward`.
 */
import type { Duplex } from "node:stream";
import { badRequest, statusError } from "../../api/status-error.js";
import { agentOrigin, type AgentClientCertificate, type AgentTarget } from "./agent-request.js";
import { refusalText, upgradeAgent } from "./agent-upgrade.js";
import type { RequestContext } from "./context.js";
import { takeUpgrade } from "./upgrade.js";

/** The protocol versions a SPDY client asked for with `X-Stream-Protocol-Version` (repeated or comma-separated). */
export function spdyProtocols(ctx: RequestContext): string[] {
  return (ctx.req.headersDistinct["x-stream-protocol-version"] ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/** True when the request asks to upgrade to SPDY/3.1. */
export function isSpdyRequest(ctx: RequestContext): boolean {
  return (ctx.req.headers.upgrade ?? "").toLowerCase().split(",").some((p) => p.trim() === "spdy/3.1");
}

/** A connection upgraded on both sides: the client's (not yet answered) and the agent's (after its 101). */
export interface AgentSpdyConnection {
  client: Duplex;
  agent: Duplex;
  /** The protocol version the agent chose ("" when it named none). */
  protocol: string;
}

/**
 * Upgrades `path` on the agent with `protocols` and takes the client's connection over (for `what`). The agent's
 * refusal becomes the client's Status error with its code (404 NotFound, 403 Forbidden, 5xx InternalError, other
 * codes BadRequest), the message being `prefix` and the agent's text; an agent that cannot be reached is a 500.
 */
export async function upgradeThroughAgent(ctx: RequestContext, target: AgentTarget, path: string, protocols: string[], client: AgentClientCertificate, what: string, prefix = ""): Promise<AgentSpdyConnection> {
  let upgrade;
  try {
    upgrade = await upgradeAgent(target, "POST", path, { Connection: "Upgrade", Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": protocols }, client, ctx.signal);
  } catch (err) {
    throw statusError(500, "InternalError", `error dialing backend: ${agentOrigin(target)}${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (upgrade.kind === "refused") {
    const code = upgrade.response.statusCode ?? 500;
    const text = `${prefix}${await refusalText(upgrade.response)}`;
    if (code === 404) throw statusError(404, "NotFound", text);
    if (code === 403) throw statusError(403, "Forbidden", text);
    throw code >= 500 ? statusError(500, "InternalError", text) : badRequest(text);
  }
  const protocol = String(upgrade.response.headers["x-stream-protocol-version"] ?? "");
  return { client: takeUpgrade(ctx, what), agent: upgrade.socket, protocol };
}

/** Answers the client's SPDY upgrade with the agent's choice of protocol and splices the two connections. */
export function spliceSpdy({ client, agent, protocol }: AgentSpdyConnection): void {
  client.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" +
    (protocol !== "" ? `X-Stream-Protocol-Version: ${protocol}\r\n` : "") + "\r\n");
  client.pipe(agent);
  agent.pipe(client);
  const close = (): void => { client.destroy(); agent.destroy(); };
  client.once("close", close);
  agent.once("close", close);
  client.on("error", close);
  agent.on("error", close);
}
