/**
 * The planner: what applying a DaemonSet manifest would do to the live cluster, computed with the DaemonSet
 * controller's own pure functions (placement, template hashing, rolling-update limits) and the scheduler's
 * filters, before anything is applied.
 */
import { podTargetNodeName } from "../api/node-affinity.js";
import { parseRolloutControls, type RolloutControls } from "../api/rollout-controls.js";
import { isGatingDaemonSet } from "../api/readiness-gate.js";
import type { ControllerRevision, DaemonSet, Node, Pod } from "../api/types.js";
import { computeTemplateHash, revisionDataMatches } from "../controllers/daemonset/history-hash.js";
import { controllerRevisionHashLabel } from "../controllers/daemonset/labels.js";
import { DaemonPlacement } from "../controllers/daemonset/placement.js";
import { compareDaemonPods, controllerRefOf, isDeleting, isPodAvailable, isPodTerminal } from "../controllers/daemonset/pod-util.js";
import { rollingUpdateLimits, updateStrategyType } from "../controllers/daemonset/rolling-update.js";
import { groupPodsByNode } from "../controllers/daemonset/sync.js";
import { addDaemonTolerations } from "../controllers/daemonset/tolerations.js";
import { ClusterState } from "../scheduler/cluster-state.js";
import { runFilters } from "../scheduler/filters.js";
import { podDemand } from "../scheduler/pod-demand.js";
import { holdBack, type HeldBackNode } from "./hold-back.js";
import { waveTiming, type WaveTiming } from "./timing.js";
import { rolloutWaves } from "./waves.js";

/** A node the new revision's pod would not run on, and why (the scheduler's or the DaemonSet controller's words). */
export interface BlockedNode {
  node: string;
  reason: string;
}

/** The plan, as `everynode plan -o json` prints it. */
export interface DaemonSetPlan {
  /** `namespace/name`. */
  daemonSet: string;
  /** The live template's revision hash (null for a new DaemonSet), the manifest's, and whether they differ. */
  revision: { current: string | null; new: string; changed: boolean };
  nodes: {
    /** Nodes that gain a pod. */
    create: string[];
    /** Nodes that lose their pod. */
    delete: string[];
    /** Nodes whose pod is replaced by one of the new revision. */
    replace: string[];
    /** Nodes whose pod keeps running untouched (already the new revision, or held back by the update strategy). */
    unchanged: string[];
    /** Nodes where no pod of the new revision would run, with the reason. */
    blocked: BlockedNode[];
    /**
     * Nodes whose old pod stays although the template changed (also listed in `unchanged`), with the reason:
     * OnDelete, or the rollout controls (paused, partition, selector) as the controller applies them.
     */
    heldBack: HeldBackNode[];
  };
  /** Nodes getting their new pod together, in order: creations and replacements as the update strategy paces them. */
  waves: string[][];
  /** The sum over the waves of the time each takes (see waveTiming: observed creation-to-Ready, minReadySeconds, stopping). */
  estimatedSeconds: number;
}

/** Everything a plan is computed from. */
export interface PlanInput {
  /** The manifest's DaemonSet as the server would store it (defaulted and validated, e.g. by a server-side dry run). */
  desired: DaemonSet;
  /** The live DaemonSet of the same namespace and name, if any. */
  live?: DaemonSet;
  /** The live DaemonSet's ControllerRevisions (a template equal to an old revision keeps that revision's hash). */
  revisions?: readonly ControllerRevision[];
  nodes: readonly Node[];
  /** Every pod of the cluster: the DaemonSet's own, the others' requests and host ports, and start-up timings. */
  pods: readonly Pod[];
  /** Wall-clock now, epoch ms (pod availability). */
  nowMs: number;
}

/** The plan together with what its estimate rests on. */
export interface PlanResult {
  plan: DaemonSetPlan;
  timing: WaveTiming;
  /** The rollout controls of the manifest (`paused` tells why nothing is replaced). */
  controls: RolloutControls;
  /** The update strategy and its limits scaled to the desired node count. */
  pacing: { strategy: string; maxUnavailable: number; maxSurge: number };
}

/** The revision hash `ds`'s template has or would get: that of an existing revision with the same template, else a new one. */
export function templateRevisionHash(ds: DaemonSet, revisions: readonly ControllerRevision[]): string {
  const same = revisions.find((r) => revisionDataMatches(ds, r.data));
  return same?.metadata?.labels?.[controllerRevisionHashLabel] ?? computeTemplateHash(ds.spec?.template, ds.status?.collisionCount ?? undefined);
}

const byName = (a: Node, b: Node): number => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : (a.metadata?.name ?? "") > (b.metadata?.name ?? "") ? 1 : 0);

/** The live DaemonSet's pods by target node (terminal pods being deleted and pods being deleted left out). */
function ownPodsByNode(live: DaemonSet | undefined, pods: readonly Pod[]): { byNode: Map<string, Pod[]>; all: Pod[] } {
  const byNode = new Map<string, Pod[]>();
  const all: Pod[] = [];
  const uid = live?.metadata?.uid;
  if (!uid) return { byNode, all };
  for (const pod of pods) {
    if (controllerRefOf(pod)?.uid !== uid) continue;
    all.push(pod);
    if (isDeleting(pod)) continue;
    const node = pod.spec ? podTargetNodeName(pod.spec) : undefined;
    if (!node) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return { byNode, all };
}

/** The scheduler's view of the nodes with every pod but the DaemonSet's own counted (they are the ones replaced). */
function otherPodsState(nodes: readonly Node[], pods: readonly Pod[], ownUid: string | undefined): ClusterState {
  const state = new ClusterState();
  for (const node of nodes) state.setNode(node);
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isPodTerminal(pod) || (ownUid !== undefined && controllerRefOf(pod)?.uid === ownUid)) continue;
    const key = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
    state.observeBound(key, pod.metadata?.uid ?? key, nodeName, () => podDemand(pod.spec ?? { containers: [] }));
  }
  return state;
}

/** Computes the plan (see DaemonSetPlan); pure. */
export function planDaemonSet(input: PlanInput): PlanResult {
  const { desired, live } = input;
  const revisions = input.revisions ?? [];
  const newHash = templateRevisionHash(desired, revisions);
  const currentHash = live ? templateRevisionHash(live, revisions) : null;
  const placement = new DaemonPlacement(desired);
  const templateSpec = desired.spec?.template?.spec ?? { containers: [] };
  const spec = { ...templateSpec, tolerations: addDaemonTolerations(templateSpec, isGatingDaemonSet(desired)) };
  const demand = podDemand(spec);
  const own = ownPodsByNode(live, input.pods);
  const state = otherPodsState(input.nodes, input.pods, live?.metadata?.uid);
  const minReadySeconds = desired.spec?.minReadySeconds ?? 0;
  const rolling = updateStrategyType(desired) === "RollingUpdate";

  const nodes: DaemonSetPlan["nodes"] = { create: [], delete: [], replace: [], unchanged: [], blocked: [], heldBack: [] };
  const candidates: Node[] = [];
  const unavailable = new Set<string>();
  let desiredCount = 0;
  /** Why the scheduler would not bind the new pod to the node (undefined: it fits). */
  const misfit = (name: string): string | undefined => {
    const nodeState = state.get(name);
    const failure = nodeState ? runFilters(spec, demand, nodeState) : undefined;
    return failure?.reasons.join(", ");
  };
  const whyNot = (name: string): string => misfit(name) ?? "the DaemonSet controller places no pod there";
  for (const node of [...input.nodes].sort(byName)) {
    const name = node.metadata?.name ?? "";
    const decision = placement.decide(node);
    if (decision.shouldRun) desiredCount++;
    const pods = (own.byNode.get(name) ?? []).filter((p) => !isPodTerminal(p));
    const fit = decision.shouldRun ? misfit(name) : undefined;
    if (pods.length === 0) {
      if (decision.shouldRun) nodes.create.push(name);
      if (!decision.shouldRun || fit !== undefined) nodes.blocked.push({ node: name, reason: fit ?? whyNot(name) });
      continue;
    }
    const pod = [...pods].sort(compareDaemonPods)[0] as Pod;
    const current = pod.metadata?.labels?.[controllerRevisionHashLabel] === newHash;
    if (!decision.shouldContinueRunning || (!decision.shouldRun && rolling && !current)) {
      nodes.delete.push(name);
      nodes.blocked.push({ node: name, reason: whyNot(name) });
    } else if (current || !decision.shouldRun) {
      nodes.unchanged.push(name);
    } else {
      candidates.push(node);
      if (!isPodAvailable(pod, minReadySeconds, input.nowMs)) unavailable.add(name);
      if (fit !== undefined) nodes.blocked.push({ node: name, reason: fit });
    }
  }
  const { controls } = parseRolloutControls(desired.metadata?.annotations);
  nodes.heldBack = holdBack(desired, controls, candidates.map((n) => n.metadata?.name ?? ""), {
    nodes: input.nodes, decide: (node) => placement.decide(node), nodeToPods: groupPodsByNode(own.all).nodeToPods, hash: newHash,
  });
  const held = new Set(nodes.heldBack.map((h) => h.node));
  for (const node of candidates) {
    const name = node.metadata?.name ?? "";
    (held.has(name) ? nodes.unchanged : nodes.replace).push(name);
  }
  nodes.unchanged.sort();
  nodes.blocked = nodes.blocked.filter((b) => !held.has(b.node));
  const limits = safeLimits(desired, desiredCount);
  const waves = rolloutWaves({ create: nodes.create, replace: nodes.replace, unavailable, ...limits });
  const replaced = new Set(nodes.replace);
  const timing = waveTiming({
    ownPods: own.all, allPods: input.pods, minReadySeconds, gracePeriodSeconds: gracePeriodOf(own.all, replaced),
    waves: waves.map((w) => ({ pods: w.length, inPlace: limits.maxSurge === 0 && w.some((n) => replaced.has(n)) })),
  });
  const plan: DaemonSetPlan = {
    daemonSet: `${desired.metadata?.namespace ?? "default"}/${desired.metadata?.name ?? ""}`,
    revision: { current: currentHash, new: newHash, changed: currentHash !== newHash },
    nodes,
    waves,
    estimatedSeconds: timing.seconds,
  };
  return { plan, timing, controls, pacing: { strategy: updateStrategyType(desired), ...limits } };
}

/** The longest terminationGracePeriodSeconds of the pods on the replaced nodes (30, the default, when none sets it). */
function gracePeriodOf(pods: readonly Pod[], nodes: ReadonlySet<string>): number {
  let out: number | undefined;
  for (const pod of pods) {
    const node = pod.spec ? podTargetNodeName(pod.spec) : undefined;
    if (node === undefined || !nodes.has(node)) continue;
    out = Math.max(out ?? 0, pod.spec?.terminationGracePeriodSeconds ?? 30);
  }
  return out ?? 30;
}

function safeLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  try {
    return rollingUpdateLimits(ds, desired);
  } catch {
    return { maxSurge: 0, maxUnavailable: 1 };
  }
}
