/**
 * kubectl's own floor for `kubectl get pods -A`: the Table pages a server answered, captured once and served again by
 * a replay server that does no work (no storage, no encoding, no admission), so what kubectl then takes is kubectl's
 * alone: decoding the rows, printing them, and waiting on its client-side rate limit between pages.
 */
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { RestConfig } from "../client/rest.js";
import { selfSignedServingCertificate } from "../server/pki.js";

/** What kubectl asks for in `get` (a Table, falling back to the object). */
export const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/** The answers `kubectl get pods -A` reads: /version and each page of the cluster-wide pod Table. */
export interface CapturedPodTable {
  version: Buffer;
  /** Page bodies by the `continue` token that asked for them ("" for the first page). */
  pages: Map<string, Buffer>;
  /** Bytes of all pages. */
  bytes: number;
}

function get(rest: RestConfig, path: string, accept: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, rest.server), {
      headers: { accept, ...(rest.token !== undefined ? { authorization: `Bearer ${rest.token}` } : {}) },
      ca: rest.caCert, cert: rest.clientCert, key: rest.clientKey, rejectUnauthorized: rest.insecureSkipTlsVerify !== true,
      servername: rest.tlsServerName,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${path}: ${res.statusCode ?? "no status"} ${body.toString("utf8").slice(0, 300)}`));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Fetches /version and every page of `GET /api/v1/pods` as a Table in pages of `limit`, as kubectl does, with the
 * server, CA, client certificate and bearer token of `rest` (not its token-file or exec credentials).
 */
export async function capturePodTable(rest: RestConfig, limit = 500): Promise<CapturedPodTable> {
  const version = await get(rest, "/version", "application/json");
  const pages = new Map<string, Buffer>();
  let token = "";
  let bytes = 0;
  do {
    const body = await get(rest, `/api/v1/pods?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ""}`, tableAccept);
    pages.set(token, body);
    bytes += body.length;
    const next = (JSON.parse(body.toString("utf8")) as { metadata?: { continue?: string } }).metadata?.continue ?? "";
    if (next !== "" && pages.has(next)) throw new Error(`the pod Table's continue token ${next} repeats`);
    token = next;
  } while (token !== "");
  return { version, pages, bytes };
}

/** A running replay server. */
export interface ReplayServer {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  /** The PEM certificate it serves (self-signed: trust it as the CA). */
  caCert: string;
  /** Requests it could not answer from the capture (each answered 404). */
  unanswered: string[];
  close(): Promise<void>;
}

const notFound = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "not in the capture", reason: "NotFound", code: 404 });

/** Serves `capture` on a loopback port: /version, and each pod Table page by its `continue` token; 404 otherwise. */
export async function startReplayServer(capture: CapturedPodTable): Promise<ReplayServer> {
  const { cert, key } = await selfSignedServingCertificate("kubectl-replay", ["127.0.0.1"]);
  const unanswered: string[] = [];
  const server: Server = createServer({ cert, key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://replay");
    const body = req.method !== "GET" ? undefined
      : url.pathname === "/version" ? capture.version
        : url.pathname === "/api/v1/pods" ? capture.pages.get(url.searchParams.get("continue") ?? "")
          : undefined;
    if (body === undefined) {
      unanswered.push(`${req.method ?? "?"} ${req.url ?? ""}`);
      res.writeHead(404, { "content-type": "application/json" }).end(notFound);
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`, caCert: cert, unanswered,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A kubeconfig (YAML) that points kubectl at `server`, trusting `caCert`, with a placeholder token. */
export function replayKubeconfig(server: string, caCert: string): string {
  return [
    "apiVersion: v1", "kind: Config", "current-context: replay",
    `clusters: [{name: replay, cluster: {server: "${server}", certificate-authority-data: ${Buffer.from(caCert).toString("base64")}}}]`,
    "users: [{name: replay, user: {token: replay}}]",
    "contexts: [{name: replay, context: {cluster: replay, user: replay}}]", "",
  ].join("\n");
}

const throttled = /Waited for ([0-9.]+)(ns|µs|us|ms|s) due to client-side throttling/g;
const unitMs: Record<string, number> = { ns: 1e-6, µs: 1e-3, us: 1e-3, ms: 1, s: 1000 };

/** Milliseconds kubectl reported (`-v=6` and up, on stderr) waiting on its own client-side rate limiter. */
export function throttledMs(stderr: string): number {
  let total = 0;
  for (const m of stderr.matchAll(throttled)) total += Number(m[1]) * (unitMs[m[2] ?? "ms"] ?? 1);
  return Math.round(total);
}

/** kubectl's discovery cache directory for `server` under `cacheDir`, named as kubectl names it (host_port). */
export function discoveryCacheDir(cacheDir: string, server: string): string {
  const host = new URL(server).host.replace(/[^\w/.]/g, "_");
  return `${cacheDir}/discovery/${host}`;
}
