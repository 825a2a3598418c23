/**
 * Scrape time of `/metrics` at fleet size: N nodes (four conditions each), one DaemonSet and its N Running, Ready
 * pods in the informer caches, then the full exposition (server metrics + kube-state series) rendered: the first
 * scrape (every object rendered), a steady one (nothing changed) and one after a tenth of the pods changed.
 * Usage: node dist/bench/metrics-bench.js [--nodes 10000] [--scrapes 5]. Prints one JSON line.
 */
import { setMaxListeners } from "node:events";
import { mustFindResource } from "../api/resources.js";
import type { DaemonSet, Node, Pod } from "../api/types.js";
import { SharedInformerFactory } from "../client/informer-factory.js";
import { eventually } from "../client/testing/eventually.js";
import { FakeClient } from "../client/testing/fake-client.js";
import { KubeStateMetrics } from "../metrics/kube-state.js";
import { ServerMetrics } from "../metrics/server-metrics.js";
import { benchFlags, numberFlag, runBench } from "./bench-args.js";

const conditions = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

function node(i: number): Node {
  return {
    apiVersion: "v1", kind: "Node", metadata: { name: `node-${i}`, labels: { "kubernetes.io/hostname": `node-${i}` } },
    status: { conditions: conditions.map((type) => ({ type, status: type === "Ready" ? "True" : "False", reason: "KubeletReady", lastHeartbeatTime: "2026-01-01T00:00:00Z" })) },
  };
}

function pod(i: number, restarts: number): Pod {
  return {
    apiVersion: "v1", kind: "Pod", metadata: { name: `agent-${i.toString(36)}`, namespace: "kube-system", uid: `0000-${i}` },
    spec: { nodeName: `node-${i}`, containers: [{ name: "agent", image: "agent:1" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "agent", image: "agent:1", imageID: "", ready: true, restartCount: restarts }] },
  };
}

/** Wall time and CPU time (user + system, this process) of one scrape, in ms. */
async function timed(fn: () => Promise<string>): Promise<{ ms: number; cpuMs: number; bytes: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const text = await fn();
  const used = process.cpuUsage(cpu);
  const round = (v: number): number => Math.round(v * 10) / 10;
  return { ms: round(performance.now() - start), cpuMs: round((used.user + used.system) / 1000), bytes: Buffer.byteLength(text) };
}

async function main(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, ["nodes", "scrapes"]);
  const n = numberFlag(flags, "nodes", 10_000);
  const scrapes = numberFlag(flags, "scrapes", 5);
  const client = new FakeClient();
  const R = { nodes: mustFindResource("", "nodes"), pods: mustFindResource("", "pods"), ds: mustFindResource("apps", "daemonsets") };
  await client.create<DaemonSet>(R.ds, "kube-system", {
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: "kube-system", generation: 1 },
    status: { currentNumberScheduled: n, desiredNumberScheduled: n, numberMisscheduled: 0, numberReady: n, numberAvailable: n, updatedNumberScheduled: n, observedGeneration: 1 },
  });
  for (let i = 0; i < n; i++) {
    await client.create(R.nodes, undefined, node(i));
    await client.create(R.pods, "kube-system", pod(i, 0));
  }
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const informers = new SharedInformerFactory(client, { pageSize: 5000 });
  const kubeState = new KubeStateMetrics({ informers });
  const metrics = new ServerMetrics({ kubeState });
  informers.start(abort.signal);
  await informers.waitForSync(abort.signal);
  const first = await timed(() => metrics.text());
  const steady: { ms: number; cpuMs: number }[] = [];
  for (let s = 0; s < scrapes; s++) steady.push(await timed(() => metrics.text()));
  const podsInformer = informers.informerFor<Pod>(R.pods);
  const changed = Math.ceil(n / 10);
  for (let i = 0; i < changed; i++) await client.update(R.pods, "kube-system", { ...pod(i, 1), metadata: { ...pod(i, 1).metadata, resourceVersion: podsInformer.store.get(`kube-system/agent-${i.toString(36)}`)?.metadata?.resourceVersion } });
  await eventually(() => podsInformer.store.get("kube-system/agent-0")?.status?.containerStatuses?.[0]?.restartCount === 1, "pod updates seen", 100_000);
  await new Promise((r) => setTimeout(r, 200));
  const afterChange = await timed(() => metrics.text());
  abort.abort();
  await informers.stopped();
  steady.sort((a, b) => a.ms - b.ms);
  const median = steady[Math.floor(steady.length / 2)];
  process.stdout.write(`${JSON.stringify({
    nodes: n, pods: n, bytes: first.bytes, changedPods: changed,
    firstScrape: { ms: first.ms, cpuMs: first.cpuMs }, steadyScrapeMedian: median, afterChange: { ms: afterChange.ms, cpuMs: afterChange.cpuMs },
  })}\n`);
}

await runBench(() => main(process.argv.slice(2)));
