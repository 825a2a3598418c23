import { ControlPlane } from "../server/control-plane.js";
import { loadStages } from "../simulator/index.js";
import { parseArgs } from "./flags.js";
import { Progress, type ProgressStream } from "./progress.js";
import { reportReadiness } from "./readiness.js";

/** Usage text of `everynode up`. */
export const upUsage = `Usage: everynode up [flags]

Starts the API server on an embedded SQLite store, the controllers, the scheduler and
simulated nodes, all in one process.

Flags:
  --data-dir DIR     where state, certificates and the kubeconfig live (default ./.everynode)
  --port N           HTTPS port; 0 picks a free port (default 6443)
  --listen ADDR      listen address (default 127.0.0.1)
  --nodes N          simulated nodes to start (default 3)
  --insecure-http    serve plain HTTP on loopback instead of HTTPS
  --stages FILE      pod lifecycle stages (JSON or YAML) replacing the shipped ones
  --sync MODE        SQLite sync mode: normal (default) or full (fsync every commit)
`;

/** Runs `everynode up` until SIGINT/SIGTERM; returns the exit code. Progress goes to `progress` (a bar on a TTY). */
export async function up(argv: string[], out: (line: string) => void, progress?: ProgressStream): Promise<number> {
  const startedAt = Date.now();
  const { flags } = parseArgs(argv, { "data-dir": "string", port: "number", listen: "string", nodes: "number", "insecure-http": "boolean", sync: "string", stages: "string", help: "boolean" });
  const sync = String(flags.sync ?? "normal");
  if (sync !== "normal" && sync !== "full") throw new Error(`invalid value "${sync}" for --sync: must be normal or full`);
  if (flags.help) { out(upUsage); return 0; }
  const plane = await ControlPlane.start({
    dataDir: String(flags["data-dir"] ?? ".everynode"),
    port: Number(flags.port ?? 6443),
    listen: String(flags.listen ?? "127.0.0.1"),
    insecureHttp: flags["insecure-http"] === true,
    sync,
    nodes: Number(flags.nodes ?? 3),
    stages: typeof flags.stages === "string" ? await loadStages(flags.stages) : undefined,
    log: out,
  });
  out(`kubeconfig written to ${plane.kubeconfigPath}`);
  out(`To use it:\n  export KUBECONFIG=${plane.kubeconfigPath}\n  kubectl get namespaces`);
  const abort = new AbortController();
  await new Promise<void>((resolve) => {
    const stop = (): void => { process.off("SIGINT", stop); process.off("SIGTERM", stop); abort.abort(); resolve(); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const reporter = progress ? new Progress(progress) : undefined;
    reportReadiness(plane, Number(flags.nodes ?? 3), startedAt, reporter, out, abort.signal).catch((err: unknown) => out(`progress: ${err instanceof Error ? err.message : String(err)}`));
  });
  out("shutting down");
  await plane.stop();
  return 0;
}
