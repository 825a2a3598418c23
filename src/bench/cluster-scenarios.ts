/**
 * The phases of the cluster benchmark against one running cluster: nodes ready, DaemonSet convergence, placement
 * checks, node joins and a rolling update. The write-counting probe (revision-probe.ts), the kubectl runs
 * (kubectl-run.ts) and the settle heuristics with the steady window (settle.ts) live apart.
 */
import { hasDaemonsNotReadyTaint } from "../api/readiness-gate.js";
import { mustFindResource } from "../api/resources.js";
import type { DaemonSet, Node, Pod } from "../api/types.js";
import type { Client } from "../client/client.js";
import { defaultCapacity } from "../simulator/index.js";
import { newSimulatedNode, secondsTime } from "../simulator/node-status.js";
import { percentile, round } from "./bench-stats.js";
import { describeDaemonSet, follow, isPodReady, listAll } from "./cluster-observe.js";

const R = {
  nodes: mustFindResource("", "nodes"),
  pods: mustFindResource("", "pods"),
  namespaces: mustFindResource("", "namespaces"),
  daemonSets: mustFindResource("apps", "daemonsets"),
};

/** Namespace of everything the benchmark creates. */
export const benchNamespace = "everynode-bench";
/** Name (and label value) of the benchmark DaemonSet. */
export const benchDaemonSet = "bench-agent";
const selector = `app=${benchDaemonSet}`;
const hashLabel = "controller-revision-hash";

/**
 * Waits until `count` nodes report Ready and are released by the node readiness gate (no daemons-not-ready taint:
 * until then no ordinary DaemonSet's pod may go there); returns when the last one was.
 */
export async function waitNodesReady(client: Client, count: number, timeoutMs: number): Promise<void> {
  const ready = new Set<string>();
  await follow<Node>(client, {
    resource: R.nodes, what: `${count} nodes Ready and released`, timeoutMs,
    describe: () => `${ready.size} Ready and released`,
    onEvent: (type, node) => {
      const name = node.metadata?.name ?? "";
      const isReady = type !== "DELETED" && !hasDaemonsNotReadyTaint(node) && (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
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

/** Resource names the scenarios use (for the DaemonSet creation in the driver). */
export const benchResources = R;
