/**
 * The scheduler's filters, in upstream's default order, with upstream's reason strings: NodeUnschedulable,
 * NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit. The first failing filter decides a
 * node's reasons. Also the NodeAffinity pre-filter that narrows a pod to named nodes (DaemonSet pods).
 */
import { nodeNameField, podMatchesNodeSelectorAndAffinity } from "../api/node-affinity.js";
import { findUntoleratedTaint, TaintEffect, TaintKey, tolerationsTolerateTaint } from "../api/taints.js";
import type { PodSpec } from "../api/types.js";
import type { NodeState } from "./cluster-state.js";
import type { PodDemand } from "./pod-demand.js";

/** Unschedulable: another pod going away could help (preemption may apply); Unresolvable: it could not. */
export type FilterCode = "Unschedulable" | "UnschedulableAndUnresolvable";

/** Why a node cannot take the pod. */
export interface FilterFailure {
  plugin: string;
  code: FilterCode;
  reasons: string[];
}

/** Upstream reason strings. */
export const Reasons = {
  unschedulable: "node(s) were unschedulable",
  nodeName: "node(s) didn't match the requested node name",
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: "Too many pods",
  affinityConflict: "pod affinity terms conflict",
  preFilteredOut: "node(s) didn't satisfy plugin(s) [NodeAffinity]",
  untoleratedTaint: (key: string, value: string | undefined): string => `node(s) had untolerated taint {${key}: ${value ?? ""}}`,
  insufficient: (resource: string): string => `Insufficient ${resource}`,
} as const;

/**
 * The nodes a pod's required node affinity names through `matchFields metadata.name In`: terms are ORed and
 * requirements within a term ANDed. Undefined when some term does not name nodes (any node may do); an empty
 * set when the terms name no node at all (they conflict).
 */
export function preFilterNodeNames(spec: PodSpec): Set<string> | undefined {
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const union = new Set<string>();
  for (const term of terms) {
    let names: Set<string> | undefined;
    for (const r of term.matchFields ?? []) {
      if (r.key !== nodeNameField || r.operator !== "In") continue;
      const values = new Set(r.values ?? []);
      names = names === undefined ? values : new Set([...names].filter((n) => values.has(n)));
    }
    if (names === undefined) return undefined;
    for (const n of names) union.add(n);
  }
  return union;
}

function fail(plugin: string, code: FilterCode, ...reasons: string[]): FilterFailure {
  return { plugin, code, reasons };
}

function portsConflict(demand: PodDemand, state: NodeState): boolean {
  for (const p of demand.hostPorts) {
    const ips = state.usedPorts.get(`${p.protocol}/${p.port}`);
    if (!ips) continue;
    if (p.ip === "0.0.0.0" || ips.has("0.0.0.0") || ips.has(p.ip)) return true;
  }
  return false;
}

/** Resources counted by NodeResourcesFit besides cpu, memory and ephemeral-storage: extended, hugepages, attachable volumes. */
function isScalarResource(name: string): boolean {
  if (name.startsWith("hugepages-") || name.startsWith("attachable-volumes-")) return true;
  return name.includes("/") && !name.startsWith("kubernetes.io/") && !name.startsWith("requests.");
}

/** NodeResourcesFit: the pod count, then each requested resource against allocatable minus requested. */
export function insufficientResources(demand: PodDemand, state: NodeState): string[] {
  const out: string[] = [];
  if (state.podCount + 1 > Number(state.allocatable.get("pods") ?? 0n)) out.push(Reasons.tooManyPods);
  const names = ["cpu", "memory", "ephemeral-storage", ...[...demand.requests.keys()].filter(isScalarResource).sort()];
  for (const name of names) {
    const want = demand.requests.get(name) ?? 0n;
    if (want <= 0n) continue;
    const free = (state.allocatable.get(name) ?? 0n) - (state.requested.get(name) ?? 0n);
    if (want > free) out.push(Reasons.insufficient(name));
  }
  return out;
}

/** Runs the filters for one node; undefined when the pod fits. */
export function runFilters(spec: PodSpec, demand: PodDemand, state: NodeState): FilterFailure | undefined {
  const node = state.node;
  if (!node) return fail("NodeName", "UnschedulableAndUnresolvable", Reasons.nodeName);
  if (node.spec?.unschedulable && !tolerationsTolerateTaint(spec.tolerations, { key: TaintKey.Unschedulable, effect: TaintEffect.NoSchedule })) {
    return fail("NodeUnschedulable", "UnschedulableAndUnresolvable", Reasons.unschedulable);
  }
  if (spec.nodeName && spec.nodeName !== state.name) return fail("NodeName", "UnschedulableAndUnresolvable", Reasons.nodeName);
  const taint = findUntoleratedTaint(node.spec?.taints, spec.tolerations, (t) => t.effect === TaintEffect.NoSchedule || t.effect === TaintEffect.NoExecute);
  if (taint) return fail("TaintToleration", "UnschedulableAndUnresolvable", Reasons.untoleratedTaint(taint.key, taint.value));
  if (!podMatchesNodeSelectorAndAffinity(spec, node)) return fail("NodeAffinity", "UnschedulableAndUnresolvable", Reasons.nodeAffinity);
  if (portsConflict(demand, state)) return fail("NodePorts", "Unschedulable", Reasons.nodePorts);
  const missing = insufficientResources(demand, state);
  if (missing.length > 0) return fail("NodeResourcesFit", "Unschedulable", ...missing);
  return undefined;
}

function leastAllocated(capacity: bigint, requested: bigint): number {
  if (capacity <= 0n || requested > capacity) return 0;
  return Number(((capacity - requested) * 100n) / capacity);
}

/** Least-allocated score (0..100) of a feasible node for the pod: free cpu and memory after placing it, averaged. */
export function scoreNode(demand: PodDemand, state: NodeState): number {
  const cpu = leastAllocated(state.allocatable.get("cpu") ?? 0n, state.nonZeroCpu + demand.nonZeroCpu);
  const memory = leastAllocated(state.allocatable.get("memory") ?? 0n, state.nonZeroMemory + demand.nonZeroMemory);
  return (cpu + memory) / 2;
}
