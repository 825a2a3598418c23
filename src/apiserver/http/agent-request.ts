/**
 * A GET to a node agent's HTTPS endpoint, pinned to the serving certificate its Node published: every request
 * makes a full TLS handshake of its own (no pooled socket, no resumed session — a resumed session shows no peer
 * certificate to compare), and the answer is given only when the agent's certificate has the published
 * SHA-256 fingerprint.
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import { connect as tlsConnect, type TLSSocket } from "node:tls";

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

function mismatch(target: AgentTarget): Error {
  const where = agentOrigin(target).slice("https://".length);
  return new Error(`x509: the certificate of node "${target.nodeName}" at ${where} is not the one its agent published`);
}

/**
 * Opens a TLS connection to the agent (full handshake, client certificate presented); resolves once the agent's
 * certificate proved to be the published one, before any byte is sent; rejects with the connection error, a
 * certificate mismatch, or `dial tcp …: i/o timeout` after `timeoutMs`.
 */
export function connectToAgent(target: AgentTarget, client: AgentClientCertificate, signal?: AbortSignal, timeoutMs = 10_000): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: target.address, port: target.port, cert: client.cert, key: client.key, rejectUnauthorized: false });
    const where = agentOrigin(target).slice("https://".length);
    const timer = setTimeout(() => socket.destroy(new Error(`dial tcp ${where}: i/o timeout`)), timeoutMs);
    const aborted = (): void => { socket.destroy(); reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted")); };
    signal?.addEventListener("abort", aborted, { once: true });
    const settled = (): void => { clearTimeout(timer); signal?.removeEventListener("abort", aborted); };
    socket.once("error", (err) => { settled(); reject(err); });
    socket.once("secureConnect", () => {
      settled();
      if (socket.getPeerCertificate().fingerprint256 === target.fingerprint) {
        resolve(socket);
      } else {
        socket.destroy();
        reject(mismatch(target));
      }
    });
  });
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
      if (seen !== target.fingerprint) req.destroy(mismatch(target));
    });
  });
}
