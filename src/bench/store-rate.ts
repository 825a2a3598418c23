/**
 * Raw write throughput of the storage backends: creates/s and updates/s of ~2 KB pod-like JSON values, with a
 * number of concurrent writer loops, each case for a fixed duration. Used by store-bench and cluster-bench.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Backend } from "../storage/backend.js";
import { EtcdBackend } from "../storage/etcd-backend.js";
import { MemoryBackend } from "../storage/memory-backend.js";
import { SqliteBackend } from "../storage/sqlite-backend.js";
import { percentile, round } from "./bench-stats.js";

/** One measured case. */
export interface StoreCaseResult {
  backend: string;
  operation: "create" | "update";
  writers: number;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** A named way to open a fresh backend in a scratch directory. */
export interface BackendFactory {
  name: string;
  open: (dir: string) => Backend;
}

/** The backends the store benchmark measures: memory, SQLite FULL and SQLite NORMAL (the default of `everynode up`). */
export const storeFactories: readonly BackendFactory[] = [
  { name: "memory", open: () => new MemoryBackend() },
  { name: "sqlite FULL", open: (dir) => SqliteBackend.open({ path: join(dir, "full.db"), synchronous: "FULL" }) },
  { name: "sqlite NORMAL", open: (dir) => SqliteBackend.open({ path: join(dir, "normal.db"), synchronous: "NORMAL" }) },
];

/** etcd at `endpoints` as a measured backend: every open uses a fresh key prefix on the one etcd. */
export function etcdFactory(endpoints: string[]): BackendFactory {
  let opened = 0;
  return { name: "etcd", open: () => new EtcdBackend({ endpoints, prefix: `/store-bench-${Date.now()}-${++opened}` }) };
}

/** A pod-like JSON object of about 2 KB, split around a counter so each write stores a distinct value cheaply. */
export function valueTemplate(): [string, string] {
  const pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name: "NAME", namespace: "default", uid: "00000000-0000-0000-0000-000000000000", resourceVersion: "1",
      labels: { app: "agent", "controller-revision-hash": "6d5f7c9b8", "pod-template-generation": "1" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "11111111-1111-1111-1111-111111111111", controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: "node-00001",
      containers: [{ name: "agent", image: "registry.example/agent:1.2.3", resources: { requests: { cpu: "100m", memory: "64Mi" } }, env: Array.from({ length: 8 }, (_, i) => ({ name: `VAR_${i}`, value: `value-${i}` })) }],
      tolerations: ["not-ready", "unreachable", "disk-pressure", "memory-pressure", "pid-pressure", "unschedulable"].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: "Exists", effect: "NoSchedule" })),
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-00001"] }] }] } } },
    },
    status: { phase: "Running", conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" })), counter: "COUNTER" },
  };
  const json = JSON.stringify(pod);
  const at = json.indexOf("COUNTER");
  return [json.slice(0, at), json.slice(at + "COUNTER".length)];
}

/** Size in bytes of the values the benchmark writes. */
export function valueBytes(): number {
  const [head, tail] = valueTemplate();
  return head.length + tail.length + 6;
}

async function runCase(
  backendName: string, operation: StoreCaseResult["operation"], writers: number, seconds: number,
  step: (writer: number, i: number) => Promise<void>,
): Promise<StoreCaseResult> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: writers }, async (_, writer) => {
    for (let i = 0; performance.now() < end; i++) {
      const t0 = performance.now();
      await step(writer, i);
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    backend: backendName, operation, writers, ops: latencies.length, seconds: round(elapsed),
    opsPerSecond: Math.round(latencies.length / elapsed), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)),
  };
}

/** Measures creates for `seconds`, then updates of the created keys for `seconds`, on a fresh backend. */
export async function measureStore(factory: BackendFactory, writers: number, seconds: number): Promise<StoreCaseResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "everynode-bench-"));
  const backend = factory.open(dir);
  const [head, tail] = valueTemplate();
  const keys: { key: string; revision: number }[][] = Array.from({ length: writers }, () => []);
  try {
    const creates = await runCase(factory.name, "create", writers, seconds, async (writer, i) => {
      const key = `/registry/pods/bench/w${writer}-${i}`;
      const result = await backend.create(key, `${head}${i}${tail}`);
      keys[writer]?.push({ key, revision: result.revision });
    });
    const updates = await runCase(factory.name, "update", writers, seconds, async (writer, i) => {
      const own = keys[writer] ?? [];
      const entry = own[i % own.length];
      if (entry === undefined) throw new Error("no key to update");
      entry.revision = (await backend.update(entry.key, `${head}u${i}${tail}`, entry.revision)).revision;
    });
    return [creates, updates];
  } finally {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  }
}
