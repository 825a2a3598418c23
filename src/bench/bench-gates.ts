/**
 * The gates of the cluster benchmark: the targets its figures must meet. Every gate blocks: a run that misses one
 * fails (exit code 1). The limits are the targets for a 2-core machine (see gateLimits).
 */
import { round } from "./bench-stats.js";
import type { ClusterBenchResult } from "./cluster-bench-run.js";

/** A gate: a limit a figure must stay within. */
export interface GateResult {
  name: string;
  limit: string;
  value: string;
  pass: boolean;
  /** A blocking gate that fails makes the run fail (exit code 1). */
  blocking: boolean;
}

/**
 * The limits for a run over `nodes` nodes: the 10,000-node targets up to 10,000 nodes; above, the 100,000-node
 * targets (converge in 60 s × nodes / 100,000, RSS 4 GiB, the rollout only has to complete).
 */
export function gateLimits(nodes: number): { convergeS: number; rssGiB: number; rolloutS?: number; getPodsMs?: number; storeShare?: number; steadyCpu?: number; joinP99Ms?: number } {
  if (nodes > 10_000) return { convergeS: round(60 * nodes / 100_000, 1), rssGiB: 4 };
  return { convergeS: 4, rolloutS: 8, getPodsMs: 1000, storeShare: 0.5, steadyCpu: 10, joinP99Ms: 500, rssGiB: 2 };
}

/** The gates of a result; gates of phases that did not run are left out. */
export function benchGates(r: ClusterBenchResult): GateResult[] {
  const out: GateResult[] = [];
  const lim = gateLimits(r.nodes);
  const atMost = (name: string, limit: number | undefined, value: number | undefined, unit: string): void => {
    if (value === undefined || limit === undefined) return;
    out.push({ name, limit: `<= ${limit}${unit}`, value: `${value}${unit}`, pass: value <= limit, blocking: true });
  };
  atMost("DaemonSet create -> all available", lim.convergeS, r.daemonSet?.seconds, " s");
  atMost("rolling update (maxUnavailable 10%)", lim.rolloutS, r.rollout?.seconds, " s");
  atMost("kubectl get pods -A (warm)", lim.getPodsMs, r.kubectl?.warmMs, " ms");
  const share = r.storeShare?.daemonSet;
  if (share !== undefined && lim.storeShare !== undefined) {
    const pct = Math.round(share * 100);
    out.push({ name: "store writes while converging, share of the raw limit", limit: `>= ${lim.storeShare * 100}%`, value: `${pct}%`, pass: share >= lim.storeShare, blocking: true });
  }
  atMost("steady CPU (10 s Lease renewals), % of one core", lim.steadyCpu, r.steady?.cpuPercent, "%");
  atMost("node join -> daemon pod Ready p99", lim.joinP99Ms, r.joins?.p99Ms, " ms");
  atMost("peak RSS", lim.rssGiB, r.memory.peakRssBytes > 0 ? round(r.memory.peakRssBytes / 2 ** 30, 2) : undefined, " GiB");
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
