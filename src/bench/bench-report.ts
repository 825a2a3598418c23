/** The human-readable form of a cluster benchmark result: a figures table and a gates table. */
import { formatTable } from "./bench-stats.js";
import type { ClusterBenchResult } from "./cluster-bench-run.js";

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;

/** ", CPU 12.3 s (main thread 9.1 s)": the serving process's CPU over a phase, when measured. */
function cpuText(m: { cpuSeconds?: number; mainThreadCpuSeconds?: number }): string {
  if (m.cpuSeconds === undefined) return "";
  return `, CPU ${m.cpuSeconds} s${m.mainThreadCpuSeconds !== undefined ? ` (main thread ${m.mainThreadCpuSeconds} s)` : ""}`;
}

/** The human-readable table of a result. */
export function resultTable(r: ClusterBenchResult): string {
  const rows: string[][] = [];
  const add = (figure: string, value: string, detail = ""): void => { rows.push([figure, value, detail]); };
  const share = (name: string): string => (r.storeShare?.[name] !== undefined ? `, ${Math.round((r.storeShare[name] ?? 0) * 100)}% of store limit` : "");
  add("nodes", String(r.nodes), `${r.mode}, ${r.stages} pod stages`);
  if (r.nodesReady) add("all nodes Ready", `${r.nodesReady.seconds} s`, `${r.nodesReady.nodesPerSecond} nodes/s, ${r.nodesReady.writesPerSecond} writes/s${share("nodesReady")}`);
  if (r.daemonSet) add("DaemonSet create -> all available", `${r.daemonSet.seconds} s`, `${r.daemonSet.podsPerSecond} pods/s (all scheduled at ${r.daemonSet.scheduledSeconds} s), ${r.daemonSet.writesPerSecond} writes/s${share("daemonSet")}${cpuText(r.daemonSet)}`);
  if (r.checks) add("checks after convergence", r.checks.problems.length === 0 ? "ok" : "FAILED", `${r.checks.pods} pods on ${r.checks.nodes} nodes, ${r.checks.duplicates} duplicates, ${r.checks.missing} missing${r.checks.problems.length ? `: ${r.checks.problems.join("; ")}` : ""}`);
  if (r.kubectl) add("kubectl get pods -A", `${r.kubectl.warmMs} ms`, `${r.kubectl.warmKubectlCpuMs !== undefined ? `kubectl's own CPU ${r.kubectl.warmKubectlCpuMs} ms, ` : ""}cold (empty discovery cache) ${r.kubectl.coldMs} ms, ${r.kubectl.lines} lines${r.kubectl.throttledMs !== undefined ? `, ${r.kubectl.throttledMs} ms waiting on kubectl's client-side rate limit` : ""}`);
  const replay = r.kubectl?.replay;
  if (replay) {
    add("  the same pages replayed", `${replay.warmMs} ms`, `kubectl alone (a server that answers at once with the ${replay.pages} pages, ${mib(replay.bytes)}): `
      + `${replay.warmKubectlCpuMs !== undefined ? `its own CPU ${replay.warmKubectlCpuMs} ms, ` : ""}${replay.throttledMs} ms waiting on its client-side rate limit`);
  }
  if (r.steady) add("steady CPU (heartbeats, leases)", `${r.steady.cpuPercent}%`, `of one core over ${r.steady.seconds} s, ${r.steady.writesPerSecond} writes/s${share("steady")}`);
  if (r.joins) add("node join -> daemon pod Ready", `p99 ${r.joins.p99Ms} ms`, `p50 ${r.joins.p50Ms} ms, max ${r.joins.maxMs} ms over ${r.joins.joins} joins`);
  if (r.rollout) add("rolling update (maxUnavailable 10%)", `${r.rollout.seconds} s`, `${r.rollout.podsPerSecond} pods/s (all replaced at ${r.rollout.scheduledSeconds} s), ${r.rollout.writesPerSecond} writes/s${share("rollout")}${cpuText(r.rollout)}`);
  if (r.finalChecks) add("checks after rollout", r.finalChecks.problems.length === 0 ? "ok" : "FAILED", `${r.finalChecks.pods} pods on ${r.finalChecks.nodes} nodes, ${r.finalChecks.duplicates} duplicates, ${r.finalChecks.missing} missing${r.finalChecks.problems.length ? `: ${r.finalChecks.problems.join("; ")}` : ""}`);
  add("peak RSS", mib(r.memory.peakRssBytes), `${mib(r.memory.rssBytesAtEnd)} at the end`);
  if (r.store) {
    const { store } = r;
    add(`store limit (${store.backend === "etcd" ? "etcd, one member" : "SQLite NORMAL"}, ${store.writers} writers)`, `${store.updatesPerSecond} updates/s`,
      `${store.createsPerSecond} creates/s, ${store.valueBytes}-byte values; one writer: ${store.sequential.updatesPerSecond} updates/s, ${store.sequential.createsPerSecond} creates/s`);
  }
  if (r.error) add("error", "see detail", r.error);
  const figures = formatTable(["figure", "value", "detail"], rows, 1);
  const gateRows = r.gates.map((g) => [g.name, g.limit, g.value, g.pass ? "PASS" : "FAIL"]);
  return gateRows.length > 0 ? `${figures}\n\n${formatTable(["gate", "limit", "value", "verdict"], gateRows, 1)}` : figures;
}

