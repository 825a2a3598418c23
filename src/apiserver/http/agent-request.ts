/**
 * A GET to a node agent's HTTPS endpoint, pinned to the serving certificate its Node published: every request
 * makes a full TLS handshake of its own (no pooled socket, no resumed session — a resumed session shows no peer
 * certificate to compare), and the answer is given only when the agent's certificate has the published
 * SHA-256 fingerprint.
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";

/** Where an agent listens and which certificate it must present. */
export interface AgentTarget {
  nodeName: string;
  address: string;
  port: number;
  /** SHA-256 fingerprint (colon-separated hex, as Node prints it) of the agent's serving certificate. */
  fingerprint: string;
}

/** The client certificate the API server presents to agents (PEM). */
export interface AgentClientCertificate { cert: string; key: string }

/** `https://host:port` for messages, with IPv6 addresses in brackets. */
export function agentOrigin(target: AgentTarget): string {
  return `https://${target.address.includes(":") ? `[${target.address}]` : target.address}:${target.port}`;
}

/**
 * Sends `GET path` to the agent; resolves with its response (any status) once the pinned certificate was seen,
 * rejects with the connection error or a certificate mismatch.
 */
export function getFromAgent(target: AgentTarget, path: string, client: AgentClientCertificate, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.address, port: target.port, path, method: "GET", cert: client.cert, key: client.key,
      rejectUnauthorized: false, agent: false, signal,
    }, resolve);
    pinAgentCertificate(req, target);
    req.once("error", reject);
    req.end();
  });
}

/** Destroys `req` (with an x509 error) as soon as its TLS handshake shows a certificate other than the pinned one. */
export function pinAgentCertificate(req: ClientRequest, target: AgentTarget): void {
  req.once("socket", (socket) => {
    socket.once("secureConnect", () => {
      const seen = (socket as TLSSocket).getPeerCertificate().fingerprint256;
      if (seen !== target.fingerprint) {
        const where = agentOrigin(target).slice("https://".length);
        req.destroy(new Error(`x509: the certificate of node "${target.nodeName}" at ${where} is not the one its agent published`));
      }
    });
  });
}
