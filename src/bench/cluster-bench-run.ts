/**
 * The cluster benchmark driver: starts a cluster (in-process or `everynode up`), runs the phases in order,
 * measures the raw store write rate in the same run, and returns every figure plus the gate verdicts.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DaemonSet } from "../api/types.js";
import { defaultStages, type StageConfig } from "../simulator/index.js";
import { round } from "./bench-stats.js";
import { BenchProfiler } from "./bench-profiler.js";
import { startTarget, type BenchMode, type BenchTarget } from "./bench-target.js";
import { benchGates, type GateResult } from "./bench-gates.js";
import {
  benchDaemonSetObject, benchNamespace, benchResources as R, checkPlacement, ensureBenchNamespace, measureJoins, startRollout,
  waitDaemonSetAvailable, waitNodesReady, type JoinMeasure, type PlacementCheck,
} from "./cluster-scenarios.js";
import { measureKubectl, type KubectlMeasure } from "./kubectl-run.js";
import { measured, RevisionProbe, type PhaseMeasure } from "./revision-probe.js";
import { measureSteady, settle, type SteadyMeasure } from "./settle.js";
import { etcdFactory, measureStore, storeFactories, valueBytes, type StoreCaseResult } from "./store-rate.js";
import { startPodTrace, type PodTrace } from "./pod-trace.js";
import { startEtcdCluster } from "../storage/testing/etcd-cluster.js";

/** The phases, in the order they run. */
export const allPhases = ["start", "daemonset", "checks", "kubectl", "steady", "joins", "rollout", "final-checks"] as const;
/** One phase name. */
export type PhaseName = (typeof allPhases)[number];
export type { GateResult } from "./bench-gates.js";

/** What to run. */
export interface ClusterBenchOptions {
  nodes: number;
  mode: BenchMode;
  /** Whether the gates apply to this run (default true; the in-process second row is reported without them). */
  gated?: boolean;
  /** "instant": the shipped pod stages with their artificial delays removed; "default": the shipped stages as they are. */
  stages: "instant" | "default";
  /** Node joins measured (default 100). */
  joins: number;
  /** Length of the steady-state CPU window in seconds (the CLI's default is 60). */
  steadySeconds: number;
  /** Quiet time before the steady window, in seconds (default 10; then until Events stop and the write rate levels off, 60 s more at most; 0: none). */
  settleSeconds: number;
  /** Duration of each raw store case in seconds (0 skips the store measurement). */
  storeSeconds: number;
  /** Where the state lives: SQLite (default) or a one-member etcd the benchmark starts (data on disk in its scratch dir). */
  store?: "sqlite" | "etcd";
  /** With store etcd: the directory etcd's data goes under (default the scratch dir, on disk). */
  etcdDir?: string;
  /** Phases to run (default all; each needs the ones before it that create state: start and daemonset). */
  phases: ReadonlySet<PhaseName>;
  /** Upper bound of each waiting phase in seconds. */
  timeoutSeconds: number;
  /** kubectl executable (undefined or missing skips the kubectl phase). */
  kubectl: string | undefined;
  /** Directory for one CPU profile per phase (in process), or for the `everynode up` child's profile of the whole run (up). */
  cpuProfileDir?: string;
  /** Further flags of the `everynode up` child (mode up). */
  upArgs?: readonly string[];
  /** Directory for heap snapshots after convergence (of this process in process, of the child's threads with up). */
  heapSnapshotDir?: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** When set, receives a pod pipeline trace (see startPodTrace) of the daemonset and rollout phases. */
  podTrace?: (phase: string, lines: string[]) => void;
}

/** Everything measured. Absent fields belong to phases that did not run (or failed; see `error`). */
export interface ClusterBenchResult {
  nodes: number;
  mode: BenchMode;
  stages: string;
  nodesReady?: PhaseMeasure & { nodesPerSecond: number };
  daemonSet?: PhaseMeasure & { podsPerSecond: number; scheduledSeconds: number };
  checks?: PlacementCheck;
  kubectl?: KubectlMeasure;
  steady?: SteadyMeasure;
  joins?: JoinMeasure;
  rollout?: PhaseMeasure & { podsPerSecond: number; scheduledSeconds: number };
  finalChecks?: PlacementCheck;
  memory: { peakRssBytes: number; rssBytesAtEnd: number };
  /**
   * The raw store write rate: `createsPerSecond`/`updatesPerSecond` with `writers` concurrent writers (the limit the
   * phases' rates are compared with), `sequential` with one writer awaiting each write before the next.
   */
  store?: {
    backend: string; valueBytes: number; writers: number; createsPerSecond: number; updatesPerSecond: number;
    sequential: { createsPerSecond: number; updatesPerSecond: number }; cases: StoreCaseResult[];
  };
  /** Phase write rates as a share of the store's update rate. */
  storeShare?: Record<string, number>;
  gates: GateResult[];
  error?: string;
}

/** The shipped stages without their artificial delays (graceful deletions still honour their grace periods). */
export function instantStages(): StageConfig {
  const config = defaultStages();
  return {
    stages: config.stages.map((stage) => {
      if (stage.delay?.deletionGracePeriod) return stage;
      const { delay: _delay, ...instant } = stage;
      return instant;
    }),
  };
}

/** Runs the benchmark; phases that fail are reported in `error` with the figures gathered so far. */
export async function runClusterBench(options: ClusterBenchOptions): Promise<ClusterBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), "everynode-cluster-bench-"));
  const log = options.log;
  const want = (p: PhaseName): boolean => options.phases.has(p);
  const result: ClusterBenchResult = { nodes: options.nodes, mode: options.mode, stages: options.stages, memory: { peakRssBytes: 0, rssBytesAtEnd: 0 }, gates: [] };
  const timeoutMs = options.timeoutSeconds * 1000;
  const profiler = new BenchProfiler(options.mode === "inprocess" ? options.cpuProfileDir : undefined, options.mode === "inprocess" ? options.heapSnapshotDir : undefined);
  let target: BenchTarget | undefined;
  let nodes = options.nodes;
  const etcd = options.store === "etcd" ? await startEtcdCluster({ parentDir: options.etcdDir ?? dir }) : undefined;
  try {
    log(`starting ${options.mode} cluster with ${options.nodes} nodes`);
    const t0 = performance.now();
    target = await profiler.phase("start", async () => {
      // Held before waiting, so a cluster whose nodes never turn Ready is still stopped below.
      const started = target = await startTarget({ mode: options.mode, nodes: options.nodes, dir, stages: options.stages === "instant" ? instantStages() : defaultStages(), log, etcdEndpoints: etcd?.endpoints, cpuProfileDir: options.mode === "up" ? options.cpuProfileDir : undefined, upArgs: options.upArgs, heapSnapshotDir: options.mode === "up" ? options.heapSnapshotDir : undefined });
      await waitNodesReady(started.client, options.nodes, timeoutMs);
      return started;
    });
    const startSeconds = (performance.now() - t0) / 1000;
    const { client } = target;
    await ensureBenchNamespace(client);
    const probe = new RevisionProbe(client, benchNamespace);
    const startWrites = Math.max(0, (await probe.read()) - 2);
    result.nodesReady = { seconds: round(startSeconds), writes: startWrites, writesPerSecond: Math.round(startWrites / startSeconds), nodesPerSecond: Math.round(options.nodes / startSeconds) };
    log(`${options.nodes} nodes Ready after ${startSeconds.toFixed(1)} s`);

    if (!want("daemonset")) return result;
    const tgt0 = target;
    const cpu = <R>(fn: () => Promise<{ result: R; measure: PhaseMeasure }>): Promise<{ result: R; measure: PhaseMeasure }> => withCpu(tgt0, fn);
    const traced = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
      const sink = options.podTrace;
      if (sink === undefined) return fn();
      const rv = (await client.list(R.pods, benchNamespace, { limit: 1 })).metadata.resourceVersion ?? "0";
      const trace: PodTrace = startPodTrace(client, rv);
      try {
        return await fn();
      } finally {
        sink(phase, await trace.stop());
      }
    };
    const ds = await traced("daemonset", () => profiler.phase("daemonset", () => cpu(() => measured(probe, async () => {
      const created = await client.create<DaemonSet>(R.daemonSets, benchNamespace, benchDaemonSetObject());
      return waitDaemonSetAvailable(client, nodes, created.metadata?.generation ?? 1, timeoutMs);
    }))));
    result.daemonSet = { ...ds.measure, podsPerSecond: Math.round(nodes / ds.measure.seconds), scheduledSeconds: ds.result.scheduledSeconds };
    log(`DaemonSet available on ${nodes} nodes after ${ds.measure.seconds} s`);
    await profiler.heapSnapshot("converged");
    if (target.heapSnapshot !== undefined) log(`heap snapshots: ${(await target.heapSnapshot()).join(" ")}`);

    if (want("checks")) {
      result.checks = await checkPlacement(client, nodes);
      log(`checks: ${result.checks.problems.length === 0 ? "ok" : result.checks.problems.join("; ")}`);
    }
    if (want("kubectl") && options.kubectl !== undefined && existsSync(options.kubectl)) {
      const kubectl = options.kubectl;
      const kubeconfig = target.kubeconfigPath;
      result.kubectl = await profiler.phase("kubectl", () => measureKubectl(kubectl, kubeconfig, join(dir, "kube-cache"), nodes));
      log(`kubectl get pods -A: cold ${result.kubectl.coldMs} ms, warm ${result.kubectl.warmMs} ms`);
    }
    if (want("steady")) {
      await settle(client, probe, options.settleSeconds, options.settleSeconds > 0 ? options.settleSeconds + 60 : 0);
      const tgt = target;
      result.steady = await profiler.phase("steady", () => measureSteady(tgt, probe, options.steadySeconds));
      log(`steady: ${result.steady.cpuPercent}% of one core, ${result.steady.writesPerSecond} writes/s`);
    }
    if (want("joins") && options.joins > 0) {
      result.joins = await profiler.phase("joins", () => measureJoins(client, options.nodes + 1, options.joins, timeoutMs));
      nodes += options.joins;
      log(`joins: p50 ${result.joins.p50Ms} ms, p99 ${result.joins.p99Ms} ms`);
    }
    if (want("rollout")) {
      const roll = await traced("rollout", () => profiler.phase("rollout", () => cpu(() => measured(probe, async () => waitDaemonSetAvailable(client, nodes, await startRollout(client, 2), timeoutMs)))));
      result.rollout = { ...roll.measure, podsPerSecond: Math.round(nodes / roll.measure.seconds), scheduledSeconds: roll.result.scheduledSeconds };
      log(`rolling update done after ${roll.measure.seconds} s`);
    }
    if (want("final-checks")) {
      result.finalChecks = await checkPlacement(client, nodes);
      if (result.checks !== undefined && result.rollout !== undefined && result.finalChecks.hashes.some((h) => result.checks?.hashes.includes(h))) {
        result.finalChecks.problems.push("pods of the old template remain after the rolling update");
      }
      log(`final checks: ${result.finalChecks.problems.length === 0 ? "ok" : result.finalChecks.problems.join("; ")}`);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    log(`failed: ${result.error}`);
  } finally {
    if (target !== undefined) {
      const usage = await target.usage().catch(() => undefined);
      if (usage !== undefined) result.memory = { peakRssBytes: usage.peakRssBytes, rssBytesAtEnd: usage.rssBytes };
      await target.stop();
    }
    profiler.close();
  }
  try {
    if (options.storeSeconds > 0) result.store = await measureRawStore(etcd?.endpoints, options.storeSeconds, log);
  } finally {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (result.store !== undefined) {
    const limit = Math.max(1, result.store.updatesPerSecond);
    const share: Record<string, number> = {};
    for (const [name, m] of [["nodesReady", result.nodesReady], ["daemonSet", result.daemonSet], ["steady", result.steady], ["rollout", result.rollout]] as const) {
      if (m !== undefined) share[name] = round(m.writesPerSecond / limit, 3);
    }
    result.storeShare = share;
  }
  result.gates = options.gated === false ? [] : benchGates(result);
  return result;
}

/** Adds the serving process's CPU seconds (and its main thread's, when known) over `fn` to its measure. */
async function withCpu<R>(target: BenchTarget, fn: () => Promise<{ result: R; measure: PhaseMeasure }>): Promise<{ result: R; measure: PhaseMeasure }> {
  const u0 = await target.usage();
  const out = await fn();
  const u1 = await target.usage();
  out.measure.cpuSeconds = round((u1.cpuMs - u0.cpuMs) / 1000);
  if (u0.mainThreadCpuMs !== undefined && u1.mainThreadCpuMs !== undefined) out.measure.mainThreadCpuSeconds = round((u1.mainThreadCpuMs - u0.mainThreadCpuMs) / 1000);
  return out;
}

/**
 * Concurrent writers of the raw store measurement: about what the control plane keeps in flight (64 bindings, 64 pod
 * writes, a node write per 100 nodes), as kube-apiserver sends many requests at once over one etcd connection; etcd
 * commits concurrent writes together (one raft round and one fsync for a batch), so one writer alone measures the
 * latency of a commit rather than the store's limit.
 */
export const rawStoreWriters = 64;

/** The raw write rate of the store the cluster ran on (etcd at `etcdEndpoints`, else SQLite NORMAL): one writer, then `rawStoreWriters`. */
async function measureRawStore(etcdEndpoints: string[] | undefined, seconds: number, log: (line: string) => void): Promise<NonNullable<ClusterBenchResult["store"]>> {
  log(`measuring the raw ${etcdEndpoints !== undefined ? "etcd" : "SQLite"} write rate`);
  const factory = etcdEndpoints !== undefined ? etcdFactory(etcdEndpoints) : storeFactories.find((f) => f.name === "sqlite NORMAL");
  if (factory === undefined) throw new Error("no sqlite NORMAL store factory");
  const sequential = await measureStore(factory, 1, seconds);
  const concurrent = await measureStore(factory, rawStoreWriters, seconds);
  const rate = (cases: StoreCaseResult[], op: string): number => cases.find((c) => c.operation === op)?.opsPerSecond ?? 0;
  return {
    backend: factory.name, valueBytes: valueBytes(), writers: rawStoreWriters,
    createsPerSecond: rate(concurrent, "create"), updatesPerSecond: rate(concurrent, "update"),
    sequential: { createsPerSecond: rate(sequential, "create"), updatesPerSecond: rate(sequential, "update") },
    cases: [...sequential, ...concurrent],
  };
}
