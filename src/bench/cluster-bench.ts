/**
 * The cluster benchmark: how fast everynode brings up N simulated nodes, converges a DaemonSet over them, adds
 * nodes, rolls out a new template, answers `kubectl get pods -A`, and what it costs at rest, next to the raw
 * store write rate measured in the same run.
 *
 * Usage: node dist/bench/cluster-bench.js [--nodes 10000] [--mode inprocess|up] [--stages instant|default]
 *   [--joins 100] [--steady-seconds 20] [--settle-seconds 10] [--store-seconds 2] [--timeout-seconds 600]
 *   [--phases start,daemonset,...] [--kubectl /usr/bin/kubectl] [--cpu-prof DIR] [--heap-snapshot DIR]
 * Prints one JSON line, then a table. Exits 1 when a phase failed or a check found a problem.
 */
import { loadavg } from "node:os";
import { parseArgs } from "../cli/flags.js";
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
  const { flags } = parseArgs(argv, {
    nodes: "number", mode: "string", stages: "string", joins: "number", "steady-seconds": "number", "settle-seconds": "number",
    "store-seconds": "number", "timeout-seconds": "number", phases: "string", kubectl: "string", "cpu-prof": "string", "heap-snapshot": "string",
  });
  const mode = String(flags.mode ?? "inprocess");
  if (mode !== "inprocess" && mode !== "up") throw new Error(`--mode must be inprocess or up, not ${mode}`);
  const stages = String(flags.stages ?? "instant");
  if (stages !== "instant" && stages !== "default") throw new Error(`--stages must be instant or default, not ${stages}`);
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  const result = await runClusterBench({
    nodes: Number(flags.nodes ?? 10_000),
    mode, stages,
    joins: Number(flags.joins ?? 100),
    steadySeconds: Number(flags["steady-seconds"] ?? 20),
    settleSeconds: Number(flags["settle-seconds"] ?? 10),
    storeSeconds: Number(flags["store-seconds"] ?? 2),
    timeoutSeconds: Number(flags["timeout-seconds"] ?? 600),
    phases: parsePhases(typeof flags.phases === "string" ? flags.phases : undefined),
    kubectl: typeof flags.kubectl === "string" ? flags.kubectl : "/usr/bin/kubectl",
    cpuProfileDir: typeof flags["cpu-prof"] === "string" ? flags["cpu-prof"] : undefined,
    heapSnapshotDir: typeof flags["heap-snapshot"] === "string" ? flags["heap-snapshot"] : undefined,
    log: (line) => progress.update(`[bench] ${line}`),
  });
  progress.finish();
  const machine = { node: process.version, loadAverageAtStart: load, loadAverageAtEnd: loadavg().map((l) => l.toFixed(2)).join(" ") };
  process.stdout.write(`${JSON.stringify({ ...result, machine })}\n\n${resultTable(result)}\n\nload average at start ${machine.loadAverageAtStart}, at end ${machine.loadAverageAtEnd}\n`);
  const failed = result.error !== undefined || result.gates.some((g) => !g.pass && g.name.startsWith("one daemon pod"));
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
