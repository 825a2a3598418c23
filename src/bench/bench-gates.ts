/** The gates of the cluster benchmark: limits its figures must stay within, and which of them fail a run. */
import { round } from "./bench-stats.js";
import type { ClusterBenchResult } from "./cluster-bench-run.js";

/** A gate: a limit a figure must stay within. */
export interface GateResult {
  name: string;
  limit: string;
  value: string;
  pass: boolean;
  /** A blocking gate that fails makes the run fail (exit code 1); the others only report figures against targets. */
  blocking: boolean;
}

/** The gates of a result; gates of phases that did not run are left out. */
export function benchGates(r: ClusterBenchResult): GateResult[] {
  const out: GateResult[] = [];
  const gate = (name: string, limit: string, value: number | undefined, max: number, unit: string): void => {
    if (value === undefined) return;
    out.push({ name, limit: `<= ${limit}`, value: `${value}${unit}`, pass: value <= max, blocking: false });
  };
  gate("DaemonSet converged", "15 s", r.daemonSet?.seconds, 15, " s");
  gate("rolling update (maxUnavailable 10%)", "60 s", r.rollout?.seconds, 60, " s");
  gate("node join -> daemon pod Ready p99", "500 ms", r.joins?.p99Ms, 500, " ms");
  gate("peak RSS", "2 GiB", r.memory.peakRssBytes > 0 ? round(r.memory.peakRssBytes / 2 ** 30, 2) : undefined, 2, " GiB");
  gate("steady CPU", "25% of one core", r.steady?.cpuPercent, 25, "%");
  const problems = [...(r.checks?.problems ?? []), ...(r.finalChecks?.problems ?? [])];
  if (r.checks !== undefined || r.finalChecks !== undefined) {
    const value = problems.length === 0 ? "ok" : `${problems.length} problem(s)`;
    out.push({ name: "one daemon pod per node, status consistent", limit: "no problems", value, pass: problems.length === 0, blocking: true });
  }
  return out;
}

/** True when the run failed: an error stopped it, or a blocking gate did not pass. */
export function benchFailed(r: Pick<ClusterBenchResult, "error" | "gates">): boolean {
  return r.error !== undefined || r.gates.some((g) => g.blocking && !g.pass);
}
