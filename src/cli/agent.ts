import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { Agent } from "../agent/agent.js";
import { PodmanRuntime } from "../agent/podman-runtime.js";
import { ProcessRuntime } from "../agent/process-runtime.js";
import type { Runtime } from "../agent/runtime.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { realClock } from "../util/clock.js";
import { parseArgs } from "./flags.js";

/** Usage text of `everynode agent`. */
export const agentUsage = `Usage: everynode agent --kubeconfig FILE [flags]

Joins this machine as a node and runs the pods bound to it (the job of the kubelet, for DaemonSet pods).
Issue the node's kubeconfig on the control plane with "everynode kubeconfig --node NAME --output FILE".
Containers keep running when the agent stops; started again on the same --data-dir it re-adopts them.

Flags:
  --kubeconfig FILE     the node's kubeconfig (required)
  --name NAME           the node name (default: the hostname)
  --runtime KIND        process (default: command + args as host processes) or podman (OCI images)
  --data-dir DIR        state, pod volumes and container logs (default ./.everynode-agent)
  --listen ADDR:PORT    the agent's HTTPS endpoint for logs, exec and port-forward (default 0.0.0.0:10250)
  --node-ip IP          the address to report as InternalIP (default: the default-route interface's)
  --node-status-update-frequency SECONDS
                        how often the node status is computed and the Lease renewed (default 10)
  --sync-frequency SECONDS
                        how often mounted ConfigMap, Secret, downward API and token files are refreshed (default 60)
  --register-gate-taint=false
                        register a new Node without the taint node.everynode.dev/daemons-not-ready:NoSchedule
                        (for control planes that do not run everynode's node readiness gate controller)
`;

/** Parses `ADDR:PORT` (IPv6 in brackets). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) throw new Error(`invalid --listen "${value}": want ADDR:PORT`);
  return { host: m[1] ?? m[2] ?? "0.0.0.0", port };
}

/** Host and port of the API server URL `server` (default port 443), for containers' KUBERNETES_SERVICE_* variables. */
export function apiServerAddress(server: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(server);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    return { host, port: url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443 };
  } catch {
    return undefined;
  }
}

/** Runs `everynode agent` until SIGINT/SIGTERM; returns the exit code. */
export async function agent(argv: string[], out: (line: string) => void): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { kubeconfig: "string", name: "string", runtime: "string", "data-dir": "string", listen: "string", "node-ip": "string", "node-status-update-frequency": "number", "sync-frequency": "number", "register-gate-taint": "boolean", help: "boolean" });
  if (flags.help) { out(agentUsage); return 0; }
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0] ?? ""}"`);
  if (typeof flags.kubeconfig !== "string") throw new Error("--kubeconfig is required");
  const kind = String(flags.runtime ?? "process");
  if (kind !== "process" && kind !== "podman") throw new Error(`invalid --runtime "${kind}": want process or podman`);
  const listen = parseListen(String(flags.listen ?? "0.0.0.0:10250"));
  const dataDir = resolve(String(flags["data-dir"] ?? ".everynode-agent"));
  const nodeName = String(flags.name ?? hostname()).toLowerCase();
  const config = await loadKubeconfig(flags.kubeconfig);
  if (!config.caCert) throw new Error(`kubeconfig ${flags.kubeconfig} has no certificate-authority: the agent's endpoint accepts only clients of the cluster's CA`);
  const client = new RestClient({ ...config, userAgent: `everynode-agent/${nodeName}` });
  const runtime: Runtime = kind === "podman" ? new PodmanRuntime() : new ProcessRuntime({ dataDir });
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const stop = (): void => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const seen = new Set<string>();
  const onError = (err: unknown): void => {
    const line = `agent: ${err instanceof Error ? err.message : String(err)}`;
    if (seen.has(line)) return;
    if (seen.size > 1000) seen.clear();
    seen.add(line);
    process.stderr.write(`${line}\n`);
  };
  try {
    const a = new Agent({
      client, nodeName, runtime, dataDir, clock: realClock(), now: () => Date.now(), listen, clientCA: config.caCert,
      heartbeatMs: typeof flags["node-status-update-frequency"] === "number" ? flags["node-status-update-frequency"] * 1000 : undefined,
      syncFrequencyMs: typeof flags["sync-frequency"] === "number" && flags["sync-frequency"] > 0 ? flags["sync-frequency"] * 1000 : undefined,
      apiServer: apiServerAddress(config.server),
      nodeIP: typeof flags["node-ip"] === "string" ? flags["node-ip"] : undefined, registerGateTaint: flags["register-gate-taint"] !== false, log: out, onError,
    });
    await a.run(abort.signal);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    client.close();
  }
  return 0;
}
