/**
 * An upgrade request (SPDY/3.1, WebSocket) to a node agent's HTTPS endpoint, pinned to the certificate its Node
 * published as every agent request is (agent-request.ts): the connection is handed over only after the agent
 * answered 101 over a handshake that showed that certificate.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { request } from "node:https";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { pinAgentCertificate, type AgentClientCertificate, type AgentTarget } from "./agent-request.js";

/** The agent's answer: the upgraded connection (with its 101), or the response that refused the upgrade. */
export type AgentUpgrade =
  | { kind: "upgraded"; response: IncomingMessage; socket: Duplex }
  | { kind: "refused"; response: IncomingMessage };

/** Sends `method path` with `headers` (which ask for the upgrade) to the agent; rejects on connection faults. */
export function upgradeAgent(target: AgentTarget, method: string, path: string, headers: OutgoingHttpHeaders, client: AgentClientCertificate, signal?: AbortSignal): Promise<AgentUpgrade> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.address, port: target.port, path, method, headers, cert: client.cert, key: client.key,
      rejectUnauthorized: false, agent: false, signal,
    });
    pinAgentCertificate(req, target);
    req.once("error", reject);
    req.once("response", (response) => resolve({ kind: "refused", response }));
    req.once("upgrade", (response, socket, head) => {
      if ((socket as TLSSocket).getPeerCertificate().fingerprint256 !== target.fingerprint) {
        socket.destroy();
        reject(new Error(`x509: the certificate of node "${target.nodeName}" is not the one its agent published`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve({ kind: "upgraded", response, socket });
    });
    req.end();
  });
}

/** The refusal's body as text (at most 64 KiB). */
export async function refusalText(response: IncomingMessage): Promise<string> {
  let text = "";
  response.setEncoding("utf8");
  for await (const d of response) { if (text.length < 65536) text += String(d); }
  return text.trim();
}
