/**
 * Why a rollout does not progress, node by node: for every node the rollout is waiting on, the first reason found
 * — node NotReady, no daemon pod, the pod Unschedulable (with the scheduler's message), a container waiting,
 * running or terminated without being Ready, or a Ready pod still inside minReadySeconds.
 */
import type { ContainerStatus, Node, Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { findUpdatedPodsOnNode } from "./rolling-update.js";
import { isPodAvailable, isPodReady } from "./pod-util.js";

/** One node the rollout waits on and why. */
export interface StuckNode {
  node: string;
  reason: string;
}

/** Inputs besides nodes and pods. */
export interface StuckNodesContext {
  hash: string;
  generation: number | undefined;
  minReadySeconds: number;
  /** Wall-clock epoch ms. */
  nowMs: number;
  /** The full Node by name (for its Ready condition); undefined when not cached. */
  nodeOf: (name: string) => Node | undefined;
  /** Nodes the rollout may update; undefined: every node. */
  updatable?: ReadonlySet<string>;
  /** Also list nodes whose old pod waits for its turn (to tell whether anything is left to do). */
  includeWaiting?: boolean;
}

function nodeNotReady(node: Node | undefined): string | undefined {
  const ready = node?.status?.conditions?.find((c) => c.type === "Ready");
  if (ready === undefined || ready.status === "True") return undefined;
  return `node NotReady${ready.reason ? ` (${ready.reason})` : ""}`;
}

function containerReason(statuses: readonly ContainerStatus[] | undefined): string | undefined {
  for (const s of statuses ?? []) {
    if (s.ready) continue;
    const st = s.state;
    if (st?.waiting) return `container ${s.name} waiting: ${st.waiting.reason ?? "unknown reason"}${st.waiting.message ? ` (${st.waiting.message})` : ""}`;
    if (st?.terminated) return `container ${s.name} terminated: ${st.terminated.reason ?? "unknown reason"} (exit code ${st.terminated.exitCode})`;
    if (st?.running) return `container ${s.name} running, not Ready`;
    return `container ${s.name} not Ready`;
  }
  return undefined;
}

/** Why one pod of the current revision is not available, or undefined when it is. */
export function podStuckReason(pod: Pod, minReadySeconds: number, nowMs: number): string | undefined {
  if (isPodAvailable(pod, minReadySeconds, nowMs)) return undefined;
  const name = pod.metadata?.name ?? "";
  if (isPodReady(pod)) return `pod ${name} Ready, not yet available (minReadySeconds ${minReadySeconds})`;
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (!pod.spec?.nodeName && scheduled?.status === "False") {
    return `pod ${name} ${scheduled.reason ?? "Unschedulable"}${scheduled.message ? `: ${scheduled.message}` : ""}`;
  }
  const phase = pod.status?.phase ?? "Pending";
  const container = containerReason(pod.status?.initContainerStatuses) ?? containerReason(pod.status?.containerStatuses);
  return `pod ${name} not Ready: ${container ?? `phase ${phase}`}`;
}

/**
 * The nodes (in `nodes` order) that should run the daemon, may be updated, and lack an available pod of the
 * current revision, with the first reason found; nodes whose old pod merely waits for its turn are left out
 * unless `includeWaiting`.
 */
export function stuckNodes(
  nodes: readonly Node[],
  decide: (node: Node) => NodeDecision,
  nodeToPods: ReadonlyMap<string, readonly Pod[]>,
  ctx: StuckNodesContext,
): StuckNode[] {
  const out: StuckNode[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    if (!decide(node).shouldRun || (ctx.updatable !== undefined && !ctx.updatable.has(name))) continue;
    const pods = nodeToPods.get(name) ?? [];
    const { newPod, oldPod } = findUpdatedPodsOnNode(pods, ctx.hash, ctx.generation);
    const podReason = newPod ? podStuckReason(newPod, ctx.minReadySeconds, ctx.nowMs) : undefined;
    if (newPod && podReason === undefined) continue;
    if (!newPod && oldPod) {
      if (ctx.includeWaiting) out.push({ node: name, reason: `pod ${oldPod.metadata?.name ?? ""} of an old revision waits to be replaced` });
      continue;
    }
    const reason = nodeNotReady(ctx.nodeOf(name)) ?? podReason ?? "no daemon pod";
    out.push({ node: name, reason });
  }
  return out;
}

/** `2 nodes stuck: a (why), b (why)`, naming at most `limit` nodes and counting the rest; "" for none. */
export function summarizeStuckNodes(stuck: readonly StuckNode[], limit = 3): string {
  if (stuck.length === 0) return "";
  const named = stuck.slice(0, limit).map((s) => `${s.node} (${s.reason})`).join(", ");
  const more = stuck.length > limit ? ` and ${stuck.length - limit} more` : "";
  return `${stuck.length} ${stuck.length === 1 ? "node" : "nodes"} stuck: ${named}${more}`;
}
