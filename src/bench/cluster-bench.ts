/**
 * The cluster benchmark: how fast everynode brings up N simulated nodes, converges a DaemonSet over them, adds
 * nodes, rolls out a new template, answers `kubectl get pods -A`, and what it costs at rest, next to the raw
 * store write rate measured in the same run.
 *
 * By default it measures the user's configuration: `everynode up` as its own process, driven over HTTPS as kubectl
 * drives it, with the gates applied; then, as a labelled second row, the same phases with the control plane in the
 * benchmark's own process over the loopback client (no HTTP, no JSON), without gates. `--mode up` or
 * `--mode inprocess` runs one of them alone (gated).
 *
 * Usage: node dist/bench/cluster-bench.js [--nodes 10000] [--mode both|up|inprocess] [--stages instant|default]
 *   [--joins 100] [--steady-seconds 60] [--settle-seconds 10] [--store-seconds 2] [--timeout-seconds 600] [--store sqlite|etcd]
 *   [--etcd-dir DIR] (with --store etcd: where etcd keeps its data, default the scratch dir; /dev/shm takes the disk out)
 *   [--phases start,daemonset,...] [--kubectl /usr/bin/kubectl] [--cpu-prof DIR] [--heap-snapshot DIR]
 *   [--up-args "FLAGS"] (space-separated flags added to the `everynode up` child's, e.g. --controller-thread=false)
 *   (--cpu-prof with mode up: the child writes one profile per thread of the whole run when it stops)
 * Prints one JSON line per run, then tables. Exits 1 when a phase failed or a gate of the gated run was missed, 2 for
 * flags it cannot run with (`--help` lists them).
 */
import { appendFileSync } from "node:fs";
import { loadavg } from "node:os";
import { BenchUsageError, benchFlags, numberFlag, runBench } from "./bench-args.js";
import { benchFailed } from "./bench-gates.js";
import { Progress } from "../cli/progress.js";
import { resultTable } from "./bench-report.js";
import { allPhases, runClusterBench, type ClusterBenchResult, type PhaseName } from "./cluster-bench-run.js";

function parsePhases(value: string | undefined): Set<PhaseName> {
  if (value === undefined || value === "all") return new Set(allPhases);
  const out = new Set<PhaseName>(["start"]);
  for (const name of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const phase = allPhases.find((p) => p === name);
    if (phase === undefined) throw new BenchUsageError(`unknown phase "${name}" (phases: ${allPhases.join(", ")})`);
    out.add(phase);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  // Phase lines as one status line on a terminal; nothing but the result in CI logs and pipes.
  const progress = new Progress(process.stderr, { quietUnlessTty: true });
  const flags = benchFlags(argv, [
    "nodes", "mode", "stages", "joins", "steady-seconds", "settle-seconds", "store-seconds", "timeout-seconds", "store", "phases", "kubectl",
    "cpu-prof", "heap-snapshot", "etcd-dir", "up-args", "trace-pods",
  ]);
  const number = (name: string, fallback: number): number => numberFlag(flags, name, fallback);
  const mode = flags.mode ?? "both";
  if (mode !== "inprocess" && mode !== "up" && mode !== "both") throw new BenchUsageError(`--mode must be both, up or inprocess, not ${mode}`);
  const stages = flags.stages ?? "instant";
  if (stages !== "instant" && stages !== "default") throw new BenchUsageError(`--stages must be instant or default, not ${stages}`);
  const store = String(flags.store ?? "sqlite");
  if (store !== "sqlite" && store !== "etcd") throw new BenchUsageError(`--store must be sqlite or etcd, not ${store}`);
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  const run = (m: "up" | "inprocess", gated: boolean): Promise<ClusterBenchResult> => runClusterBench({
    nodes: number("nodes", 10_000),
    mode: m, stages, gated,
    joins: number("joins", 100),
    // 60 s: each thread's full garbage collection comes every minute or two at rest; a 20 s window read 15.0% or 18.6%
    // of one core for the same build, depending on whether one fell inside it.
    steadySeconds: number("steady-seconds", 60),
    settleSeconds: number("settle-seconds", 10),
    storeSeconds: number("store-seconds", 2),
    store,
    etcdDir: flags["etcd-dir"],
    timeoutSeconds: number("timeout-seconds", 600),
    phases: parsePhases(flags.phases),
    kubectl: flags.kubectl ?? "/usr/bin/kubectl",
    cpuProfileDir: flags["cpu-prof"],
    heapSnapshotDir: flags["heap-snapshot"],
    upArgs: flags["up-args"]?.split(" ").filter(Boolean),
    log: (line) => progress.update(`[bench ${m}] ${line}`),
    podTrace: flags["trace-pods"] === undefined ? undefined : (phase, lines) => appendFileSync(flags["trace-pods"] ?? "", [`# ${m} ${phase}`, ...lines, ""].join("\n")),
  });
  const primary = await run(mode === "inprocess" ? "inprocess" : "up", true);
  const second = mode === "both" ? await run("inprocess", false) : undefined;
  progress.finish();
  const machine = { node: process.version, loadAverageAtStart: load, loadAverageAtEnd: loadavg().map((l) => l.toFixed(2)).join(" ") };
  const out = [JSON.stringify({ ...primary, machine })];
  if (second) out.push(JSON.stringify({ ...second, machine }));
  out.push("", `${primary.mode === "up" ? "everynode up as its own process, driven over HTTPS (the user's configuration)" : "in process"}, ${primary.stages} pod stages:`, resultTable(primary));
  if (second) out.push("", `second row, not gated: the control plane in the benchmark's process over the loopback client, ${second.stages} pod stages:`, resultTable(second));
  const failed = primary.gates.filter((g) => !g.pass).map((g) => g.name);
  out.push("", `load average at start ${machine.loadAverageAtStart}, at end ${machine.loadAverageAtEnd}`,
    benchFailed(primary) || second?.error !== undefined
      ? `FAILED: ${[...failed.map((n) => `gate "${n}"`), ...[primary.error, second?.error].filter((e) => e !== undefined)].join("; ")}`
      : `all ${primary.gates.length} gates passed`);
  process.stdout.write(`${out.join("\n")}\n`);
  return benchFailed(primary) || second?.error !== undefined ? 1 : 0;
}

await runBench(() => main(process.argv.slice(2)));
