/**
 * Where a DaemonJob stands on each node, from the node list and the DaemonJob's own pods: which nodes it covers
 * and, per node, whether its pod succeeded, is running, is waiting for a (re)try, or failed too often.
 */
import { podTargetNodeName } from "../../api/node-affinity.js";
import type { DaemonJob, Node, Pod } from "../../api/types.js";
import type { DaemonPlacement } from "../daemonset/placement.js";

/** First retry delay after a failure on a node (as the Job controller's pod failure back-off). */
export const retryBackoffInitialMs = 10_000;
/** Longest retry delay. */
export const retryBackoffMaxMs = 6 * 60_000;

/** The state of one covered node. */
export type NodePhase = "pending" | "active" | "succeeded" | "failed";

/** One node the DaemonJob covers. */
export interface NodeState {
  node: string;
  phase: NodePhase;
  /** Failed attempts so far (failed pods, plus container restarts of a running OnFailure pod). */
  failures: number;
  /** For a pending node after failures: when the next attempt may start (epoch ms). */
  retryAtMs?: number;
  /** Non-terminal pods on the node (an active node's pod; deleted when the node fails or the deadline passes). */
  running: Pod[];
}

/** The retry delay after `failures` failures: 10 s, 20 s, 40 s, … up to 6 minutes. */
export function retryBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(retryBackoffMaxMs, retryBackoffInitialMs * 2 ** Math.min(failures - 1, 20));
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When a failed pod stopped: its containers' latest finish, else its Ready condition's transition, else its creation. */
export function podFinishedAtMs(pod: Pod): number {
  let latest: number | undefined;
  for (const cs of pod.status?.containerStatuses ?? []) {
    const at = parseTime(cs.state?.terminated?.finishedAt);
    if (at !== undefined && (latest === undefined || at > latest)) latest = at;
  }
  if (latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
  return parseTime(ready?.lastTransitionTime) ?? parseTime(pod.metadata?.creationTimestamp) ?? 0;
}

/** Container restarts of a pod restarted in place (restartPolicy OnFailure): each one is a failed attempt. */
function restartsOf(pod: Pod): number {
  if (pod.spec?.restartPolicy !== "OnFailure") return 0;
  return (pod.status?.containerStatuses ?? []).reduce((sum, cs) => sum + (cs.restartCount ?? 0), 0);
}

/** The state of one node from its pods. */
export function nodeState(node: string, pods: readonly Pod[], backoffLimit: number): NodeState {
  const running = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  const failures = failedPods.length + running.reduce((sum, p) => sum + restartsOf(p), 0);
  if (pods.some((p) => p.status?.phase === "Succeeded")) return { node, phase: "succeeded", failures, running };
  if (failures > backoffLimit) return { node, phase: "failed", failures, running };
  if (running.length > 0) return { node, phase: "active", failures, running };
  const state: NodeState = { node, phase: "pending", failures, running };
  if (failedPods.length > 0) state.retryAtMs = Math.max(...failedPods.map(podFinishedAtMs)) + retryBackoffMs(failures);
  return state;
}

/** Whether new nodes may still be taken on (see coveredNodes). */
export interface CoverageRules {
  /** Nodes created after this (epoch ms) are covered only with runOnNewNodes. */
  startMs: number;
  /** No node without a pod is taken on any more (deadline passed, or finished without runOnNewNodes). */
  closed: boolean;
}

/**
 * Groups the DaemonJob's pods by node and decides which nodes it covers: every node that has one of its pods,
 * plus, while coverage is open, every node the placement says a daemon pod should run on that existed at the
 * start (any such node with runOnNewNodes). Sorted by node name.
 */
export function nodeStates(dj: DaemonJob, nodes: readonly Node[], pods: readonly Pod[], placement: DaemonPlacement, rules: CoverageRules): NodeState[] {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const name = pod.spec ? podTargetNodeName(pod.spec) : undefined;
    if (name === undefined) continue;
    const list = byNode.get(name);
    if (list) list.push(pod);
    else byNode.set(name, [pod]);
  }
  const covered = new Set(byNode.keys());
  if (!rules.closed) {
    const runOnNew = dj.spec?.runOnNewNodes === true;
    for (const node of nodes) {
      const name = node.metadata?.name;
      if (!name || covered.has(name)) continue;
      const created = parseTime(node.metadata?.creationTimestamp) ?? 0;
      if (!runOnNew && created > rules.startMs) continue;
      if (placement.decide(node).shouldRun) covered.add(name);
    }
  }
  const limit = dj.spec?.backoffLimitPerNode ?? 6;
  return [...covered].sort().map((name) => nodeState(name, byNode.get(name) ?? [], limit));
}
