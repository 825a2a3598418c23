import { setMaxListeners } from "node:events";
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { parse } from "yaml";
import { createAuthorizer } from "../apiserver/http/authz.js";
import { rbacNonResourceAuthorizer } from "../apiserver/http/authz-non-resource.js";
import { createApiHandler } from "../apiserver/http/server.js";
import { UiAssets } from "../apiserver/http/ui-assets.js";
import { bootstrapCluster, ensureKubernetesService, Registry } from "../apiserver/registry/index.js";
import type { Client } from "../client/client.js";
import { createLoopbackClient } from "../client/loopback.js";
import type { Backend } from "../storage/backend.js";
import { isShared, openStore as openChosenStore, type StoreChoice } from "./store.js";
import { MemoryBackend } from "../storage/memory-backend.js";
import { discardIfFresh, openStore, prepareDataDir, removeHolder, writeHolder } from "./data-dir.js";
import { closeServer, createServer, listen, requestAuthenticator } from "./serving.js";
import { credentialFiles, inContext, simulationLine, Teardown } from "./start-up.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { ensureClientCertificate, ensureServingPki } from "./pki.js";
import { TokenFile } from "./tokens.js";
import { ensureServiceAccountKey } from "./service-account-key.js";
import { ServiceAccountJwt } from "../apiserver/http/service-account-jwt.js";
import { serviceAccountAuthenticator } from "../apiserver/http/service-account-auth.js";
import { runControllerManager, runElectedControllerManager, type ControllerManagerOptions } from "./controller-manager.js";
import { runControllerThread } from "./controller-thread.js";
import type { LeaderElectionOptions } from "../controller/leader-election.js";
import { runCompactor } from "../storage/compactor.js";
import { runEventExpiry } from "../apiserver/event-expiry.js";
import type { StageConfig } from "../simulator/index.js";
import type { HttpTimeouts } from "./serving.js";
import { SharedInformerFactory } from "../client/informer-factory.js";
import { InstrumentedBackend } from "../metrics/instrumented-backend.js";
import { KubeStateMetrics } from "../metrics/kube-state.js";
import { ServerMetrics } from "../metrics/server-metrics.js";
import { controlPlaneHealth } from "./health-checks.js";
import type { HeapSnapshots } from "./heap-snapshots.js";

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
  /**
   * "sqlite" (default, in dataDir), "memory" (nothing persisted) or an etcd cluster. On etcd several processes
   * form one cluster: each serves the API, and the controllers, scheduler and simulator run in the one holding
   * the Lease kube-system/everynode-controller-manager.
   */
  storage?: StoreChoice;
  /** Lease timing of that leader election (upstream defaults: 15 s lease, 10 s renew deadline, 2 s retry). */
  leaderElection?: Pick<LeaderElectionOptions, "leaseDurationMs" | "renewDeadlineMs" | "retryPeriodMs">;
  /**
   * SQLite sync mode: "normal" (default; WAL survives a process crash, a power loss may drop the last
   * commits) or "full" (fsync on every commit).
   */
  sync?: "normal" | "full";
  /** Run controllers, scheduler and node simulator in this process (default true). */
  controllers?: boolean;
  /**
   * Run them in a worker thread of this process rather than on the API server's thread (default false): they then
   * use a second core, reaching the API through a Client served over a MessagePort (same admission path).
   */
  controllerThread?: boolean;
  /** Simulated nodes node-1..node-N to create (default 3). */
  nodes?: number;
  /** Pod lifecycle stages for the simulator (default: the shipped stages). */
  stages?: StageConfig;
  /** Node monitor grace period in ms (upstream 50 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How often each simulated node renews its Lease (default 10 s, as the kubelet). */
  leaseRenewIntervalMs?: number;
  /** Storage history compaction interval (upstream kube-apiserver: 5 min). */
  compactionIntervalMs?: number;
  /** How long events live after their last update (default one hour, kube-apiserver's --event-ttl). */
  eventTtlMs?: number;
  /** Progress lines for a human. */
  log?: (line: string) => void;
  /**
   * Move an existing state.db aside (state.db.discarded-<time>) and start with an empty store: the only way an
   * existing data directory starts empty. Without it an empty, missing or unreadable store is refused.
   */
  resetStore?: boolean;
  /** Limits for slow clients at the HTTP level (see HttpTimeouts; defaults fit production). */
  httpTimeouts?: HttpTimeouts;
  /** The `iss` of ServiceAccount tokens, also their default audience (default kubeadm's `https://kubernetes.default.svc.cluster.local`). */
  serviceAccountIssuer?: string;
  /** Heap snapshots that include the controller thread (for diagnosing memory). */
  heapSnapshots?: HeapSnapshots;
}

/** The default issuer (and audience) of ServiceAccount tokens. */
export const defaultServiceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

export type { HttpTimeouts } from "./serving.js";

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
    private readonly heldDataDir: string | undefined,
    /** On a shared store: this server's identity in the controller-manager Lease election. */
    readonly identity: string | undefined,
  ) {}

  /**
   * Opens the store, starts the registry and the HTTP(S) server, bootstraps namespaces, writes the kubeconfig. Any
   * failure on the way releases what was acquired (port, store lock) and removes a data directory it created, then
   * rejects.
   */
  static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const log = options.log ?? (() => undefined);
    if (options.insecureHttp && !isLoopback(options.listen)) {
      throw new Error(`--insecure-http serves only on loopback, not on ${options.listen}`);
    }
    const origin = await prepareDataDir(resolve(options.dataDir));
    const teardown = new Teardown();
    try {
      return await ControlPlane.assemble(options, origin.path, teardown, log);
    } catch (error) {
      await teardown.run((e) => log(`while stopping after a failed start: ${e instanceof Error ? e.message : String(e)}`));
      await discardIfFresh(origin);
      throw error;
    }
  }

  private static async assemble(options: ControlPlaneOptions, dataDir: string, teardown: Teardown, log: (line: string) => void): Promise<ControlPlane> {
    const storage = options.storage ?? "sqlite";
    const sqlite = storage === "sqlite";
    const store: Backend = sqlite
      ? await openStore(dataDir, { synchronous: options.sync === "full" ? "FULL" : "NORMAL", resetStore: options.resetStore, log })
      : storage === "memory" ? new MemoryBackend() : await openChosenStore(storage, dataDir);
    teardown.add(() => store.close());
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const stopping = { value: false };
    const dbPath = join(dataDir, "state.db");
    const metrics = new ServerMetrics({ storageSizeBytes: sqlite ? () => fileSize(dbPath) + fileSize(`${dbPath}-wal`) : undefined });
    const backend = new InstrumentedBackend(store, (op, type, seconds) => metrics.observeStorage(op, type, seconds));
    // Faults the registry and the compactor recover from (an undecodable stored object, a failed compaction) go to the log.
    // The ServiceAccount admission plugin relies on the controllers keeping `default` ServiceAccounts.
    const registry = new Registry({ backend, consistentReads: isShared(storage), serviceAccountAdmission: options.controllers !== false, serviceAccountTokenVolumes: !options.insecureHttp, onError: (err) => log(`registry: ${faultText(err)}`) });
    teardown.add(async () => { await registry.close(); });
    teardown.add(async () => { abort.abort(); });
    await registry.start(abort.signal);
    // The registry hands out fresh objects and never keeps its inputs: the loopback need not copy again.
    const client = createLoopbackClient(registry, { copy: false });
    await bootstrapCluster(client);

    const tokens = await TokenFile.load(join(dataDir, "tokens.json"));
    const kubeconfigPath = join(dataDir, "kubeconfig");
    const token = (await existingToken(kubeconfigPath, tokens)) ?? (await tokens.issue({ name: "admin", groups: ["system:masters"] }));
    const pki = options.insecureHttp ? undefined : await ensureServingPki(join(dataDir, "pki"), [options.listen]);
    if (pki?.caRenewed) {
      log(`warning: ${pki.caRenewed}: created a new cluster CA and serving certificate; ${kubeconfigPath} is rewritten with the new CA. ` +
        "Kubeconfigs issued before (everynode kubeconfig) still carry the old CA: issue them again (their tokens stay valid); client certificates signed by the old CA are no longer accepted.");
    }
    const sharedWatch: Client["watch"] = (resource, namespace, opts, signal) => registry.watchShared(resource, namespace, opts, signal) as AsyncIterable<never>;
    // With the controllers in their own thread, this thread's informers only feed metrics, DNS and health checks, which
    // never mutate what they read: they may hold the watch cache's own objects instead of copies.
    const informerClient: Client = options.controllerThread === true ? { ...client, watch: sharedWatch } : client;
    const informers = new SharedInformerFactory(informerClient, { onError: (err) => log(`informer: ${err instanceof Error ? err.message : String(err)}`) });
    metrics.include(new KubeStateMetrics({ informers }));
    const health = controlPlaneHealth({ backend: store, informers, stopping });
    // The API server's credential towards node agents (their endpoints accept clients of the cluster CA).
    const agentClient = pki ? await ensureClientCertificate(join(dataDir, "pki"), "apiserver-agent-client", "everynode-apiserver-agent-client") : undefined;
    const serviceAccountTokens = await ServiceAccountJwt.fromPem(await ensureServiceAccountKey(join(dataDir, "pki")), options.serviceAccountIssuer ?? defaultServiceAccountIssuer);
    const handler = createApiHandler({
      // Watches over HTTP only serialize their events: they may carry the watch cache's own objects.
      client: { ...client, watch: sharedWatch }, authenticate: requestAuthenticator(tokens, serviceAccountAuthenticator(serviceAccountTokens, client)), serviceAccountTokens, authorize: createAuthorizer(), authorizeNonResource: rbacNonResourceAuthorizer(client), metrics, health, ui: new UiAssets(),
      nodeConnector: agentClient ? { client, ...agentClient } : undefined,
      listShared: (resource, namespace, opts) => registry.listShared(resource, namespace, opts),
    });
    const server = createServer(options, handler, pki);
    teardown.add(() => closeServer(server));
    await listen(server, options.port, options.listen);
    const port = (server.address() as AddressInfo).port;
    const host = options.listen.includes(":") ? `[${options.listen}]` : options.listen === "0.0.0.0" ? "127.0.0.1" : options.listen;
    const url = `${options.insecureHttp ? "http" : "https"}://${host}:${port}`;
    if (sqlite) {
      await inContext(`writing ${join(dataDir, "holder.json")}`, writeHolder(dataDir, { pid: process.pid, url }));
      teardown.add(() => removeHolder(dataDir));
    }
    await inContext(`writing ${kubeconfigPath}`, writeKubeconfig(kubeconfigPath, { server: url, caCert: pki?.caCert, token, user: "admin" }));
    const apiServerIP = options.listen === "0.0.0.0" ? "127.0.0.1" : options.listen;
    if (/^[0-9.]+$/.test(apiServerIP)) await ensureKubernetesService(client, { ip: apiServerIP, port });
    log(`everynode API server listening on ${url}`);
    log(`credentials (owner-only files): ${credentialFiles(dataDir, sqlite, pki !== undefined).join(", ")}`);
    const nodes = options.nodes ?? 3;
    if (options.controllers !== false) log(await simulationLine(client, nodes));
    const compactor = runCompactor(backend, { intervalMs: options.compactionIntervalMs, onError: (err) => log(`compactor: ${faultText(err)}`) }, abort.signal);
    // Expiry only reads the events it lists: it pages through the watch cache's own objects instead of copies of them.
    const eventExpiry = runEventExpiry({ list: (resource, namespace, opts) => registry.listShared(resource, namespace, opts), delete: (...args) => client.delete(...args) }, { ttlMs: options.eventTtlMs, onError: (err) => log(`event expiry: ${faultText(err)}`) }, abort.signal);
    const manager: ControllerManagerOptions = {
      client, informers, metrics, rootCaCert: pki?.caCert, signLegacyToken: (ns, sa, secret) => serviceAccountTokens.issueLegacy(ns, sa, secret), simulate: true, nodes, stages: options.stages, nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs, leaseRenewIntervalMs: options.leaseRenewIntervalMs };
    let controllers = Promise.resolve();
    const identity = isShared(storage) ? `${hostname()}_${randomUUID()}` : undefined;
    const election = identity === undefined ? undefined : { namespace: "kube-system", name: "everynode-controller-manager", identity, ...options.leaderElection };
    if (options.controllers !== false && election !== undefined) {
      log(`controllers, scheduler and simulator run while this server (${election.identity}) holds the Lease kube-system/everynode-controller-manager`);
    }
    if (options.controllers !== false && options.controllerThread === true) {
      controllers = runControllerThread({
        // The port only serializes answers: the objects written go to the watch caches as they are.
        client: createLoopbackClient(registry.serializingClient(), { copy: false }), watch: (resource, namespace, opts, signal) => registry.watchShared(resource, namespace, opts, signal), storedFormOf: (value) => registry.storedFormOf(value), metrics, signLegacyToken: manager.signLegacyToken, rootCaCert: manager.rootCaCert, nodes, stages: options.stages,
        nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs, leaseRenewIntervalMs: options.leaseRenewIntervalMs, election, log,
        heapSnapshots: options.heapSnapshots,
      }, abort.signal);
    } else if (options.controllers !== false && election !== undefined) {
      controllers = runElectedControllerManager(manager, { client, ...election }, abort.signal, log);
    } else if (options.controllers !== false) {
      controllers = runControllerManager(manager, abort.signal);
    }
    informers.start(abort.signal);
    const loops = Promise.all([compactor, eventExpiry, controllers, informers.stopped()]).then(() => undefined);
    return new ControlPlane(client, url, kubeconfigPath, informers, server, registry, backend, abort, loops, stopping, sqlite ? dataDir : undefined, identity);
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
    if (this.heldDataDir !== undefined) await removeHolder(this.heldDataDir);
  }
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
