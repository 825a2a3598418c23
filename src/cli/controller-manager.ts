import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { runWithLeaderElection } from "../controller/leader-election.js";
import { runControllerManager } from "../server/controller-manager.js";
import { serveMetrics } from "../server/metrics-server.js";
import { ServerMetrics } from "../metrics/server-metrics.js";
import { loadStages } from "../simulator/index.js";
import { parseArgs } from "./flags.js";

/** Usage text of `everynode controller-manager`. */
export const controllerManagerUsage = `Usage: everynode controller-manager --kubeconfig FILE [flags]

Runs the controllers (daemonset, garbage collector, pod GC, node lifecycle) and the scheduler out of process
against any Kubernetes API server, holding the Lease kube-system/everynode-controller-manager while active.

Flags:
  --kubeconfig FILE   how to reach the API server (required)
  --simulate          also simulate nodes annotated everynode.dev/simulated=true
  --nodes N           with --simulate: create simulated nodes node-1..node-N (default 0)
  --stages FILE       with --simulate: pod lifecycle stages (JSON or YAML)
  --leader-elect      hold a Lease so only one instance is active (default true; --leader-elect=false to skip)
  --metrics-port N    serve /metrics (work queues, scheduler, leader status, process) on http://127.0.0.1:N
`;

/** Runs `everynode controller-manager` until SIGINT/SIGTERM; returns the exit code. */
export async function controllerManager(argv: string[], out: (line: string) => void): Promise<number> {
  const { flags } = parseArgs(argv, { kubeconfig: "string", simulate: "boolean", nodes: "number", stages: "string", "leader-elect": "boolean", "metrics-port": "number", help: "boolean" });
  if (flags.help) { out(controllerManagerUsage); return 0; }
  if (typeof flags.kubeconfig !== "string") throw new Error("--kubeconfig is required");
  const client = new RestClient({ ...(await loadKubeconfig(flags.kubeconfig)), userAgent: "everynode-controller-manager" });
  const stages = typeof flags.stages === "string" ? await loadStages(flags.stages) : undefined;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const stop = (): void => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const leaseName = "everynode-controller-manager";
  const metrics = new ServerMetrics();
  metrics.setLeader(leaseName, false);
  const metricsServer = flags["metrics-port"] === undefined ? undefined : await serveMetrics(metrics, Number(flags["metrics-port"]));
  if (metricsServer) out(`metrics at ${metricsServer.url}/metrics`);
  const run = async (signal: AbortSignal): Promise<void> => {
    out("controllers started");
    setMaxListeners(0, signal);
    metrics.setLeader(leaseName, true);
    try {
      await runControllerManager({ client, metrics, simulate: flags.simulate === true, nodes: Number(flags.nodes ?? 0), stages }, signal);
    } finally {
      metrics.setLeader(leaseName, false);
    }
  };
  try {
    if (flags["leader-elect"] === false) {
      await run(abort.signal);
    } else {
      const identity = `${hostname()}_${randomUUID()}`;
      out(`waiting for leadership as ${identity}`);
      await runWithLeaderElection({ client, namespace: "kube-system", name: leaseName, identity }, abort.signal, run);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await metricsServer?.close();
    client.close();
  }
  return 0;
}
