/**
 * The phases of the cluster benchmark against one running cluster: nodes ready, DaemonSet convergence, placement
 * checks, `kubectl get pods -A`, steady-state CPU, node joins and a rolling update. Each phase reports its time,
 * and the store writes it caused (revision deltas read through a probe Lease).
 */
import { execFile } from "node:child_process";
import { mustFindResource } from "../api/resources.js";
import type { DaemonSet, Lease, Node, Pod } from "../api/types.js";
import type { Client } from "../client/client.js";
import { defaultCapacity } from "../simulator/index.js";
import { newSimulatedNode, secondsTime } from "../simulator/node-status.js";
import { percentile, round } from "./bench-stats.js";
import type { BenchTarget } from "./bench-target.js";
import { describeDaemonSet, follow, isPodReady, listAll } from "./cluster-observe.js";

const R = {
  nodes: mustFindResource("", "nodes"),
  pods: mustFindResource("", "pods"),
  namespaces: mustFindResource("", "namespaces"),
  daemonSets: mustFindResource("apps", "daemonsets"),
  leases: mustFindResource("coordination.k8s.io", "leases"),
  events: mustFindResource("", "events"),
};

/** Namespace of everything the benchmark creates. */
export const benchNamespace = "everynode-bench";
/** Name (and label value) of the benchmark DaemonSet. */
export const benchDaemonSet = "bench-agent";
const selector = `app=${benchDaemonSet}`;
const hashLabel = "controller-revision-hash";

/** Reads the store's current revision by writing a probe Lease (one write per reading). */
export class RevisionProbe {
  private rv = "";
  constructor(private readonly client: Client) {}

  /** The store revision right after this call's own write. */
  async read(): Promise<number> {
    const spec = { holderIdentity: "bench", renewTime: new Date().toISOString().replace(/Z$/, "000Z") };
    let lease: Lease;
    if (this.rv === "") {
      lease = await this.client.create<Lease>(R.leases, benchNamespace, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "bench-probe" }, spec });
    } else {
      lease = await this.client.patch<Lease>(R.leases, benchNamespace, "bench-probe", "merge", { spec });
    }
    this.rv = lease.metadata?.resourceVersion ?? "";
    return Number(this.rv);
  }
}

/** Time and store writes of one phase. */
export interface PhaseMeasure {
  seconds: number;
  /** Store revisions the phase produced (every write of every component). */
  writes: number;
  writesPerSecond: number;
}

/** Measures `fn`: wall time and store writes (minus the probe's own). */
export async function measured<R>(probe: RevisionProbe, fn: () => Promise<R>): Promise<{ result: R; measure: PhaseMeasure }> {
  const rev0 = await probe.read();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const writes = Math.max(0, (await probe.read()) - rev0 - 1);
  return { result, measure: { seconds: round(seconds), writes, writesPerSecond: Math.round(writes / Math.max(seconds, 1e-3)) } };
}

/** Waits until `count` nodes report Ready; returns when the last one did. */
export async function waitNodesReady(client: Client, count: number, timeoutMs: number): Promise<void> {
  const ready = new Set<string>();
  await follow<Node>(client, {
    resource: R.nodes, what: `${count} nodes Ready`, timeoutMs,
    describe: () => `${ready.size} Ready`,
    onEvent: (type, node) => {
      const name = node.metadata?.name ?? "";
      const isReady = type !== "DELETED" && (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
      if (isReady) ready.add(name);
      else ready.delete(name);
      return ready.size >= count;
    },
  });
}

/** Creates the benchmark namespace (if missing). */
export async function ensureBenchNamespace(client: Client): Promise<void> {
  try {
    await client.create(R.namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: benchNamespace } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/** The benchmark DaemonSet: a RollingUpdate with maxUnavailable 10%. */
export function benchDaemonSetObject(): DaemonSet {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet",
    metadata: { name: benchDaemonSet, namespace: benchNamespace },
    spec: {
      selector: { matchLabels: { app: benchDaemonSet } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: {
        metadata: { labels: { app: benchDaemonSet } },
        spec: { containers: [{ name: "agent", image: "registry.example/agent:1.0", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
      },
    },
  };
}

/** Milestones of a DaemonSet rollout, in seconds from the start of the wait. */
export interface RolloutTimes {
  /** Every desired pod exists with the current template (currentNumberScheduled / updatedNumberScheduled). */
  scheduledSeconds: number;
  /** Every desired pod is available on the current template. */
  availableSeconds: number;
}

/** Waits until the DaemonSet observed `generation` and runs `nodes` available, updated pods. */
export async function waitDaemonSetAvailable(client: Client, nodes: number, generation: number, timeoutMs: number): Promise<RolloutTimes> {
  let last: DaemonSet | undefined;
  const t0 = performance.now();
  let scheduled: number | undefined;
  await follow<DaemonSet>(client, {
    resource: R.daemonSets, namespace: benchNamespace, fieldSelector: `metadata.name=${benchDaemonSet}`,
    what: `DaemonSet ${benchDaemonSet} available on ${nodes} nodes`, timeoutMs,
    describe: () => describeDaemonSet(last),
    onEvent: (_type, ds) => {
      last = ds;
      const s = ds.status;
      if ((s?.observedGeneration ?? 0) < generation) return false;
      if (scheduled === undefined && (s?.updatedNumberScheduled ?? 0) >= nodes && (s?.currentNumberScheduled ?? 0) >= nodes) {
        scheduled = (performance.now() - t0) / 1000;
      }
      return (s?.desiredNumberScheduled ?? 0) === nodes && (s?.numberAvailable ?? 0) >= nodes && (s?.updatedNumberScheduled ?? 0) >= nodes;
    },
  });
  const available = (performance.now() - t0) / 1000;
  return { scheduledSeconds: round(scheduled ?? available), availableSeconds: round(available) };
}

/** Outcome of the placement checks. */
export interface PlacementCheck {
  nodes: number;
  pods: number;
  /** Nodes with more than one daemon pod. */
  duplicates: number;
  /** Nodes without a daemon pod. */
  missing: number;
  /** Daemon pods that are not Ready. */
  notReady: number;
  /** Distinct controller-revision-hash values among the pods. */
  hashes: string[];
  /** Everything found wrong, empty when the cluster is consistent. */
  problems: string[];
}

/** Checks exactly one Ready daemon pod per node and that the DaemonSet status says the same. */
export async function checkPlacement(client: Client, expectedNodes: number): Promise<PlacementCheck> {
  const nodes = await listAll<Node>(client, R.nodes, undefined);
  const pods = (await listAll<Pod>(client, R.pods, benchNamespace, selector)).filter((p) => !p.metadata?.deletionTimestamp);
  const perNode = new Map<string, number>();
  const hashes = new Set<string>();
  let notReady = 0;
  const problems: string[] = [];
  for (const pod of pods) {
    const node = pod.spec?.nodeName ?? "";
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
    const hash = pod.metadata?.labels?.[hashLabel];
    if (hash) hashes.add(hash);
    if (!isPodReady(pod)) notReady++;
  }
  const names = new Set(nodes.map((n) => n.metadata?.name ?? ""));
  let duplicates = 0;
  let missing = 0;
  for (const name of names) {
    const n = perNode.get(name) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicates++;
  }
  const stray = [...perNode.keys()].filter((n) => !names.has(n));
  if (nodes.length !== expectedNodes) problems.push(`expected ${expectedNodes} nodes, found ${nodes.length}`);
  if (duplicates > 0) problems.push(`${duplicates} nodes run more than one daemon pod`);
  if (missing > 0) problems.push(`${missing} nodes run no daemon pod`);
  if (stray.length > 0) problems.push(`${stray.length} pods on unknown or no nodes`);
  if (notReady > 0) problems.push(`${notReady} daemon pods not Ready`);
  if (hashes.size !== 1) problems.push(`${hashes.size} template hashes among the pods`);
  const ds = await client.get<DaemonSet>(R.daemonSets, benchNamespace, benchDaemonSet);
  const s = ds.status;
  const counters: [string, number | undefined][] = [
    ["desiredNumberScheduled", s?.desiredNumberScheduled], ["currentNumberScheduled", s?.currentNumberScheduled],
    ["numberReady", s?.numberReady], ["updatedNumberScheduled", s?.updatedNumberScheduled], ["numberAvailable", s?.numberAvailable],
  ];
  for (const [name, value] of counters) if ((value ?? 0) !== expectedNodes) problems.push(`status.${name} is ${value ?? 0}, expected ${expectedNodes}`);
  if ((s?.numberMisscheduled ?? 0) !== 0) problems.push(`status.numberMisscheduled is ${s?.numberMisscheduled ?? 0}`);
  if ((s?.numberUnavailable ?? 0) !== 0) problems.push(`status.numberUnavailable is ${s?.numberUnavailable ?? 0}`);
  if (pods.length !== expectedNodes) problems.push(`${pods.length} daemon pods, expected ${expectedNodes}`);
  return { nodes: nodes.length, pods: pods.length, duplicates, missing, notReady, hashes: [...hashes], problems };
}

/** Latency of `kubectl get pods -A` (cold = first call with an empty discovery cache). */
export interface KubectlMeasure {
  coldMs: number;
  /** Median of the warm calls. */
  warmMs: number;
  /** Lines printed (header included). */
  lines: number;
}

function runKubectl(kubectl: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(kubectl, args, { maxBuffer: 1024 * 1024 * 1024, timeout: 600_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(" ")}: ${error.message} ${String(stderr)}`));
      else resolve({ ms: performance.now() - t0, stdout: String(stdout) });
    });
  });
}

/** Runs `kubectl get pods -A` `runs` times (own cache dir), checking the row count. */
export async function measureKubectl(kubectl: string, kubeconfig: string, cacheDir: string, expectedPods: number, runs = 3): Promise<KubectlMeasure> {
  const args = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "get", "pods", "-A"];
  const times: number[] = [];
  let lines = 0;
  for (let i = 0; i < runs; i++) {
    const r = await runKubectl(kubectl, args);
    times.push(r.ms);
    lines = r.stdout.split("\n").filter((l) => l !== "").length;
  }
  if (lines < expectedPods + 1) throw new Error(`kubectl get pods -A printed ${lines} lines, expected at least ${expectedPods + 1}`);
  const warm = times.slice(1).sort((a, b) => a - b);
  return { coldMs: Math.round(times[0] ?? 0), warmMs: Math.round(percentile(warm, 50)), lines };
}

/** Join latencies: node created → its daemon pod Ready. */
export interface JoinMeasure {
  joins: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Adds `count` simulated nodes one after another, each time waiting for its daemon pod to be Ready. */
export async function measureJoins(client: Client, firstIndex: number, count: number, timeoutMs: number): Promise<JoinMeasure> {
  const waiting = new Map<string, () => void>();
  const readyAt = new Map<string, number>();
  const watchAbort = new AbortController();
  const start = await client.list(R.pods, benchNamespace, { labelSelector: selector, limit: 1 });
  const watching = follow<Pod>(client, {
    resource: R.pods, namespace: benchNamespace, labelSelector: selector, resourceVersion: start.metadata.resourceVersion,
    what: "join watch", timeoutMs: timeoutMs * Math.max(1, count), signal: watchAbort.signal, describe: () => `${readyAt.size} joined`,
    onEvent: (type, pod) => {
      const node = pod.spec?.nodeName;
      if (type === "DELETED" || !node || readyAt.has(node) || !isPodReady(pod)) return false;
      readyAt.set(node, performance.now());
      waiting.get(node)?.();
      return false;
    },
  }).catch((error: unknown) => { if (!watchAbort.signal.aborted) throw error; });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = `node-${firstIndex + i}`;
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`daemon pod of joined node ${name} not Ready within ${timeoutMs / 1000} s`)), timeoutMs);
        waiting.set(name, () => { clearTimeout(timer); resolve(); });
      });
      const t0 = performance.now();
      await client.create(R.nodes, undefined, newSimulatedNode(name, defaultCapacity, secondsTime(new Date())));
      if (!readyAt.has(name)) await ready;
      else waiting.get(name)?.();
      latencies.push((readyAt.get(name) ?? performance.now()) - t0);
      waiting.delete(name);
    }
  } finally {
    watchAbort.abort();
    await watching;
  }
  latencies.sort((a, b) => a - b);
  return { joins: latencies.length, p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1), maxMs: round(latencies[latencies.length - 1] ?? 0, 1) };
}

/** Changes the pod template (a new revision) and returns the DaemonSet's new generation. */
export async function startRollout(client: Client, revision: number): Promise<number> {
  const ds = await client.patch<DaemonSet>(R.daemonSets, benchNamespace, benchDaemonSet, "strategic", {
    spec: { template: { metadata: { annotations: { "bench.everynode.dev/revision": String(revision) } } } },
  });
  return ds.metadata?.generation ?? 0;
}

/** CPU share of the serving process over `seconds` of otherwise idle cluster (heartbeats and leases only). */
export interface SteadyMeasure extends PhaseMeasure {
  /** Percent of one core. */
  cpuPercent: number;
}

/**
 * Waits at least `minSeconds`, then until no Event was written for 3 seconds and the store's write rate has levelled
 * off (two consecutive 2-second windows within 15% of each other), at most `maxSeconds` in all (0: not at all):
 * backlogs (events, deferred renewals) drain before a steady window.
 */
export async function settle(client: Client, probe: RevisionProbe, minSeconds: number, maxSeconds: number): Promise<void> {
  if (maxSeconds <= 0) return;
  const sleep = (s: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, s * 1000));
  const t0 = performance.now();
  await sleep(minSeconds);
  const left = (): number => Math.max(0, maxSeconds * 1000 - (performance.now() - t0));
  const start = await client.list(R.events, undefined, { limit: 1 });
  let quiet: NodeJS.Timeout | undefined;
  const stop = new AbortController();
  const arm = (): void => { clearTimeout(quiet); quiet = setTimeout(() => stop.abort(), 3000); };
  arm();
  await follow(client, {
    resource: R.events, resourceVersion: start.metadata.resourceVersion, what: "quiet events", timeoutMs: left(), signal: stop.signal,
    describe: () => "events still written", onEvent: () => { arm(); return false; },
  }).catch(() => undefined);
  clearTimeout(quiet);
  let last = await probe.read();
  let previous: number | undefined;
  while ((performance.now() - t0) / 1000 < maxSeconds) {
    await sleep(2);
    const now = await probe.read();
    const rate = now - last;
    last = now;
    if (previous !== undefined && Math.abs(rate - previous) <= 0.15 * Math.max(previous, 1)) return;
    previous = rate;
  }
}

/** Measures CPU use of the serving process over `seconds`. */
export async function measureSteady(target: BenchTarget, probe: RevisionProbe, seconds: number): Promise<SteadyMeasure> {
  const before = await target.usage();
  const { measure } = await measured(probe, () => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000)));
  const after = await target.usage();
  const cpuPercent = round(((after.cpuMs - before.cpuMs) / (measure.seconds * 1000)) * 100, 1);
  return { ...measure, cpuPercent };
}

/** Resource names the scenarios use (for the DaemonSet creation in the driver). */
export const benchResources = R;
