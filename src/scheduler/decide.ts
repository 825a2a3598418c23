/**
 * One scheduling decision, made synchronously against the scheduler's node states: pre-filter, filters (with the
 * room held for higher-priority nominated pods), least-allocated score; and when no node fits, the PostFilter
 * step, DefaultPreemption, which may name a node and the pods to evict there.
 */
import type { Pod, PodSpec } from "../api/types.js";
import { hypotheticalState, type ClusterState, type NodeState } from "./cluster-state.js";
import { Reasons, preFilterNodeNames, runFilters, scoreNode, type FilterFailure } from "./filters.js";
import { fitErrorMessage, noNodesAvailable, preemptionFailure } from "./fit-error.js";
import type { Nominations } from "./nominations.js";
import { podDemand, type PodDemand } from "./pod-demand.js";
import {
  pickCandidate, podPriority, podStartedAt, preemptionIneligibility, selectVictimsOnNode, type Candidate, type PodOnNode,
} from "./preemption.js";

/** What the scheduler reads to decide. */
export interface DecisionInputs {
  state: ClusterState;
  nominations: Nominations;
  /** A pod from the cache by key. */
  podByKey: (key: string) => Pod | undefined;
  /** Wall-clock time in epoch ms. */
  now: number;
}

/**
 * A node to bind to; or why the pod fits nowhere, with the nodes it is narrowed to, and what preemption chose:
 * `preemption` (victims on a node, which the pod is nominated to) and `nominate` (the new nominated node,
 * null to clear it, undefined to leave it).
 */
export type Decision = { node: string } | {
  message: string; targets: string[] | undefined; preemption?: Candidate; nominate?: string | null;
};

interface PostFilterResult { message: string; preemption?: Candidate; nominate?: string | null }

/** Upstream evaluates at least this many candidate nodes for preemption (or 10% of the nodes, if more). */
const minCandidateNodes = 100;

/** The pods counted on `node` with what preemption weighs (pods missing from the cache are skipped). */
function podsOn(node: NodeState, inputs: DecisionInputs): PodOnNode[] {
  const out: PodOnNode[] = [];
  for (const key of node.pods) {
    const pod = inputs.podByKey(key);
    const demand = inputs.state.demandOf(key);
    if (!pod || !demand) continue;
    out.push({ key, pod, demand, priority: podPriority(pod), startedAt: podStartedAt(pod, inputs.now) });
  }
  return out;
}

/** DefaultPreemption's PostFilter: eligibility, victims per node where preemption might help, the best node. */
function postFilter(key: string, pod: Pod, demand: PodDemand, resolvable: readonly NodeState[], inputs: DecisionInputs): PostFilterResult {
  const spec = pod.spec ?? { containers: [] };
  const total = inputs.state.nodeCount;
  const nominatedName = inputs.nominations.nodeOf(key) ?? pod.status?.nominatedNodeName;
  const nominated = nominatedName ? resolvable.find((n) => n.name === nominatedName) : undefined;
  const ineligible = preemptionIneligibility(pod, nominated ? podsOn(nominated, inputs).map((p) => p.pod) : undefined);
  if (ineligible) return { message: `preemption: ${ineligible}` };
  const priority = podPriority(pod);
  const wanted = Math.max(minCandidateNodes, Math.floor(total / 10));
  const perNode: string[][] = [];
  const candidates: Candidate[] = [];
  for (const node of resolvable) {
    const held = inputs.nominations.heldFor(node.name, priority, key);
    const verdict = selectVictimsOnNode(spec, demand, priority, node, podsOn(node, inputs), held);
    if ("candidate" in verdict) candidates.push(verdict.candidate);
    else perNode.push(verdict.reasons);
    if (candidates.length >= wanted) break;
  }
  const best = pickCandidate(candidates);
  const clear = pod.status?.nominatedNodeName || inputs.nominations.nodeOf(key) ? null : undefined;
  if (!best) return { message: preemptionFailure(total, perNode), nominate: clear };
  return { message: "", preemption: best, nominate: best.node };
}

/** Decides for the pod `key` (see the file comment). */
export function decide(key: string, pod: Pod, inputs: DecisionInputs): Decision {
  const spec: PodSpec = pod.spec ?? { containers: [] };
  const { state, nominations } = inputs;
  const total = state.nodeCount;
  if (total === 0) return { message: noNodesAvailable, targets: undefined };
  const targets = preFilterNodeNames(spec);
  const targetList = targets ? [...targets] : undefined;
  const demand = podDemand(spec);
  if (targets?.size === 0) {
    const diagnosis = { numAllNodes: total, preFilterMessage: Reasons.affinityConflict, failures: [], skipped: 0, skippedReason: "" };
    const post = postFilter(key, pod, demand, [], inputs);
    return { message: fitErrorMessage({ ...diagnosis, postFilterMessage: post.message }), targets: [], nominate: post.nominate };
  }
  const priority = podPriority(pod);
  const candidates = targetList ? targetList.flatMap((n) => state.get(n) ?? []) : state.existingNodes();
  const failures: FilterFailure[] = [];
  const resolvable: NodeState[] = [];
  let best: string | undefined;
  let bestScore = -1;
  let evaluated = 0;
  for (const node of candidates) {
    evaluated++;
    const held = nominations.heldFor(node.name, priority, key);
    const view = held.length > 0 ? hypotheticalState(node, [], held) : node;
    const failure = runFilters(spec, demand, view);
    if (failure) {
      failures.push(failure);
      if (failure.code === "Unschedulable") resolvable.push(node);
      continue;
    }
    const score = scoreNode(demand, view);
    if (score > bestScore) {
      best = node.name;
      bestScore = score;
    }
  }
  if (best !== undefined) return { node: best };
  const skipped = targets ? total - evaluated : 0;
  const post = postFilter(key, pod, demand, resolvable, inputs);
  const message = fitErrorMessage({ numAllNodes: total, failures, skipped, skippedReason: Reasons.preFilteredOut, postFilterMessage: post.message });
  return { message, targets: targetList, preemption: post.preemption, nominate: post.nominate };
}
