import { readFile } from "node:fs/promises";
import { ControlPlane } from "../server/control-plane.js";
import { loadStages } from "../simulator/index.js";
import { importClusterBundle } from "../server/cluster-bundle.js";
import { parseStore } from "../server/store.js";
import { dnsFlags, startDns } from "./dns.js";
import { parseArgs, UsageError } from "./flags.js";
import { importLine } from "./pki.js";
import { Progress, type ProgressStream } from "./progress.js";
import { reportReadiness } from "./readiness.js";
import { HeapSnapshots } from "../server/heap-snapshots.js";

/** Usage text of `everynode up`. */
export const upUsage = `Usage: everynode up [flags]

Starts the API server on an embedded SQLite store (or on etcd), the controllers, the scheduler
and simulated nodes, all in one process (the controllers, scheduler and nodes in a thread of their own). Several processes on one etcd form one cluster: each
serves the API, the controllers run in the one holding the Lease
kube-system/everynode-controller-manager. Start each further server with the first one's cluster
bundle (everynode pki export) so they share the CA and tokens and one kubeconfig works against all.

Flags:
  --data-dir DIR     where state, certificates and the kubeconfig live (default ./.everynode)
  --port N           HTTPS port; 0 picks a free port (default 6443)
  --listen ADDR      listen address (default 127.0.0.1)
  --nodes N          simulated nodes to start (default 3)
  --insecure-http    serve plain HTTP on loopback instead of HTTPS
  --stages FILE      pod lifecycle stages (JSON or YAML) replacing the shipped ones
  --sync MODE        SQLite sync mode: normal (default) or full (fsync every commit)
  --store STORE      sqlite (default, in the data dir), memory, or etcd://HOST:PORT[,HOST:PORT...]
  --etcd-prefix P    key prefix in etcd (default /registry)
  --etcd-cafile F    CA of etcd's serving certificate (turns on TLS to etcd)
  --etcd-certfile F  client certificate for etcd (with --etcd-keyfile)
  --etcd-keyfile F   client key for etcd
  --join-bundle FILE join the cluster of a bundle written by "everynode pki export" (imported into the data
                     dir before starting; see everynode pki)
  --leader-elect-lease-duration D, --leader-elect-renew-deadline D, --leader-elect-retry-period D
                     controller Lease timing on etcd (defaults 15s, 10s, 2s, as upstream)
  --event-ttl D      how long an event is kept after its last update (default 1h0m0s, as upstream)
  --dns-port N       cluster DNS port, UDP and TCP; 0 disables it (default 10053)
  --dns-listen ADDR  cluster DNS listen address (default 127.0.0.1)
  --cluster-domain D cluster domain DNS answers for (default cluster.local)
  --controller-thread=false
                     run the controllers, scheduler and simulated nodes on the API server's thread rather
                     than in a thread of their own (default: their own thread, a second core)
  --heap-snapshot-dir DIR
                     on SIGUSR2, write heap snapshots of the server's threads into DIR (diagnosing memory)
  --reset-store      start with an empty store: moves an existing state.db aside (state.db.discarded-<time>);
                     without it, an empty, missing or unreadable store in a used data directory is refused
`;

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration flag in Go's form, like `15s`, `500ms`, `1m` or `1h0m0s` (undefined when not given). */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(value) ? [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)] : [];
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (unitMs[unit ?? ""] ?? 0), 0);
  if (ms <= 0) throw new Error(`invalid value "${value}" for --${name}: must be a positive duration such as 15s, 500ms, 1m or 1h0m0s`);
  return Math.round(ms);
}

/** Runs `everynode up` until SIGINT/SIGTERM; returns the exit code. Progress goes to `progress` (a bar on a TTY). */
export async function up(argv: string[], out: (line: string) => void, progress?: ProgressStream): Promise<number> {
  const startedAt = Date.now();
  const { flags, positionals } = parseArgs(argv, {
    "data-dir": "string", port: "number", listen: "string", nodes: "number", "insecure-http": "boolean", sync: "string", stages: "string",
    "reset-store": "boolean", help: "boolean", "join-bundle": "string", "controller-thread": "boolean", "heap-snapshot-dir": "string",
    "event-ttl": "string", "dns-port": "number", "dns-listen": "string", "cluster-domain": "string",
    store: "string", "etcd-prefix": "string", "etcd-cafile": "string", "etcd-certfile": "string", "etcd-keyfile": "string",
    "leader-elect-lease-duration": "string", "leader-elect-renew-deadline": "string", "leader-elect-retry-period": "string",
  });
  if (flags.help) { out(upUsage); return 0; }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
  const sync = String(flags.sync ?? "normal");
  if (sync !== "normal" && sync !== "full") throw new UsageError(`invalid value "${sync}" for --sync: must be normal or full`);
  const text = (name: string): string | undefined => (typeof flags[name] === "string" ? flags[name] : undefined);
  const storage = parseStore(text("store") ?? "sqlite", {
    prefix: text("etcd-prefix"), caFile: text("etcd-cafile"), certFile: text("etcd-certfile"), keyFile: text("etcd-keyfile"),
  });
  const dataDir = String(flags["data-dir"] ?? ".everynode");
  const bundle = text("join-bundle");
  if (bundle !== undefined && (typeof storage !== "object" || storage.kind !== "etcd")) {
    throw new UsageError("--join-bundle joins the servers of one cluster on etcd: it needs --store etcd://…");
  }
  if (bundle !== undefined) out(importLine(dataDir, await importClusterBundle(dataDir, await readFile(bundle, "utf8"))));
  const dns = dnsFlags(flags);
  const snapshotDir = text("heap-snapshot-dir");
  const heapSnapshots = snapshotDir === undefined ? undefined : new HeapSnapshots(snapshotDir);
  const plane = await ControlPlane.start({
    dataDir,
    port: Number(flags.port ?? 6443),
    listen: String(flags.listen ?? "127.0.0.1"),
    insecureHttp: flags["insecure-http"] === true,
    sync,
    storage,
    leaderElection: {
      leaseDurationMs: durationFlag("leader-elect-lease-duration", text("leader-elect-lease-duration")),
      renewDeadlineMs: durationFlag("leader-elect-renew-deadline", text("leader-elect-renew-deadline")),
      retryPeriodMs: durationFlag("leader-elect-retry-period", text("leader-elect-retry-period")),
    },
    resetStore: flags["reset-store"] === true,
    eventTtlMs: durationFlag("event-ttl", text("event-ttl")),
    nodes: Number(flags.nodes ?? 3),
    controllerThread: flags["controller-thread"] !== false,
    stages: typeof flags.stages === "string" ? await loadStages(flags.stages) : undefined,
    heapSnapshots,
    log: out,
  });
  // Signals are handled from here on: once the kubeconfig line is out, SIGTERM must mean a clean stop even while DNS starts.
  const abort = new AbortController();
  const snapshot = (): void => {
    heapSnapshots?.write().then((paths) => out(`heap snapshots written: ${paths.join(" ")}`), (err: unknown) => out(`heap snapshot failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  const stop = (): void => { process.off("SIGINT", stop); process.off("SIGTERM", stop); process.off("SIGUSR2", snapshot); abort.abort(); };
  if (heapSnapshots !== undefined) process.on("SIGUSR2", snapshot);
  const stopped = new Promise<void>((resolve) => abort.signal.addEventListener("abort", () => resolve(), { once: true }));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  out(`kubeconfig written to ${plane.kubeconfigPath}`);
  out(`To use it:\n  export KUBECONFIG=${plane.kubeconfigPath}\n  kubectl get namespaces`);
  // Progress starts at once, so nodes registering while the rest starts are seen doing so.
  const reporter = progress ? new Progress(progress) : undefined;
  reportReadiness(plane, Number(flags.nodes ?? 3), startedAt, reporter, out, abort.signal).catch((err: unknown) => out(`progress: ${err instanceof Error ? err.message : String(err)}`));
  let dnsServer;
  try {
    dnsServer = await startDns(dns, plane.informers, out);
  } catch (error) {
    stop();
    await plane.stop();
    throw error;
  }
  await stopped;
  out("shutting down");
  await dnsServer?.close();
  await plane.stop();
  return 0;
}
