import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { Agent as HttpAgent } from "node:http";
import { groupVersion, type ResourceInfo } from "../api/resources.js";
import { StatusError, statusError } from "../api/status-error.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject, Status } from "../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WatchEvent, WatchOptions, WriteOptions } from "./client.js";

/** Where and how to reach an API server. */
export interface RestConfig {
  /** Base URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** Bearer token. */
  token?: string;
  /** PEM CA bundle to trust (HTTPS). */
  caCert?: string;
  /** PEM client certificate and its key, for x509 client authentication (HTTPS). */
  clientCert?: string;
  clientKey?: string;
  /** Do not verify the server's certificate (kubeconfig `insecure-skip-tls-verify`). */
  insecureSkipTlsVerify?: boolean;
  /** Name to verify the server's certificate against instead of the URL's host (kubeconfig `tls-server-name`). */
  tlsServerName?: string;
  /** The Authorization header per request (token files, exec plugins); takes precedence over `token`. */
  credentials?: Credentials;
  /** User-Agent header. */
  userAgent?: string;
}

/** A source of Authorization headers that may change over time (a token file, an exec credential plugin). */
export interface Credentials {
  /** The Authorization header value to send now (undefined: none). */
  authorization(): Promise<string | undefined>;
  /** Forgets the current value (the server answered 401 with it): the next call fetches a fresh one. */
  invalidate(): void;
}

const patchContentTypes: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

type Query = Record<string, string | number | boolean | undefined>;

/** A `Client` over HTTP(S) to any conformant Kubernetes API server; errors arrive as StatusError. */
export class RestClient implements Client {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly https: boolean;

  /** Creates a client for `config`; keeps connections alive. */
  constructor(private readonly config: RestConfig) {
    this.https = config.server.startsWith("https:");
    this.agent = this.https
      ? new HttpsAgent({
        keepAlive: true, maxSockets: 64, ca: config.caCert, cert: config.clientCert, key: config.clientKey,
        rejectUnauthorized: config.insecureSkipTlsVerify !== true, servername: config.tlsServerName,
      })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  /** Closes idle connections. */
  close(): void { this.agent.destroy(); }

  async get<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string): Promise<T> {
    return this.json<T>("GET", path(r, ns, name));
  }

  async list<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, o: ListOptions = {}): Promise<KubeList<T>> {
    return this.json<KubeList<T>>("GET", path(r, ns), { ...o });
  }

  async *watch<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, o: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    const res = await this.send("GET", path(r, ns), { ...o, watch: true }, undefined, undefined, signal);
    if ((res.statusCode ?? 500) >= 300) throw await toError(res);
    let buf = "";
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  async create<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.json<T>("POST", path(r, ns ?? obj.metadata?.namespace), writeQuery(o), obj);
  }

  async update<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.json<T>("PUT", path(r, ns ?? obj.metadata?.namespace, obj.metadata?.name ?? ""), writeQuery(o), obj);
  }

  async updateStatus<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.json<T>("PUT", `${path(r, ns ?? obj.metadata?.namespace, obj.metadata?.name ?? "")}/status`, writeQuery(o), obj);
  }

  async patch<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, o: PatchOptions = {}): Promise<T> {
    return (await this.patchWithOutcome<T>(r, ns, name, type, patch, o)).object;
  }

  async patchWithOutcome<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, o: PatchOptions = {}): Promise<PatchOutcome<T>> {
    const p = path(r, ns, name) + (o.subresource ? `/${o.subresource}` : "");
    const res = await this.send("PATCH", p, { ...writeQuery(o), force: o.force }, patch, patchContentTypes[type]);
    if ((res.statusCode ?? 500) >= 300) throw await toError(res);
    return { object: JSON.parse(await readAll(res)) as T, created: res.statusCode === 201 };
  }

  async delete(r: ResourceInfo, ns: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject> {
    return this.json<KubeObject>("DELETE", path(r, ns, name), {}, options ?? {});
  }

  async deleteCollection(r: ResourceInfo, ns: string | undefined, lo: ListOptions = {}, options?: DeleteOptions): Promise<KubeList> {
    return this.json<KubeList>("DELETE", path(r, ns), { ...lo }, options ?? {});
  }

  async createSubresource(r: ResourceInfo, ns: string | undefined, name: string, sub: string, body: KubeObject, o: WriteOptions = {}): Promise<KubeObject> {
    return this.json<KubeObject>("POST", `${path(r, ns, name)}/${sub}`, writeQuery(o), body);
  }

  private async json<T>(method: string, p: string, query: Query = {}, body?: unknown, contentType = "application/json"): Promise<T> {
    const res = await this.send(method, p, query, body, contentType);
    if ((res.statusCode ?? 500) >= 300) throw await toError(res);
    return JSON.parse(await readAll(res)) as T;
  }

  /** Sends one request; a 401 with changeable credentials fetches fresh ones and retries once. */
  private async send(method: string, p: string, query: Query, body: unknown, contentType = "application/json", signal?: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(this.config.server.replace(/\/$/, "") + p);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await this.sendOnce(method, url, payload, contentType, signal);
    if (res.statusCode !== 401 || !this.config.credentials) return res;
    res.resume();
    this.config.credentials.invalidate();
    return this.sendOnce(method, url, payload, contentType, signal);
  }

  private async sendOnce(method: string, url: URL, payload: Buffer | undefined, contentType: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": this.config.userAgent ?? "everynode" };
    const authorization = this.config.credentials ? await this.config.credentials.authorization() : this.config.token ? `Bearer ${this.config.token}` : undefined;
    if (authorization) headers.Authorization = authorization;
    if (payload) { headers["Content-Type"] = contentType; headers["Content-Length"] = String(payload.length); }
    const request = this.https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, signal }, resolve);
      req.on("error", reject);
      req.end(payload);
    });
  }
}

function path(r: ResourceInfo, ns: string | undefined, name?: string): string {
  const base = r.group ? `/apis/${groupVersion(r)}` : "/api/v1";
  const scope = r.namespaced && ns ? `/namespaces/${encodeURIComponent(ns)}` : "";
  return `${base}${scope}/${r.resource}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
}

function writeQuery(o: WriteOptions): Query {
  return { dryRun: o.dryRun ? "All" : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function toError(res: IncomingMessage): Promise<StatusError> {
  const text = await readAll(res);
  try {
    const s = JSON.parse(text) as Status;
    if (s.kind === "Status") return new StatusError({ ...s, code: s.code ?? res.statusCode ?? 500, reason: s.reason ?? "", message: s.message ?? "" });
  } catch {
    // not a Status body
  }
  return statusError(res.statusCode ?? 500, "InternalError", `the server rejected our request for an unknown reason: ${text.slice(0, 200)}`);
}
