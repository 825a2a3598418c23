/**
 * The agent's HTTPS endpoint (the kubelet's port 10250): it accepts only clients holding a certificate of the
 * cluster's CA (the API server's kubelet client certificate) and serves /healthz, /pods, /containerLogs, the upgrade
 * to SPDY of /portForward and, over a WebSocket (subprotocol v5.channel.k8s.io) or SPDY/3.1 (v4/v3/v2.channel.k8s.io),
 * /exec/<ns>/<pod>/<container>?command=…&input=1&output=1&error=1&tty=0 and /attach/<ns>/<pod>/<container>?input=1&output=1&error=1. Its own
 * serving certificate is self-signed; the agent publishes its SHA-256 fingerprint on its Node so the API server can
 * tell it is talking to this agent.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { remoteCommandProtocols } from "../api/remote-command.js";
import { streamLog, type LogQuery } from "./container-log-reader.js";
import { runAttachSession, type AttachSessionOptions } from "./attach-session.js";
import { runExecSession, type ExecStreams } from "./exec-session.js";
import { servePortForward, type PortForwardTarget } from "./port-forward.js";
import { writeRawResponse } from "./raw-response.js";
import type { ExecProcess } from "./runtime.js";
import { webSocketTransport } from "./session-socket.js";
import type { SessionTransport } from "./session-transport.js";
import { serveSpdyRemoteCommand } from "./spdy-remote-command.js";
import { isSpdyUpgrade } from "./spdy-upgrade.js";

/** Answers a container log request: the files to read and when the instance is over, or an error (status, text). */
export type LogResolver = (namespace: string, pod: string, container: string, previous: boolean) =>
  { files: () => Promise<string[]>; finished: () => boolean } | { code: number; message: string };

/**
 * Answers an exec request: how to start a command in the running container, or an error (status, text) — the
 * kubelet's `pod does not exist` (404) and `container not found ("c")` (500).
 */
export type ExecResolver = (namespace: string, pod: string, container: string) =>
  { start: (argv: string[], stdin: boolean, tty: boolean, size?: { width: number; height: number }) => ExecProcess } | { code: number; message: string };

/**
 * Answers an attach request: the running container's output and end, with its input when `stdin` is asked for and
 * the container has one, or an error (status, text) as for exec.
 */
export type AttachResolver = (namespace: string, pod: string, container: string, stdin: boolean) =>
  Pick<AttachSessionOptions, "subscribe" | "exited" | "stdin" | "resize"> | { code: number; message: string };
/** Finds the pod a port-forward request is for, or an error (status, text). */
export type PortForwardResolver = (namespace: string, pod: string) => PortForwardTarget | { code: number; message: string };

/** Options of an AgentServer. */
export interface AgentServerOptions {
  host: string;
  port: number;
  /** PEM serving certificate and key. */
  cert: string;
  key: string;
  /** PEM CA whose client certificates are accepted. */
  clientCA: string;
  logs: LogResolver;
  exec: ExecResolver;
  attach: AttachResolver;
  portForward: PortForwardResolver;
  /** The pods the agent runs, for `/pods` (a v1 PodList, as the kubelet's). */
  pods: () => unknown;
  onError: (error: unknown) => void;
}

function queryNumber(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses the log query kubelet-style (`sinceTime` RFC 3339 or `sinceSeconds`). */
export function parseLogQuery(q: URLSearchParams, nowMs: number): LogQuery {
  const sinceSeconds = queryNumber(q, "sinceSeconds");
  const sinceTime = q.get("sinceTime");
  const flag = (name: string): boolean => q.get(name) === "true" || q.get(name) === "1";
  return {
    follow: flag("follow"), timestamps: flag("timestamps"), tailLines: queryNumber(q, "tailLines"), limitBytes: queryNumber(q, "limitBytes"),
    sinceMs: sinceTime ? Date.parse(sinceTime) : sinceSeconds !== undefined ? nowMs - sinceSeconds * 1000 : undefined,
  };
}

/** The agent's HTTPS server. */
export class AgentServer {
  private server: Server | undefined;
  private readonly upgraded = new Set<Duplex>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024, clientTracking: false });

  /** Prepares the server; `start` listens. */
  constructor(private readonly o: AgentServerOptions) {}

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const server = createServer({ cert: this.o.cert, key: this.o.key, ca: this.o.clientCA, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        this.o.onError(err);
        if (!res.headersSent) { res.statusCode = 500; res.end(); } else res.destroy();
      });
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (head.length > 0) socket.unshift(head);
      socket.on("error", (err) => this.o.onError(err));
      this.upgraded.add(socket);
      socket.once("close", () => this.upgraded.delete(socket));
      this.upgrade(req, socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => { server.off("error", reject); resolve(); });
    });
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and closes connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    for (const socket of this.upgraded) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests with `Upgrade`: the streaming endpoints take the connection over. */
  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const url = new URL(req.url ?? "/", "https://agent");
    const pf = /^\/portForward\/([^/]+)\/([^/]+)(?:\/[^/]+)?$/.exec(url.pathname);
    if (pf && (req.method === "POST" || req.method === "GET")) {
      const target = this.o.portForward(decodeURIComponent(pf[1] ?? ""), decodeURIComponent(pf[2] ?? ""));
      if ("code" in target) { writeRawResponse(socket, target.code, {}, target.message); return; }
      servePortForward(req, socket, target, { streamCreationTimeoutMs: 30_000, onError: this.o.onError });
      return;
    }
    this.remoteCommand(req, socket, url);
  }

  /** `/exec/…` and `/attach/…` over a WebSocket or SPDY/3.1; anything else upgraded is refused. */
  private remoteCommand(req: IncomingMessage, socket: Duplex, url: URL): void {
    const refuse = (code: number, body: string): void => writeRawResponse(socket, code, {}, body);
    const spdy = isSpdyUpgrade(req);
    const m = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || !(req.method === "GET" || (spdy && req.method === "POST"))) { refuse(404, "404 page not found"); return; }
    const protocols = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (!spdy && !protocols.includes(remoteCommandProtocols[0])) { refuse(400, `the ${remoteCommandProtocols[0]} subprotocol is required`); return; }
    const q = url.searchParams;
    const flag = (name: string): boolean => q.get(name) === "1" || q.get(name) === "true";
    // As the kubelet: with a terminal, stderr is part of it.
    const streams: ExecStreams = { stdin: flag("input"), stdout: flag("output"), stderr: flag("error") && !flag("tty"), tty: flag("tty") };
    if (!streams.stdin && !streams.stdout && !streams.stderr) { refuse(400, "you must specify at least 1 of stdin, stdout, stderr"); return; }
    const [ns, pod, container] = [m[2], m[3], m[4]].map((s) => decodeURIComponent(s ?? "")) as [string, string, string];
    const accept = (session: (transport: SessionTransport) => Promise<void>): void => {
      if (spdy) {
        serveSpdyRemoteCommand(req, socket, { streams, streamCreationTimeoutMs: 30_000, onError: this.o.onError }, session);
        return;
      }
      this.wss.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => { session(webSocketTransport(ws)).catch(this.o.onError); });
    };
    if (m[1] === "attach") {
      const found = this.o.attach(ns, pod, container, streams.stdin);
      if ("code" in found) { refuse(found.code, found.message); return; }
      accept((transport) => runAttachSession({ transport, stdout: streams.stdout, stderr: streams.stderr, ...found }));
      return;
    }
    const argv = q.getAll("command");
    if (argv.length === 0) { refuse(400, "you must specify at least one command for the container"); return; }
    const found = this.o.exec(ns, pod, container);
    if ("code" in found) { refuse(found.code, found.message); return; }
    accept((transport) => runExecSession({ transport, argv, streams, start: (size) => found.start(argv, streams.stdin, streams.tty, size), onError: this.o.onError }));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://agent");
    const text = (code: number, body: string): void => {
      res.statusCode = code;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end(body);
    };
    if (url.pathname === "/healthz") { text(200, "ok"); return; }
    if (url.pathname === "/pods" && req.method === "GET") {
      res.statusCode = 200;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(this.o.pods()));
      return;
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== "GET") { text(404, "404 page not found"); return; }
    const [ns, pod, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ""));
    const found = this.o.logs(ns ?? "", pod ?? "", container ?? "", url.searchParams.get("previous") === "true");
    if ("code" in found) { text(found.code, found.message); return; }
    const q = parseLogQuery(url.searchParams, Date.now());
    res.statusCode = 200;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.flushHeaders();
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    await streamLog(await found.files(), q, (chunk) => res.write(chunk), found.finished, abort.signal);
    res.end();
  }
}
