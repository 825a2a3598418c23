import { createServer as createHttpServer, ServerResponse, STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { badRequest, statusError, type StatusError } from "../../api/status-error.js";
import { setCommonHeaders } from "./reply.js";

/** How long a client may take to send a request; past either limit it gets 408 and the connection closes. */
export interface RequestLimits {
  /** Time to send the request headers (and, over HTTPS, to finish the TLS handshake). */
  headersMs: number;
  /** Time to send the whole request, body included (never below `headersMs`). */
  requestMs: number;
  /** How often connections are checked against both limits. */
  checkIntervalMs: number;
}

/** What the API's HTTP(S) server is made of. */
export interface ApiServerOptions {
  /** The request listener (createApiHandler). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Serve HTTPS with this certificate and key; plain HTTP when absent. With `ca`, clients are asked for a
   * certificate (optional; verified against `ca`, as kube-apiserver's --client-ca-file).
   */
  tls?: { cert: string; key: string; ca?: string };
  limits: RequestLimits;
}

type Handler = ApiServerOptions["handler"];

/**
 * An HTTP(S) server for the API on which every answer to a client mistake is a v1 Status, also for the requests
 * node:http refuses before any handler runs: unparseable request lines, headers and chunk framing (400),
 * headers or URL past 16 KiB (431), requests slower than the limits (408), oversized chunk extensions (413), an
 * `Expect` other than `100-continue` (417). CONNECT and upgrade requests go through `handler` like any other request,
 * on a connection that closes after the answer unless the handler takes it over (pods/exec);
 * `closeAllConnections` also ends those taken over. Each of those answers closes the connection.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const { headersMs, requestMs, checkIntervalMs } = options.limits;
  const timeouts = { headersTimeout: headersMs, requestTimeout: Math.max(headersMs, requestMs), connectionsCheckingInterval: checkIntervalMs };
  // The handler answers a missing Host itself (node:http would send a bare 400).
  const serverOptions = { ...timeouts, requireHostHeader: false };
  // The exchange in progress on each connection: a framing error in its body is answered through its response; one
  // in a request pipelined behind it is answered after it.
  const inFlight = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
  const handler: Handler = (req, res) => {
    inFlight.set(req.socket, { req, res });
    res.once("finish", () => { if (inFlight.get(req.socket)?.res === res) inFlight.delete(req.socket); });
    options.handler(req, res);
  };
  const server = options.tls
    ? createHttpsServer({
      ...serverOptions, cert: options.tls.cert, key: options.tls.key, handshakeTimeout: headersMs,
      ...(options.tls.ca !== undefined ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
    }, handler)
    : createHttpServer(serverOptions, handler);
  server.keepAliveTimeout = 65_000;
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    const refusal = clientErrorStatus(err);
    const current = inFlight.get(socket);
    const answerRaw = (): void => {
      if (refusal && socket.writable) socket.end(rawStatusResponse(refusal), () => socket.destroy());
      else socket.destroy();
    };
    if (!refusal || !current || current.res.destroyed) {
      answerRaw();
    } else if (!current.req.complete) {
      if (current.res.headersSent) socket.destroy();
      else answerAndClose(current.res, refusal, () => socket.destroy());
    } else {
      current.res.once("close", () => { if (current.res.writableFinished) answerRaw(); else socket.destroy(); });
    }
  });
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    const expect = req.headers.expect ?? "";
    answerAndClose(res, statusError(417, "ExpectationFailed", `expectation ${JSON.stringify(expect)} is not supported; only "100-continue" is`));
  });
  // Connections handed over to another protocol (WebSocket streams of pods/exec): node:http no longer tracks them.
  const upgraded = new Set<Duplex>();
  const serveOnSocket = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (head.length > 0) socket.unshift(head);
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    socket.on("error", () => socket.destroy());
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Parameters<ServerResponse["assignSocket"]>[0]);
    res.once("finish", () => socket.end(() => socket.destroy()));
    options.handler(req, res);
  };
  // CONNECT is no tunnel here: answer it as any other method on its path (a 401 or 405 Status).
  server.on("connect", serveOnSocket);
  // Upgrades go through the handler like any request (authentication and authorization included); only the
  // handler of a streaming subresource takes the connection over, every other answer closes it.
  server.on("upgrade", serveOnSocket);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAll();
    for (const socket of upgraded) socket.destroy();
  };
  return server;
}

/** The Status a node:http client error is answered with; undefined for a connection that just went away. */
function clientErrorStatus(err: NodeJS.ErrnoException): StatusError | undefined {
  const code = err.code ?? "";
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return statusError(408, "Timeout", "Timeout: the client did not send the whole request in time");
  if (code === "HPE_HEADER_OVERFLOW") return statusError(431, "RequestHeaderFieldsTooLarge", "the request line and headers are larger than 16 KiB");
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return statusError(413, "RequestEntityTooLarge", "Request entity too large: chunk extensions are larger than 16 KiB");
  if (!code.startsWith("HPE_")) return undefined;
  const reason = (err as { reason?: unknown }).reason;
  return badRequest(`malformed HTTP request: ${typeof reason === "string" && reason !== "" ? reason : err.message}`);
}

function statusBody(err: StatusError): string {
  return `${JSON.stringify(err.status)}\n`;
}

/** Answers `err` through a response not yet started, closing the connection after it. */
function answerAndClose(res: ServerResponse, err: StatusError, done?: () => void): void {
  const body = statusBody(err);
  res.statusCode = err.code;
  setCommonHeaders(res, []);
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader("Connection", "close");
  res.end(body, done);
}

/** A whole HTTP/1.1 response carrying `err`'s Status, for a connection that has no response object. */
function rawStatusResponse(err: StatusError): string {
  const body = statusBody(err);
  return [
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? "Error"}`,
    "Cache-Control: no-cache, private",
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "X-Content-Type-Options: nosniff",
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}
