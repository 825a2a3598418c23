import { readFile } from "node:fs/promises";
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { parse } from "yaml";

/** One HTTP answer, body fully read. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What to send with a raw request. */
export interface RawRequest {
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
  /** Leave out the bearer token. */
  anonymous?: boolean;
}

/** A client for hand-crafted requests to an API server found through a kubeconfig (token and CA included). */
export interface RawApi {
  readonly url: URL;
  readonly token: string;
  /** Sends `method path` (path sent as given, not normalized) and reads the whole answer. */
  request(method: string, path: string, options?: RawRequest): Promise<RawAnswer>;
  /** Opens a bare TCP (or TLS) connection to the server, for byte-level clients. */
  connect(): Promise<Socket>;
  close(): void;
}

/** Builds a RawApi from a kubeconfig written by everynode (first cluster and user). */
export async function rawApi(kubeconfigPath: string): Promise<RawApi> {
  const doc = parse(await readFile(kubeconfigPath, "utf8")) as {
    clusters: { cluster: { server: string; "certificate-authority-data"?: string } }[];
    users: { user: { token: string } }[];
  };
  const cluster = doc.clusters[0]?.cluster;
  const token = doc.users[0]?.user.token;
  if (!cluster || !token) throw new Error(`no cluster or token in ${kubeconfigPath}`);
  const url = new URL(cluster.server);
  const caData = cluster["certificate-authority-data"];
  const ca = caData ? Buffer.from(caData, "base64").toString("utf8") : undefined;
  const tls = url.protocol === "https:";
  const agent = tls ? new HttpsAgent({ keepAlive: true, maxSockets: 8, ca }) : new HttpAgent({ keepAlive: true, maxSockets: 8 });
  const port = Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return {
    url,
    token,
    request: (method, path, options = {}) => new Promise<RawAnswer>((resolve, reject) => {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (!options.anonymous && headers.Authorization === undefined) headers.Authorization = `Bearer ${token}`;
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      // Node frames GET/DELETE bodies only when asked to, so chunked bodies say so explicitly.
      if (body) headers[options.chunked ? "Transfer-Encoding" : "Content-Length"] = options.chunked ? "chunked" : String(body.length);
      const send = tls ? httpsRequest : httpRequest;
      const req = send({ host, port, method, path, headers, agent, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      // The server may answer (e.g. 413) and close before the whole body is written: that answer counts.
      req.on("error", reject);
      if (body) {
        if (options.chunked) {
          for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
        } else {
          req.write(body);
        }
      }
      req.end();
    }),
    connect: () => new Promise<Socket>((resolve, reject) => {
      const socket = tls ? tlsConnect({ host, port, ca }) : netConnect({ host, port });
      socket.once(tls ? "secureConnect" : "connect", () => { socket.off("error", reject); resolve(socket); });
      socket.once("error", reject);
    }),
    close: () => agent.destroy(),
  };
}

/**
 * Why `answer` is not a well-formed API error (a 4xx, or exactly `expect`, whose JSON body is a v1 Status with status
 * Failure, the same code, a reason and a message); undefined when it is one.
 */
export function statusProblem(answer: RawAnswer, expect?: number): string | undefined {
  const text = answer.body.toString("utf8");
  const codeOk = expect === undefined ? answer.status >= 400 && answer.status < 500 : answer.status === expect;
  if (!codeOk) return `HTTP ${answer.status}: ${text.slice(0, 300)}`;
  const type = String(answer.headers["content-type"] ?? "");
  if (!type.startsWith("application/json")) return `HTTP ${answer.status} with Content-Type ${JSON.stringify(type)}: ${text.slice(0, 200)}`;
  let status: Record<string, unknown>;
  try {
    status = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `HTTP ${answer.status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  if (status.kind !== "Status" || status.apiVersion !== "v1" || status.status !== "Failure" || status.code !== answer.status
    || typeof status.reason !== "string" || status.reason === "" || typeof status.message !== "string" || status.message === "") {
    return `HTTP ${answer.status} with a malformed Status: ${text.slice(0, 300)}`;
  }
  return undefined;
}
