/**
 * Micro-benchmark of the API server's write path for the hot case of a large cluster: merge-patch Lease renewals
 * through the registry, in process, over a MemoryBackend (the storage's own cost left out), as the node simulator
 * sends them (the registry's serializing client behind the loopback client, as the control plane serves the
 * controller thread; fieldManager kubelet). Prints the CPU microseconds per renewal.
 *
 *   node dist/bench/renewal-bench.js [--leases 1000] [--rounds 30] [--batch 100] [--repeat 5] [--status]
 *
 * `--status` measures strategic-merge status patches of pods instead (the DaemonSet convergence's status writes).
 */
import { mustFindResource } from "../api/resources.js";
import type { KubeObject } from "../api/types.js";
import type { Client } from "../client/client.js";
import { createLoopbackClient } from "../client/loopback.js";
import { Registry } from "../apiserver/registry/registry.js";
import { MemoryBackend } from "../storage/memory-backend.js";
import { BenchUsageError, benchFlags, numberFlag, runBench } from "./bench-args.js";

const leases = mustFindResource("coordination.k8s.io", "leases");
const pods = mustFindResource("", "pods");
const namespaces = mustFindResource("", "namespaces");
const kubelet = { fieldManager: "kubelet" };

/** Microseconds of `new Date(ms)` as the kubelet writes a renewTime. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

function lease(name: string, renewTime: string): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1", kind: "Lease",
    metadata: { name, namespace: "kube-node-lease", ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: `uid-${name}` }] },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
  };
}

function pod(name: string): KubeObject {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "ds" } },
    spec: { nodeName: name, containers: [{ name: "main", image: "nginx:1.25" }] },
  };
}

function podStatus(name: string, ms: number): unknown {
  const at = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    status: {
      phase: "Running", hostIP: "10.0.0.1", podIP: "10.1.0.1", startTime: at,
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: at }],
      containerStatuses: [{ name: "main", image: "nginx:1.25", imageID: "", ready: true, restartCount: 0, started: true, state: { running: { startedAt: at } } }],
      qosClass: "BestEffort",
    },
    metadata: { name },
  };
}

async function main(): Promise<void> {
  const flags = benchFlags(process.argv.slice(2), ["leases", "rounds", "batch", "repeat"], ["status"]);
  const status = flags.status === "true";
  const repeat = numberFlag(flags, "repeat", 5);
  const count = numberFlag(flags, "leases", 1000);
  const rounds = numberFlag(flags, "rounds", 30);
  const batch = numberFlag(flags, "batch", 100);
  for (const [name, value] of Object.entries({ leases: count, rounds, batch, repeat })) {
    if (!Number.isInteger(value) || value < 1) throw new BenchUsageError(`--${name} must be a positive integer, not ${value}`);
  }
  let ms = Date.parse("2026-01-01T00:00:00Z");
  const backend = new MemoryBackend();
  const registry = new Registry({ backend, now: () => new Date(ms) });
  const stop = new AbortController();
  await registry.start(stop.signal);
  // As the control plane hands the registry to the controller thread's port server.
  const client: Client = createLoopbackClient(registry.serializingClient(), { copy: false });
  for (const name of ["kube-node-lease", "default"]) await client.create(namespaces, undefined, { metadata: { name } });
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
  for (const name of names) {
    if (status) await client.create(pods, "default", pod(name), kubelet);
    else await client.create(leases, "kube-node-lease", lease(name, microTime(ms)), kubelet);
  }
  const write = (name: string): Promise<unknown> => status
    ? client.patch(pods, "default", name, "strategic", podStatus(name, ms), { ...kubelet, subresource: "status" })
    : client.patch(leases, "kube-node-lease", name, "merge", { spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(ms) } }, kubelet);
  const results: number[] = [];
  for (let r = 0; r < repeat + 1; r++) {
    // Storage's history is compacted between repeats (as the server does), so that the repeats measure the same.
    await backend.compact(await backend.currentRevision());
    const start = process.cpuUsage();
    for (let round = 0; round < rounds; round++) {
      ms += 10_000;
      for (let i = 0; i < names.length; i += batch) await Promise.all(names.slice(i, i + batch).map(write));
    }
    const used = process.cpuUsage(start);
    const us = (used.user + used.system) / (rounds * count);
    if (r > 0) results.push(us); // the first repeat warms up
  }
  results.sort((a, b) => a - b);
  const fmt = (x: number | undefined): string => (x ?? 0).toFixed(1);
  process.stdout.write(`${status ? "pod status patches" : "lease renewals"}: us/write min ${fmt(results[0])} median ${fmt(results[results.length >> 1])} (${results.map(fmt).join(" ")})\n`);
  stop.abort();
  registry.close();
  await backend.close();
}

await runBench(main);
