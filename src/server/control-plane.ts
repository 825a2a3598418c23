import { setMaxListeners } from "node:events";
import { existsSync, statSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { createAuthorizer } from "../apiserver/http/authz.js";
import { createApiServer, type RequestLimits } from "../apiserver/http/listener.js";
import { createApiHandler } from "../apiserver/http/server.js";
import { UiAssets } from "../apiserver/http/ui-assets.js";
import { bootstrapCluster, Registry } from "../apiserver/registry/index.js";
import type { Client } from "../client/client.js";
import { createLoopbackClient } from "../client/loopback.js";
import type { Backend } from "../storage/backend.js";
import { MemoryBackend } from "../storage/memory-backend.js";
import { SqliteBackend } from "../storage/sqlite-backend.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { ensureClientCertificate, ensureServingPki } from "./pki.js";
import { TokenFile } from "./tokens.js";
import { runControllerManager } from "./controller-manager.js";
import { runCompactor } from "../storage/compactor.js";
import type { StageConfig } from "../simulator/index.js";
import { SharedInformerFactory } from "../client/informer-factory.js";
import { InstrumentedBackend } from "../metrics/instrumented-backend.js";
import { KubeStateMetrics } from "../metrics/kube-state.js";
import { ServerMetrics } from "../metrics/server-metrics.js";
import { controlPlaneHealth } from "./health-checks.js";

/** How to run one control plane process. */
export interface ControlPlaneOptions {
  /** Directory for the database, PKI, tokens and kubeconfig. */
  dataDir: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Listen address. */
  listen: string;
  /** Serve plain HTTP (loopback only) instead of HTTPS. */
  insecureHttp: boolean;
  /** "sqlite" (default, in dataDir) or "memory" (nothing persisted). */
  storage?: "sqlite" | "memory";
  /**
   * SQLite sync mode: "normal" (default; WAL survives a process crash, a power loss may drop the last
   * commits) or "full" (fsync on every commit).
   */
  sync?: "normal" | "full";
  /** Run controllers, scheduler and node simulator in this process (default true). */
  controllers?: boolean;
  /** Simulated nodes node-1..node-N to create (default 3). */
  nodes?: number;
  /** Pod lifecycle stages for the simulator (default: the shipped stages). */
  stages?: StageConfig;
  /** Node monitor grace period in ms (upstream 50 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How long pod GC waits after a node vanished before deleting its pods (upstream 40 s). */
  podGcQuarantineMs?: number;
  /** Storage history compaction interval (upstream kube-apiserver: 5 min). */
  compactionIntervalMs?: number;
  /** Progress lines for a human. */
  log?: (line: string) => void;
  /** Limits for slow clients at the HTTP level (see HttpTimeouts; defaults fit production). */
  httpTimeouts?: HttpTimeouts;
}

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

/** A running API server on its store: what `everynode up` starts. */
export class ControlPlane {
  private constructor(
    /** The in-process client (loopback, full admission path). */
    readonly client: Client,
    /** Base URL clients reach the server at. */
    readonly url: string,
    /** Path of the admin kubeconfig. */
    readonly kubeconfigPath: string,
    /** The informers the process shares (controllers, metrics); read their stores, never mutate them. */
    readonly informers: SharedInformerFactory,
    private readonly server: Server,
    private readonly registry: Registry,
    private readonly backend: Backend,
    private readonly abort: AbortController,
    private readonly loops: Promise<void>,
    private readonly stopping: { value: boolean },
  ) {}

  /** Opens the store, starts the registry and the HTTP(S) server, bootstraps namespaces, writes the kubeconfig. */
  static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const log = options.log ?? (() => undefined);
    if (options.insecureHttp && !isLoopback(options.listen)) {
      throw new Error(`--insecure-http serves only on loopback, not on ${options.listen}`);
    }
    const dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await chmod(dataDir, 0o700);
    const dbPath = join(dataDir, "state.db");
    const store: Backend = options.storage === "memory" ? new MemoryBackend() : SqliteBackend.open({ path: dbPath, synchronous: options.sync === "full" ? "FULL" : "NORMAL" });
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const stopping = { value: false };
    const metrics = new ServerMetrics({ storageSizeBytes: options.storage === "memory" ? undefined : () => fileSize(dbPath) + fileSize(`${dbPath}-wal`) });
    const backend = new InstrumentedBackend(store, (op, type, seconds) => metrics.observeStorage(op, type, seconds));
    // Faults the registry and the compactor recover from (an undecodable stored object, a failed compaction) go to the log.
    const registry = new Registry({ backend, onError: (err) => log(`registry: ${faultText(err)}`) });
    await registry.start(abort.signal);
    // The registry hands out fresh objects and never keeps its inputs: the loopback need not copy again.
    const client = createLoopbackClient(registry, { copy: false });
    await bootstrapCluster(client);

    const tokens = await TokenFile.load(join(dataDir, "tokens.json"));
    const kubeconfigPath = join(dataDir, "kubeconfig");
    const token = (await existingToken(kubeconfigPath, tokens)) ?? (await tokens.issue({ name: "admin", groups: ["system:masters"] }));
    const informers = new SharedInformerFactory(client, { onError: (err) => log(`informer: ${err instanceof Error ? err.message : String(err)}`) });
    metrics.include(new KubeStateMetrics({ informers }));
    const health = controlPlaneHealth({ backend: store, informers, stopping });
    const pki = options.insecureHttp ? undefined : await ensureServingPki(join(dataDir, "pki"), [options.listen]);
    // The API server's credential towards node agents (their endpoints accept clients of the cluster CA).
    const agentClient = pki ? await ensureClientCertificate(join(dataDir, "pki"), "apiserver-agent-client", "everynode-apiserver-agent-client") : undefined;
    const handler = createApiHandler({
      client, authenticate: (t) => tokens.authenticateFresh(t), authorize: createAuthorizer(), metrics, health, ui: new UiAssets(),
      nodeConnector: agentClient ? { client, ...agentClient } : undefined,
    });

    let caCert: string | undefined;
    let tls: { cert: string; key: string } | undefined;
    if (pki) {
      caCert = pki.caCert;
      tls = { cert: pki.cert, key: pki.key };
    }
    const server = createApiServer({ handler, tls, limits: requestLimits(options.httpTimeouts) });
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(options.port, options.listen, () => { server.off("error", fail); ok(); });
    });
    const port = (server.address() as AddressInfo).port;
    const host = options.listen.includes(":") ? `[${options.listen}]` : options.listen === "0.0.0.0" ? "127.0.0.1" : options.listen;
    const url = `${options.insecureHttp ? "http" : "https"}://${host}:${port}`;
    await writeKubeconfig(kubeconfigPath, { server: url, caCert, token, user: "admin" });
    log(`everynode API server listening on ${url}`);
    const compactor = runCompactor(backend, { intervalMs: options.compactionIntervalMs, onError: (err) => log(`compactor: ${faultText(err)}`) }, abort.signal);
    const controllers = options.controllers === false
      ? Promise.resolve()
      : runControllerManager({ client, informers, metrics, simulate: true, nodes: options.nodes ?? 3, stages: options.stages, nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs, podGcQuarantineMs: options.podGcQuarantineMs }, abort.signal);
    informers.start(abort.signal);
    if (options.controllers !== false) log(`controllers, scheduler and ${options.nodes ?? 3} simulated node(s) started`);
    const loops = Promise.all([compactor, controllers]).then(() => undefined);
    return new ControlPlane(client, url, kubeconfigPath, informers, server, registry, backend, abort, Promise.all([loops, informers.stopped()]).then(() => undefined), stopping);
  }

  /** Stops accepting connections, finishes in-flight requests (closing watches), and closes the store cleanly. */
  async stop(): Promise<void> {
    this.stopping.value = true;
    const closed = new Promise<void>((ok) => this.server.close(() => ok()));
    this.abort.abort();
    this.server.closeIdleConnections();
    const force = setTimeout(() => this.server.closeAllConnections(), 2_000);
    await closed;
    clearTimeout(force);
    await this.loops;
    await this.registry.close();
    await this.backend.close();
  }
}

/** The request limits of HttpTimeouts, defaults filled in. */
function requestLimits(t: HttpTimeouts = {}): RequestLimits {
  return { headersMs: t.headersMs ?? 30_000, requestMs: t.requestMs ?? 60_000, checkIntervalMs: t.checkIntervalMs ?? 1_000 };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function faultText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isLoopback(addr: string): boolean {
  return addr === "localhost" || addr === "::1" || addr.startsWith("127.");
}

async function existingToken(kubeconfigPath: string, tokens: TokenFile): Promise<string | undefined> {
  if (!existsSync(kubeconfigPath)) return undefined;
  const doc = parse(await readFile(kubeconfigPath, "utf8")) as { users?: { user?: { token?: string } }[] } | null;
  const token = doc?.users?.[0]?.user?.token;
  return token && tokens.authenticate(token) ? token : undefined;
}
