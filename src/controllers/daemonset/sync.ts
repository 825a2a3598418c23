/** One sync of one DaemonSet: claim, history, manage, rolling update, cleanup, status. */
import { podTargetNodeName } from "../../api/node-affinity.js";
import type { ResourceInfo } from "../../api/resources.js";
import type { Selector } from "../../api/label-selector.js";
import type { ControllerRevision, DaemonSet, Node, ObjectReference, Pod } from "../../api/types.js";
import type { Store } from "../../client/cache.js";
import type { Client } from "../../client/client.js";
import type { Clock } from "../../util/clock.js";
import { ClaimManager } from "./controller-ref.js";
import { objectReference, type EventRecorder } from "../../client/event-recorder.js";
import type { ControllerExpectations } from "./expectations.js";
import { FailedPodBackoff } from "./failed-pod-backoff.js";
import { revisionHash } from "./history.js";
import { cleanupHistory, constructHistory, type HistoryDeps } from "./history-sync.js";
import { controllerUidIndex, orphanNamespaceIndex } from "./indexes.js";
import { templateGeneration } from "./labels.js";
import { planManage } from "./manage-plan.js";
import type { DaemonPlacement, NodeDecision } from "./placement.js";
import { burstFor, syncNodes, type PodControlDeps } from "./pod-control.js";
import { isDeleting, isPodTerminal } from "./pod-util.js";
import type { SyncPacer } from "./sync-pacer.js";
import { allowsSurge, planRollingUpdate, rollingUpdateLimits, updateStrategyType } from "./rolling-update.js";
import { computeStatusCounts, statusNeedsUpdate, statusWithCounts } from "./status.js";
import { parseRolloutControls, type RolloutControls } from "../../api/rollout-controls.js";
import { jsonEqual } from "../../util/json.js";
import { autoRevert, markCompleted, progressFor, reportDeadlineExceeded, updatableFor, type RolloutView } from "./rollout-sync.js";
import { progressReasons, progressingType } from "./rollout-progress.js";

/** The parsed parts of a DaemonSet a sync and the event handlers need. */
export interface CompiledDaemonSet {
  placement: DaemonPlacement;
  selector: Selector;
}

/** The informer caches a sync reads (never written through; writes go through the client). */
export interface SyncCaches {
  daemonSets: Store<DaemonSet>;
  pods: Store<Pod>;
  nodes: Store<Node>;
  revisions: Store<ControllerRevision>;
}

/** How a sync writes: the API, the resources it writes, events, and how many pod writes one sync may make. */
export interface SyncWrites {
  client: Client;
  resources: { daemonSets: ResourceInfo; pods: ResourceInfo; controllerRevisions: ResourceInfo };
  recorder: EventRecorder;
  /** Creations and deletions per sync; undefined: scaled with the node count (see burstFor). */
  burstReplicas: number | undefined;
}

/** What the controller remembers between syncs: writes in flight, failed-pod back-off, status pacing. */
export interface SyncTracking {
  expectations: ControllerExpectations;
  backoff: FailedPodBackoff;
  /** Paces status-only syncs while creations or deletions are in flight. */
  pacer: Pick<SyncPacer, "statusOnlyDelay" | "forget">;
}

/** Time, and the way back into the queue. */
export interface SyncTiming {
  clock: Clock;
  /** Wall-clock time in epoch milliseconds. */
  now: () => number;
  /** Syncs the key again after `ms`. */
  enqueueAfter: (key: string, ms: number) => void;
}

/** Everything a sync reads from and writes to, by role; each step below takes only the roles it uses. */
export type SyncDeps = SyncCaches & SyncWrites & SyncTracking & SyncTiming & {
  /** The compiled form of a DaemonSet (throws for an unparsable selector). */
  compile: (ds: DaemonSet) => CompiledDaemonSet;
};

/** Whether the selector is `{}` (or holds only empty lists), which would select every pod. */
export function selectsAll(ds: DaemonSet): boolean {
  const sel = ds.spec?.selector;
  if (!sel) return false;
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

/** Claimed pods grouped by target node (terminal pods being deleted left out) and every hash claimed pods carry. */
export function groupPodsByNode(pods: readonly Pod[]): { nodeToPods: Map<string, Pod[]>; live: Set<string> } {
  const nodeToPods = new Map<string, Pod[]>();
  const live = new Set<string>();
  for (const pod of pods) {
    const h = pod.metadata?.labels?.["controller-revision-hash"];
    if (h) live.add(h);
    if (isPodTerminal(pod) && isDeleting(pod)) continue;
    const node = pod.spec ? podTargetNodeName(pod.spec) : undefined;
    if (node === undefined) continue;
    const list = nodeToPods.get(node);
    if (list) list.push(pod);
    else nodeToPods.set(node, [pod]);
  }
  return { nodeToPods, live };
}

/**
 * The pods the claim step looks at, split: `owned`, those the DaemonSet controls that its selector still matches
 * (claimed as they are), and `rest`, those it controls that no longer match plus the orphans in its namespace (which
 * go through the claim rules: release, adopt or ignore).
 */
function podCandidates(store: Store<Pod>, ds: DaemonSet, selector: Selector): { owned: Pod[]; rest: Pod[] } {
  const owned: Pod[] = [];
  const rest: Pod[] = [];
  const uid = ds.metadata?.uid ?? "";
  // The index holds exactly the pods whose controller reference carries this uid: those classifyClaim calls "own"
  // when the selector matches.
  if (uid) for (const pod of store.byIndex(controllerUidIndex, uid)) (selector.matches(pod.metadata?.labels) ? owned : rest).push(pod);
  for (const pod of store.byIndex(orphanNamespaceIndex, ds.metadata?.namespace ?? "")) rest.push(pod);
  return { owned, rest };
}

function candidates<T extends Pod | ControllerRevision>(store: Store<T>, ds: DaemonSet): T[] {
  const uid = ds.metadata?.uid ?? "";
  const ns = ds.metadata?.namespace ?? "";
  const out = uid ? store.byIndex(controllerUidIndex, uid) : [];
  for (const o of store.byIndex(orphanNamespaceIndex, ns)) out.push(o);
  return out;
}

/** Runs the sync of the DaemonSet cached under `key` (namespace/name); throws to have it retried with backoff. */
export async function syncDaemonSet(deps: SyncDeps, key: string): Promise<void> {
  const ds = deps.daemonSets.get(key);
  if (!ds) {
    deps.expectations.delete(key);
    deps.pacer.forget(key);
    return;
  }
  const ref = objectReference(ds, "apps/v1", "DaemonSet");
  if (selectsAll(ds)) {
    deps.recorder.event(ref, "Warning", "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
    return;
  }
  if (isDeleting(ds)) return;
  const { placement, selector } = deps.compile(ds);
  if (!deps.expectations.satisfied(key)) {
    // Creations or deletions are in flight: their last observation syncs again. Meanwhile refresh status at most
    // once per interval instead of on every pod event.
    const wait = deps.pacer.statusOnlyDelay(key, deps.clock.now());
    if (wait > 0) {
      deps.enqueueAfter(key, wait);
      return;
    }
  }
  // Every step below walks all nodes several times but only needs each node's name and placement decision: they
  // walk small records made in one pass instead of the cached Node objects (far fewer memory reads per node).
  const nodes = deps.nodes.list().map((node) => decidedNode(node, placement.decide(node)));
  const decide = (node: Node): NodeDecision => (node as DecidedNode).decision;

  const claims = new ClaimManager(deps.client, deps.resources.daemonSets, ds, selector);
  const revisions = await claims.claim(deps.resources.controllerRevisions, candidates(deps.revisions, ds));
  const historyDeps: HistoryDeps = { client: deps.client, ...deps.resources };
  const history = await constructHistory(historyDeps, ds, revisions, () => ownedFromCache(deps.pods, ds, selector));
  const hash = revisionHash(history.current);
  // Expectations are checked before pods are read from the cache: every creation or deletion they count as observed
  // is then already in what the sync reads, so no pod is created twice while the cache catches up.
  const satisfied = deps.expectations.satisfied(key);
  const { owned, rest } = podCandidates(deps.pods, ds, selector);
  const pods = rest.length === 0 ? owned : owned.concat(await claims.claim(deps.resources.pods, rest));
  const grouped = groupPodsByNode(pods);
  // Invalid control annotations (admission rejects them) count as absent: they never stop the controller.
  const controls = parseRolloutControls(ds.metadata?.annotations).controls;
  const view: SyncView = { deps, ds, ref, key, nodes, decide, nodeToPods: grouped.nodeToPods, hash, controls, history };

  if (!satisfied) {
    await updateStatus(view, false);
    return;
  }
  // After writes the cache is read again; without writes the claimed pods are still current.
  let latest: ReturnType<typeof groupPodsByNode> | undefined = grouped;
  const refresh = (): ReturnType<typeof groupPodsByNode> => (latest ??= groupPodsByNode(ownedFromCache(deps.pods, ds, selector)));
  let failure: unknown;
  try {
    if (await manage(view)) latest = undefined;
    if (updateStrategyType(ds) === "RollingUpdate" && deps.expectations.satisfied(key)) {
      if (await rollingUpdate({ ...view, nodeToPods: refresh().nodeToPods })) latest = undefined;
    }
    await cleanupHistory(historyDeps, ds, history.old, refresh().live);
  } catch (error) {
    failure = error;
    latest = undefined;
  }
  try {
    await updateStatus({ ...view, nodeToPods: refresh().nodeToPods }, true);
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
}

/** A node reduced to its name and placement decision (all the planning steps read of it). */
interface DecidedNode extends Node {
  decision: NodeDecision;
}

function decidedNode(node: Node, decision: NodeDecision): DecidedNode {
  return { metadata: { name: node.metadata?.name ?? "" }, decision };
}

/** The cached pods the DaemonSet controls and still selects (no API calls; adoption happens in the claim step). */
function ownedFromCache(pods: Store<Pod>, ds: DaemonSet, selector: Selector): Pod[] {
  const uid = ds.metadata?.uid;
  if (!uid) return [];
  // Pods in the index are controlled by the DaemonSet (see podCandidates): those the selector matches are its own.
  return pods.byIndex(controllerUidIndex, uid).filter((p) => selector.matches(p.metadata?.labels));
}

/** What the manage, rolling-update and status steps share: the roles they use and this sync's view of the set. */
interface SyncView {
  deps: SyncWrites & SyncTiming & Pick<SyncCaches, "nodes"> & Pick<SyncTracking, "expectations" | "backoff">;
  ds: DaemonSet;
  ref: ObjectReference;
  key: string;
  nodes: Node[];
  decide: (node: Node) => NodeDecision;
  nodeToPods: Map<string, Pod[]>;
  hash: string;
  controls: RolloutControls;
  history: { current: ControllerRevision; old: ControllerRevision[] };
}

function rolloutView(v: SyncView): RolloutView {
  return {
    ds: v.ds, controls: v.controls, nodes: v.nodes, decide: v.decide, nodeToPods: v.nodeToPods, hash: v.hash,
    generation: templateGeneration(v.ds), minReadySeconds: v.ds.spec?.minReadySeconds ?? 0, nowMs: v.deps.now(),
    nodeOf: (name) => v.deps.nodes.get(name), current: v.history.current,
  };
}

function podControl(deps: SyncWrites & Pick<SyncCaches, "nodes"> & Pick<SyncTracking, "expectations">): PodControlDeps {
  return { client: deps.client, pods: deps.resources.pods, recorder: deps.recorder, expectations: deps.expectations, burstReplicas: burstFor(deps.burstReplicas, deps.nodes.size) };
}

/** The manage step; resolves true when it created or deleted anything. */
async function manage(v: SyncView): Promise<boolean> {
  const { deps, ds } = v;
  const uid = ds.metadata?.uid ?? "";
  const plan = planManage(v.nodes, v.decide, v.nodeToPods, {
    hash: v.hash,
    surge: allowsSurge(ds),
    minReadySeconds: ds.spec?.minReadySeconds ?? 0,
    nowMs: deps.now(),
    failedPodGate: (nodeName, pod) => {
      const bkey = FailedPodBackoff.key(uid, ds.status?.observedGeneration ?? 0, nodeName);
      const now = deps.clock.now();
      if (deps.backoff.isInBackOffSinceUpdate(bkey, now)) {
        deps.enqueueAfter(v.key, deps.backoff.get(bkey));
        return false;
      }
      deps.backoff.next(bkey, now);
      deps.recorder.event(v.ref, "Warning", "FailedDaemonPod",
        `Found failed daemon pod ${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""} on node ${nodeName}, will try to kill it`);
      return true;
    },
    onSucceededPod: (nodeName, pod) => {
      deps.recorder.event(v.ref, "Normal", "SucceededDaemonPod",
        `Found succeeded daemon pod ${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""} on node ${nodeName}, will try to delete it`);
    },
  });
  await syncNodes(podControl(deps), ds, v.ref, v.key, plan.podsToDelete, plan.nodesNeedingPods, v.hash);
  return plan.podsToDelete.length > 0 || plan.nodesNeedingPods.length > 0;
}

/** One rolling-update step (none while paused; only on the nodes the controls allow); true when it wrote anything. */
async function rollingUpdate(v: SyncView): Promise<boolean> {
  const { deps, ds } = v;
  if (v.controls.paused) return false;
  let desired = 0;
  for (const node of v.nodes) if (v.decide(node).shouldRun) desired++;
  const limits = rollingUpdateLimits(ds, desired);
  const plan = planRollingUpdate(v.nodes, v.decide, v.nodeToPods, {
    hash: v.hash, generation: templateGeneration(ds), minReadySeconds: ds.spec?.minReadySeconds ?? 0, nowMs: deps.now(), ...limits,
    updatable: updatableFor(rolloutView(v)),
  });
  await syncNodes(podControl(deps), ds, v.ref, v.key, plan.podsToDelete, plan.nodesToCreate, v.hash);
  return plan.podsToDelete.length > 0 || plan.nodesToCreate.length > 0;
}

/** Writes the counters when they changed (retrying once on a fresh read) and requeues while pods wait for minReadySeconds. */
async function updateStatus(v: SyncView, updateObservedGeneration: boolean): Promise<void> {
  const { deps, ds } = v;
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const counts = computeStatusCounts(v.nodes, v.decide, v.nodeToPods, {
    hash: v.hash, generation: templateGeneration(ds), minReadySeconds, nowMs: deps.now(),
  });
  // The Progressing condition is kept on full syncs only: it compares against the status being replaced.
  const progress = updateObservedGeneration ? progressFor(rolloutView(v), counts) : undefined;
  const conditionChanged = progress !== undefined && !jsonEqual(progress.outcome.condition, ds.status?.conditions?.find((c) => c.type === progressingType));
  if (statusNeedsUpdate(ds, counts) || conditionChanged) {
    const ns = ds.metadata?.namespace;
    const observed = updateObservedGeneration ? ds.metadata?.generation : undefined;
    let base = ds;
    for (let attempt = 0; ; attempt++) {
      try {
        const status = statusWithCounts(base.status, counts, observed);
        if (progress) {
          if (progress.conditions) status.conditions = progress.conditions;
          else delete status.conditions;
        }
        await deps.client.updateStatus<DaemonSet>(deps.resources.daemonSets, ns, { ...base, status });
        break;
      } catch (error) {
        if (attempt >= 1) throw error;
        base = await deps.client.get<DaemonSet>(deps.resources.daemonSets, ns, ds.metadata?.name ?? "");
        if (base.metadata?.uid !== ds.metadata?.uid || isDeleting(base)) return;
      }
    }
  }
  if (minReadySeconds > 0 && counts.numberReady !== counts.numberAvailable) deps.enqueueAfter(v.key, minReadySeconds * 1000);
  if (!progress) return;
  if (progress.outcome.requeueAfterMs !== undefined) deps.enqueueAfter(v.key, progress.outcome.requeueAfterMs);
  const writes = { client: deps.client, recorder: deps.recorder, daemonSets: deps.resources.daemonSets, controllerRevisions: deps.resources.controllerRevisions };
  const condition = progress.outcome.condition;
  if (progress.outcome.deadlineExceeded) reportDeadlineExceeded(writes, v.ref, condition?.message ?? "");
  if (v.controls.autoRevert && condition?.status === "False" && condition.reason === progressReasons.deadlineExceeded) {
    await autoRevert(writes, v.ref, rolloutView(v), v.history.old, progress.outcome.deadlineExceeded);
  }
  await markCompleted(writes, v.history.current, counts);
}
