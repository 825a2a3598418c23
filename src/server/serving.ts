import type { IncomingMessage, RequestListener, Server } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Authenticator, UserInfo } from "../apiserver/http/auth.js";
import { createApiServer } from "../apiserver/http/listener.js";
import type { ServingPki } from "./pki.js";
import type { TokenFile } from "./tokens.js";

/**
 * How long a client may take to send a request; past either limit the connection gets 408 and is closed. They
 * bound only the request (a watch, whose request is complete once its headers are, may stream for as long as it
 * lasts).
 */
export interface HttpTimeouts {
  /** Time to send the request headers (and, over HTTPS, to finish the TLS handshake); default 30 s. */
  headersMs?: number;
  /** Time to send the whole request, body included; default 60 s. */
  requestMs?: number;
  /** How often connections are checked against both limits; default 1 s. */
  checkIntervalMs?: number;
}

/**
 * The HTTP server for `handler` (every refusal of a client mistake a Status, see createApiServer): plain HTTP
 * without `pki`, else HTTPS with the serving certificate that also asks clients for a certificate (optional;
 * verified against the cluster CA, as kube-apiserver's --client-ca-file).
 */
export function createServer(options: { httpTimeouts?: HttpTimeouts }, handler: RequestListener, pki: ServingPki | undefined): Server {
  const t = options.httpTimeouts ?? {};
  const limits = { headersMs: t.headersMs ?? 30_000, requestMs: t.requestMs ?? 60_000, checkIntervalMs: t.checkIntervalMs ?? 1_000 };
  return createApiServer({ handler, tls: pki === undefined ? undefined : { cert: pki.cert, key: pki.key, ca: pki.caCert }, limits });
}

/** Listens on `host:port`; rejects with a message naming the address (e.g. when it is in use). */
export async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const why = error.code === "EADDRINUSE" ? "the address is already in use" : error.code === "EACCES" ? "permission denied" : error.message;
      fail(new Error(`cannot listen on ${host}:${port}: ${why}`));
    };
    server.once("error", onError);
    server.listen(port, host, () => { server.off("error", onError); ok(); });
  });
}

/** Closes a server that may be listening, dropping its connections. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((ok) => server.close(() => ok()));
  server.closeAllConnections();
  await closed;
}

/**
 * The user of a verified client certificate, as kube-apiserver's x509 authenticator reads it: the subject's CN is the
 * user name, its O values the groups. Undefined when the connection carries no certificate the cluster CA signed
 * (for client authentication), or the certificate has no CN.
 */
export function clientCertificateUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== "function") return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string | string[] | undefined> | undefined;
  const cn = subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return undefined;
  const o = subject?.O;
  return { name, groups: o === undefined ? [] : Array.isArray(o) ? [...o] : [o] };
}

/** Authenticates a bearer token as a ServiceAccount, or undefined (see service-account-auth.ts). */
export type ServiceAccountAuthenticator = (token: string | undefined) => Promise<UserInfo | undefined>;

/**
 * Authenticates requests as kube-apiserver's union of authenticators: a verified client certificate, else a bearer
 * token from `tokens` (tokens issued by other processes are picked up on first use), else a ServiceAccount token.
 */
export function requestAuthenticator(tokens: TokenFile, serviceAccounts?: ServiceAccountAuthenticator): Authenticator {
  return async (token, req) => {
    const user = (req && clientCertificateUser(req)) ?? await tokens.authenticateFresh(token);
    return user ?? (serviceAccounts ? await serviceAccounts(token) : undefined);
  };
}
