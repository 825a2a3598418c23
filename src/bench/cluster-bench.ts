/**
 * The cluster benchmark: how fast everynode brings up N simulated nodes, converges a DaemonSet over them, adds
 * nodes, rolls out a new template, answers `kubectl get pods -A`, and what it costs at rest, next to the raw
 * store write rate measured in the same run.
 *
 * Usage: node dist/bench/cluster-bench.js [--nodes 10000] [--mode inprocess|up] [--stages instant|default]
 *   [--joins 100] [--steady-seconds 20] [--settle-seconds 10] [--store-seconds 2] [--timeout-seconds 600] [--store sqlite|etcd]
 *   [--etcd-dir DIR] (with --store etcd: where etcd keeps its data, default the scratch dir; /dev/shm takes the disk out)
 *   [--phases start,daemonset,...] [--kubectl /usr/bin/kubectl] [--cpu-prof DIR] [--heap-snapshot DIR]
 * Prints one JSON line, then a table. Exits 1 when a phase failed or a check found a problem.
 */
import { loadavg } from "node:os";
import { benchFlags, numberFlag } from "./bench-args.js";
import { benchFailed } from "./bench-gates.js";
import { Progress } from "../cli/progress.js";
import { resultTable } from "./bench-report.js";
import { allPhases, runClusterBench, type PhaseName } from "./cluster-bench-run.js";

function parsePhases(value: string | undefined): Set<PhaseName> {
  if (value === undefined || value === "all") return new Set(allPhases);
  const out = new Set<PhaseName>(["start"]);
  for (const name of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const phase = allPhases.find((p) => p === name);
    if (phase === undefined) throw new Error(`unknown phase "${name}" (phases: ${allPhases.join(", ")})`);
    out.add(phase);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  // Phase lines as one status line on a terminal; nothing but the result in CI logs and pipes.
  const progress = new Progress(process.stderr, { quietUnlessTty: true });
  const flags = benchFlags(argv, [
    "nodes", "mode", "stages", "joins", "steady-seconds", "settle-seconds", "store-seconds", "timeout-seconds", "store", "phases", "kubectl",
    "cpu-prof", "heap-snapshot", "etcd-dir",
  ]);
  const number = (name: string, fallback: number): number => numberFlag(flags, name, fallback);
  const mode = flags.mode ?? "inprocess";
  if (mode !== "inprocess" && mode !== "up") throw new Error(`--mode must be inprocess or up, not ${mode}`);
  const stages = flags.stages ?? "instant";
  if (stages !== "instant" && stages !== "default") throw new Error(`--stages must be instant or default, not ${stages}`);
  const store = String(flags.store ?? "sqlite");
  if (store !== "sqlite" && store !== "etcd") throw new Error(`--store must be sqlite or etcd, not ${store}`);
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  const result = await runClusterBench({
    nodes: number("nodes", 10_000),
    mode, stages,
    joins: number("joins", 100),
    steadySeconds: number("steady-seconds", 20),
    settleSeconds: number("settle-seconds", 10),
    storeSeconds: number("store-seconds", 2),
    store,
    etcdDir: flags["etcd-dir"],
    timeoutSeconds: number("timeout-seconds", 600),
    phases: parsePhases(flags.phases),
    kubectl: flags.kubectl ?? "/usr/bin/kubectl",
    cpuProfileDir: flags["cpu-prof"],
    heapSnapshotDir: flags["heap-snapshot"],
    log: (line) => progress.update(`[bench] ${line}`),
  });
  progress.finish();
  const machine = { node: process.version, loadAverageAtStart: load, loadAverageAtEnd: loadavg().map((l) => l.toFixed(2)).join(" ") };
  process.stdout.write(`${JSON.stringify({ ...result, machine })}\n\n${resultTable(result)}\n\nload average at start ${machine.loadAverageAtStart}, at end ${machine.loadAverageAtEnd}\n`);
  return benchFailed(result) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
