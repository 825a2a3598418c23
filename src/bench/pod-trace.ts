/**
 * A pipeline trace of daemon pods during a benchmark phase: when each pod was created, bound, Running and Ready
 * (and when its deletion was requested and done), seen through a watch, summarised per time bucket — to find where
 * pods wait between the DaemonSet controller, the scheduler and the simulated kubelets.
 */
import type { Pod } from "../api/types.js";
import type { Client } from "../client/client.js";
import { benchNamespace, benchResources as R } from "./cluster-scenarios.js";
import { follow, isPodReady } from "./cluster-observe.js";

const stages = ["created", "bound", "running", "ready", "deleting", "deleted"] as const;
type Stage = (typeof stages)[number];

/** A running trace; `stop` ends the watch and returns the summary lines. */
export interface PodTrace {
  stop(): Promise<string[]>;
}

/** Starts tracing the bench namespace's pods from `resourceVersion`; `bucketMs` is the summary's resolution. */
export function startPodTrace(client: Client, resourceVersion: string, bucketMs = 500): PodTrace {
  const t0 = performance.now();
  const seen = new Map<string, Partial<Record<Stage, number>>>();
  const abort = new AbortController();
  const mark = (uid: string, stage: Stage): void => {
    let entry = seen.get(uid);
    if (entry === undefined) seen.set(uid, entry = {});
    entry[stage] ??= performance.now() - t0;
  };
  const watching = follow<Pod>(client, {
    resource: R.pods, namespace: benchNamespace, resourceVersion, what: "pod trace", timeoutMs: 3_600_000,
    signal: abort.signal, describe: () => `${seen.size} pods`,
    onEvent: (type, pod) => {
      const uid = pod.metadata?.uid ?? "";
      mark(uid, "created");
      if (pod.spec?.nodeName) mark(uid, "bound");
      if (pod.status?.phase === "Running") mark(uid, "running");
      if (isPodReady(pod)) mark(uid, "ready");
      if (pod.metadata?.deletionTimestamp) mark(uid, "deleting");
      if (type === "DELETED") mark(uid, "deleted");
      return false;
    },
  }).catch(() => undefined);
  return {
    async stop() {
      abort.abort();
      await watching;
      const end = Math.max(0, ...[...seen.values()].flatMap((e) => Object.values(e)));
      const buckets = Math.ceil(end / bucketMs) + 1;
      const counts = stages.map(() => new Array<number>(buckets).fill(0));
      for (const entry of seen.values()) {
        stages.forEach((stage, i) => {
          const at = entry[stage];
          const row = counts[i];
          const b = Math.floor((at ?? -1) / bucketMs);
          if (row !== undefined && b >= 0) row[b] = (row[b] ?? 0) + 1;
        });
      }
      const lines = [`t(s)  ${stages.map((s) => s.padStart(8)).join("")}  (pods reaching each stage in the bucket)`];
      for (let b = 0; b < buckets; b++) {
        lines.push(`${((b * bucketMs) / 1000).toFixed(1).padStart(5)} ${counts.map((c) => String(c[b] ?? 0).padStart(8)).join("")}`);
      }
      const lag = (from: Stage, to: Stage): string => {
        const d = [...seen.values()].flatMap((e) => (e[from] !== undefined && e[to] !== undefined ? [(e[to] as number) - (e[from] as number)] : [])).sort((a, b) => a - b);
        const q = (p: number): number => Math.round(d[Math.min(d.length - 1, Math.floor(p * d.length))] ?? 0);
        return `${from}->${to}: n ${d.length}, p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms`;
      };
      lines.push(lag("created", "bound"), lag("bound", "running"), lag("running", "ready"), lag("deleting", "deleted"));
      return lines;
    },
  };
}
