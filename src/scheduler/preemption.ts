/**
 * DefaultPreemption's decisions, as pure functions over the scheduler's node states: whether a pod may preempt,
 * which pods on a node must go for it to fit (the fewest, lowest priority first), and which node's victims to
 * pick. There are no PodDisruptionBudgets in this API, so no candidate ever violates one.
 */
import type { Pod, PodSpec } from "../api/types.js";
import { hypotheticalState, type NodeState } from "./cluster-state.js";
import { runFilters } from "./filters.js";
import { noPreemptionVictims } from "./fit-error.js";
import type { PodDemand } from "./pod-demand.js";

/** A pod counted on a node, as preemption weighs it. */
export interface PodOnNode {
  key: string;
  pod: Pod;
  priority: number;
  /** status.startTime (or creation time) in epoch ms; earlier-started pods are more important at equal priority. */
  startedAt: number;
  demand: PodDemand;
}

/** A node where removing `victims` lets the pod fit. */
export interface Candidate {
  node: string;
  /** Highest priority first. */
  victims: PodOnNode[];
}

/** The outcome of looking for victims on one node: a candidate, or the reasons it is none. */
export type NodeVerdict = { candidate: Candidate } | { reasons: string[] };

/** The reason a victim gets its DisruptionTarget condition. */
export const preemptionByScheduler = "PreemptionByScheduler";

/** A pod's priority (spec.priority; 0 when unset). */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** When a pod started, for ordering victims: status.startTime, else its creation time, else now. */
export function podStartedAt(pod: Pod, now: number): number {
  const at = Date.parse(pod.status?.startTime ?? pod.metadata?.creationTimestamp ?? "");
  return Number.isNaN(at) ? now : at;
}

/** True for a pod being deleted because the scheduler preempted it. */
export function terminatingByPreemption(pod: Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp)
    && (pod.status?.conditions ?? []).some((c) => c.type === "DisruptionTarget" && c.status === "True" && c.reason === preemptionByScheduler);
}

/**
 * Why `pod` may not preempt, or undefined when it may: `preemptionPolicy: Never`, or a lower-priority pod that a
 * preemption already made terminate on the node it was nominated to (`nominated` holds that node's pods).
 */
export function preemptionIneligibility(pod: Pod, nominated: readonly Pod[] | undefined): string | undefined {
  if (pod.spec?.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
  const priority = podPriority(pod);
  if (nominated?.some((p) => podPriority(p) < priority && terminatingByPreemption(p))) {
    return "not eligible due to a terminating pod on the nominated node.";
  }
  return undefined;
}

/** Higher priority first, then the one that started earlier (upstream's MoreImportantPod). */
function moreImportantFirst(a: PodOnNode, b: PodOnNode): number {
  return b.priority - a.priority || a.startedAt - b.startedAt;
}

/**
 * SelectVictimsOnNode: remove every pod of lower priority than `priority`; if the pod then fits (with `nominated`,
 * the demands of higher-or-equal priority pods nominated to the node, counted), give back as many of them as
 * possible, most important first, and keep as victims those that cannot be given back.
 */
export function selectVictimsOnNode(
  spec: PodSpec, demand: PodDemand, priority: number, state: NodeState, pods: readonly PodOnNode[], nominated: readonly PodDemand[],
): NodeVerdict {
  const lower = pods.filter((p) => p.priority < priority).sort(moreImportantFirst);
  if (lower.length === 0) return { reasons: [noPreemptionVictims] };
  const failing = (removed: readonly PodOnNode[]): string[] | undefined =>
    runFilters(spec, demand, hypotheticalState(state, removed.map((p) => p.demand), nominated))?.reasons;
  const failure = failing(lower);
  if (failure) return { reasons: failure };
  const victims: PodOnNode[] = [];
  // Give each pod back in turn (most important first); those without which the pod no longer fits are victims.
  lower.forEach((p, i) => {
    if (failing([...lower.slice(i + 1), ...victims])) victims.push(p);
  });
  return { candidate: { node: state.name, victims: victims.sort(moreImportantFirst) } };
}

/** (priority of the most important victim, sum of priorities, victim count) — smaller is better. */
function cost(c: Candidate): [number, number, number] {
  const top = c.victims[0]?.priority ?? Number.MIN_SAFE_INTEGER;
  // Upstream shifts each priority by MaxInt32+1 so that the sum grows with every victim.
  const sum = c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  return [top, sum, c.victims.length];
}

/** The earliest start among the candidate's highest-priority victims. */
function earliestTopStart(c: Candidate): number {
  const top = c.victims[0]?.priority;
  return Math.min(...c.victims.filter((v) => v.priority === top).map((v) => v.startedAt));
}

/**
 * pickOneNodeForPreemption: the lowest most-important-victim priority, then the smallest priority sum, then the
 * fewest victims, then the latest start of the most important victims; the first candidate among equals.
 */
export function pickCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (!best) {
      best = c;
      continue;
    }
    const [a, b] = [cost(c), cost(best)];
    const order = a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || earliestTopStart(best) - earliestTopStart(c);
    if (order < 0) best = c;
  }
  return best;
}
